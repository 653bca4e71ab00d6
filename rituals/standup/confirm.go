package standup

import (
	"fmt"
	"slices"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// confirmations edit the prompt (and the nudge, if one went out) a member
// acted on, so the DM says what happened instead of offering the same
// buttons again: "✓ Answered 09:12" with Edit, or "Skipped today" with
// Answer anyway. Nothing is edited for a member who was never prompted
// (an answer given ahead): there is no message to edit.
func (s *Standup) confirmations(users map[string]rituals.UserInfo, day StandupDay, a StandupAnswer) []rituals.Message {
	loc := memberZone(users, a.User, s.Config.Schedule.Location)
	var text, button string
	switch {
	case a.Skipped:
		text = fmt.Sprintf("Skipped today — *%s* standup, %s.", rituals.Escape(s.teamName()), dayLabel(a.Date))
		button = "Answer anyway"
	default:
		text = fmt.Sprintf(":white_check_mark: Answered %s — *%s* standup, %s.", a.Submitted.In(loc).Format("15:04"), rituals.Escape(s.teamName()), dayLabel(a.Date))
		if !a.Edited.IsZero() {
			text += fmt.Sprintf(" Edited %s.", a.Edited.In(loc).Format("15:04"))
		}
		button = "Edit"
	}
	blocks := []rituals.Block{rituals.Section(text)}
	if s.mayChange(users, a.User, a.Date, day, a.Skipped) {
		blocks = append(blocks, rituals.Actions(rituals.Button{Text: button, ActionID: "standup:answer", Value: s.buttonValue(a.Date)}))
	}
	var msgs []rituals.Message
	for _, c := range []struct {
		kind string
		sent []string
	}{{"prompt", day.Prompted}, {"remind", day.Reminded}} {
		if slices.Contains(c.sent, a.User) {
			msgs = append(msgs, rituals.Message{Key: s.key(a.Date, c.kind, a.User), To: a.User, Update: true, Text: rituals.PlainText(blocks[0]), Blocks: blocks})
		}
	}
	return msgs
}

// mayChange reports whether member may still change what they gave for
// day d at now: a skip, or anything before the summary, until the
// member's next standup (a late answer is still taken); an answer in a
// posted summary until the end of d in the member's own zone (the
// summary is then updated, marked edited).
func (s *Standup) mayChange(users map[string]rituals.UserInfo, member string, d rituals.Date, day StandupDay, skipped bool) bool {
	now := s.Clock.Now()
	if skipped || day.Summarized.IsZero() {
		return !s.over(users, member, d, now)
	}
	return now.Before(endOfDay(d, memberZone(users, member, s.Config.Schedule.Location)))
}

// endOfDay is midnight after d in loc.
func endOfDay(d rituals.Date, loc *time.Location) time.Time {
	return d.AddDays(1).In(loc)
}
