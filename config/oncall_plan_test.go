package config_test

import (
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// cover, escalate_after and drill are read with their defaults, and bad
// values are refused at their line.
func TestParseOnCallCoverAndDrill(t *testing.T) {
	l, err := config.Parse("oncall.yaml", []byte(onCallBase+`
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-23
    cover: auto
    escalate_after: 1d
    drill: {schedule: "0 14 * * WED", nth_weekday: 1}
  - name: plain-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-23
`), onCallKind)
	if err != nil {
		t.Fatal(err)
	}
	s := oncall.SettingsOf(l.Config.Ritual("payments-oncall"))
	if s.Cover != oncall.CoverAuto || s.EscalateAfter != 24*time.Hour || s.Drill == nil || s.Drill.NthWeekday != 1 || s.Drill.Spec != "0 14 * * WED" {
		t.Fatalf("settings %+v, drill %+v", s, s.Drill)
	}
	// The first Wednesday of December 2026 is the 2nd.
	if next := s.Drill.Next(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)); next.Format("2006-01-02 15:04") != "2026-12-02 14:00" {
		t.Errorf("next drill %s, want the first Wednesday of December at 14:00", next)
	}
	p := oncall.SettingsOf(l.Config.Ritual("plain-oncall"))
	if p.Cover != oncall.CoverAskFirst || p.EscalateAfter != oncall.DefaultEscalateAfter || p.Drill != nil {
		t.Errorf("defaults: %+v", p)
	}
	for _, tc := range []struct{ extra, want string }{
		{"cover: sometimes", "cover"},
		{"escalate_after: 30s", "escalate_after"},
		{"drill: {schedule: '0 3 * * WED'}", "drill.schedule"},
		{"drill: {schedule: '0 14 * * WED', nth_weekday: 9}", "nth_weekday"},
		{"drill: {schedule: '0 14 * * WED', every: 2}", "drill"},
	} {
		wantOnCallError(t, "{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, "+tc.extra+"}", tc.want)
	}
}
