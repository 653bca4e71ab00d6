package rituals_test

import (
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduleDST(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name  string
		loc   *time.Location
		spec  string
		after string // local wall time, in loc
		want  []string
	}{
		{"berlin spring forward, 09:00 daily", berlin, "0 9 * * *", "2026-03-28 08:00",
			[]string{"2026-03-28 09:00 CET", "2026-03-29 09:00 CEST", "2026-03-30 09:00 CEST"}},
		{"berlin fall back, 09:00 daily", berlin, "0 9 * * *", "2026-10-24 08:00",
			[]string{"2026-10-24 09:00 CEST", "2026-10-25 09:00 CET", "2026-10-26 09:00 CET"}},
		{"new york spring forward, 09:00 weekdays", ny, "0 9 * * MON-FRI", "2026-03-06 10:00",
			[]string{"2026-03-09 09:00 EDT", "2026-03-10 09:00 EDT"}},
		{"new york fall back, 09:00 daily", ny, "0 9 * * *", "2026-10-31 12:00",
			[]string{"2026-11-01 09:00 EST", "2026-11-02 09:00 EST"}},
		{"berlin 02:30 skipped by spring forward fires once at the end of the gap", berlin, "30 2 * * *", "2026-03-28 03:00",
			[]string{"2026-03-29 03:00 CEST", "2026-03-30 02:30 CEST"}},
		{"new york 02:30 skipped by spring forward fires once after the gap", ny, "30 2 * * *", "2026-03-07 03:00",
			[]string{"2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT"}},
		{"berlin 02:30 repeated by fall back fires once", berlin, "30 2 * * *", "2026-10-24 03:00",
			[]string{"2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"}},
		{"new york 01:30 repeated by fall back fires once", ny, "30 1 * * *", "2026-10-31 03:00",
			[]string{"2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"}},
		{"berlin hourly across the fall back hour", berlin, "0 * * * *", "2026-10-25 01:30",
			[]string{"2026-10-25 02:00 CEST", "2026-10-25 03:00 CET", "2026-10-25 04:00 CET"}},
		{"CRON_TZ prefix overrides the zone", berlin, "CRON_TZ=America/New_York 0 9 * * *", "2026-03-07 10:00",
			[]string{"2026-03-08 09:00 EDT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := rituals.ParseSchedule(tt.spec, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			after, err := time.ParseInLocation("2006-01-02 15:04", tt.after, s.Location)
			if err != nil {
				t.Fatal(err)
			}
			got := s.NextN(after, len(tt.want))
			for i, w := range tt.want {
				if i >= len(got) {
					t.Fatalf("only %d fire times, want %v", len(got), tt.want)
				}
				if g := got[i].In(s.Location).Format("2006-01-02 15:04 MST"); g != w {
					t.Errorf("fire %d = %s, want %s", i, g, w)
				}
			}
		})
	}
}

func TestScheduleFilters(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	fortnightly := rituals.MustParseSchedule("0 10 * * MON", berlin)
	fortnightly.EveryWeeks = 2
	fortnightly.Start = rituals.Date{Year: 2026, Month: 11, Day: 18} // a Wednesday: its week counts
	firstMonday := rituals.MustParseSchedule("0 14 * * MON", berlin)
	firstMonday.NthWeekday = 1
	lastFriday := rituals.MustParseSchedule("0 16 * * FRI", berlin)
	lastFriday.NthWeekday = -1
	holiday := rituals.MustParseSchedule("0 9 * * MON-FRI", berlin)
	holiday.Holidays = rituals.Holidays{{Year: 2026, Month: 12, Day: 25}: true}
	every := rituals.MustParseSchedule("@every 10m", berlin)
	offset := rituals.MustParseSchedule("0 9 * * MON-FRI", berlin).WithOffset(90 * time.Minute)

	tests := []struct {
		name  string
		s     *rituals.Schedule
		after time.Time
		want  []string
	}{
		{"every 2 weeks from start", fortnightly, at("2026-11-10 00:00"),
			[]string{"2026-11-16 10:00", "2026-11-30 10:00", "2026-12-14 10:00"}},
		{"first Monday of the month", firstMonday, at("2026-11-03 00:00"),
			[]string{"2026-12-07 14:00", "2027-01-04 14:00"}},
		{"last Friday of the month", lastFriday, at("2026-11-01 00:00"),
			[]string{"2026-11-27 16:00", "2026-12-25 16:00"}},
		{"holiday skipped", holiday, at("2026-12-24 10:00"),
			[]string{"2026-12-28 09:00"}},
		{"@every aligned to the epoch", every, at("2026-11-23 09:03"),
			[]string{"2026-11-23 09:10", "2026-11-23 09:20"}},
		{"offset", offset, at("2026-11-23 00:00"),
			[]string{"2026-11-23 10:30", "2026-11-24 10:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.NextN(tt.after, len(tt.want))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d fire times, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				if g := got[i].In(berlin).Format("2006-01-02 15:04"); g != w {
					t.Errorf("fire %d = %s, want %s", i, g, w)
				}
			}
		})
	}
}

func TestParseScheduleErrors(t *testing.T) {
	for _, spec := range []string{"", "0 25 * * *", "* * *", "@every 0s", "@every x", "CRON_TZ=Mars/Olympus 0 9 * * *", "@fortnightly"} {
		if _, err := rituals.ParseSchedule(spec, time.UTC); err == nil {
			t.Errorf("ParseSchedule(%q) succeeded, want an error", spec)
		}
	}
}

func TestScheduleImpossibleSpecEnds(t *testing.T) {
	s := rituals.MustParseSchedule("0 9 30 2 *", time.UTC) // 30 February
	if got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !got.IsZero() {
		t.Fatalf("Next = %v, want zero", got)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "2h": 2 * time.Hour, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour} {
		got, err := rituals.ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "1dx", "-1d"} {
		if _, err := rituals.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", in)
		}
	}
}
