package oncall

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Rotations are all the configured on-call rotations: what other rituals
// read of them (OnCallLookup, OnCallSchedule), answered by each rotation's
// own walk.
type Rotations struct {
	List []*Rotation
}

var (
	_ rituals.OnCallSchedule = (*Rotations)(nil)
	_ rituals.OpenCovers     = (*Rotations)(nil)
)

// OpenCoversFor returns the cover requests user could take, in every
// rotation, soonest first.
func (rs *Rotations) OpenCoversFor(user string, at time.Time) ([]rituals.CoverBrief, error) {
	var out []rituals.CoverBrief
	for _, r := range rs.List {
		covers, err := r.openCoversFor(user, at)
		if err != nil {
			return nil, err
		}
		out = append(out, covers...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out, nil
}

// ByName returns the rotation of that ritual name, or nil.
func (rs *Rotations) ByName(name string) *Rotation {
	for _, r := range rs.List {
		if r.Config.Name == name {
			return r
		}
	}
	return nil
}

// OfTeam returns the team's rotations, in config order.
func (rs *Rotations) OfTeam(team string) []*Rotation {
	var out []*Rotation
	for _, r := range rs.List {
		if r.Team.ID == team {
			out = append(out, r)
		}
	}
	return out
}

// OnCall is the OnCallLookup: the primary of the team's first rotation.
func (rs *Rotations) OnCall(team string, at time.Time) (string, bool) {
	for _, r := range rs.OfTeam(team) {
		s, ok, err := r.At(at)
		if err != nil {
			r.Log.Error().Err(err).Msg("on-call lookup")
			continue
		}
		if ok {
			return s.Primary, true
		}
	}
	return "", false
}

// ExecOnCall is the exec on call of the team's first rotation with an exec
// list (an OnCallLookup): whom a severe incident's page_exec engages.
func (rs *Rotations) ExecOnCall(team string, at time.Time) (string, bool) {
	for _, r := range rs.OfTeam(team) {
		s, ok, err := r.At(at)
		if err != nil {
			r.Log.Error().Err(err).Msg("exec on-call lookup")
			continue
		}
		if ok && s.Exec != "" {
			return s.Exec, true
		}
	}
	return "", false
}

// ShiftsBetween returns the team's primary shifts overlapping [from, to).
func (rs *Rotations) ShiftsBetween(team string, from, to time.Time) ([]rituals.ShiftBrief, error) {
	var out []rituals.ShiftBrief
	for _, r := range rs.OfTeam(team) {
		shifts, err := r.Shifts(from, to)
		if err != nil {
			return nil, err
		}
		for _, s := range shifts {
			out = append(out, s.Brief())
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// NextShift returns user's current or next primary stint after at, in any
// rotation, the earliest first.
func (rs *Rotations) NextShift(user string, at time.Time) (rituals.ShiftBrief, bool, error) {
	var best rituals.ShiftBrief
	found := false
	for _, r := range rs.List {
		st, ok, err := r.NextStintOf(user, at)
		if err != nil {
			return rituals.ShiftBrief{}, false, err
		}
		if ok && (!found || st.Start.Before(best.Start)) {
			best = rituals.ShiftBrief{Ritual: r.Config.Name, Team: r.Team.ID, User: user, Start: st.Start, End: st.End}
			found = true
		}
	}
	return best, found, nil
}

// Keep runs every rotation's keeper and look-ahead (Plan) until ctx
// ends.
func (rs *Rotations) Keep(ctx context.Context) error {
	done := make(chan struct{}, 2*len(rs.List))
	for _, r := range rs.List {
		go func() {
			_ = r.Keep(ctx)
			done <- struct{}{}
		}()
		go func() {
			_ = r.Plan(ctx)
			done <- struct{}{}
		}()
	}
	for range 2 * len(rs.List) {
		<-done
	}
	return nil
}

// WaitSettled waits for every keeper and look-ahead to have done what is
// due up to t.
func (rs *Rotations) WaitSettled(ctx context.Context, t time.Time) error {
	for _, r := range rs.List {
		if err := r.WaitSettled(ctx, t); err != nil {
			return err
		}
		if err := r.WaitPlanned(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Matching returns the rotations arg names: a team ID or a rotation's
// ritual name, in any case.
func (rs *Rotations) Matching(arg string) []*Rotation {
	var out []*Rotation
	for _, r := range rs.List {
		if strings.EqualFold(arg, r.Team.ID) || strings.EqualFold(arg, r.Name()) {
			out = append(out, r)
		}
	}
	return out
}

// Names lists the rotations as a person names them: "team (ritual)".
func (rs *Rotations) Names() string {
	var names []string
	for _, r := range rs.List {
		names = append(names, fmt.Sprintf("%s (%s)", r.Team.ID, r.Name()))
	}
	return strings.Join(names, ", ")
}

// Unknown is the error for an argument that names no rotation.
func (rs *Rotations) Unknown(arg string) error {
	return rituals.Errorf(rituals.ENOTFOUND, "No rotation for `%s`. Rotations: %s.", rituals.Escape(arg), rs.Names())
}

// Of returns the rotations user takes shifts in or whose team they are in.
func (rs *Rotations) Of(user string) []*Rotation {
	var out []*Rotation
	for _, r := range rs.List {
		if r.InRotation(user) || r.Team.IsMember(user) || r.Team.IsLead(user) {
			out = append(out, r)
		}
	}
	return out
}

// For returns the rotation a command about target means: the one arg
// names, else the only one, else the one target (or else the invoker) is
// in, if that is one.
func (rs *Rotations) For(invoker, target, arg string) (*Rotation, error) {
	if arg != "" {
		rots := rs.Matching(arg)
		switch len(rots) {
		case 0:
			return nil, rs.Unknown(arg)
		case 1:
			return rots[0], nil
		}
		return nil, rituals.Errorf(rituals.EINVALID, "`%s` has %d rotations; name one: %s.", rituals.Escape(arg), len(rots), rs.Names())
	}
	if len(rs.List) == 1 {
		return rs.List[0], nil
	}
	for _, user := range []string{target, invoker} {
		if rots := rs.Of(user); len(rots) == 1 {
			return rots[0], nil
		}
	}
	return nil, rituals.Errorf(rituals.EINVALID, "Which rotation? Add its team at the end, e.g. `… payments`. Rotations: %s.", rs.Names())
}

var _ rituals.DrillLog = (*Rotations)(nil)

// DrillsBetween returns the team's drills paged within [from, to), for
// the digest.
func (rs *Rotations) DrillsBetween(team string, from, to time.Time) ([]rituals.DrillBrief, error) {
	var out []rituals.DrillBrief
	for _, r := range rs.OfTeam(team) {
		if r.Drills == nil {
			continue
		}
		ds, err := r.Drills.Drills(r.Config.Name, from)
		if err != nil {
			return nil, fmt.Errorf("oncall %s: read drills: %w", r.Config.Name, err)
		}
		for _, d := range ds {
			if d.Paged.Before(to) {
				out = append(out, rituals.DrillBrief{Team: team, Paged: d.Paged, Acked: !d.Acked.IsZero(), TimeToAck: d.TimeToAck(), Escalated: !d.Escalated.IsZero()})
			}
		}
	}
	return out, nil
}
