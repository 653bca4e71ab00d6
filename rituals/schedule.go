package rituals

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser accepts the standard 5-field spec and descriptors (@daily,
// @every 10s). CRON_TZ= is handled by ParseSchedule itself.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule says when a ritual happens. Cron specs are read as wall-clock
// times in Location, so a 09:00 ritual fires at 09:00 local on both sides of
// a DST change, once; a time that a spring-forward skips fires once at the
// end of the gap. robfig/cron does the calendar arithmetic; the waiting is
// the scheduler's, on our Clock.
type Schedule struct {
	Spec     string
	Location *time.Location
	// EveryWeeks > 1 fires only in every n-th week counted from the week
	// (Monday to Sunday) of Start.
	EveryWeeks int
	Start      Date
	// NthWeekday, 1 to 5 or -1 for the last, fires only on that occurrence
	// of the day's weekday in its month ("first Monday of the month").
	NthWeekday int
	// Holidays are dates (in Location) on which nothing fires.
	Holidays Holidays
	// Offset shifts every fire time (a standup's reminder fires at the
	// prompt's time plus remind_after).
	Offset time.Duration

	wall  *cron.SpecSchedule // nil for @every
	every time.Duration
}

// ParseSchedule parses a cron spec, a descriptor or "@every D", with an
// optional "CRON_TZ=Zone " prefix that overrides loc.
func ParseSchedule(spec string, loc *time.Location) (*Schedule, error) {
	s := &Schedule{Spec: spec, Location: loc}
	rest := strings.TrimSpace(spec)
	if strings.HasPrefix(rest, "CRON_TZ=") || strings.HasPrefix(rest, "TZ=") {
		zone, tail, _ := strings.Cut(rest[strings.Index(rest, "=")+1:], " ")
		l, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("unknown time zone %q in %q (use an IANA name such as Europe/Berlin)", zone, spec)
		}
		s.Location, rest = l, strings.TrimSpace(tail)
	}
	if rest == "" {
		return nil, fmt.Errorf("empty schedule: give a cron spec such as \"0 9 * * MON-FRI\" or @daily")
	}
	if d, ok := strings.CutPrefix(rest, "@every "); ok {
		every, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil || every < time.Second {
			return nil, fmt.Errorf("bad interval in %q: want a duration of at least 1s, such as \"@every 10m\"", spec)
		}
		s.every = every
		return s, nil
	}
	parsed, err := cronParser.Parse(rest)
	if err != nil {
		return nil, fmt.Errorf("bad cron spec %q: %v (want 5 fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * MON-FRI\")", spec, err)
	}
	wall, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("unsupported schedule %q", spec)
	}
	// Evaluate on a floating wall clock; Next maps wall times into Location.
	cp := *wall
	cp.Location = time.UTC
	s.wall = &cp
	if s.Location == nil {
		s.Location = time.UTC
	}
	return s, nil
}

// MustParseSchedule is ParseSchedule for tests and fixed specs.
func MustParseSchedule(spec string, loc *time.Location) *Schedule {
	s, err := ParseSchedule(spec, loc)
	if err != nil {
		panic(err)
	}
	return s
}

// WithOffset returns a copy of s whose fire times are shifted by d.
func (s *Schedule) WithOffset(d time.Duration) *Schedule {
	cp := *s
	cp.Offset += d
	return &cp
}

// In returns a copy of s evaluated in loc (a member's own time zone).
func (s *Schedule) In(loc *time.Location) *Schedule {
	cp := *s
	cp.Location = loc
	return &cp
}

// maxSteps bounds the search for the next fire time: a spec that matches
// nothing (Feb 30) or filters that reject everything end it.
const maxSteps = 20000

// Next returns the first fire time strictly after t, or the zero time if
// there is none within the search bound.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.every > 0 {
		// Aligned to the Unix epoch so that occurrences are the same
		// instants across restarts.
		base := t.Add(-s.Offset)
		next := base.Truncate(s.every).Add(s.every)
		for i := 0; i < maxSteps; i++ {
			if !s.Holidays.Has(DateOf(next.In(s.Location))) {
				return next.Add(s.Offset)
			}
			next = next.Add(s.every)
		}
		return time.Time{}
	}
	after := t.Add(-s.Offset)
	wall := floating(after.In(s.Location))
	for i := 0; i < maxSteps; i++ {
		wall = s.wall.Next(wall)
		if wall.IsZero() {
			return time.Time{}
		}
		at := s.instant(wall)
		if !at.After(after) || !s.dateMatches(wall) {
			continue
		}
		return at.Add(s.Offset)
	}
	return time.Time{}
}

// NextN returns the next n fire times after t.
func (s *Schedule) NextN(t time.Time, n int) []time.Time {
	var out []time.Time
	for len(out) < n {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

func (s *Schedule) dateMatches(wall time.Time) bool {
	d := DateOf(wall)
	if s.Holidays.Has(d) {
		return false
	}
	if s.NthWeekday != 0 && !isNthWeekday(wall, s.NthWeekday) {
		return false
	}
	if s.EveryWeeks > 1 {
		weeks := weeksBetween(s.Start, d)
		if weeks < 0 || weeks%s.EveryWeeks != 0 {
			return false
		}
	}
	return true
}

// floating re-reads t's wall clock as UTC, so that cron arithmetic ignores
// offsets.
func floating(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instant maps a floating wall time to the instant it names in s.Location.
// An ambiguous time (fall back) is its first instant; a time skipped by a
// spring-forward maps to the end of the gap.
func (s *Schedule) instant(wall time.Time) time.Time {
	at := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), s.Location)
	if floating(at.In(s.Location)).Equal(wall) {
		// Go may pick either instant of an ambiguous wall time; take the first.
		for _, d := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
			if earlier := at.Add(-d); floating(earlier.In(s.Location)).Equal(wall) {
				return earlier
			}
		}
		return at
	}
	// In a gap: find the first instant whose wall clock is at or after the
	// wanted one; gaps are at most a few hours long.
	lo, hi := at.Add(-4*time.Hour), at.Add(4*time.Hour)
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if floating(mid.In(s.Location)).Before(wall) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.Truncate(time.Second)
}

func isNthWeekday(t time.Time, n int) bool {
	if n > 0 {
		return (t.Day()-1)/7+1 == n
	}
	// Last: a week later is next month.
	return t.AddDate(0, 0, 7).Month() != t.Month()
}

// weeksBetween counts whole Monday-to-Sunday weeks from the week of a to
// the week of b.
func weeksBetween(a, b Date) int {
	ma, mb := a.Monday(), b.Monday()
	return int(mb.Time().Sub(ma.Time()).Hours()/24) / 7
}

// Date is a calendar date without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("bad date %q: want YYYY-MM-DD, e.g. 2026-12-25", s)
	}
	return DateOf(t), nil
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// In returns midnight of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Monday returns the Monday of d's week.
func (d Date) Monday() Date {
	t := d.Time()
	back := (int(t.Weekday()) + 6) % 7
	return DateOf(t.AddDate(0, 0, -back))
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText writes YYYY-MM-DD, and the zero date (none, such as an
// action item without a due date) as "", so that it reads back.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads YYYY-MM-DD; "" is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	*d = v
	return err
}

// Holidays is a set of dates on which weekday rituals do not happen.
type Holidays map[Date]bool

// Has reports whether d is a holiday.
func (h Holidays) Has(d Date) bool { return h[d] }

// Sorted returns the holidays in order.
func (h Holidays) Sorted() []Date {
	out := make([]Date, 0, len(h))
	for d := range h {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// ParseDuration reads a Go duration, also accepting weeks and days ("4w",
// "7d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	bad := fmt.Errorf("bad duration %q: want e.g. 30m, 2h, 7d, 4w", orig)
	s = strings.TrimSpace(s)
	var total time.Duration
	if i := strings.Index(s, "w"); i > 0 {
		weeks, err := strconv.Atoi(s[:i])
		if err != nil || weeks < 0 || weeks > 1000 {
			return 0, bad
		}
		total = time.Duration(weeks) * 7 * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	if i := strings.Index(s, "d"); i > 0 {
		days, err := strconv.Atoi(s[:i])
		if err != nil || days < 0 {
			return 0, bad
		}
		total += time.Duration(days) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	return total + d, nil
}
