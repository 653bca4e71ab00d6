package config_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// standupReminder: the kinds the configs here use (the bot passes its one table).
var standupReminder = config.Kinds{rituals.KindStandup: config.Standup, rituals.KindReminder: config.Reminder}

const good = `
timezone: Europe/Berlin
store: {path: /var/lib/ritualbot/state.db}
http: {listen: "127.0.0.1:9090"}
catch_up: 90m
admins: [U0ADMIN01]
holidays: [2026-12-25]
teams:
  - id: payments
    name: Payments
    channel: "#payments"
    members: [U0AAA0001, bob@example.com]
    leads: [U0AAA0001]
rituals:
  - name: standup
    kind: standup
    team: payments
    schedule: "CRON_TZ=America/New_York 0 9 * * MON-FRI"
    local_time: true
    remind_after: 1h
    summary: thread
    questions:
      - {id: done, text: "Done?"}
      - "Next?"
      - {id: blockers, text: "Blocked?", blocker: true}
  - name: triage
    kind: reminder
    channel: C0TRIAGE1
    schedule: "0 14 * * WED"
    every_weeks: 2
    start: 2026-11-18
    skip_holidays: false
    text: "Triage for {{.Team}} on {{.Date}}"
  - name: ping
    kind: reminder
    team: payments
    enabled: false
    schedule: "@every 10m"
    text: hi
`

func TestParseGood(t *testing.T) {
	l, err := config.Parse("good.yaml", []byte(good), standupReminder)
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.Config
	if cfg.Timezone.String() != "Europe/Berlin" || cfg.Store.Path != "/var/lib/ritualbot/state.db" || cfg.HTTP.Listen != "127.0.0.1:9090" || cfg.CatchUp != 90*time.Minute || cfg.Slack.Mode != "socket" {
		t.Errorf("top-level keys: %+v", cfg)
	}
	if !cfg.Holidays.Has(rituals.Date{Year: 2026, Month: 12, Day: 25}) {
		t.Error("holiday not read")
	}
	st := cfg.Ritual("standup")
	if st.Schedule.Location.String() != "America/New_York" || !standup.SettingsOf(st).LocalTime || standup.SettingsOf(st).RemindAfter != time.Hour ||
		standup.SettingsOf(st).SummaryAfter != config.DefaultSummaryAfter || standup.SettingsOf(st).Summary != standup.SummaryThread {
		t.Errorf("standup: %+v %+v", st.Schedule, st.Settings)
	}
	if qs := standup.SettingsOf(st).Questions; len(qs) != 3 || qs[1].ID != "q2" || qs[1].Text != "Next?" || !qs[2].Blocker {
		t.Errorf("questions: %+v", qs)
	}
	if len(st.Schedule.Holidays) != 1 {
		t.Error("a standup skips holidays by default")
	}
	tr := cfg.Ritual("triage")
	if tr.Schedule.EveryWeeks != 2 || tr.Schedule.Start.String() != "2026-11-18" || len(tr.Schedule.Holidays) != 0 {
		t.Errorf("triage schedule: %+v", tr.Schedule)
	}
	if cfg.Ritual("ping").Enabled {
		t.Error("enabled: false not read")
	}
	if n := l.Unresolved(); n != 2 {
		t.Errorf("Unresolved() = %d, want 2 (#payments and bob@example.com)", n)
	}
}

// fakeResolver knows one user and one channel.
type fakeResolver struct{ calls int }

func (r *fakeResolver) UserIDByEmail(_ context.Context, email string) (string, error) {
	r.calls++
	if email == "bob@example.com" {
		return "U0BOB0001", nil
	}
	return "", fmt.Errorf("no Slack user has the e-mail %s", email)
}

func (r *fakeResolver) ChannelIDByName(_ context.Context, name string) (string, error) {
	r.calls++
	if name == "#payments" {
		return "C0PAY0001", nil
	}
	return "", fmt.Errorf("no channel named %s", name)
}

func TestResolve(t *testing.T) {
	l, err := config.Parse("good.yaml", []byte(good), standupReminder)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Resolve(context.Background(), &fakeResolver{}); err != nil {
		t.Fatal(err)
	}
	team := l.Config.Team("payments")
	if team.Channel != "C0PAY0001" || team.Members[1] != "U0BOB0001" || l.Unresolved() != 0 {
		t.Errorf("after Resolve: channel %q members %q unresolved %d", team.Channel, team.Members, l.Unresolved())
	}

	bad := strings.Replace(good, "bob@example.com", "nobody@example.com", 1)
	bad = strings.Replace(bad, `channel: "#payments"`, `channel: "#gone"`, 1)
	l, err = config.Parse("bad.yaml", []byte(bad), standupReminder)
	if err != nil {
		t.Fatal(err)
	}
	err = l.Resolve(context.Background(), &fakeResolver{})
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("Resolve error = %v, want two located errors", err)
	}
	for _, want := range []string{"bad.yaml:11: teams[0].channel: no channel named #gone", "bad.yaml:12: teams[0].members[1]: no Slack user has the e-mail nobody@example.com"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve error lacks %q:\n%v", want, err)
		}
	}
	if l.Config.Team("payments").Channel != "#gone" {
		t.Error("a failed Resolve changed the config")
	}
}

func TestParseErrors(t *testing.T) {
	base := "timezone: Europe/Berlin\nteams:\n  - {id: a, channel: C0AAAAAAA, members: [U0AAAAAAA]}\nrituals:\n"
	reminder := func(extra string) string {
		return base + "  - name: r\n    kind: reminder\n    team: a\n    text: hi\n" + extra
	}
	tests := []struct {
		name string
		yaml string
		want string // file:line: key: message fragment
	}{
		{"empty file", "", "t.yaml:1: the file is empty"},
		{"not yaml", "timezone: [", "t.yaml:1: not valid YAML"},
		{"no timezone", "teams: []\n", "t.yaml:1: timezone: missing"},
		{"bad timezone", "timezone: Mars/Olympus\n", "t.yaml:1: timezone: unknown time zone \"Mars/Olympus\""},
		{"unknown top key lists known", "timezone: UTC\nshedule: x\n", `t.yaml:2: shedule: unknown key (known here: admins, catch_up,`},
		{"typo suggests", "timezone: UTC\ncatchup: 1h\n", `t.yaml:2: catchup: unknown key (did you mean "catch_up"?)`},
		{"duplicate key", "timezone: UTC\ntimezone: UTC\n", "t.yaml:2: timezone: duplicate key (first set on line 1)"},
		{"bad mode", "timezone: UTC\nslack: {mode: websocket}\n", `t.yaml:2: slack.mode: want one of socket, http, got "websocket"`},
		{"http mode without public url", "timezone: UTC\nslack: {mode: http}\n", "http: slack.mode is http, so set http.public_url"},
		{"bad catch_up", "timezone: UTC\ncatch_up: soon\n", `t.yaml:2: catch_up: bad duration "soon"`},
		{"bad holiday", "timezone: UTC\nholidays: [2026-13-01]\n", "t.yaml:2: holidays[0]: want a date as YYYY-MM-DD"},
		{"bad admin", "timezone: UTC\nadmins: [bob]\n", `t.yaml:2: admins[0]: "bob" is neither a Slack user ID`},
		{"display name", "timezone: UTC\nadmins: ['@bob']\n", "display names are not unique"},
		{"duplicate team", "timezone: UTC\nteams:\n  - {id: a}\n  - {id: a}\n", `t.yaml:4: teams[1].id: duplicate team id "a" (also on line 3)`},
		{"channel without #", "timezone: UTC\nteams:\n  - {id: a, channel: payments}\n", `write a channel name with its # and in quotes ("#payments")`},
		{"unknown team key", "timezone: UTC\nteams:\n  - {id: a, memebrs: []}\n", `teams[0].memebrs: unknown key (did you mean "members"?)`},
		{"unknown kind", base + "  - {name: r, kind: retro, schedule: '@daily'}\n", `t.yaml:5: rituals[0].kind: unknown kind "retro"; this ritualbot knows`},
		{"bad cron", reminder("    schedule: \"0 25 * * *\"\n"), "t.yaml:9: rituals[0].schedule: bad cron spec"},
		{"missing schedule", reminder(""), "rituals[0].schedule: missing; give a cron spec"},
		{"bad CRON_TZ", reminder("    schedule: \"CRON_TZ=Nowhere/Town 0 9 * * *\"\n"), `t.yaml:9: rituals[0].schedule: unknown time zone "Nowhere/Town"`},
		{"bad every", reminder("    schedule: \"@every 0s\"\n"), "rituals[0].schedule: bad interval"},
		{"never fires", reminder("    schedule: \"0 9 30 2 *\"\n"), `never fires`},
		{"every_weeks needs start", reminder("    schedule: \"0 9 * * MON\"\n    every_weeks: 2\n"), "t.yaml:10: rituals[0].every_weeks: needs `start: YYYY-MM-DD`"},
		{"every_weeks range", reminder("    schedule: \"0 9 * * MON\"\n    every_weeks: 0\n"), "rituals[0].every_weeks: want a whole number from 1 to 52"},
		{"nth_weekday range", reminder("    schedule: \"0 9 * * MON\"\n    nth_weekday: 6\n"), "rituals[0].nth_weekday: want a whole number from -1 to 5"},
		{"nth_weekday zero", reminder("    schedule: \"0 9 * * MON\"\n    nth_weekday: 0\n"), "rituals[0].nth_weekday: want 1 to 5"},
		{"nth_weekday with every", reminder("    schedule: \"@every 1h\"\n    nth_weekday: 1\n"), "rituals[0].nth_weekday: does not combine"},
		{"bad start", reminder("    schedule: \"0 9 * * MON\"\n    every_weeks: 2\n    start: tomorrow\n"), `rituals[0].start: bad date "tomorrow"`},
		{"unknown ritual team", base + "  - {name: r, kind: reminder, team: b, schedule: '@daily', text: hi}\n", `rituals[0].team: no team with id "b" (teams: a)`},
		{"duplicate ritual", base + "  - {name: r, kind: reminder, team: a, schedule: '@daily', text: hi}\n  - {name: r, kind: reminder, team: a, schedule: '@daily', text: hi}\n", `t.yaml:6: rituals[1].name: duplicate ritual name "r" (also on line 5)`},
		{"bad ritual name", base + "  - {name: My Ritual, kind: reminder, team: a, schedule: '@daily', text: hi}\n", `rituals[0].name: "My Ritual": use lower-case`},
		{"reminder without channel", base + "  - {name: r, kind: reminder, schedule: '@daily', text: hi}\n", "rituals[0].channel: missing; give the ritual a `channel:`"},
		{"duplicate ritual key", reminder("    schedule: '@daily'\n    text: '{{.Tema}}'\n"), "duplicate key"},
		{"reminder unknown field", base + "  - {name: r, kind: reminder, team: a, schedule: '@daily', text: '{{.Tema}}'}\n", `rituals[0].text: bad template`},
		{"reminder unclosed", base + "  - {name: r, kind: reminder, team: a, schedule: '@daily', text: '{{.Team'}\n", `rituals[0].text: bad template`},
		{"unknown ritual key", reminder("    schedule: '@daily'\n    questions: []\n"), `t.yaml:10: rituals[0].questions: unknown key`},
		{"standup no team", base + "  - {name: s, kind: standup, schedule: '0 9 * * *'}\n", "rituals[0].team: missing; a standup ritual belongs to a team"},
		{"standup remind after summary", base + "  - {name: s, kind: standup, team: a, schedule: '0 9 * * *', remind_after: 3h, summary_after: 2h}\n", "rituals[0].remind_after: 3h0m0s is not before summary_after"},
		{"standup bad summary", base + "  - {name: s, kind: standup, team: a, schedule: '0 9 * * *', summary: dm}\n", `rituals[0].summary: want one of channel, thread, got "dm"`},
		{"standup dup question", base + "  - {name: s, kind: standup, team: a, schedule: '0 9 * * *', questions: [{id: x, text: a}, {id: x, text: b}]}\n", `questions[1].id: duplicate question id "x"`},
		{"standup question without text", base + "  - {name: s, kind: standup, team: a, schedule: '0 9 * * *', questions: [{id: x}]}\n", "questions[0].text: missing"},
		{"multiple documents", "timezone: UTC\n---\ntimezone: UTC\n", "more than one YAML document"},
		{"merge keys", "timezone: UTC\nx: &a {mode: http}\nslack:\n  <<: *a\n", "merge keys (<<) are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("t.yaml", []byte(tt.yaml), standupReminder)
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestErrorsComeInFileOrder(t *testing.T) {
	_, err := config.Parse("t.yaml", []byte("timezone: Nowhere\nteams:\n  - {id: a, channel: x}\ncatch_up: soon\n"), standupReminder)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "t.yaml:1:") || !strings.HasPrefix(lines[1], "t.yaml:3:") || !strings.HasPrefix(lines[2], "t.yaml:4:") {
		t.Errorf("errors not one per line in file order:\n%v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(t.TempDir()+"/nope.yaml", standupReminder)
	if err == nil || !strings.Contains(err.Error(), "no such config file") || !strings.Contains(err.Error(), "--config") {
		t.Errorf("missing file error = %v", err)
	}
}

func TestRelativeStorePathIsBesideTheFile(t *testing.T) {
	l, err := config.Parse("/etc/ritualbot/config.yaml", []byte("timezone: UTC\nstore: {path: data/rb.db}\n"), standupReminder)
	if err != nil {
		t.Fatal(err)
	}
	if l.Config.Store.Path != "/etc/ritualbot/data/rb.db" {
		t.Errorf("store path = %q", l.Config.Store.Path)
	}
}

func TestDescribeListsNextFireTimes(t *testing.T) {
	l, err := config.Parse("good.yaml", []byte(good), standupReminder)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	out := config.Describe(l.Config.Config, now, 3)
	for _, want := range []string{
		"triage (reminder)", "every 2 weeks from the week of 2026-11-18",
		"Wed 2026-12-02 14:00 CET", "Wed 2026-12-16 14:00 CET",
		"standup (standup, team payments)", "Mon 2026-11-23 09:00 EST",
		"ping (reminder, team payments, disabled)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Describe lacks %q:\n%s", want, out)
		}
	}
}
