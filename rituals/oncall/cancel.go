package oncall

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// An override that has not started yet (planned with FROM TO, the second
// half of a swap, a taken cover request) is cancelled rather than ended:
// it is stored with its end at its start, so that it never puts anyone on
// call and the record keeps it, and the rotation forgets it (loadLocked
// skips such overrides).

// CancelRequest names the planned override to cancel.
type CancelRequest struct {
	By string
	// Starts bounds the start of the override meant; zero: By's next
	// (one they are on call by or set).
	Starts Span
	// Zone is where By types dates: the commands an answer suggests are
	// written in it. Nil: the rotation's.
	Zone *time.Location
}

// maxPlannedListed bounds the planned overrides an answer lists.
const maxPlannedListed = 5

// CancelPlanned cancels, as req.By asks, an override that has not started.
// Its user, whoever set it, leads of the team and admins may cancel it (as
// for ending one in force). The cancellation, the channel's announcement
// and a DM to each person whose shifts move (ShiftMoves) are stored in one
// commit. It returns the override and who is on call over its span now.
// A cover request the override took is open again (see reopenedCover),
// in the same commit; the override returned names it (Cover).
func (r *Rotation) CancelPlanned(ctx context.Context, req CancelRequest) (Override, []Stint, error) {
	now := r.Clock.Now()
	zone := r.Zones(ctx)
	if req.Zone == nil {
		req.Zone = r.loc()
	}
	// Taken before mu, as TakeCover does: the request cannot be taken
	// while its override is cancelled.
	r.coverMu.Lock()
	defer r.coverMu.Unlock()
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return Override{}, nil, err
	}
	o, err := r.plannedLocked(req, now)
	if err == nil && !(r.mayLead(req.By) || req.By == o.User || req.By == o.By) {
		err = rituals.Errorf(rituals.EFORBIDDEN, "Only %s (on call by it), %s (who set it), a lead of %s (%s) or an admin can cancel this override.",
			rituals.Mention(o.User), rituals.Mention(o.By), r.TeamName(), mentions(r.Team.Leads))
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		r.mu.Unlock()
		return Override{}, nil, err
	}
	// Whose shifts move is read as a config change reads it, over
	// plan_ahead from now (stretched to the override's end), so that each
	// DM lists whole shifts.
	plan := Span{From: now, To: maxTime(now.Add(r.Settings.planAhead()), o.To)}
	span := Span{From: o.From, To: o.To}
	before := r.onCallOverLocked(plan)
	kept := r.overrides
	r.overrides = slices.DeleteFunc(slices.Clone(kept), func(x Override) bool { return x.ID == o.ID })
	after := r.onCallOverLocked(plan)
	then := r.onCallOverLocked(span)
	whose := rituals.Mention(o.User) + "'s"
	if req.By == o.User {
		whose = "their"
	}
	why := fmt.Sprintf("%s cancelled %s override, %s to %s", rituals.Mention(req.By), whose, r.FormatTime(o.From), r.FormatTime(o.To))
	messages := append([]rituals.Message{r.cancelAnnouncement(o, req.By, then)},
		r.ShiftMoves(fmt.Sprintf("cancel/%d", o.ID), why, stintPlan(before), stintPlan(after), zone)...)
	var cover CoverRequest
	reopened := false
	if r.Store != nil { // without a store, overrides are kept in memory only, and no request follows them
		var told []rituals.Message
		cover, told, reopened, err = r.reopenedCover(o, req.By, zone)
		messages = append(messages, told...)
	}
	if err == nil && r.Store != nil {
		cancelled := o
		cancelled.To = o.From
		if reopened {
			err = r.Covers.EndCoveredOverride(cancelled, cover, now, rituals.UrgentFor(ctx, messages))
		} else {
			err = r.Store.EndOverride(cancelled, now, func(Override) []rituals.Message { return rituals.UrgentFor(ctx, messages) })
		}
	}
	if err != nil {
		r.overrides = kept
		r.mu.Unlock()
		return Override{}, nil, fmt.Errorf("oncall %s: cancel override %d: %w", r.Config.Name, o.ID, err)
	}
	r.mu.Unlock()
	o.Cover = 0
	if reopened {
		o.Cover = cover.ID
		r.pokePlanner() // its escalation is due again
	}
	return o, then, r.overridden(ctx, messages)
}

// plannedLocked finds the override req names among those not started.
func (r *Rotation) plannedLocked(req CancelRequest, now time.Time) (Override, error) {
	var planned []Override
	for _, o := range r.overrides {
		if o.From.After(now) {
			planned = append(planned, o)
		}
	}
	slices.SortStableFunc(planned, func(a, b Override) int { return a.From.Compare(b.From) })
	var found []Override
	for _, o := range planned {
		switch {
		case req.Starts.From.IsZero() && (o.User == req.By || o.By == req.By):
			found = append(found, o)
		case !req.Starts.From.IsZero() && !o.From.Before(req.Starts.From) && o.From.Before(req.Starts.To):
			found = append(found, o)
		}
	}
	switch {
	case len(found) == 1 || len(found) > 1 && req.Starts.From.IsZero():
		return found[0], nil
	case len(found) > 1:
		return Override{}, rituals.Errorf(rituals.EINVALID, "More than one override of %s starts then:\n%s", r.TeamName(), r.listPlanned(found, req.Zone))
	case req.Starts.From.IsZero():
		return Override{}, rituals.Errorf(rituals.ENOTFOUND, "You have no override of %s planned (none you are on call by or set).%s", r.TeamName(), r.plannedHint(planned, req.Zone))
	}
	for _, o := range r.overrides {
		if o.Covers(now) && !o.From.Before(req.Starts.From) && o.From.Before(req.Starts.To) {
			return Override{}, rituals.Errorf(rituals.EINVALID, "%s's override of %s has started: `/oncall override cancel %s` ends it now.", rituals.Mention(o.User), r.TeamName(), r.Team.ID)
		}
	}
	return Override{}, rituals.Errorf(rituals.ENOTFOUND, "No override of %s starts at %s.%s", r.TeamName(), r.FormatTimeIn(req.Starts.From, req.Zone), r.plannedHint(planned, req.Zone))
}

// plannedHint lists the planned overrides, each with the command that
// cancels it.
func (r *Rotation) plannedHint(planned []Override, loc *time.Location) string {
	if len(planned) == 0 {
		return fmt.Sprintf(" No override of %s is planned.", r.TeamName())
	}
	return " Planned:\n" + r.listPlanned(planned, loc)
}

func (r *Rotation) listPlanned(planned []Override, loc *time.Location) string {
	var lines []string
	for i, o := range planned {
		if i == maxPlannedListed {
			lines = append(lines, fmt.Sprintf("… and %d more: `/oncall schedule %s 50` shows them.", len(planned)-maxPlannedListed, r.Team.ID))
			break
		}
		lines = append(lines, fmt.Sprintf("• %s, %s to %s: `/oncall override cancel %s %s`", rituals.Mention(o.User),
			r.FormatTimeIn(o.From, loc), r.FormatTimeIn(o.To, loc), o.From.In(loc).Format("2006-01-02 15:04"), r.Team.ID))
	}
	return strings.Join(lines, "\n")
}

// stintPlan is each person's stints as ShiftMoves compares them.
func stintPlan(stints []Stint) map[string][]Span {
	plan := map[string][]Span{}
	for _, st := range stints {
		plan[st.User] = append(plan[st.User], Span{From: st.Start, To: st.End})
	}
	return plan
}

func (r *Rotation) cancelAnnouncement(o Override, by string, after []Stint) rituals.Message {
	what := fmt.Sprintf("%s cancelled %s's on-call override for *%s*", rituals.Mention(by), rituals.Mention(o.User), r.TeamName())
	if by == o.User {
		what = fmt.Sprintf("%s cancelled their on-call override for *%s*", rituals.Mention(by), r.TeamName())
	}
	text := fmt.Sprintf(":repeat: %s, %s to %s. %s", what, r.FormatTime(o.From), r.FormatTime(o.To), OnCallThen(after))
	return rituals.Message{
		Key: r.key("override-cancel", fmt.Sprint(o.ID)), To: r.Channel(),
		Text: stripMrkdwn(text), Blocks: []rituals.Block{rituals.Section(text)},
	}
}

// OnCallThen says who is on call over a span, from its stints.
func OnCallThen(stints []Stint) string {
	var who []string
	for _, st := range stints {
		if m := rituals.Mention(st.User); st.User != "" && !slices.Contains(who, m) {
			who = append(who, m)
		}
	}
	switch len(who) {
	case 0:
		return "Nobody is on call then."
	case 1:
		return who[0] + " is on call then."
	}
	return strings.Join(who[:len(who)-1], ", ") + " and " + who[len(who)-1] + " are on call then."
}
