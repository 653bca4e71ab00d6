package demo

import (
	"slices"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
)

// demoKinds are the kinds the built-in config uses. The bot's one table
// lives in package main, which imports this one, so these tests name
// the kinds; cmd/ritualbot loads the same config with the table itself
// (TestKindsTable), so a kind missing here fails a test, never silently.
var demoKinds = config.Kinds{
	rituals.KindStandup:     config.Standup,
	rituals.KindOnCall:      config.OnCall,
	rituals.KindIncidents:   config.Incidents,
	rituals.KindDigest:      config.Digest,
	rituals.KindReminder:    config.Reminder,
	rituals.KindRelease:     config.Release,
	rituals.KindPulse:       config.Pulse,
	rituals.KindShowAndTell: config.ShowAndTell,
	rituals.KindOnboarding:  config.Onboarding,
}

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at reads "2006-01-02 15:04" in loc.
func at(t testing.TB, s string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDemoConfigMatchesItsWorkspace(t *testing.T) {
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, berlin)
	data, err := demoConfig(monday)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Parse("demo/config.yaml", data, demoKinds)
	if err != nil {
		t.Fatalf("the built-in demo config does not load:\n%v", err)
	}
	cfg := loaded.Config
	if loaded.Unresolved() == 0 {
		t.Error("the demo config names no #channel: it should read like a real config")
	}
	ws, err := builtinWorkspace()
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]bool{}
	for _, u := range ws.Users {
		users[u.ID] = true
	}
	channels := map[string]wsChannel{}
	for _, c := range ws.Channels {
		channels["#"+c.Name] = c
		channels[c.ID] = c
		for _, m := range c.Members {
			if !users[m] && m != "U0BOT" {
				t.Errorf("#%s lists %s, who is not in the workspace", c.Name, m)
			}
		}
	}
	for _, id := range cfg.Admins {
		if !users[id] {
			t.Errorf("admin %s is not in demo/workspace.yaml", id)
		}
	}
	for _, team := range cfg.Teams {
		c, ok := channels[team.Channel]
		if !ok {
			t.Errorf("team %s's channel %s is not in demo/workspace.yaml", team.ID, team.Channel)
			continue
		}
		for _, m := range append(slices.Clone(team.Members), team.Leads...) {
			if !users[m] {
				t.Errorf("team %s's %s is not in demo/workspace.yaml", team.ID, m)
			}
			if !slices.Contains(c.Members, m) {
				t.Errorf("team %s's %s is not in #%s", team.ID, m, c.Name)
			}
		}
		if !slices.Contains(c.Members, "U0BOT") {
			t.Errorf("the bot is not in #%s", c.Name)
		}
	}
	for _, r := range cfg.Rituals {
		if r.Channel == "" {
			continue
		}
		if c, ok := channels[r.Channel]; !ok || !slices.Contains(c.Members, "U0BOT") {
			t.Errorf("ritual %s posts in %s, which is not in demo/workspace.yaml with the bot in it", r.Name, r.Channel)
		}
	}
	// The demo week has a holiday, and members in several zones.
	if !cfg.Holidays[mustDate(t, "2026-11-26")] {
		t.Errorf("holidays = %v, want the demo week's Thursday", cfg.Holidays)
	}
	zones := map[string]bool{}
	for _, u := range ws.Users {
		zones[u.TZ] = true
	}
	if len(zones) < 4 {
		t.Errorf("members are in %d time zones, want several", len(zones))
	}
}

func mustDate(t *testing.T, s string) rituals.Date {
	t.Helper()
	d, err := rituals.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWeekEnd(t *testing.T) {
	for _, tc := range []struct{ now, want string }{
		{"2026-11-23 07:45", "2026-11-28 00:00"}, // Monday
		{"2026-11-27 23:59", "2026-11-28 00:00"}, // Friday night
		{"2026-11-28 00:00", "2026-12-05 00:00"}, // Saturday: the next week
		{"2026-11-29 12:00", "2026-12-05 00:00"}, // Sunday
		{"2026-03-27 10:00", "2026-03-28 00:00"}, // the week clocks go forward
	} {
		got := weekEnd(at(t, tc.now, berlin), berlin)
		if want := at(t, tc.want, berlin); !got.Equal(want) {
			t.Errorf("weekEnd(%s) = %s, want %s", tc.now, got.In(berlin), want)
		}
	}
	for _, tc := range []struct{ now, want string }{
		{"2026-11-23 07:45", "2026-11-23 00:00"},
		{"2026-11-29 23:00", "2026-11-23 00:00"},
		{"2026-11-30 00:30", "2026-11-30 00:00"},
	} {
		if got, want := demoMonday(at(t, tc.now, berlin), berlin), at(t, tc.want, berlin); !got.Equal(want) {
			t.Errorf("demoMonday(%s) = %s, want %s", tc.now, got, want)
		}
	}
}

// The demo week is the week in the config's own zone: late on Sunday in
// UTC it is already Monday in Berlin.
func TestBuiltinConfigWeekIsInItsZone(t *testing.T) {
	loaded, err := BuiltinConfig(time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), demoKinds)
	if err != nil {
		t.Fatal(err)
	}
	if h := loaded.Config.Holidays; !h[mustDate(t, "2026-12-03")] || len(h) != 1 {
		t.Errorf("holidays = %v, want the Thursday of the week of Monday 30 November", h)
	}
}
