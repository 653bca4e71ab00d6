package oncall

import (
	"slices"
	"sort"
	"time"
)

// scheduled is one shift between two handoffs as the rotation has it,
// before overrides.
type scheduled struct {
	start, end time.Time
	primary    string
	exec       string
	// rotation and execRotation are the lists the shift steps through
	// (whoever follows it is picked from them; rotation has the stored
	// additions in force at its end, the next handoff); prev* are those of
	// the record it was counted from, to find who comes next when someone
	// has left.
	rotation, prevRotation         []string
	execRotation, prevExecRotation []string
	// base is rotation before the stored additions (see withAdditions):
	// the record's list, or the config's after the latest record.
	base   []string
	anchor int // index of the record counted from; -1 before the first
}

// horizon bounds walks into the future (a rotation of one with no
// overrides never changes hands).
const horizon = 2 * 366 * 24 * time.Hour

// farFuture ends a shift whose next handoff never comes.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// scheduledAt returns the scheduled shift in force at t.
func (r *Rotation) scheduledAt(t time.Time) (scheduled, bool) {
	first := r.First()
	if first.IsZero() || t.Before(first) {
		return scheduled{}, false
	}
	i := sort.Search(len(r.handoffs), func(i int) bool { return r.handoffs[i].At.After(t) }) - 1
	s := r.fromAnchor(i, first)
	for !s.end.After(t) {
		s = r.following(s)
	}
	return s, true
}

// fromAnchor is the shift starting at handoff record i (-1: the first
// shift, before any record).
func (r *Rotation) fromAnchor(i int, first time.Time) scheduled {
	var s scheduled
	if i < 0 {
		// Before anything was recorded, the rotation is the earliest one
		// known, so that history stays put once recorded.
		rot, exec := r.Settings.Rotation, r.Settings.Exec
		if len(r.handoffs) > 0 {
			rot, exec = r.handoffs[0].Rotation, r.handoffs[0].ExecRotation
		}
		s = scheduled{start: first, base: rot, prevRotation: rot, execRotation: exec, prevExecRotation: exec, anchor: -1}
		if len(rot) > 0 {
			s.primary = rot[0]
		}
		if len(exec) > 0 {
			s.exec = exec[0]
		}
	} else {
		h := r.handoffs[i]
		s = scheduled{start: h.At, primary: h.Primary, exec: h.Exec, anchor: i,
			prevRotation: h.Rotation, prevExecRotation: h.ExecRotation,
			base: h.Rotation, execRotation: h.ExecRotation}
		if i == len(r.handoffs)-1 && !r.continueStored {
			// After the latest record, the config as it is now.
			s.base, s.execRotation = r.Settings.Rotation, r.Settings.Exec
		}
	}
	s.end = r.endOf(s)
	s.rotation = r.withAdditions(s.base, s.end)
	return s
}

// endOf is when shift s ends: the next handoff, or the next record.
func (r *Rotation) endOf(s scheduled) time.Time {
	end := r.Config.Schedule.Next(s.start)
	if end.IsZero() {
		end = farFuture
	}
	if n := s.anchor + 1; n < len(r.handoffs) && r.handoffs[n].At.Before(end) {
		end = r.handoffs[n].At
	}
	return end
}

// following is the scheduled shift after s.
func (r *Rotation) following(s scheduled) scheduled {
	if n := s.anchor + 1; n < len(r.handoffs) && !r.handoffs[n].At.After(s.end) {
		return r.fromAnchor(n, time.Time{})
	}
	next := scheduled{
		start: s.end, anchor: s.anchor,
		primary: successor(s.primary, s.prevRotation, s.rotation),
		exec:    successor(s.exec, s.prevExecRotation, s.execRotation),
		base:    s.base, prevRotation: s.rotation,
		execRotation: s.execRotation, prevExecRotation: s.execRotation,
	}
	next.end = r.endOf(next)
	next.rotation = r.withAdditions(next.base, next.end)
	return next
}

// successor is who follows p in rot. If p is no longer in rot (they left
// the rotation), it is the first one after p in the order p was in (prev)
// who still is; a rotation that changed entirely starts at its top.
func successor(p string, prev, rot []string) string {
	if len(rot) == 0 {
		return ""
	}
	if i := indexOf(rot, p); i >= 0 {
		return rot[(i+1)%len(rot)]
	}
	if j := indexOf(prev, p); j >= 0 {
		for k := 1; k < len(prev); k++ {
			if c := prev[(j+k)%len(prev)]; indexOf(rot, c) >= 0 {
				return c
			}
		}
	}
	return rot[0]
}

// secondaryFor is the next in the rotation after the scheduled primary who
// is not the one actually on call.
func secondaryFor(s scheduled, primary string) string {
	c := successor(s.primary, s.prevRotation, s.rotation)
	for range len(s.rotation) {
		if c != primary {
			return c
		}
		c = successor(c, s.rotation, s.rotation)
	}
	return ""
}

// walk calls f with each shift, overrides applied, from the one in force
// at from on, in time order, until f returns false or the horizon. It is
// the one place that says who is on call; callers hold r.mu.
func (r *Rotation) walk(from time.Time, f func(Shift) bool) {
	s, ok := r.scheduledAt(from)
	if !ok {
		first := r.First()
		if first.IsZero() {
			return
		}
		s, _ = r.scheduledAt(first)
	}
	limit := from.Add(horizon)
	for s.start.Before(limit) {
		for _, seg := range r.segments(s) {
			if !seg.End.After(from) {
				continue
			}
			if !f(seg) {
				return
			}
		}
		if s.end.Equal(farFuture) {
			return
		}
		s = r.following(s)
	}
}

// segments cuts a scheduled shift where overrides begin and end. It looks
// at the overrides in place (a year holds hundreds) and cuts once at each
// instant, however many overrides share it.
func (r *Rotation) segments(s scheduled) []Shift {
	cuts := []time.Time{s.start}
	var active []*Override
	var seen map[int64]bool // instants cut at, once overrides pile up
	cut := func(t time.Time) {
		if len(active) > 4 {
			if seen == nil {
				seen = map[int64]bool{}
				for _, c := range cuts {
					seen[c.UnixNano()] = true
				}
			}
			if seen[t.UnixNano()] {
				return
			}
			seen[t.UnixNano()] = true
		}
		cuts = append(cuts, t)
	}
	for i := range r.overrides {
		o := &r.overrides[i]
		if o.From.Before(s.end) && o.To.After(s.start) {
			active = append(active, o)
			if o.From.After(s.start) {
				cut(o.From)
			}
			if o.To.Before(s.end) {
				cut(o.To)
			}
		}
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	cuts = append(cuts, s.end)
	var out []Shift
	for i := 0; i+1 < len(cuts); i++ {
		start, end := cuts[i], cuts[i+1]
		if !end.After(start) {
			continue
		}
		seg := Shift{
			Ritual: r.Config.Name, Team: r.Team.ID, Start: start, End: end,
			Primary: s.primary, Scheduled: s.primary, Exec: s.exec,
			HandoffStart: s.start, HandoffEnd: s.end,
		}
		var win *Override
		for _, o := range active {
			if o.Covers(start) && (win == nil || o.newer(*win)) {
				win = o
			}
		}
		if win != nil {
			o := *win
			seg.Override, seg.Primary, seg.Covering = &o, o.User, s.primary
			// Whom it covers is who would be on call without it: the
			// next newest override in force, else the schedule.
			var under *Override
			for _, p := range active {
				if p != win && p.Covers(start) && (under == nil || p.newer(*under)) {
					under = p
				}
			}
			if under != nil {
				seg.Covering = under.User
			}
		}
		if r.Settings.Secondary {
			seg.Secondary = secondaryFor(s, seg.Primary)
		}
		if n := len(out); n > 0 && sameCrew(out[n-1], seg) {
			out[n-1].End = end
			continue
		}
		out = append(out, seg)
	}
	return out
}

func sameCrew(a, b Shift) bool {
	return a.Primary == b.Primary && a.Secondary == b.Secondary && a.Exec == b.Exec &&
		(a.Override == nil) == (b.Override == nil) && (a.Override == nil || a.Override.ID == b.Override.ID)
}

func (r *Rotation) ensureLoaded() error {
	if r.loaded {
		return nil
	}
	return r.loadLocked()
}

// walkLoaded is walk for callers that do not hold r.mu: it reads the
// stored records first, if it has not yet.
func (r *Rotation) walkLoaded(from time.Time, f func(Shift) bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return err
	}
	r.walk(from, f)
	return nil
}

// At returns who is on call at t; ok is false before the first shift.
func (r *Rotation) At(t time.Time) (s Shift, ok bool, err error) {
	err = r.walkLoaded(t, func(sh Shift) bool {
		s, ok = sh, !sh.Start.After(t)
		return false
	})
	return s, ok, err
}

// Shifts returns the shifts overlapping [from, to), the first one whole.
func (r *Rotation) Shifts(from, to time.Time) ([]Shift, error) {
	var out []Shift
	err := r.walkLoaded(from, func(sh Shift) bool {
		if !sh.Start.Before(to) {
			return false
		}
		out = append(out, sh)
		return true
	})
	return out, err
}

// Upcoming returns n shifts: the one in force at from (or the first, if
// the rotation has not started) and those after it.
func (r *Rotation) Upcoming(from time.Time, n int) ([]Shift, error) {
	var out []Shift
	err := r.walkLoaded(from, func(sh Shift) bool {
		out = append(out, sh)
		return len(out) < n
	})
	return out, err
}

// Stint is a stretch during which one person stays primary, across
// shifts and overrides.
type Stint struct {
	User       string
	Start, End time.Time
	// Shifts are the shifts it is made of.
	Shifts []Shift
}

// maxStintShifts bounds how far a stint is followed (a rotation of one).
const maxStintShifts = 60

// Stints returns up to n stints from the one in force at from on.
func (r *Rotation) Stints(from time.Time, n int) ([]Stint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return nil, err
	}
	return r.stintsLocked(from, n), nil
}

func (r *Rotation) stintsLocked(from time.Time, n int) []Stint {
	var out []Stint
	r.walk(from, func(sh Shift) bool {
		if k := len(out); k > 0 && out[k-1].User == sh.Primary && out[k-1].End.Equal(sh.Start) && len(out[k-1].Shifts) < maxStintShifts {
			out[k-1].End = sh.End
			out[k-1].Shifts = append(out[k-1].Shifts, sh)
			return true
		}
		if len(out) == n {
			return false
		}
		out = append(out, Stint{User: sh.Primary, Start: sh.Start, End: sh.End, Shifts: []Shift{sh}})
		return true
	})
	return out
}

// NextStintOf returns user's stint in force at or after from, within the
// horizon.
func (r *Rotation) NextStintOf(user string, from time.Time) (Stint, bool, error) {
	var st Stint
	found := false
	err := r.walkLoaded(from, func(sh Shift) bool {
		switch {
		case found && sh.Primary == user && st.End.Equal(sh.Start) && len(st.Shifts) < maxStintShifts:
			st.End = sh.End
			st.Shifts = append(st.Shifts, sh)
			return true
		case found:
			return false
		case sh.Primary == user:
			st, found = Stint{User: user, Start: sh.Start, End: sh.End, Shifts: []Shift{sh}}, true
		}
		return true
	})
	return st, found, err
}

// InRotation reports whether user takes primary shifts in the rotation,
// by the config or by a stored addition (from its handoff on).
func (r *Rotation) InRotation(user string) bool {
	if indexOf(r.Settings.Rotation, user) >= 0 {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		r.Log.Error().Err(err).Msg("read the rotation's records")
	}
	return r.addedLocked(user)
}
