// Package slackfake is a fake Slack workspace that speaks Slack's wire
// formats, for the bot's end-to-end tests and the `ritualbot demo` UI.
//
// It owns one workspace's state (users, channels, DMs, user groups,
// messages, ephemeral messages, modals, Home tabs, uploaded files) and the
// three ways an app talks to Slack:
//
//   - the Web API under APIURL(): form, query or JSON bodies, the token in a
//     `token` field or an `Authorization: Bearer` header, answers
//     `{"ok":true,...}` / `{"ok":false,"error":"..."}` with HTTP 200, and
//     HTTP 429 with `Retry-After` when a method's rate limit is spent (the
//     tiers of package slacktier, which the bot's client paces itself by);
//   - Socket Mode: apps.connections.open hands out a ws:// URL on the fake,
//     which greets with `hello`, pings every PingInterval, delivers
//     envelopes and reads acks;
//   - HTTP mode (SetRequestURL): signed POSTs to the app's request URL.
//
// It is as strict as Slack where a test can be fooled: Block Kit limits,
// rate limits, trigger_id expiry, response_url use limits, token types and
// channel membership are enforced, and errors use Slack's error codes and
// response_metadata messages. Rules whose exact behaviour Slack does not
// document are marked in comments where they are implemented.
//
// Membership rules, as in Slack: the bot (Options.BotUserID) sees a private
// channel only when it is listed in Channel.Members; it can post to any
// public channel (chat:write.public), but conversations.history,
// conversations.replies and conversations.setTopic need it to be a member
// (`not_in_channel`); chat.postEphemeral needs the recipient to be a member
// (`user_not_in_channel`). users.list includes the bot user and Slackbot
// (USLACKBOT, which Slack reports with is_bot false).
//
// Tests drive it as users would (SendSlashCommand, SendBlockAction,
// SubmitView, SubmitViewInputs, SendMessageEvent, AddReaction,
// OpenAppHome, SendHomeAction, SendEvent, ...) and observe what a person
// would see (ChannelMessages, DMs, Ephemerals, OpenViews, HomeView, Files,
// and the workspace: Users, Channels, DMChannel, UserGroups), waiting with
// Changed or WaitFor rather than sleeping. Its web page (package
// slackfake/web) is built on the same methods. SendStaleBlockAction
// clicks a saved copy of a message, as a client that has not yet shown
// an edit does; CallCounts gives the Web API calls by method.
//
// Faults are injected per method (faults.go): FailNext and FailRandomly
// answer with a 5xx, a 429 with Retry-After, a Slack error, a delay past
// the client's timeout, a closed or reset connection, or (Accepted) do the
// work and then lose the answer; "*" stands for every method.
// SetTokensRevoked refuses both tokens with invalid_auth until restored,
// DisconnectSockets and RefuseSockets send Socket Mode `disconnect`
// (refresh_requested, too_many_websockets).
//
// What it holds an app to besides (acks within 3 s and only an empty body
// as a bare ack, retries of unacknowledged events, connection refreshes
// mid-handler, trigger_id expiry in real time, the events it sends by
// itself, legacy usernames, scopes granted with GrantScopes) is listed
// with Slack's sources in docs/SLACKFAKE.md.
//
// The server listens on 127.0.0.1 only and never contacts any address but
// the request URL a test sets.
package slackfake
