package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// pulseKind: the kinds the configs here use (the bot passes its one table).
var pulseKind = config.Kinds{rituals.KindPulse: config.Pulse}

const pulseBase = "timezone: Europe/Berlin\nteams:\n  - {id: a, channel: C0AAAAAAA, members: [U0AAAAAAA, U0BBBBBBB, U0CCCCCCC]}\nrituals:\n" +
	"  - name: p\n    kind: pulse\n    team: a\n    schedule: \"0 10 * * MON\"\n"

func TestPulseConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"scale 0", "    questions:\n      - {id: workload, text: 'Workload?', scale: 0}\n", `t.yaml:10: rituals[0].questions[0].scale: want a whole number from 2 to 10, got "0"`},
		{"scale 11", "    questions:\n      - {id: workload, text: 'Workload?', scale: 5}\n      - {id: focus, text: 'Focus?', scale: 11}\n", `t.yaml:11: rituals[0].questions[1].scale: want a whole number from 2 to 10, got "11"`},
		{"no scale", "    questions:\n      - {id: workload, text: 'Workload?'}\n", "t.yaml:10: rituals[0].questions[0].scale: missing"},
		{"scale and free text", "    questions:\n      - {id: x, text: 'X?', scale: 5, free_text: true}\n", "t.yaml:10: rituals[0].questions[0].scale: a free_text question has no scale"},
		{"no questions", "    close_after: 1d\n", "rituals[0].questions"},
		{"min above members", "    min_responses: 4\n    questions:\n      - {id: x, text: 'X?', scale: 5}\n", `t.yaml:9: rituals[0].min_responses: team "a" has 3 members, fewer than min_responses (4)`},
		{"min of one", "    min_responses: 1\n    questions:\n      - {id: x, text: 'X?', scale: 5}\n", "rituals[0].min_responses: want a whole number from 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("t.yaml", []byte(pulseBase+tt.yaml), pulseKind)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestPulseConfigDefaults(t *testing.T) {
	cfg, err := config.Parse("t.yaml", []byte(pulseBase+"    questions:\n      - {id: workload, text: 'Workload?', scale: 5}\n      - {id: else, text: 'Anything else?', free_text: true}\n"), pulseKind)
	if err != nil {
		t.Fatal(err)
	}
	s := pulse.SettingsOf(cfg.Config.Rituals[0])
	if s.CloseAfter != pulse.DefaultCloseAfter || s.MinResponses != 3 || len(s.Questions) != 2 || s.Questions[0].Scale != 5 || !s.Questions[1].FreeText {
		t.Errorf("settings %+v", s)
	}
	if d := config.Describe(cfg.Config.Config, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 1); !strings.Contains(d, "each round stays open 2d, with one reminder halfway; results only if at least 3 answer") {
		t.Errorf("validate does not describe the pulse:\n%s", d)
	}
}
