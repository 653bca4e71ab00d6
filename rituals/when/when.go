// Package when reads the dates and times people type in commands. Every
// command that takes a date (`/oncall override`, `/oncall swap`, `/standup
// ooo`, `/incident action … due`, cover requests, absences) reads it here,
// so the same words mean the same moment everywhere, in the reader's zone.
package when

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Forms is the help text naming what a date may be; commands' usage lines
// quote it so that every help says the same.
const Forms = "YYYY-MM-DD, today, tomorrow, a weekday (fri) or +3d / +2w, optionally followed by a time HH:MM"

// DayForms names what a day (without a time) may be.
const DayForms = "YYYY-MM-DD, today, tomorrow, a weekday (fri) or +3d / +2w"

// Edge says which moment a day given without a time stands for.
type Edge int

const (
	// Start: a bare day means its first moment (midnight).
	Start Edge = iota
	// End: a bare day means through its end (the next midnight), so that
	// "until friday" includes Friday.
	End
)

// maxAhead bounds how far ahead a typed date may be, so that a typo such
// as 20266-01-01 or +999w is refused rather than stored.
const maxAhead = 5 * 366 * 24 * time.Hour

var (
	offsetRE = regexp.MustCompile(`^\+([0-9]{1,4})([mhdw])$`)
	clockRE  = regexp.MustCompile(`^([0-9]{1,2})(?::([0-9]{2}))?(am|pm)?$`)
	isoRE    = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})[tT]([0-9]{1,2}:[0-9]{2})$`)
)

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday, "mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "sat": time.Saturday, "saturday": time.Saturday,
}

// weekday reads a weekday's name or a prefix of it of three letters or
// more ("thurs", "frid").
func weekday(a string) (time.Weekday, bool) {
	if wd, ok := weekdays[a]; ok {
		return wd, true
	}
	if len(a) < 3 {
		return 0, false
	}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if strings.HasPrefix(strings.ToLower(wd.String()), a) {
			return wd, true
		}
	}
	return 0, false
}

// Day reads one day in loc: YYYY-MM-DD, today, tomorrow, a weekday (the
// next one after today: "fri" on a Friday is next week's), +Nd or +Nw.
func Day(arg string, now time.Time, loc *time.Location) (rituals.Date, error) {
	today := rituals.DateOf(now.In(loc))
	a := strings.ToLower(strings.TrimSpace(arg))
	switch a {
	case "today":
		return today, nil
	case "tomorrow", "tmrw":
		return today.AddDays(1), nil
	}
	if wd, ok := weekday(a); ok {
		ahead := (int(wd) - int(now.In(loc).Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return today.AddDays(ahead), nil
	}
	if m := offsetRE.FindStringSubmatch(a); m != nil && (m[2] == "d" || m[2] == "w") {
		n, _ := strconv.Atoi(m[1])
		if m[2] == "w" {
			n *= 7
		}
		if n > 5*366 {
			return rituals.Date{}, tooFar(arg)
		}
		return today.AddDays(n), nil
	}
	d, err := rituals.ParseDate(a)
	if err != nil {
		return rituals.Date{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a date: use %s (e.g. %s).", rituals.Escape(arg), DayForms, today.AddDays(1))
	}
	if d.Year < 2000 || d.In(loc).Sub(now) > maxAhead {
		return rituals.Date{}, tooFar(arg)
	}
	return d, nil
}

func tooFar(arg string) error {
	return rituals.Errorf(rituals.EINVALID, "`%s` is too far away to be meant.", rituals.Escape(arg))
}

// Moment reads a moment in loc from the start of args and returns the
// arguments after it. It accepts "now"; an offset from now (+90m, +4h,
// +3d, +1w); a day as Day reads it, optionally followed by a time (HH:MM,
// 9am, 6:30pm); "2026-12-24T18:00"; or a time alone (today's). A day
// without a time is its first moment or its end, as edge says.
func Moment(args []string, now time.Time, loc *time.Location, edge Edge) (time.Time, []string, error) {
	if len(args) == 0 {
		return time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "A date is missing: use %s.", Forms)
	}
	a := strings.ToLower(strings.TrimSpace(args[0]))
	if a == "now" {
		return now, args[1:], nil
	}
	if m := offsetRE.FindStringSubmatch(a); m != nil {
		n, _ := strconv.Atoi(m[1])
		var t time.Time
		switch m[2] {
		case "m":
			t = now.Add(time.Duration(n) * time.Minute)
		case "h":
			t = now.Add(time.Duration(n) * time.Hour)
		case "d":
			t = now.In(loc).AddDate(0, 0, n)
		case "w":
			t = now.In(loc).AddDate(0, 0, 7*n)
		}
		if t.Sub(now) > maxAhead {
			return time.Time{}, nil, tooFar(args[0])
		}
		return t, args[1:], nil
	}
	if m := isoRE.FindStringSubmatch(a); m != nil {
		d, err := Day(m[1], now, loc)
		if err != nil {
			return time.Time{}, nil, err
		}
		h, mi, _ := clock(m[2])
		return at(d, h, mi, loc), args[1:], nil
	}
	if h, mi, ok := clock(a); ok && strings.ContainsAny(a, ":apm") {
		return at(rituals.DateOf(now.In(loc)), h, mi, loc), args[1:], nil
	}
	d, err := Day(a, now, loc)
	if err != nil {
		return time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "`%s` is not a date: use %s (e.g. `tomorrow 18:00`).", rituals.Escape(args[0]), Forms)
	}
	rest := args[1:]
	if len(rest) > 0 {
		if h, mi, ok := clock(strings.ToLower(rest[0])); ok && strings.ContainsAny(rest[0], ":apmAPM") {
			return at(d, h, mi, loc), rest[1:], nil
		}
	}
	if edge == End {
		return d.AddDays(1).In(loc), rest, nil
	}
	return d.In(loc), rest, nil
}

// Span reads FROM TO from the start of args (each as Moment reads it: a
// bare day FROM is its start, a bare day TO its end, so "24 26" covers
// three days) and returns the arguments after them. A time alone as TO
// falls on FROM's day, or the day after when that is not later ("fri
// 22:00 06:00" ends Saturday morning). It checks that TO is after FROM.
func Span(args []string, now time.Time, loc *time.Location) (from, to time.Time, rest []string, err error) {
	from, rest, err = Moment(args, now, loc, Start)
	if err != nil {
		return time.Time{}, time.Time{}, nil, err
	}
	if len(rest) == 0 {
		return time.Time{}, time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "Until when? Give FROM and TO, each as %s.", Forms)
	}
	if h, mi, ok := clock(strings.ToLower(rest[0])); ok && strings.ContainsAny(rest[0], ":apmAPM") {
		to = at(rituals.DateOf(from.In(loc)), h, mi, loc)
		if !to.After(from) {
			to = at(rituals.DateOf(from.In(loc)).AddDays(1), h, mi, loc)
		}
		rest = rest[1:]
	} else if to, rest, err = Moment(rest, now, loc, End); err != nil {
		return time.Time{}, time.Time{}, nil, err
	}
	if !to.After(from) {
		return time.Time{}, time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "The end (%s) is not after the start (%s).", to.In(loc).Format("Mon 2 Jan 15:04"), from.In(loc).Format("Mon 2 Jan 15:04"))
	}
	return from, to, rest, nil
}

// clock reads 18:00, 9:30, 9am, 6:30pm or a bare hour.
func clock(s string) (hour, minute int, ok bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		minute, _ = strconv.Atoi(m[2])
	}
	switch m[3] {
	case "am", "pm":
		if hour < 1 || hour > 12 {
			return 0, 0, false
		}
		hour %= 12
		if m[3] == "pm" {
			hour += 12
		}
	}
	if hour > 23 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// at is the wall-clock time h:m of d in loc (Go moves a time that a DST
// change skips forward, so "02:30" on a spring-forward day is 03:30).
func at(d rituals.Date, h, m int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, loc)
}
