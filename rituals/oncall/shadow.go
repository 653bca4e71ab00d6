package oncall

import (
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// shadowsAt are the newcomers shadowing the team's on-call at t (the
// onboarding's shadow weeks), the primary aside; none without onboarding.
func (r *Rotation) shadowsAt(t time.Time, primary string) []string {
	shadows := rituals.Linked(r.Shadows)
	if shadows == nil {
		return nil
	}
	var out []string
	for _, u := range shadows(r.Team.ID, t) {
		if u != "" && u != primary {
			out = rituals.AddUnique(out, u)
		}
	}
	return out
}

// shadowingLine says who shadows the shift, "" if nobody does.
func shadowingLine(shadows []string) string {
	if len(shadows) == 0 {
		return ""
	}
	return fmt.Sprintf(":eyes: %s %s shadowing this shift.", joinAnd(shadows), isAre(len(shadows)))
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// joinAnd mentions users as "@a", "@a and @b", "@a, @b and @c".
func joinAnd(users []string) string {
	m := make([]string, len(users))
	for i, u := range users {
		m[i] = rituals.Mention(u)
	}
	if len(m) < 2 {
		return strings.Join(m, "")
	}
	return strings.Join(m[:len(m)-1], ", ") + " and " + m[len(m)-1]
}

// shadowDM tells a newcomer shadowing the shift whose shift it is, who
// hands to whom, and the team's open incidents; times fall back to their
// zone, loc.
func (r *Rotation) shadowDM(h handoff, shadow string, loc *time.Location) rituals.Message {
	in := h.Incoming
	lead := fmt.Sprintf(":eyes: You are shadowing %s's on-call shift for *%s*, from now until %s.",
		rituals.Mention(in.Primary), r.TeamName(), r.FormatTimeIn(h.Until, loc))
	if h.Outgoing != nil && h.Outgoing.Primary != in.Primary {
		lead += fmt.Sprintf(" %s hands over to %s.", rituals.Mention(h.Outgoing.Primary), rituals.Mention(in.Primary))
	}
	if in.Secondary != "" {
		lead += " Secondary: " + rituals.Mention(in.Secondary) + "."
	}
	if others := without(h.Shadows, shadow); len(others) > 0 {
		lead += fmt.Sprintf(" %s %s shadowing too.", joinAnd(others), isAre(len(others)))
	}
	blocks := []rituals.Block{rituals.Section(lead)}
	if h.HaveLog {
		blocks = append(blocks, rituals.Section(r.openIncidentsText(h)))
	}
	blocks = append(blocks, rituals.Context(fmt.Sprintf("You are added to the team's incidents as shadowing, so you see them as they happen; %s answers the pages. Ask them anything.",
		rituals.Mention(in.Primary))))
	return rituals.Message{
		Key: rituals.OccurrenceKey(r.Config.Name+"/handoff", h.At, "shadow", shadow), To: shadow,
		Text:   stripMrkdwn(fmt.Sprintf("You are shadowing the on-call shift for %s", r.TeamName())),
		Blocks: blocks,
	}
}

func without(list []string, s string) []string {
	var out []string
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}
