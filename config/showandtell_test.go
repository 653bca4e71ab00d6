package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/showandtell"
)

// showAndTellKind: the kinds the configs here use (the bot passes its one table).
var showAndTellKind = config.Kinds{rituals.KindShowAndTell: config.ShowAndTell}

func TestParseShowAndTell(t *testing.T) {
	l, err := config.Parse("s.yaml", []byte(digestTeams+`
  - {name: demo, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI"}
  - {name: quiet, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", teams: [search], ask_after_release: false, signup_close: 1d}
`), showAndTellKind)
	if err != nil {
		t.Fatal(err)
	}
	d := showandtell.SettingsOf(l.Config.Ritual("demo"))
	if strings.Join(d.Teams, ",") != "payments,search" || !d.AskAfterRelease || d.SignupClose != 2*time.Hour || l.Config.Ritual("demo").Schedule == nil {
		t.Errorf("demo: %+v (every team, asks on, 2h before by default)", d)
	}
	q := showandtell.SettingsOf(l.Config.Ritual("quiet"))
	if strings.Join(q.Teams, ",") != "search" || q.AskAfterRelease || q.SignupClose != 24*time.Hour {
		t.Errorf("quiet: %+v", q)
	}
}

func TestShowAndTellConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{`  - {name: s, kind: showandtell, channel: C0DEMO}`, `s.yaml:7: rituals[0].schedule: missing`},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", signup_close: soon}`, `s.yaml:7: rituals[0].signup_close:`},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", signup_close: 8d}`, "rituals[0].signup_close: want a duration before the demo from 1m to 7d"},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", teams: [search]}`, "rituals[0].teams: none of its teams lists `services:`"},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", teams: [nope]}`, `rituals[0].teams[0]: no team with id "nope"`},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", teams: []}`, "rituals[0].teams"},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", ask_after_release: maybe}`, "rituals[0].ask_after_release"},
		{`  - {name: s, kind: showandtell, schedule: "0 15 * * FRI"}`, "rituals[0].channel: missing"},
		{`  - {name: s, kind: showandtell, channel: C0DEMO, schedule: "0 15 * * FRI", signup_closes: 2h}`, "signup_closes"},
	}
	for _, c := range cases {
		_, err := config.Parse("s.yaml", []byte(digestTeams+c.yaml+"\n"), showAndTellKind)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  error %v\n  want %q", c.yaml, err, c.want)
		}
	}
}
