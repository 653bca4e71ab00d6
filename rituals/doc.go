// Package rituals is the core of ritualbot's domain, what every ritual kind
// shares: teams, admins and holidays (Config, Team); when things happen
// (Schedule, Date, the Scheduler, which runs each occurrence of a job
// exactly once across restarts, on an injected Clock); what a ritual says
// (Message, Block, Form, Question) and how it hands it over (Outbox, the
// durable outbox contract OutboxStore); errors a person may be shown
// (Error and its codes); and the seams between kinds (links.go), the few
// words one kind needs of another, which cmd/ritualbot connects.
//
// The kinds live in packages of their own below this one: standup,
// oncall, incident, digest, reminder, and home (the App Home tab). None
// imports another.
//
// What the domain says is Slack's mrkdwn, the text format of its messages:
// mrkdwn.go is its one home (escaping user text, mentions, links, dates in
// each reader's zone, clipping on token boundaries). The domain knows
// nothing else of Slack (no API, no payloads), and nothing of bbolt: it
// declares the stores it needs as small interfaces, implemented in store/,
// and bot/ delivers its messages and hands it people's commands.
package rituals
