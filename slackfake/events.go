package slackfake

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// mentionsBot reports whether text (in Slack's wire format) mentions the
// bot user: <@U0BOT> or <@U0BOT|name>.
func (s *Server) mentionsBot(text string) bool {
	at := "<@" + s.opts.BotUserID
	return strings.Contains(text, at+">") || strings.Contains(text, at+"|")
}

// appMentionLocked is the app_mention event Slack sends, besides the
// message event, when a member's message in a channel the bot is in
// mentions the bot (api.slack.com/events/app_mention); nil when it does
// not. edited, for an edited message, is {"user", "ts"}: Slack sends
// app_mention again, with a new event_id, when a message that mentions
// the bot is edited (slackapi/java-slack-sdk
// json-logs/samples/events/AppMentionPayload.json carries "edited";
// slack-go added AppMentionEvent.Edited in PR #1256). No app_mention in
// a DM: there the message event is all.
func (s *Server) appMentionLocked(ch *channel, m *message, edited map[string]any) map[string]any {
	if ch.isIM || !ch.hasMember(s.opts.BotUserID) || !s.mentionsBot(m.text) {
		return nil
	}
	ev := map[string]any{
		"type": "app_mention", "client_msg_id": newUUID(), "text": m.text, "user": m.user, "ts": m.ts,
		"team": s.opts.TeamID, "channel": ch.ID, "event_ts": m.ts,
	}
	if m.threadTS != "" {
		ev["thread_ts"] = m.threadTS
	}
	if edited != nil {
		ev["edited"] = edited
		ev["event_ts"] = edited["ts"]
	}
	return ev
}

// EditMessage is a member editing their own message: the text changes
// (marked edited), the bot gets a message event of subtype
// message_changed if it is in the conversation, and, if the new text
// mentions the bot, app_mention again with "edited" and a new event_id,
// as Slack sends it. The message event's reply is returned.
func (s *Server) EditMessage(ctx context.Context, userID, channelID, ts, text string) (Reply, error) {
	s.mu.Lock()
	u, ch, err := s.actorLocked(userID, channelID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	m, _ := s.findMessageLocked(ch.ID, ts)
	if m == nil || m.user != u.ID || m.bot {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: %s has no message %s in %s to edit", userID, ts, ch.ID)
	}
	previous := map[string]any{"type": "message", "user": m.user, "text": m.text, "ts": m.ts}
	m.text = text
	m.edited = true
	m.editCount++
	editTS, us := s.nextTSLocked()
	m.editedTS = editTS
	edited := map[string]any{"user": u.ID, "ts": editTS}
	changed := map[string]any{"type": "message", "user": m.user, "text": m.text, "ts": m.ts, "edited": edited}
	if m.threadTS != "" {
		changed["thread_ts"] = m.threadTS
	}
	// The message_changed shape: api.slack.com/events/message/message_changed.
	ev := map[string]any{
		"type": "message", "subtype": "message_changed", "hidden": true, "channel": ch.ID,
		"ts": editTS, "event_ts": editTS, "message": changed, "previous_message": previous,
	}
	member := ch.isIM || ch.hasMember(s.opts.BotUserID)
	mention := s.appMentionLocked(ch, m, edited)
	s.notifyLocked()
	s.mu.Unlock()
	if !member {
		return Reply{}, nil
	}
	r, err := s.deliverEvent(ctx, ev, us/1e6)
	if err == nil && mention != nil {
		_, err = s.deliverEvent(ctx, mention, us/1e6)
	}
	return r, err
}

// setGroupMembersLocked replaces a group's members and returns the
// subteam_members_changed event that tells of it and its time in microseconds.
func (s *Server) setGroupMembersLocked(g *UserGroup, users []string) (map[string]any, int64) {
	var added, removed []string
	for _, u := range users {
		if !slices.Contains(g.Users, u) {
			added = append(added, u)
		}
	}
	for _, u := range g.Users {
		if !slices.Contains(users, u) {
			removed = append(removed, u)
		}
	}
	g.Users = slices.Clone(users)
	s.notifyLocked()
	ts, us := s.nextTSLocked()
	return map[string]any{
		"type": "subteam_members_changed", "subteam_id": g.ID, "team_id": s.opts.TeamID,
		"date_previous_update": us/1e6 - 60, "date_update": us / 1e6,
		"added_users": nonNilStrings(added), "added_users_count": len(added),
		"removed_users": nonNilStrings(removed), "removed_users_count": len(removed),
		"event_ts": ts,
	}, us
}
