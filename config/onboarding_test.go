package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

var onboardingKind = config.Kinds{rituals.KindOnboarding: config.Onboarding}

const onboardingBase = "timezone: Europe/Berlin\nteams:\n  - {id: a, channel: C0AAAAAAA, members: [U0AAAAAAA], leads: [U0LLLLLLL]}\nrituals:\n" +
	"  - name: o\n    kind: onboarding\n    team: a\n"

const oneStep = "    steps:\n      - {after: 0d, text: 'Laptop'}\n"

func TestOnboardingConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"bad after", "    steps:\n      - {after: soon, text: 'Laptop'}\n", "t.yaml:9: rituals[0].steps[0].after: bad `after` \"soon\": want whole days or weeks"},
		{"after in hours", "    steps:\n      - {after: 3h, text: 'Laptop'}\n", "t.yaml:9: rituals[0].steps[0].after: bad `after` \"3h\""},
		{"no after", "    steps:\n      - {text: 'Laptop'}\n", "t.yaml:9: rituals[0].steps[0].after: missing"},
		{"unknown owner", "    steps:\n      - {after: 1d, text: 'Laptop', owner: manager}\n", "t.yaml:9: rituals[0].steps[0].owner: want one of newcomer, buddy, lead, got \"manager\""},
		{"unknown buddy", "    buddy: random\n" + oneStep, "t.yaml:8: rituals[0].buddy: want one of lead, rotation, round_robin, got \"random\""},
		{"unknown trigger", "    trigger: email\n" + oneStep, "t.yaml:8: rituals[0].trigger: want one of command, channel_join"},
		{"negative weeks", "    shadow_oncall: -1\n" + oneStep, "t.yaml:8: rituals[0].shadow_oncall: want a whole number from 0 to 26, got \"-1\""},
		{"bad join", "    join_rotation_after: -6w\n" + oneStep, "t.yaml:8: rituals[0].join_rotation_after: bad `after` \"-6w\""},
		{"bad feedback", "    feedback_after: 4 weeks\n" + oneStep, "t.yaml:8: rituals[0].feedback_after: bad `after`"},
		{"no steps", "    buddy: lead\n", "rituals[0].steps: missing"},
		{"bad link", "    steps:\n      - {after: 0d, text: 'Laptop', link: 'javascript:alert(1)'}\n", "t.yaml:9: rituals[0].steps[0].link: \"javascript:alert(1)\": want an http(s) URL"},
		{"unknown key", "    steps:\n      - {after: 0d, text: 'Laptop', ownr: lead}\n", "rituals[0].steps[0].ownr: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("t.yaml", []byte(onboardingBase+tt.yaml), onboardingKind)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
	noLeads := strings.Replace(onboardingBase, ", leads: [U0LLLLLLL]", "", 1) + oneStep
	if _, err := config.Parse("t.yaml", []byte(noLeads), onboardingKind); err == nil || !strings.Contains(err.Error(), "has no leads") {
		t.Errorf("a team without leads: %v", err)
	}
}

func TestOnboardingConfigDefaults(t *testing.T) {
	cfg, err := config.Parse("t.yaml", []byte(onboardingBase+"    steps:\n      - {after: 0d, text: 'Laptop', link: 'https://wiki.example.com/laptop'}\n      - {after: 1w2d, text: 'Check in', owner: lead}\n"), onboardingKind)
	if err != nil {
		t.Fatal(err)
	}
	s := onboarding.SettingsOf(cfg.Config.Rituals[0])
	if s.Buddy != onboarding.BuddyLead || s.Trigger != onboarding.TriggerCommand || s.ShadowWeeks != 2 || s.JoinRotationAfterDays != 42 || s.FeedbackAfterDays != 28 {
		t.Errorf("defaults %+v", s)
	}
	if len(s.Steps) != 2 || s.Steps[0].Owner != onboarding.Newcomer || s.Steps[1].AfterDays != 9 || s.Steps[1].Owner != onboarding.Lead || s.Steps[0].Link == "" {
		t.Errorf("steps %+v", s.Steps)
	}
	if d := config.Describe(cfg.Config.Config, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), 1); !strings.Contains(d, "2 step(s) at 10:00 in each reader's zone, on days 0 9") ||
		!strings.Contains(d, "asked about the rotation after 6w, the newcomer for feedback after 4w") {
		t.Errorf("validate does not describe the onboarding:\n%s", d)
	}
}
