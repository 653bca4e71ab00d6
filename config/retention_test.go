package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
)

func TestRetention(t *testing.T) {
	const day = 24 * time.Hour
	l, err := config.Parse("t.yaml", []byte("timezone: UTC\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Config.Retention; got != rituals.DefaultRetention {
		t.Errorf("no retention: key: %+v, want the defaults %+v", got, rituals.DefaultRetention)
	}
	l, err = config.Parse("t.yaml", []byte("timezone: UTC\nretention: {standup: 90d, incidents: 730d, deploys: forever}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := rituals.Retention{Standup: 90 * day, Incidents: 730 * day, Deploys: rituals.Forever, Outbox: rituals.DefaultRetention.Outbox, Onboarding: rituals.DefaultRetention.Onboarding, OnCall: rituals.DefaultRetention.OnCall}
	if got := l.Config.Retention; got != want {
		t.Errorf("retention = %+v, want %+v", got, want)
	}
	if out := config.Describe(l.Config.Config, time.Now(), 1); !strings.Contains(out, "retention: standups 90d, incidents 730d, deploys forever, delivery records 90d, onboardings 730d, members taken out of rotations 365d\n") {
		t.Errorf("validate does not say what is kept:\n%s", out)
	}

	for _, tt := range []struct{ yaml, want string }{
		{"retention: {standup: soon}\n", `t.yaml:2: retention.standup: want a duration such as 90d or 365d, or forever; got "soon"`},
		{"retention:\n  deploys: 2d\n", "t.yaml:3: retention.deploys: 2d is too short: keep these records at least 7d"},
		{"retention:\n  outbox: 10d\n", "t.yaml:3: retention.outbox: 10d is too short: keep these records at least 30d"},
		{"retention: {standup: [90d]}\n", "t.yaml:2: retention.standup:"},
		{"retention: {answers: 90d}\n", `t.yaml:2: retention.answers: unknown key`},
		{"retention: 90d\n", "t.yaml:2: retention: want a mapping"},
	} {
		_, err := config.Parse("t.yaml", []byte("timezone: UTC\n"+tt.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want it to contain %q", tt.yaml, err, tt.want)
		}
	}
}
