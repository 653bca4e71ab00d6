package onboarding_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// zoneMove is a member's Slack zone changing at a moment.
type zoneMove struct {
	at   time.Time
	user string
	zone string
}

// runScheduled runs the ritual as the bot's scheduler does, in half hours
// from the clock's time to `to`: the 10:00 job of each zone Jobs names,
// the jobs rebuilt every night at 03:30 in the ritual's zone, the moves
// applied at their moment to the directory the ritual reads.
func (f *fixture) runScheduled(t *testing.T, to time.Time, moves []zoneMove) {
	t.Helper()
	dir := f.r.Directory.(people)
	jobs := f.r.Jobs()
	for at := f.clock.Now().Truncate(30 * time.Minute).Add(30 * time.Minute); !at.After(to); at = at.Add(30 * time.Minute) {
		f.clock.Set(at)
		for _, m := range moves {
			if !m.at.After(at) && !m.at.Before(at.Add(-30*time.Minute)) {
				dir[m.user] = rituals.UserInfo{ID: m.user, TZ: m.zone}
			}
		}
		if local := at.In(f.r.Zone); local.Hour() == 3 && local.Minute() == 30 {
			jobs = f.r.Jobs()
		}
		for _, j := range jobs {
			if next := j.Schedule.Next(at.Add(-time.Second)); next.Equal(at) {
				if err := j.Run(context.Background(), at); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// Whatever way a newcomer's zone moves, and whenever, each week's list of
// open steps reaches them once, and each step once. A move ahead jumps
// over the 10:00 of the nudge's day: no Tokyo job ran that day, since the
// jobs are rebuilt at night, and Berlin's 10:00 comes when she is in
// Tokyo already. The day's DMs then come with Berlin's job, late the same
// day (18:00 Tokyo), not never (the nudge) or the next day (the steps).
func TestEachWeeksNudgeOnceWhateverTheZoneMoves(t *testing.T) {
	dec := func(day int, hh, mm int, loc *time.Location) time.Time {
		return time.Date(2026, 12, day, hh, mm, 0, 0, loc)
	}
	for _, tt := range []struct {
		name       string
		from, to   string
		moveAt     time.Time
		moveBackAt time.Time // zero: no move back
		week1      string    // when the week-1 nudge comes, in the zone moved to
	}{
		{name: "Berlin to Tokyo on the Sunday", from: "Europe/Berlin", to: "Asia/Tokyo", moveAt: dec(6, 12, 0, berlin), week1: "Mon 7 Dec 18:00"},
		{name: "Berlin to Tokyo between Tokyo's 10:00 and Berlin's", from: "Europe/Berlin", to: "Asia/Tokyo", moveAt: dec(7, 5, 0, berlin), week1: "Mon 7 Dec 18:00"},
		{name: "New York to Tokyo", from: "America/New_York", to: "Asia/Tokyo", moveAt: dec(6, 20, 0, berlin), week1: "Mon 7 Dec 18:00"},
		{name: "Tokyo to Berlin after Tokyo's nudge", from: "Asia/Tokyo", to: "Europe/Berlin", moveAt: dec(7, 5, 0, berlin), week1: "Mon 7 Dec 02:00"},
		{name: "Tokyo to New York on the Sunday", from: "Asia/Tokyo", to: "America/New_York", moveAt: dec(6, 12, 0, berlin), week1: "Mon 7 Dec 10:00"},
		{name: "Berlin to Tokyo and back", from: "Europe/Berlin", to: "Asia/Tokyo", moveAt: dec(6, 12, 0, berlin), moveBackAt: dec(8, 12, 0, berlin), week1: "Mon 7 Dec 18:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin)) // a Monday in all three zones
			dir := f.r.People.(people)
			dir["U0NEW"] = rituals.UserInfo{ID: "U0NEW", TZ: tt.from}
			f.r.Directory = dir
			if _, err := f.r.Start(context.Background(), "U0LEAD", "U0NEW"); err != nil {
				t.Fatal(err)
			}
			moves := []zoneMove{{tt.moveAt, "U0NEW", tt.to}}
			if !tt.moveBackAt.IsZero() {
				moves = append(moves, zoneMove{tt.moveBackAt, "U0NEW", tt.from})
			}
			f.runScheduled(t, dec(17, 12, 0, berlin), moves)
			to := mustZone(tt.to)
			for week, want := range map[int]int{1: 1, 2: 1} {
				if got := len(f.out.to("U0NEW", fmt.Sprintf("Week %d of your onboarding", week))); got != want {
					t.Errorf("week %d's nudge came %d times, want %d", week, got, want)
				}
			}
			if got := f.sentAt("U0NEW", "Week 1 of your onboarding", to); got != tt.week1 {
				t.Errorf("week 1's nudge came at %q (%s), want %s", got, tt.to, tt.week1)
			}
			// A step is delivered once (a nudge lists it again, as meant).
			seen := map[string]bool{}
			for _, m := range f.out.sent {
				if !strings.Contains(m.Key, "/steps/") && !strings.Contains(m.Key, "/welcome/") {
					continue
				}
				for _, b := range m.Blocks[1:] {
					if seen[m.To+b.Text] {
						t.Errorf("step %q sent twice to %s", b.Text, m.To)
					}
					seen[m.To+b.Text] = true
				}
			}
			if !seen["U0LEAD• Check in"] || !seen["U0NEW• Ship &lt;!channel&gt;"] {
				t.Errorf("steps delivered: %v", seen)
			}
		})
	}
}
