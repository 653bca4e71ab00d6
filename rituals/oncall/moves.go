package oncall

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// configChangedLocked reports whether the config's rotation or exec list
// differs from the one stored at the latest handoff.
func (r *Rotation) configChangedLocked() bool {
	n := len(r.handoffs)
	if n == 0 {
		return false
	}
	last := r.handoffs[n-1]
	return !slices.Equal(last.Rotation, r.withAdditions(r.Settings.Rotation, last.At)) || !slices.Equal(last.ExecRotation, r.Settings.Exec)
}

// configDigest names the config's rotation and the latest handoff it
// departs from, so that telling of one change is keyed once however many
// times the bot starts with it.
func (r *Rotation) configDigest() string {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(r.Settings.Rotation, ",") + "|" + strings.Join(r.Settings.Exec, ",")))
	at := ""
	if n := len(r.handoffs); n > 0 {
		at = fmt.Sprint(r.handoffs[n-1].At.Unix())
	}
	return fmt.Sprintf("%s-%x", at, h.Sum64())
}

// planLocked is each person's primary stints within plan_ahead of from,
// clipped to it.
func (r *Rotation) planLocked(from time.Time) map[string][]Span {
	to := from.Add(r.Settings.planAhead())
	plan := map[string][]Span{}
	for _, st := range r.onCallOverLocked(Span{From: from, To: to}) {
		plan[st.User] = append(plan[st.User], Span{From: st.Start, To: st.End})
	}
	return plan
}

// ShiftMoves compares two plans (before and after a change, as planLocked
// reads them) and returns one DM for each person whose shifts differ,
// listing old → new; key tells this change's DMs apart and why says what
// changed. Times are Slack date tokens, fallbacks in zone's zone for them.
func (r *Rotation) ShiftMoves(key, why string, before, after map[string][]Span, zone func(string) *time.Location) []rituals.Message {
	if zone == nil {
		zone = func(string) *time.Location { return r.loc() }
	}
	var people []string
	for u := range before {
		people = append(people, u)
	}
	for u := range after {
		if _, ok := before[u]; !ok {
			people = append(people, u)
		}
	}
	sort.Strings(people)
	var out []rituals.Message
	for _, u := range people {
		if u == "" || slices.Equal(before[u], after[u]) {
			continue
		}
		loc := zone(u)
		list := func(spans []Span) string {
			if len(spans) == 0 {
				return "none"
			}
			return r.spanLines(spans, loc)
		}
		weeks := r.planAheadWeeks()
		head := fmt.Sprintf(":calendar: Your on-call shifts for *%s* in the next %d weeks moved: %s.", r.TeamName(), weeks, why)
		out = append(out, rituals.Message{
			Key: r.key("moves", key, u), To: u,
			Text: stripMrkdwn(fmt.Sprintf("Your on-call shifts for %s moved", r.TeamName())),
			Blocks: []rituals.Block{
				rituals.Section(head),
				rituals.Section("*Before*\n" + list(before[u])),
				rituals.Section("*Now*\n" + list(after[u])),
				rituals.Context("`/oncall schedule " + r.Team.ID + "` shows the whole rotation; `/oncall swap` trades a shift."),
			},
		})
	}
	return out
}

// spanLines lists spans one a line, as "• from → to" in loc.
func (r *Rotation) spanLines(spans []Span, loc *time.Location) string {
	lines := make([]string, len(spans))
	for i, sp := range spans {
		lines[i] = "• " + r.FormatTimeIn(sp.From, loc) + " → " + r.FormatTimeIn(sp.To, loc)
	}
	return strings.Join(lines, "\n")
}

// planAheadWeeks is plan_ahead in whole weeks, as the DMs about shifts
// name the span they list.
func (r *Rotation) planAheadWeeks() int {
	return int(r.Settings.planAhead().Hours() / 24 / 7)
}
