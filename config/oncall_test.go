package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// onCallKind: the kinds the configs here use (the bot passes its one table).
var onCallKind = config.Kinds{rituals.KindOnCall: config.OnCall}

const onCallBase = `
timezone: Europe/Berlin
holidays: [2026-12-28]
teams:
  - id: payments
    channel: C0PAYMENTS
    members: [U0AAA0001, U0AAA0002, U0AAA0003]
    leads: [U0AAA0001]
rituals:
`

func TestParseOnCall(t *testing.T) {
	l, err := config.Parse("oncall.yaml", []byte(onCallBase+`
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-23
    secondary: true
    exec: [U0EXEC001, U0EXEC002]
    usergroup: S0ONCALL1
    topic: true
    notify_before: 1d
    usergroup_members: primary+secondary
    plan_ahead: 6w
  - name: db-oncall
    kind: oncall
    team: payments
    handoff: "0 9 * * MON-FRI"
    start: 2026-11-23
    rotation: [U0AAA0003, carol@example.com]
    skip_holidays: true
`), onCallKind)
	if err != nil {
		t.Fatal(err)
	}
	rc := l.Config.Ritual("payments-oncall")
	s := oncall.SettingsOf(rc)
	if s == nil || len(s.Rotation) != 3 || s.Rotation[0] != "U0AAA0001" || !s.Secondary || len(s.Exec) != 2 ||
		s.UserGroup != "S0ONCALL1" || !s.Topic || s.NotifyBefore != 24*time.Hour ||
		s.UserGroupMembers != oncall.GroupPrimaryAndSecondary || s.PlanAhead != 6*7*24*time.Hour {
		t.Fatalf("oncall settings: %+v", s)
	}
	if rc.Schedule.Spec != "0 10 * * MON" || rc.Schedule.Start.String() != "2026-11-23" || len(rc.Schedule.Holidays) != 0 {
		t.Errorf("handoff schedule %+v: want the handoff, the start, and no holidays by default", rc.Schedule)
	}
	db := l.Config.Ritual("db-oncall")
	if len(oncall.SettingsOf(db).Rotation) != 2 || oncall.SettingsOf(db).Rotation[1] != "carol@example.com" || len(db.Schedule.Holidays) != 1 {
		t.Errorf("db-oncall: %+v, holidays %v", db.Settings, db.Schedule.Holidays)
	}
	if d := oncall.SettingsOf(db); d.UserGroupMembers != oncall.GroupPrimary || d.PlanAhead != oncall.DefaultPlanAhead {
		t.Errorf("db-oncall defaults: usergroup_members %q, plan_ahead %v", d.UserGroupMembers, d.PlanAhead)
	}
}

func TestParseOnCallErrors(t *testing.T) {
	for _, tc := range []struct{ ritual, want string }{
		{"{name: o, kind: oncall, handoff: '0 10 * * MON', start: 2026-11-23}", "team: missing"},
		{"{name: o, kind: oncall, team: payments, start: 2026-11-23}", "handoff: missing"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON'}", "start: missing; give the date of the first shift"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, rotation: [U0AAA0001, U0AAA0001]}", "listed twice"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, rotation: [U0AAA0001], secondary: true}", "at least two"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, usergroup: '@oncall'}", "not a user group ID"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, notify_before: 9d}", "at most 7d"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, rotaton: [U0AAA0001]}", `did you mean "rotation"`},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, exec: []}", "exec: the list is empty"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, usergroup_members: everyone}", "usergroup_members"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, usergroup_members: primary+secondary}", "needs `secondary: true`"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, plan_ahead: 1h}", "plan_ahead: 1h0m0s is out of range"},
		{"{name: o, kind: oncall, team: payments, handoff: '0 10 * * MON', start: 2026-11-23, plan_ahead: 30w}", "out of range"},
	} {
		wantOnCallError(t, tc.ritual, tc.want)
	}
}

// wantOnCallError parses onCallBase with ritual (a flow mapping) added to
// its rituals, and wants an error located in the file that says want.
func wantOnCallError(t *testing.T, ritual, want string) {
	t.Helper()
	_, err := config.Parse("oncall.yaml", []byte(onCallBase+"  - "+ritual+"\n"), onCallKind)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "oncall.yaml:") {
		t.Errorf("%s:\n got %v\nwant an error in oncall.yaml saying %q", ritual, err, want)
	}
}

// FuzzParseOnCall: whatever an oncall block holds, Parse returns settings
// or located errors, and never panics.
func FuzzParseOnCall(f *testing.F) {
	f.Add("handoff: '0 10 * * MON'\n    start: 2026-11-23\n    secondary: true\n    exec: [U0EXEC001]\n    usergroup: S0ONCALL1\n    topic: true\n    notify_before: 1d")
	f.Add("handoff: '@every 1h'\n    start: 2026-02-30")
	f.Add("handoff: '0 9 * * MON-FRI'\n    every_weeks: 2\n    start: 2026-11-23\n    rotation: [a@b.co, a@b.co]")
	f.Fuzz(func(t *testing.T, body string) {
		doc := onCallBase + "  - name: o\n    kind: oncall\n    team: payments\n    " + body + "\n"
		l, err := config.Parse("f.yaml", []byte(doc), onCallKind)
		if err != nil {
			if !strings.Contains(err.Error(), "f.yaml:") {
				t.Fatalf("error without its place: %v", err)
			}
			return
		}
		for _, rc := range l.Config.Rituals {
			if rc.Kind == "oncall" && rc.Enabled && (oncall.SettingsOf(rc) == nil || len(oncall.SettingsOf(rc).Rotation) == 0 || rc.Schedule == nil || rc.Schedule.Start.IsZero()) {
				t.Fatalf("an oncall ritual parsed without a rotation, handoff or start: %+v", rc)
			}
		}
	})
}

// validate says when a rotation's handoffs would give the long shift to
// the same people, and says nothing of a fair one.
func TestDescribeNotesUnevenTurns(t *testing.T) {
	l, err := config.Parse("oncall.yaml", []byte(onCallBase+`
  - name: five-oncall
    kind: oncall
    team: payments
    handoff: "0 9 * * MON-FRI"
    start: 2026-11-23
    rotation: [U0AAA0001, U0AAA0002, U0AAA0003, U0AAA0004, U0AAA0005]
  - name: weekly-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-23
`), onCallKind)
	if err != nil {
		t.Fatal(err)
	}
	out := config.Describe(l.Config.Config, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), 3)
	want := "  note: with 5 people and 5 handoffs a week, the same person takes every Fri 09:00 → Mon 09:00 shift (the longest): turns come round evenly with 4 or 6 people, or with other handoff days\n"
	if !strings.Contains(out, want) || strings.Count(out, "note:") != 1 {
		t.Errorf("Describe:\n%s\nwant one note, %q", out, want)
	}
}

// Two enabled rotations cannot keep the same user group.
func TestOnCallUserGroupKeptByOneRotation(t *testing.T) {
	rotation := func(name, enabled string) string {
		return "  - {name: " + name + ", kind: oncall, team: payments, handoff: \"0 10 * * MON\", start: 2026-11-23, usergroup: S0ONCALL1, enabled: " + enabled + "}\n"
	}
	_, err := config.Parse("oncall.yaml", []byte(onCallBase+rotation("a-oncall", "true")+rotation("b-oncall", "true")), onCallKind)
	if err == nil || !strings.Contains(err.Error(), "S0ONCALL1 is the user group of a-oncall already") {
		t.Errorf("two rotations, one group: %v", err)
	}
	if _, err := config.Parse("oncall.yaml", []byte(onCallBase+rotation("a-oncall", "true")+rotation("b-oncall", "false")), onCallKind); err != nil {
		t.Errorf("a disabled rotation with the same group: %v", err)
	}
}
