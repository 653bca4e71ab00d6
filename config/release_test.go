package config_test

import (
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/release"
)

// releaseKind: the kinds the configs here use (the bot passes its one table).
var releaseKind = config.Kinds{rituals.KindRelease: config.Release}

func TestParseRelease(t *testing.T) {
	l, err := config.Parse("r.yaml", []byte(digestTeams+`
  - {name: each, kind: release, channel: C0REL}
  - {name: batch, kind: release, channel: C0REL, mode: batch, schedule: "0 17 * * MON-FRI", services: [search-api], environments: [production, Staging], include_commits: false, notify_failed: false}
`), releaseKind)
	if err != nil {
		t.Fatal(err)
	}
	e := release.SettingsOf(l.Config.Ritual("each"))
	if e.Mode != release.ModeEach || strings.Join(e.Teams, ",") != "payments,search" || strings.Join(e.Environments, ",") != "production" || !e.IncludeCommits || !e.NotifyFailed {
		t.Errorf("each: %+v (every team, production, commits and failures by default)", e)
	}
	b := release.SettingsOf(l.Config.Ritual("batch"))
	if b.Mode != release.ModeBatch || len(b.Teams) != 0 || strings.Join(b.Services, ",") != "search-api" ||
		strings.Join(b.Environments, ",") != "production,staging" || b.IncludeCommits || b.NotifyFailed || l.Config.Ritual("batch").Schedule == nil {
		t.Errorf("batch: %+v", b)
	}
}

func TestReleaseConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{`  - {name: r, kind: release, channel: C0REL, mode: daily}`, `r.yaml:7: rituals[0].mode: want one of each, batch, got "daily"`},
		{`  - {name: r, kind: release, channel: C0REL, mode: batch}`, "rituals[0].schedule: missing; mode batch posts its note at a schedule"},
		{`  - {name: r, kind: release, channel: C0REL, schedule: "0 17 * * *"}`, "rituals[0].schedule: mode each posts a note per deploy"},
		{`  - {name: r, kind: release, channel: C0REL, teams: [search]}`, "rituals[0].teams: none of its teams lists `services:`"},
		{`  - {name: r, kind: release, channel: C0REL, teams: [nope]}`, `rituals[0].teams[0]: no team with id "nope"`},
		{`  - {name: r, kind: release, channel: C0REL, services: ["bad name!"]}`, `rituals[0].services[0]: "bad name!"`},
		{`  - {name: r, kind: release, channel: C0REL, environments: []}`, "rituals[0].environments"},
		{`  - {name: r, kind: release}`, "rituals[0].channel: missing"},
		{`  - {name: r, kind: release, channel: C0REL, notify_fail: true}`, "notify_fail"},
	}
	for _, c := range cases {
		_, err := config.Parse("r.yaml", []byte(digestTeams+c.yaml+"\n"), releaseKind)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  error %v\n  want %q", c.yaml, err, c.want)
		}
	}
}
