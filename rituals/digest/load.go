package digest

import (
	"fmt"

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
