package onboarding_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

var newYork = mustZone("America/New_York")

// Users makes people a rituals.Directory too: the members' zones now.
func (p people) Users(context.Context) (map[string]rituals.UserInfo, error) { return p, nil }

// brokenDirectory is a directory Slack cannot be asked for.
type brokenDirectory struct{}

func (brokenDirectory) Users(context.Context) (map[string]rituals.UserInfo, error) {
	return nil, errors.New("users.list: ratelimited")
}

// runDays runs the 10:00 job of each zone on every day from `from` to
// `to`, in the order they fire, each twice (a re-run, as after a restart
// in the middle of one), and fails on any message sent twice.
func (f *fixture) runDays(t *testing.T, from, to rituals.Date, locs ...*time.Location) {
	t.Helper()
	var runs []struct {
		loc *time.Location
		at  time.Time
	}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		for _, loc := range locs {
			runs = append(runs, struct {
				loc *time.Location
				at  time.Time
			}{loc, d.In(loc).Add(10 * time.Hour)})
		}
	}
	for i := range runs {
		for j := i; j > 0 && runs[j].at.Before(runs[j-1].at); j-- {
			runs[j], runs[j-1] = runs[j-1], runs[j]
		}
	}
	for _, run := range runs {
		f.clock.Set(run.at)
		for range 2 {
			if err := f.r.Day(context.Background(), run.at); err != nil {
				t.Fatal(err)
			}
		}
	}
	seen := map[string]bool{}
	for _, m := range f.out.sent {
		if seen[m.To+m.Text] {
			t.Errorf("sent twice to %s: %.80s", m.To, m.Text)
		}
		seen[m.To+m.Text] = true
	}
}

// sentAt is when the first message to `to` with substr was sent, in loc,
// as "Mon 7 Dec 10:00"; "" if none was.
func (f *fixture) sentAt(to, substr string, loc *time.Location) string {
	for _, m := range f.out.sent {
		if m.To == to && strings.Contains(m.Text, substr) {
			return f.out.times[m.Key].In(loc).Format("Mon 2 Jan 15:04")
		}
	}
	return ""
}

// A step, a nudge, the feedback form and the lead's question that fall
// on a Saturday or Sunday in their reader's zone go on the Monday after,
// at 10:00 there; `after` still counts calendar days.
func TestWeekendDeliveriesWaitForMonday(t *testing.T) {
	type want struct {
		to, text string
		loc      *time.Location
		at       string
	}
	for _, tt := range []struct {
		name     string
		start    time.Time // when the lead types /onboard
		newcomer string    // its zone: U0NEW Tokyo, U0NEW3 Berlin
		steps    []onboarding.Step
		days     int
		wants    []want
	}{{
		name: "Friday start + 2d is Monday", start: time.Date(2026, 12, 4, 11, 0, 0, 0, berlin), newcomer: "U0NEW3", days: 4,
		steps: []onboarding.Step{{AfterDays: 2, Text: "Ship", Owner: onboarding.Newcomer}, {AfterDays: 1, Text: "Pipeline tour", Owner: onboarding.Buddy}},
		wants: []want{{"U0NEW3", "Ship", berlin, "Mon 7 Dec 10:00"}, {"U0ANNA", "Pipeline tour", berlin, "Mon 7 Dec 10:00"}},
	}, {
		name: "a step due Monday stays Monday", start: time.Date(2026, 12, 4, 11, 0, 0, 0, berlin), newcomer: "U0NEW3", days: 5,
		steps: []onboarding.Step{{AfterDays: 3, Text: "Ship", Owner: onboarding.Newcomer}, {AfterDays: 4, Text: "Demo", Owner: onboarding.Newcomer}},
		wants: []want{{"U0NEW3", "Ship", berlin, "Mon 7 Dec 10:00"}, {"U0NEW3", "Demo", berlin, "Tue 8 Dec 10:00"}},
	}, {
		// Each reader waits out their own weekend: Nina's Monday in Tokyo
		// comes while it is still Sunday night in Berlin for her buddy.
		name: "Tokyo and Berlin", start: time.Date(2026, 12, 4, 11, 0, 0, 0, berlin), newcomer: "U0NEW", days: 4,
		steps: []onboarding.Step{{AfterDays: 2, Text: "Ship", Owner: onboarding.Newcomer}, {AfterDays: 2, Text: "Pipeline tour", Owner: onboarding.Buddy}},
		wants: []want{{"U0NEW", "Ship", tokyo, "Mon 7 Dec 10:00"}, {"U0ANNA", "Pipeline tour", berlin, "Mon 7 Dec 10:00"}},
	}, {
		// A Saturday start: the welcome goes at once (a lead acted), the
		// weekly nudge of Saturday 12 Dec on Monday 14 Dec.
		name: "Saturday start, weekly nudge", start: time.Date(2026, 12, 5, 11, 0, 0, 0, berlin), newcomer: "U0NEW3", days: 10,
		steps: []onboarding.Step{{AfterDays: 0, Text: "Laptop", Owner: onboarding.Newcomer}, {AfterDays: 1, Text: "Ship", Owner: onboarding.Newcomer}},
		wants: []want{{"U0NEW3", "Welcome", berlin, "Sat 5 Dec 11:00"}, {"U0NEW3", "Ship", berlin, "Mon 7 Dec 10:00"},
			{"U0NEW3", "Week 1 of your onboarding", berlin, "Mon 14 Dec 10:00"}},
	}, {
		name: "feedback and the rotation ask on a Sunday", start: time.Date(2026, 12, 6, 11, 0, 0, 0, berlin), newcomer: "U0NEW3", days: 30,
		wants: []want{{"U0NEW3", "How is your onboarding", berlin, "Mon 4 Jan 10:00"}, {"U0LEAD", "rotation from the next handoff", berlin, "Mon 4 Jan 10:00"}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.start)
			f.r.Settings.Steps = tt.steps
			f.r.Settings.JoinRotationAfterDays = 28
			f.r.People.(people)["U0NEW3"] = rituals.UserInfo{ID: "U0NEW3", TZ: "Europe/Berlin"}
			if _, err := f.r.Start(context.Background(), "U0LEAD", tt.newcomer); err != nil {
				t.Fatal(err)
			}
			start := rituals.DateOf(tt.start.In(berlin))
			f.runDays(t, start, start.AddDays(tt.days), tokyo, berlin)
			for _, w := range tt.wants {
				if got := f.sentAt(w.to, w.text, w.loc); got != w.at {
					t.Errorf("%q to %s came at %q, want %s (%s)", w.text, w.to, got, w.at, w.loc)
				}
			}
			for _, m := range f.out.sent {
				if day := f.out.times[m.Key].In(zoneOfReader(m.To)).Weekday(); (day == time.Saturday || day == time.Sunday) && !strings.Contains(m.Key, "/welcome/") {
					t.Errorf("sent to %s on a %s: %.80s", m.To, day, m.Text)
				}
			}
		})
	}
}

func zoneOfReader(user string) *time.Location {
	if user == "U0NEW" {
		return tokyo
	}
	return berlin
}

// A run on Sunday night in Berlin (a catch-up, say), Monday morning in
// Tokyo, sends the Berlin buddy nothing; Monday in Berlin it does.
func TestWeekendIsTheReadersOwn(t *testing.T) {
	f := newFixture(t, time.Date(2026, 12, 4, 11, 0, 0, 0, berlin))
	f.r.Settings.Steps = []onboarding.Step{{AfterDays: 2, Text: "Pipeline tour", Owner: onboarding.Buddy}}
	if _, err := f.r.Start(context.Background(), "U0LEAD", "U0NEW"); err != nil {
		t.Fatal(err)
	}
	sundayNight := time.Date(2026, 12, 6, 23, 30, 0, 0, berlin)
	if sundayNight.In(tokyo).Weekday() != time.Monday {
		t.Fatal("the test needs Monday in Tokyo")
	}
	for _, at := range []time.Time{sundayNight, time.Date(2026, 12, 7, 10, 0, 0, 0, berlin)} {
		f.clock.Set(at)
		if err := f.r.Day(context.Background(), at); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.sentAt("U0ANNA", "Pipeline tour", berlin); got != "Mon 7 Dec 10:00" {
		t.Errorf("the buddy's step came at %q", got)
	}
}

// Steps go at 10:00 in the zone the reader is in when they are planned:
// Nina moves from Tokyo to New York after her first day.
func TestStepsFollowAZoneChange(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	dir := f.r.People.(people)
	f.r.Directory = dir
	if _, err := f.r.Start(context.Background(), "U0LEAD", "U0NEW"); err != nil {
		t.Fatal(err)
	}
	dir["U0NEW"] = rituals.UserInfo{ID: "U0NEW", TZ: "America/New_York"}
	var names []string
	for _, j := range f.r.Jobs() {
		names = append(names, j.Name)
	}
	if got := strings.Join(names, " "); got != "o/day@America/New_York o/day@Europe/Berlin" {
		t.Errorf("jobs after the move: %s", got)
	}
	f.runDays(t, rituals.Date{Year: 2026, Month: 12, Day: 1}, rituals.Date{Year: 2026, Month: 12, Day: 2}, tokyo, newYork, berlin)
	if got := f.sentAt("U0NEW", "Ship", newYork); got != "Wed 2 Dec 10:00" {
		t.Errorf("day 2's step came at %q New York time, want Wed 2 Dec 10:00", got)
	}
	// Without a directory to read, the zone stored at the start applies.
	f.r.Directory = brokenDirectory{}
	names = names[:0]
	for _, j := range f.r.Jobs() {
		names = append(names, j.Name)
	}
	if got := fmt.Sprint(names); got != "[o/day@Asia/Tokyo o/day@Europe/Berlin]" {
		t.Errorf("jobs without a directory: %s", got)
	}
}
