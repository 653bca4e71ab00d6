package home

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Where a member's standup stands on the Home tab, as of now.
func TestStandupLine(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	day := rituals.Date{Year: 2026, Month: 11, Day: 24}
	for _, c := range []struct {
		name string
		s    rituals.UserStandup
		want string
	}{
		{"answered", rituals.UserStandup{Date: day, Prompt: now.Add(-time.Hour), Answered: true}, "Tue 24 Nov 09:00 · :white_check_mark: answered"},
		{"skipped", rituals.UserStandup{Date: day, Prompt: now.Add(-time.Hour), Skipped: true}, "skipped"},
		{"away", rituals.UserStandup{Date: day, Prompt: now.Add(-time.Hour), Away: true}, "you are away"},
		{"prompted, not answered", rituals.UserStandup{Date: day, Prompt: now.Add(-time.Hour)}, "not answered yet: `/standup` to answer"},
		{"prompted this instant", rituals.UserStandup{Date: day, Prompt: now}, "not answered yet: `/standup` to answer"},
		{"ahead of the prompt", rituals.UserStandup{Date: day, Prompt: now.Add(time.Hour)}, "you can answer ahead"},
		{"no prompt time", rituals.UserStandup{Date: day}, "Tue 24 Nov · "},
	} {
		if got := standupLine(c.s, now, time.UTC); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want it to say %q", c.name, got, c.want)
		}
	}
}

// Action items on the Home tab: dated ones first, soonest first, overdue
// marked; undated last.
func TestActionsText(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	got := actionsText([]rituals.ActionBrief{
		{Incident: 3, Text: "undated"},
		{Incident: 2, Text: "next week", Due: rituals.Date{Year: 2026, Month: 12, Day: 1}},
		{Incident: 1, Text: "late", Due: rituals.Date{Year: 2026, Month: 11, Day: 20}},
	}, now, time.UTC)
	want := ":clipboard: *Your action items* (3 open)\n• #1 late _(due Fri 20 Nov, overdue)_\n• #2 next week _(due Tue 1 Dec)_\n• #3 undated"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := actionsText(nil, now, time.UTC); !strings.Contains(got, "None open") {
		t.Errorf("no actions: %q", got)
	}
}
