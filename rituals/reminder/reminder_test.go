package reminder_test

import (
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/reminder"
)

func TestReminderMessage(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC) // Tuesday 00:30 in Berlin
	team := &rituals.Team{ID: "pay", Name: "Pay <&> Co", Channel: "C0TEAM"}
	onCall := func(t string, when time.Time) (string, bool) { return "U0BOB", t == "pay" && when.Equal(at) }
	for _, c := range []struct {
		name, text, channel string
		team                *rituals.Team
		onCall              rituals.OnCallLookup
		want, to            string
		fails               bool
	}{
		{"date in the ritual's zone", "Retro on {{.Date}}", "C0OWN", nil, nil, "Retro on Tuesday 24 November", "C0OWN", false},
		{"team escaped, on-call named", "{{.Team}}: {{.OnCall}} is on call", "", team, onCall, "Pay &lt;&amp;&gt; Co: <@U0BOB> is on call", "C0TEAM", false},
		{"nobody on call", "[{{.OnCall}}]", "", team, nil, "[]", "C0TEAM", false},
		{"the ritual's channel over the team's", "hi", "C0OWN", team, nil, "hi", "C0OWN", false},
		{"renders empty", "  {{.OnCall}} ", "C0OWN", nil, nil, "", "", true},
		{"a template error", "{{.Nope}}", "C0OWN", nil, nil, "", "", true},
	} {
		rc := &rituals.RitualConfig{Name: "r", Kind: rituals.KindReminder, Channel: c.channel,
			Schedule: rituals.MustParseSchedule("30 0 * * TUE", berlin),
			Settings: &reminder.Settings{Text: template.Must(template.New("").Parse(c.text)), TextSpec: c.text}}
		r := &reminder.Reminder{Config: rc, Team: c.team, OnCall: c.onCall}
		m, err := r.Message(at)
		if (err != nil) != c.fails {
			t.Errorf("%s: %v, want failure %v", c.name, err, c.fails)
			continue
		}
		if err != nil {
			continue
		}
		if m.Text != c.want || m.To != c.to || len(m.Blocks) != 1 || !strings.HasPrefix(m.Key, "r@2026-11-23T23:30:00Z") {
			t.Errorf("%s: %q to %s (key %s), want %q to %s", c.name, m.Text, m.To, m.Key, c.want, c.to)
		}
	}
}
