package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Stakeholder broadcast: each channel of `broadcast` for the incident's
// severity (or any severity it has had) shows the incident once, a
// message kept up to date with chat.update, and a thread of its status
// updates in plain language. Internal notes, alerts and pins stay in the
// incident's own thread.

func broadcastKey(n int, channel string) string { return fmt.Sprintf("incident/%d/bc/%s", n, channel) }

// ParseBroadcastKey reads the key of an incident's broadcast message.
func ParseBroadcastKey(key string) (n int, channel string, ok bool) {
	rest, ok := strings.CutPrefix(key, "incident/")
	if !ok {
		return 0, "", false
	}
	num, ch, ok := strings.Cut(rest, "/bc/")
	if !ok || ch == "" || strings.Contains(ch, "/") {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	return n, ch, err == nil && n > 0
}

// broadcastChannels are the stakeholder channels of every severity inc
// has had, in config order, without those Slack refused.
func (x *Incidents) broadcastChannels(inc Incident) []string {
	sevs := []string{inc.Severity}
	for _, e := range inc.Timeline {
		if e.Severity != "" {
			sevs = append(sevs, e.Severity)
		}
	}
	var out []string
	for _, sev := range x.Settings.Severities {
		if !hasSeverity(sevs, sev) {
			continue
		}
		for k, chs := range x.Settings.Comms.Broadcast {
			if !strings.EqualFold(k, sev) {
				continue
			}
			for _, ch := range chs {
				if !slices.Contains(inc.Comms.Unreachable, ch) {
					out = rituals.AddUnique(out, ch)
				}
			}
		}
	}
	return out
}

// broadcastMessages are inc's stakeholder messages: the message in each
// channel (posted once, refreshed when refresh) and a reply in its thread
// for each public timeline event from index from on.
func (x *Incidents) broadcastMessages(inc Incident, from int, refresh bool) []rituals.Message {
	var msgs []rituals.Message
	for _, ch := range x.broadcastChannels(inc) {
		key := broadcastKey(inc.Number, ch)
		m := x.broadcastMessage(inc, ch)
		// Posting a key already sent does nothing: a channel new to the
		// incident (an escalation) gets its message, the others an edit.
		msgs = append(msgs, m)
		if refresh {
			m.Update = true
			msgs = append(msgs, m)
		}
		for i := max(from, 1); i < len(inc.Timeline); i++ {
			if line, ok := stakeholderLine(inc.Timeline[i]); ok {
				msgs = append(msgs, rituals.Message{
					Key: fmt.Sprintf("%s/event/%d", key, i), To: ch, ThreadKey: key,
					Text: fmt.Sprintf("#%d: %s", inc.Number, strings.SplitN(line, "\n", 2)[0]), Blocks: []rituals.Block{rituals.Section(line)},
				})
			}
		}
	}
	return msgs
}

// stakeholderLine is a timeline event as stakeholders read it; ok is false
// for what stays in the incident's thread.
func stakeholderLine(e TimelineEvent) (string, bool) {
	switch {
	case e.Kind == EventUpdate && e.By != "" && !e.Internal:
		return ":speech_balloon: *Update*\n" + rituals.EscapeText(e.Text), true
	case e.Kind == EventSeverity:
		return ":arrows_counterclockwise: *Severity* " + rituals.EscapeText(strings.ToUpper(e.Text)), true
	case e.Kind == EventResolved:
		s := ":large_green_circle: *Resolved*"
		if e.Text != "" {
			s += "\n" + rituals.EscapeText(rituals.DefuseMentions(e.Text))
		}
		return s, true
	}
	return "", false
}

// broadcastMessage is the incident as a stakeholder channel shows it:
// severity, impact, status, the latest update, when the next is due, and
// where the work happens.
func (x *Incidents) broadcastMessage(inc Incident, channel string) rituals.Message {
	now := x.Clock.Now()
	status := ":red_circle: Investigating, since " + x.when(inc.Opened)
	if !inc.IsOpen() {
		status = fmt.Sprintf(":large_green_circle: Resolved after %s", HumanDuration(inc.Duration(now)))
	}
	fields := []string{
		"*Severity*\n" + strings.ToUpper(inc.Severity),
		"*Status*\n" + status,
		"*Impact*\n" + rituals.Escape(x.TeamNames(inc.Teams)),
	}
	if due := x.NextUpdateDue(inc); !due.IsZero() {
		fields = append(fields, "*Next update*\n"+x.when(due))
	}
	blocks := []rituals.Block{
		rituals.Header(fmt.Sprintf("Incident #%d: %s", inc.Number, x.title(inc))),
		{Kind: rituals.SectionBlock, Fields: fields},
	}
	if u, ok := latestPublicUpdate(inc); ok {
		blocks = append(blocks, rituals.Section("*Latest update* ("+x.when(u.At)+")\n"+rituals.EscapeText(rituals.Shorten(u.Text, 2800))))
	} else if !inc.IsOpen() && inc.Summary != "" {
		blocks = append(blocks, rituals.Section("*Summary*\n"+rituals.EscapeText(inc.Summary)))
	}
	thread, _ := rituals.Link(x.threadURL(inc), "the thread")
	where := fmt.Sprintf("The team works it in %s of Incident #%d in %s", thread, inc.Number, rituals.ChannelLink(x.Channel()))
	if r := inc.Comms.Room; r != nil && r.ID != "" && r.Archived.IsZero() {
		where += " and in " + rituals.ChannelLink(r.ID)
	}
	blocks = append(blocks, rituals.Context(where+". Updates follow in this message's thread."))
	text := fmt.Sprintf("Incident #%d (%s): %s", inc.Number, strings.ToUpper(inc.Severity), rituals.Escape(x.title(inc)))
	if !inc.IsOpen() {
		text = "Resolved: " + text
	}
	return rituals.Message{Key: broadcastKey(inc.Number, channel), To: channel, Text: text, Blocks: blocks}
}

func latestPublicUpdate(inc Incident) (TimelineEvent, bool) {
	for i := len(inc.Timeline) - 1; i >= 0; i-- {
		if e := inc.Timeline[i]; e.Kind == EventUpdate && e.By != "" && !e.Internal {
			return e, true
		}
	}
	return TimelineEvent{}, false
}

// BroadcastRefused is told that Slack refused incident n's message in a
// stakeholder channel for good (the bot is not in a private channel, the
// channel is archived or gone). The incident goes on; its commander (else
// its thread) is told once per channel, and the channel is left out of
// later updates. It reports whether n is this ritual's.
func (x *Incidents) BroadcastRefused(ctx context.Context, n int, channel, reason string) (bool, error) {
	if !x.Owns(n) {
		return false, nil
	}
	_, err := x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if slices.Contains(inc.Comms.Unreachable, channel) {
			return nil, rituals.Errorf(rituals.ECONFLICT, "told before")
		}
		inc.Comms.Unreachable = append(inc.Comms.Unreachable, channel)
		text := fmt.Sprintf(":warning: I could not post #%d's status to %s for stakeholders: Slack said `%s`. %s "+
			"The incident goes on; until this is fixed, tell that channel yourself.",
			inc.Number, rituals.ChannelLink(channel), rituals.Escape(reason), refusalHint(reason))
		m := rituals.Message{Key: fmt.Sprintf("incident/%d/bc-refused/%s", inc.Number, channel), Text: fmt.Sprintf("#%d: stakeholder channel unreachable", inc.Number),
			Blocks: []rituals.Block{rituals.Section(text)}}
		if inc.Commander != "" {
			m.To = inc.Commander
		} else {
			m.To, m.ThreadKey = x.Channel(), announceKey(inc.Number)
		}
		return []rituals.Message{m}, nil
	})
	if rituals.ErrorCode(err) == rituals.ECONFLICT {
		return true, nil
	}
	return true, err
}

// refusalHint says how to fix what Slack answered.
func refusalHint(reason string) string {
	switch {
	case strings.Contains(reason, "channel_not_found"), strings.Contains(reason, "not_in_channel"):
		return "If it is a private channel, invite me to it (`/invite @ritualbot`); check the channel in the `broadcast` setting."
	case strings.Contains(reason, "is_archived"):
		return "The channel is archived: pick another in the `broadcast` setting."
	}
	return "Check the channel in the `broadcast` setting."
}
