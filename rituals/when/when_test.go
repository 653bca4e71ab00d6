package when_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/when"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Wednesday 2 Dec 2026, 10:15 in New York.
func wednesday(t testing.TB) (time.Time, *time.Location) {
	ny := zone(t, "America/New_York")
	return time.Date(2026, 12, 2, 10, 15, 0, 0, ny), ny
}

func TestDay(t *testing.T) {
	now, ny := wednesday(t)
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"today", "2026-12-02"},
		{"Tomorrow", "2026-12-03"},
		{"fri", "2026-12-04"},
		{"friday", "2026-12-04"},
		{"wed", "2026-12-09"}, // today's weekday means next week's
		{"+3d", "2026-12-05"},
		{"+2w", "2026-12-16"},
		{"2026-12-24", "2026-12-24"},
		{" 2027-01-04 ", "2027-01-04"},
	} {
		got, err := when.Day(tc.in, now, ny)
		if err != nil || got.String() != tc.want {
			t.Errorf("Day(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "24/12", "2026-13-01", "yesterday", "+3", "+3h", "+99999d", "1999-01-01", "9999-01-01", "fr"} {
		if d, err := when.Day(bad, now, ny); err == nil {
			t.Errorf("Day(%q) = %v, want an error", bad, d)
		} else if rituals.ErrorCode(err) != rituals.EINVALID {
			t.Errorf("Day(%q): error %v is not one a user is shown", bad, err)
		}
	}
}

// The reader's zone decides what "today" is: at 23:30 in New York it is
// already tomorrow in Tokyo.
func TestDayIsInTheReadersZone(t *testing.T) {
	ny, tokyo := zone(t, "America/New_York"), zone(t, "Asia/Tokyo")
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, ny)
	a, _ := when.Day("today", now, ny)
	b, _ := when.Day("today", now, tokyo)
	if a.String() != "2026-12-02" || b.String() != "2026-12-03" {
		t.Fatalf("today: New York %s, Tokyo %s", a, b)
	}
}

func TestMoment(t *testing.T) {
	now, ny := wednesday(t)
	for _, tc := range []struct {
		in   string
		edge when.Edge
		want string
		rest int
	}{
		{"2026-12-24 18:00", when.Start, "2026-12-24 18:00", 0},
		{"2026-12-24T18:00 payments", when.Start, "2026-12-24 18:00", 1},
		{"fri 18:00", when.Start, "2026-12-04 18:00", 0},
		{"fri 6pm payments", when.Start, "2026-12-04 18:00", 1},
		{"fri 9:30am", when.Start, "2026-12-04 09:30", 0},
		{"fri", when.Start, "2026-12-04 00:00", 0},
		{"fri", when.End, "2026-12-05 00:00", 0},
		{"fri payments", when.End, "2026-12-05 00:00", 1},
		{"+3d", when.Start, "2026-12-05 10:15", 0},
		{"+4h", when.Start, "2026-12-02 14:15", 0},
		{"+90m", when.Start, "2026-12-02 11:45", 0},
		{"+1w", when.Start, "2026-12-09 10:15", 0},
		{"now", when.Start, "2026-12-02 10:15", 0},
		{"18:00", when.Start, "2026-12-02 18:00", 0},
		{"tomorrow 07:05", when.Start, "2026-12-03 07:05", 0},
		{"12am", when.Start, "2026-12-02 00:00", 0},
		{"12pm", when.Start, "2026-12-02 12:00", 0},
	} {
		args := strings.Fields(tc.in)
		got, rest, err := when.Moment(args, now, ny, tc.edge)
		if err != nil || got.In(ny).Format("2006-01-02 15:04") != tc.want || len(rest) != tc.rest {
			t.Errorf("Moment(%q) = %v, %v, %v; want %s with %d left", tc.in, got.In(ny), rest, err, tc.want, tc.rest)
		}
	}
	for _, bad := range []string{"", "soon", "25:00", "fri-18:00", "13pm", "+10000w", "2026-02-30 10:00"} {
		if got, _, err := when.Moment(strings.Fields(bad), now, ny, when.Start); err == nil {
			t.Errorf("Moment(%q) = %v, want an error", bad, got)
		}
	}
}

// "+3d" across the November DST change keeps the wall-clock time.
func TestMomentKeepsWallClockAcrossDST(t *testing.T) {
	ny := zone(t, "America/New_York")
	now := time.Date(2026, 10, 31, 9, 0, 0, 0, ny)
	got, _, err := when.Moment([]string{"+3d"}, now, ny, when.Start)
	if err != nil || got.In(ny).Format("2006-01-02 15:04 MST") != "2026-11-03 09:00 EST" {
		t.Fatalf("+3d from %v = %v, %v", now, got.In(ny), err)
	}
}

func TestSpan(t *testing.T) {
	now, ny := wednesday(t)
	for _, tc := range []struct {
		in       string
		from, to string
		rest     int
	}{
		{"2026-12-24 18:00 2026-12-26 09:00", "2026-12-24 18:00", "2026-12-26 09:00", 0},
		{"2026-12-24 2026-12-26 payments", "2026-12-24 00:00", "2026-12-27 00:00", 1},
		{"fri 18:00 22:00", "2026-12-04 18:00", "2026-12-04 22:00", 0},
		{"fri 22:00 06:00", "2026-12-04 22:00", "2026-12-05 06:00", 0},
		{"now +4h", "2026-12-02 10:15", "2026-12-02 14:15", 0},
		{"+3d +5d", "2026-12-05 10:15", "2026-12-07 10:15", 0},
		{"fri fri", "2026-12-04 00:00", "2026-12-05 00:00", 0},
	} {
		from, to, rest, err := when.Span(strings.Fields(tc.in), now, ny)
		f, u := from.In(ny).Format("2006-01-02 15:04"), to.In(ny).Format("2006-01-02 15:04")
		if err != nil || f != tc.from || u != tc.to || len(rest) != tc.rest {
			t.Errorf("Span(%q) = %s → %s %v, %v; want %s → %s", tc.in, f, u, rest, err, tc.from, tc.to)
		}
	}
	for _, bad := range []string{"fri", "fri thu", "2026-12-26 2026-12-24", "+5d +3d", "now now", "fri 18:00 fri 17:00"} {
		if _, _, _, err := when.Span(strings.Fields(bad), now, ny); err == nil || rituals.ErrorCode(err) != rituals.EINVALID {
			t.Errorf("Span(%q): err %v, want one a user is shown", bad, err)
		}
	}
}

func FuzzMoment(f *testing.F) {
	for _, s := range []string{"2026-12-24 18:00", "fri 6pm x", "+3d", "now +4h", "fri 22:00 06:00", "2026-12-24T18:00", "12am", "+9999w"} {
		f.Add(s)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 15, 0, 0, ny)
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Fields(s)
		for _, edge := range []when.Edge{when.Start, when.End} {
			m, rest, err := when.Moment(args, now, ny, edge)
			if err != nil {
				if rituals.ErrorCode(err) != rituals.EINVALID {
					t.Fatalf("Moment(%q): %v is not an error a user can be shown", s, err)
				}
				continue
			}
			if len(rest) >= len(args) {
				t.Fatalf("Moment(%q) consumed nothing", s)
			}
			if m.Sub(now) > 6*366*24*time.Hour || m.Year() < 2000 {
				t.Fatalf("Moment(%q) = %v: out of range", s, m)
			}
		}
		from, to, rest, err := when.Span(args, now, ny)
		if err == nil && (!to.After(from) || len(rest) > len(args)-2) {
			t.Fatalf("Span(%q) = %v → %v, %d left", s, from, to, len(rest))
		}
		if d, err := when.Day(s, now, ny); err == nil && d.Year < 2000 {
			t.Fatalf("Day(%q) = %v", s, d)
		}
	})
}

// A time the spring-forward change skips reads as the same span of
// wall-clock time later (02:30 on 29 March in Berlin is 03:30 CEST), and
// "+1d" keeps the wall-clock hour across it.
func TestMomentOnADSTChange(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	now := time.Date(2026, 3, 28, 9, 0, 0, 0, berlin)
	got, _, err := when.Moment([]string{"2026-03-29", "02:30"}, now, berlin, when.Start)
	if err != nil || got.In(berlin).Format("15:04 MST") != "03:30 CEST" {
		t.Errorf("02:30 on the spring-forward day = %v, %v", got.In(berlin), err)
	}
	got, _, err = when.Moment([]string{"+1d"}, now, berlin, when.Start)
	if err != nil || got.In(berlin).Format("2006-01-02 15:04 MST") != "2026-03-29 09:00 CEST" || got.Sub(now) != 23*time.Hour {
		t.Errorf("+1d across the change = %v (%v later), %v", got.In(berlin), got.Sub(now), err)
	}
}
