package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/config"
)

// FuzzParse: whatever the file holds, Parse returns a config or located
// errors, and never panics.
func FuzzParse(f *testing.F) {
	f.Add(good)
	f.Add("timezone: UTC\nteams:\n  - {id: a, channel: '#a', members: [a@b.co]}\nrituals:\n  - {name: r, kind: reminder, team: a, schedule: '@every 1m', text: '{{.OnCall}}'}\n")
	f.Add("timezone: UTC\nrituals:\n  - name: s\n    kind: standup\n    questions: [a, {id: b, text: c, blocker: true}]\n")
	f.Add("timezone: UTC\nteams:\n  - {id: a, channel: C0A, members: [U0A], leads: [U0L]}\nrituals:\n  - name: o\n    kind: onboarding\n    team: a\n    buddy: round_robin\n    trigger: channel_join\n    shadow_oncall: 2\n    steps: [{after: 2d, text: x, owner: buddy}, {after: 1w, text: y, link: 'https://e.x', owner: lead}]\n")
	f.Add("timezone: UTC\nteams:\n  - {id: a, channel: C0A, members: [U0A, U0B, U0C]}\nrituals:\n  - name: p\n    kind: pulse\n    team: a\n    schedule: '0 10 * * MON'\n    questions: [{id: q, text: t, scale: 11}, {id: f, text: u, free_text: true}]\n")
	f.Add("a: &x [*x]\n")
	f.Add("timezone: UTC\nholidays: [2026-02-30]\n")
	f.Fuzz(func(t *testing.T, data string) {
		l, err := config.Parse("f.yaml", []byte(data), standupReminder)
		if err != nil {
			var errs config.Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v is not a list of located errors", err)
			}
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), "f.yaml:") {
					t.Fatalf("error without its place: %q", e.Error())
				}
			}
			return
		}
		if l.Config == nil || l.Config.Timezone == nil {
			t.Fatal("a config without a time zone parsed")
		}
		for _, rc := range l.Config.Rituals {
			if rc.Enabled && rc.Schedule == nil && rc.Kind != "incidents" {
				t.Fatalf("ritual %s has no schedule", rc.Name)
			}
		}
	})
}
