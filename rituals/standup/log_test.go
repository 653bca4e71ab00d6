package standup

import (
	"context"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// A standup day counts in the window its summary comes out in. A digest
// at 16:00 must not count the day of a 15:00 standup whose summary is due
// at 17:00 (its members are still answering), and the next digest must,
// or that day would be in no digest at all.
func TestParticipationCountsADayInTheWindowOfItsSummary(t *testing.T) {
	ctx := context.Background()
	berlin := mustLoad(t, "Europe/Berlin")
	s, st := newTestStandup(t, "0 15 * * MON-FRI", false)
	log := &StandupRecords{Store: st}
	log.Add(s)
	clock := s.Clock.(*rituals.FakeClock)
	fri := rituals.Date{Year: 2026, Month: 11, Day: 27}
	clock.Set(time.Date(2026, 11, 27, 15, 0, 0, 0, berlin))
	if err := s.Prompt(ctx, berlin, clock.Now()); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 11, 27, 17, 0, 0, 0, berlin))
	if err := s.Summarize(ctx, fri); err != nil {
		t.Fatal(err)
	}
	digest := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin)
	week := 7 * 24 * time.Hour
	for _, c := range []struct {
		name     string
		from, to time.Time
		days     int
	}{
		{"the digest before the summary", digest.Add(-week), digest, 0},
		{"the digest after it", digest, digest.Add(week), 1},
	} {
		p, err := log.Participation("team", c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		if p.Days != c.days || p.Expected != 2*c.days {
			t.Errorf("%s counts %+v, want %d day(s) of 2 members", c.name, p, c.days)
		}
	}
}
