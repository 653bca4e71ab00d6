package oncall

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Span is a stretch of time.
type Span struct {
	From time.Time
	To   time.Time
}

// Swap request states.
const (
	SwapPending  = "pending"
	SwapAccepted = "accepted"
	SwapDeclined = "declined"
	SwapExpired  = "expired"
)

// SwapRequest is one engineer asking another to trade on-call shifts: the
// other takes Give, the requester takes Take in return (nil: the other
// has no shift to give, so they only cover).
type SwapRequest struct {
	ID        uint64
	Ritual    string
	Requester string
	Other     string
	Give      Span
	Take      *Span `json:",omitempty"`
	Status    string
	// BackToBack: taking Give puts Other on call two shifts in a row; the
	// request says so, and accepting confirms it.
	BackToBack bool `json:",omitempty"`
	Created    time.Time
	Answered   time.Time `json:",omitempty"`
}

// swapHorizon is how far ahead a shift to swap is looked for.
const swapHorizon = 26 * 7 * 24 * time.Hour

// SwapAsk is a request to trade one shift for one shift.
type SwapAsk struct {
	Requester, Other string
	// Mine and Theirs pick the shifts by a day each (the person's first
	// shift overlapping it, in Zone); nil picks each one's next shift.
	Mine, Theirs *rituals.Date
	Zone         *time.Location
	// Confirm: the requester accepts being on call two shifts in a row.
	Confirm bool
}

// RequestSwap asks other to trade their next shift for requester's (see
// AskSwap).
func (r *Rotation) RequestSwap(ctx context.Context, requester, other string) (string, error) {
	return r.AskSwap(ctx, SwapAsk{Requester: requester, Other: other})
}

// AskSwap asks the other person, in a DM with Accept and Decline buttons,
// to trade one shift for one shift: one handoff period each, never a run
// of them (a swap that merged back-to-back shifts once let one person end
// up on call four weeks in a row). A swap that would put the requester on
// call two shifts in a row is refused unless they confirm; the other is
// warned in the request, and accepting confirms. It returns what to tell
// the requester.
func (r *Rotation) AskSwap(ctx context.Context, a SwapAsk) (string, error) {
	requester, other := a.Requester, a.Other
	if requester == other {
		return "", rituals.Errorf(rituals.EINVALID, "You cannot swap with yourself; name a teammate: `/oncall swap @someone`.")
	}
	if !r.mayTakeShift(other) {
		// Accepting would put them on call, which they could not do
		// themselves (see mayOverride).
		return "", rituals.Errorf(rituals.EFORBIDDEN, "%s is not in the %s team or its rotation, so they cannot take its on-call shifts. Swap with a teammate, or ask a lead of %s (%s).",
			rituals.Mention(other), r.TeamName(), r.TeamName(), mentions(r.Team.Leads))
	}
	if err := r.checkPerson(ctx, other); err != nil {
		return "", err
	}
	if a.Zone == nil {
		a.Zone = r.loc()
	}
	now := r.Clock.Now()
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return "", err
	}
	mine, ok := r.shiftOfLocked(requester, now, a.Mine, a.Zone)
	if !ok {
		r.mu.Unlock()
		if a.Mine != nil {
			return "", rituals.Errorf(rituals.EINVALID, "You have no on-call shift in %s on %s to swap. `/oncall schedule %s` shows who is on when.", r.TeamName(), a.Mine, r.Team.ID)
		}
		return "", rituals.Errorf(rituals.EINVALID, "You have no on-call shift in %s in the next %d weeks, so there is nothing to swap. To take someone's shift, use `/oncall override` %s `DURATION`.",
			r.TeamName(), int(swapHorizon.Hours()/24/7), rituals.Mention(requester))
	}
	give := Span{From: maxTime(mine.From, now), To: mine.To}
	req := SwapRequest{Ritual: r.Config.Name, Requester: requester, Other: other, Give: give, Status: SwapPending, Created: now}
	if theirs, ok := r.shiftOfLocked(other, now, a.Theirs, a.Zone); ok && theirs != mine {
		req.Take = &Span{From: maxTime(theirs.From, now), To: theirs.To}
	} else if a.Theirs != nil {
		r.mu.Unlock()
		return "", rituals.Errorf(rituals.EINVALID, "%s has no on-call shift in %s on %s to swap. `/oncall schedule %s` shows who is on when.", rituals.Mention(other), r.TeamName(), a.Theirs, r.Team.ID)
	}
	mineRow, theirsRow := r.backToBackLocked(req)
	r.mu.Unlock()
	if mineRow != nil && !a.Confirm {
		return "", rituals.Errorf(rituals.ECONFLICT, "That swap would put you on call two shifts in a row (%s and %s). Nothing was asked. If that is what you want, add `confirm`: `/oncall swap` %s `%s %s confirm`.",
			r.formatSpan(*req.Take), r.formatSpan(*mineRow), rituals.Mention(other), dayOf(req.Give.From, a.Zone), dayOf(req.Take.From, a.Zone))
	}
	req.BackToBack = theirsRow != nil
	if r.Store != nil {
		var err error
		if req, err = r.Store.PutSwap(req); err != nil {
			return "", fmt.Errorf("oncall %s: store swap request: %w", r.Config.Name, err)
		}
	}
	zone := r.Zones(ctx)
	if err := r.Outbox.Send(ctx, r.swapAsk(req, true, zone)); err != nil {
		return "", err
	}
	return fmt.Sprintf("I asked %s: %s. I will tell you when they answer.", rituals.Mention(other), r.swapTerms(req, requester, zone)), nil
}

func dayOf(t time.Time, loc *time.Location) string { return rituals.DateOf(t.In(loc)).String() }

// shiftOfLocked finds user's shift: the first handoff period, from the one
// in force at from on, for which they are primary throughout (overrides
// included); with day, the first such period overlapping that day in loc.
func (r *Rotation) shiftOfLocked(user string, from time.Time, day *rituals.Date, loc *time.Location) (Span, bool) {
	var dayFrom, dayTo time.Time
	if day != nil {
		dayFrom, dayTo = day.In(loc), day.AddDays(1).In(loc)
	}
	limit := from.Add(swapHorizon)
	var found Span
	var cur Span
	mine := false
	check := func() bool {
		if !mine || cur.To.IsZero() {
			return false
		}
		if day != nil && !(cur.From.Before(dayTo) && cur.To.After(dayFrom)) {
			return false
		}
		found = cur
		return true
	}
	ok := false
	r.walk(from, func(sh Shift) bool {
		if !sh.HandoffStart.Equal(cur.From) {
			if ok = check(); ok {
				return false
			}
			if sh.HandoffStart.After(limit) {
				return false
			}
			cur, mine = Span{From: sh.HandoffStart, To: sh.HandoffEnd}, true
		}
		mine = mine && sh.Primary == user
		return true
	})
	if !ok {
		ok = check()
	}
	return found, ok
}

// backToBackLocked returns, for each side of the swap, a shift of theirs
// that would be right before or after the one they take: requester
// taking Take, other taking Give; nil where there is none.
func (r *Rotation) backToBackLocked(s SwapRequest) (requester, other *Span) {
	adjacent := func(user string, sp Span, leaving Span) *Span {
		if before, ok := r.scheduledAt(sp.From.Add(-time.Nanosecond)); ok {
			p := Span{before.start, before.end}
			if !p.To.Equal(leaving.To) && r.primaryThroughoutLocked(user, p) {
				return &p
			}
		}
		if after, ok := r.scheduledAt(sp.To); ok {
			p := Span{after.start, after.end}
			if !p.To.Equal(leaving.To) && r.primaryThroughoutLocked(user, p) {
				return &p
			}
		}
		return nil
	}
	if s.Take != nil {
		requester = adjacent(s.Requester, *s.Take, s.Give)
		other = adjacent(s.Other, s.Give, *s.Take)
	} else {
		other = adjacent(s.Other, s.Give, Span{})
	}
	return requester, other
}

// swapTerms says what the swap means, to whom.
// Times are in to's zone (zone), where their client cannot format them.
func (r *Rotation) swapTerms(s SwapRequest, to string, zone func(string) *time.Location) string {
	loc := r.loc()
	if zone != nil {
		loc = zone(to)
	}
	give := r.formatSpanIn(s.Give, loc)
	switch {
	case to == s.Other && s.Take == nil:
		return fmt.Sprintf("you cover %s's on-call shift in %s, %s", rituals.Mention(s.Requester), r.TeamName(), give)
	case to == s.Other:
		return fmt.Sprintf("you take %s's on-call shift in %s, %s, and they take yours, %s", rituals.Mention(s.Requester), r.TeamName(), give, r.formatSpanIn(*s.Take, loc))
	case s.Take == nil:
		return fmt.Sprintf("%s covers your on-call shift in %s, %s (they have no shift coming to trade)", rituals.Mention(s.Other), r.TeamName(), give)
	}
	return fmt.Sprintf("%s takes your on-call shift in %s, %s, and you take theirs, %s", rituals.Mention(s.Other), r.TeamName(), give, r.formatSpanIn(*s.Take, loc))
}

// swapAsk is the DM asking the other person; once answered, it is edited
// to say how, without buttons.
func (r *Rotation) swapAsk(s SwapRequest, open bool, zone func(string) *time.Location) rituals.Message {
	text := fmt.Sprintf(":arrows_counterclockwise: %s asks to swap on-call shifts: %s.", rituals.Mention(s.Requester), r.swapTerms(s, s.Other, zone))
	if s.BackToBack {
		text += " :warning: This puts you on call two shifts in a row; accepting confirms that."
	}
	m := rituals.Message{Key: r.key("swap", fmt.Sprint(s.ID), "ask"), To: s.Other, Text: stripMrkdwn(text), Update: !open}
	m.Blocks = []rituals.Block{rituals.Section(text)}
	if open {
		value := fmt.Sprintf("%s|%d", r.Config.Name, s.ID)
		m.Blocks = append(m.Blocks, rituals.Actions(
			rituals.Button{Text: "Accept", ActionID: "oncall:swap-accept", Value: value, Style: "primary"},
			rituals.Button{Text: "Decline", ActionID: "oncall:swap-decline", Value: value},
		))
		return m
	}
	m.Blocks = append(m.Blocks, rituals.Context(fmt.Sprintf("You %s this request.", s.Status)))
	return m
}

// AnswerSwap records user's answer to swap request id: accepted, it is
// stored as overrides (the other takes Give, the requester Take) and both
// and the channel are told; declined, nothing changes and the requester is
// told. It returns what to tell the one who answered.
func (r *Rotation) AnswerSwap(ctx context.Context, id uint64, user string, accept bool) (string, error) {
	if r.Store == nil {
		return "", rituals.Errorf(rituals.ENOTFOUND, "That swap request no longer exists.")
	}
	s, ok, err := r.Store.Swap(r.Config.Name, id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", rituals.Errorf(rituals.ENOTFOUND, "That swap request no longer exists.")
	}
	if user != s.Other {
		return "", rituals.Errorf(rituals.EFORBIDDEN, "This swap request is for %s; only they can answer it.", rituals.Mention(s.Other))
	}
	if s.Status != SwapPending {
		return fmt.Sprintf("You already answered this request (%s).", s.Status), nil
	}
	now := r.Clock.Now()
	zone := r.Zones(ctx)
	s.Answered = now
	if !accept {
		s.Status = SwapDeclined
		if _, err := r.Store.PutSwap(s); err != nil {
			return "", err
		}
		tell := rituals.Message{Key: r.key("swap", fmt.Sprint(s.ID), "declined"), To: s.Requester,
			Text: fmt.Sprintf("%s declined your swap request", rituals.Mention(s.Other)),
			Blocks: []rituals.Block{rituals.Section(fmt.Sprintf("%s declined your swap request (%s). Nothing changed; you are still on call %s.",
				rituals.Mention(s.Other), r.TeamName(), r.formatSpanIn(s.Give, zone(s.Requester))))}}
		return "Declined. Nothing changed, and " + rituals.Mention(s.Requester) + " has been told.", r.Outbox.Send(ctx, r.swapAsk(s, false, zone), tell)
	}
	if !now.Before(s.Give.To) {
		s.Status = SwapExpired
		if _, err := r.Store.PutSwap(s); err != nil {
			return "", err
		}
		return "This swap request expired: the shift it was about is over.", r.Outbox.Send(ctx, r.swapAsk(s, false, zone))
	}
	give := Span{From: maxTime(s.Give.From, now), To: s.Give.To}
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return "", err
	}
	// The schedule may have changed since the request: swap only what is
	// still as it was asked.
	if !r.primaryThroughoutLocked(s.Requester, give) || s.Take != nil && !r.primaryThroughoutLocked(s.Other, *s.Take) {
		r.mu.Unlock()
		return "", rituals.Errorf(rituals.ECONFLICT, "The schedule changed since %s asked, so this swap no longer fits. Nothing changed; ask them to request it again.", rituals.Mention(s.Requester))
	}
	overrides := []Override{{Ritual: r.Config.Name, User: s.Other, From: give.From, To: give.To, By: s.Other, Covering: s.Requester, Swap: s.ID, Created: now}}
	if s.Take != nil {
		overrides = append(overrides, Override{Ritual: r.Config.Name, User: s.Requester, From: s.Take.From, To: s.Take.To, By: s.Other, Covering: s.Other, Swap: s.ID, Created: now})
	}
	s.Status = SwapAccepted
	stored, err := r.Store.AcceptSwap(s, overrides)
	if err != nil {
		r.mu.Unlock()
		return "", fmt.Errorf("oncall %s: accept swap %d: %w", r.Config.Name, s.ID, err)
	}
	r.overrides = append(r.overrides, stored...)
	r.mu.Unlock()
	r.wakeKeeper()
	tell := rituals.Message{Key: r.key("swap", fmt.Sprint(s.ID), "accepted"), To: s.Requester,
		Text:   fmt.Sprintf("%s accepted your swap request", rituals.Mention(s.Other)),
		Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":white_check_mark: %s accepted: %s.", rituals.Mention(s.Other), r.swapTerms(s, s.Requester, zone)))}}
	channel := fmt.Sprintf(":arrows_counterclockwise: On-call swap in *%s*: %s takes %s's shift, %s", r.TeamName(), rituals.Mention(s.Other), rituals.Mention(s.Requester), r.formatSpan(give))
	if s.Take != nil {
		channel += fmt.Sprintf("; %s takes %s's, %s", rituals.Mention(s.Requester), rituals.Mention(s.Other), r.formatSpan(*s.Take))
	}
	channel += "."
	announce := rituals.Message{Key: r.key("swap", fmt.Sprint(s.ID), "channel"), To: r.Channel(), Text: stripMrkdwn(channel), Blocks: []rituals.Block{rituals.Section(channel)}}
	if err := r.Outbox.Send(ctx, r.swapAsk(s, false, zone), tell, announce); err != nil {
		return "", err
	}
	s.Give = give
	return fmt.Sprintf("Swapped: %s. %s has been told.", r.swapTerms(s, s.Other, zone), rituals.Mention(s.Requester)), nil
}

// primaryThroughoutLocked reports whether user is primary for all of sp.
func (r *Rotation) primaryThroughoutLocked(user string, sp Span) bool {
	ok := true
	r.walk(sp.From, func(sh Shift) bool {
		if !sh.Start.Before(sp.To) {
			return false
		}
		if sh.Primary != user {
			ok = false
			return false
		}
		return true
	})
	return ok
}

func (r *Rotation) formatSpan(s Span) string { return r.formatSpanIn(s, r.loc()) }

func (r *Rotation) formatSpanIn(s Span, loc *time.Location) string {
	return r.FormatTimeIn(s.From, loc) + " to " + r.FormatTimeIn(s.To, loc)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
