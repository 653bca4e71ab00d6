package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// digestKind: the kinds the configs here use (the bot passes its one table).
var digestKind = config.Kinds{rituals.KindDigest: config.Digest}

const digestTeams = `
timezone: Europe/Berlin
teams:
  - {id: payments, channel: C0PAYMENTS, services: [checkout, Ledger]}
  - {id: search, channel: C0SEARCH}
rituals:
`

func TestParseDigest(t *testing.T) {
	l, err := config.Parse("d.yaml", []byte(digestTeams+`
  - {name: weekly, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI"}
  - {name: monthly, kind: digest, team: payments, schedule: "0 10 * * THU", nth_weekday: 1, window: 28d, failure_window: 4h}
  - {name: some, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", teams: [search]}
`), digestKind)
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.Config
	if s := cfg.Team("payments").Services; strings.Join(s, ",") != "checkout,Ledger" {
		t.Errorf("services = %v", s)
	}
	w := digest.SettingsOf(cfg.Ritual("weekly"))
	if strings.Join(w.Teams, ",") != "payments,search" || w.Window != 7*24*time.Hour || w.FailureWindow != 24*time.Hour {
		t.Errorf("weekly: %+v (every team by default, 7d, 24h)", w)
	}
	if len(cfg.Ritual("weekly").Schedule.Holidays) != 0 {
		t.Error("a digest does not skip holidays unless asked")
	}
	m := digest.SettingsOf(cfg.Ritual("monthly"))
	if strings.Join(m.Teams, ",") != "payments" || m.Window != 28*24*time.Hour || m.FailureWindow != 4*time.Hour {
		t.Errorf("monthly: %+v (its team, 28d, 4h)", m)
	}
	if s := digest.SettingsOf(cfg.Ritual("some")).Teams; strings.Join(s, ",") != "search" {
		t.Errorf("some: %v", s)
	}
}

func TestDigestConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{`  - {name: d, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", window: 12h}`, "d.yaml:7: rituals[0].window: 12h0m0s is too short"},
		{`  - {name: d, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", window: 36h}`, "rituals[0].window: 36h0m0s: give whole days"},
		{`  - {name: d, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", teams: [nope]}`, `rituals[0].teams[0]: no team with id "nope"`},
		{`  - {name: d, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", failure_window: 30d}`, "rituals[0].failure_window: want a duration from 1m to 7d"},
		{`  - {name: d, kind: digest, schedule: "0 16 * * FRI"}`, "rituals[0].channel: missing"},
		{`  - {name: d, kind: digest, channel: C0DIGEST}`, "rituals[0].schedule: missing"},
		{`  - {name: d, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", windows: 7d}`, "windows"},
	}
	for _, c := range cases {
		_, err := config.Parse("d.yaml", []byte(digestTeams+c.yaml+"\n"), digestKind)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  error %v, want %q", c.yaml, err, c.want)
		}
	}
	_, err := config.Parse("d.yaml", []byte("timezone: Europe/Berlin\nteams:\n  - {id: a, services: [x, X, \"bad name\"]}\n"), digestKind)
	if err == nil || !strings.Contains(err.Error(), `teams[0].services[1]: service "X" is listed twice`) || !strings.Contains(err.Error(), `services[2]: "bad name"`) {
		t.Errorf("bad services: %v", err)
	}
}
