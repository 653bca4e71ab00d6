package digest

import (
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// onCallFigures fills on-call load: the scheduled shifts in each window,
// and each person's share of them by time covered.
func (d *Digest) onCallFigures(td *TeamDigest, sched rituals.OnCallSchedule) error {
	for _, p := range []*Period{&td.Now, &td.Prev} {
		shifts, err := sched.ShiftsBetween(td.Team.ID, p.Window.From, p.Window.To)
		if err != nil {
			return fmt.Errorf("on-call shifts of %s: %w", td.Team.ID, err)
		}
		p.Shifts, p.Load, p.Overridden = onCallLoad(shifts, p.Window)
	}
	td.HasOnCall = td.Now.Shifts > 0 || td.Prev.Shifts > 0
	return drillFigures(td, sched)
}

// onCallLoad counts the distinct scheduled shifts among pieces and shares
// each piece's time in w among the people on call, in shifts.
func onCallLoad(pieces []rituals.ShiftBrief, w Window) (shifts int, load map[string]float64, overridden bool) {
	type period struct {
		ritual string
		start  int64
	}
	seen := map[period]bool{}
	load = map[string]float64{}
	for _, s := range pieces {
		ps, pe := s.Period()
		if k := (period{s.Ritual, ps.UnixNano()}); !seen[k] {
			seen[k] = true
			shifts++
		}
		from, to := s.Start, s.End
		if from.Before(w.From) {
			from = w.From
		}
		if to.After(w.To) {
			to = w.To
		}
		if length := pe.Sub(ps); to.After(from) && length > 0 {
			load[s.User] += float64(to.Sub(from)) / float64(length)
		}
		overridden = overridden || s.Override
	}
	return shifts, load, overridden
}

// Working hours: a page outside them woke someone or spoiled an evening.
const (
	workStartHour = 9
	workEndHour   = 18
)

// OutOfHours reports whether t falls outside 09:00–18:00 Monday to Friday
// in loc, or on a holiday.
func OutOfHours(t time.Time, loc *time.Location, holidays rituals.Holidays) bool {
	l := t.In(loc)
	switch {
	case l.Weekday() == time.Saturday || l.Weekday() == time.Sunday:
		return true
	case holidays.Has(rituals.DateOf(l)):
		return true
	}
	return l.Hour() < workStartHour || l.Hour() >= workEndHour
}
