package oncall

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Button actions of cover requests.
const (
	// ActionCoverPost posts a cover request from an absence warning.
	ActionCoverPost = "oncall:cover-post"
	// ActionCoverTake takes a posted cover request.
	ActionCoverTake = "oncall:cover-take"
)

// CoverRequest asks the rotation for someone to be on call over Span in
// place of For: the first member who takes it gets an override for
// exactly that span.
type CoverRequest struct {
	ID     uint64
	Ritual string
	// For is whose shift needs cover; By asked (For, or a lead).
	For, By string
	Span    Span
	Reason  string `json:",omitempty"`
	Created time.Time
	// TakenBy took it at Taken, with override Override.
	TakenBy  string    `json:",omitempty"`
	Taken    time.Time `json:",omitempty"`
	Override uint64    `json:",omitempty"`
	// Escalated is when it was raised to the leads, untaken.
	Escalated time.Time `json:",omitempty"`
	// Reopened counts the takes undone: the taker's override was
	// cancelled before the span began, so the request was open again.
	Reopened int `json:",omitempty"`
	// Released is when the taker's override was ended inside the span:
	// nobody covers the rest of it, and the request stays closed.
	Released time.Time `json:",omitzero"`
}

// CoverStore keeps a rotation's cover requests.
type CoverStore interface {
	// PutCover stores c, giving it an ID if it has none.
	PutCover(c CoverRequest) (CoverRequest, error)
	// Cover returns a cover request.
	Cover(ritual string, id uint64) (CoverRequest, bool, error)
	// Covers returns a rotation's cover requests whose span ends after
	// from, oldest first.
	Covers(ritual string, from time.Time) ([]CoverRequest, error)
	// SaveTakenCover stores o with a new ID (as OnCallStore.SaveOverride),
	// c, the request o takes, with its Override set to that ID, and puts
	// the messages built for o in the outbox, in one transaction, and
	// returns o.
	SaveTakenCover(o Override, c CoverRequest, now time.Time, messages func(Override) []rituals.Message) (Override, error)
	// EndCoveredOverride sets the end of the stored override o to o.To
	// (as OnCallStore.EndOverride), stores c, the request o took, and
	// puts messages in the outbox, in one transaction.
	EndCoveredOverride(o Override, c CoverRequest, now time.Time, messages []rituals.Message) error
}

// CoverAsk is a request for cover as a person (or an absence) asks it.
type CoverAsk struct {
	By, For string
	Span    Span
	Reason  string
	// Auto: posted by `cover: auto`; an open request for the same span is
	// not an error then but the one already posted.
	Auto bool
}

// maxReason bounds a cover request's reason.
const maxReason = 300

// checkPlannedSpan refuses a span that ends before it starts, has begun,
// or overlaps an override; what SetOverride would refuse at take time is
// refused when the request is made.
func (r *Rotation) checkPlannedSpan(sp Span, now time.Time) error {
	switch {
	case !sp.To.After(sp.From):
		return rituals.Errorf(rituals.EINVALID, "The cover would end (%s) before it starts (%s). Nothing changed.", r.FormatTime(sp.To), r.FormatTime(sp.From))
	case sp.From.Before(now.Add(-pastSlack)):
		return rituals.Errorf(rituals.EINVALID, "The cover would start at %s, which has passed. Ask for cover from now on. Nothing changed.", r.FormatTime(sp.From))
	case sp.To.Sub(sp.From) > maxOverride:
		return rituals.Errorf(rituals.EINVALID, "A cover can last at most %d days; for longer, change the rotation in the config.", int(maxOverride.Hours()/24))
	case sp.From.Sub(now) > maxPlanAhead:
		return rituals.Errorf(rituals.EINVALID, "A cover can be asked for at most a year ahead.")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return err
	}
	for _, o := range r.overrides {
		if o.From.Before(sp.To) && o.To.After(sp.From) {
			return rituals.Errorf(rituals.ECONFLICT, "That overlaps %s's override, %s to %s. Nothing changed; ask for a span that does not overlap it.",
				rituals.Mention(o.User), r.FormatTime(o.From), r.FormatTime(o.To))
		}
	}
	return nil
}

// RequestCover posts a cover request in the team channel with a "Take it"
// button. Members of the rotation may ask for cover of their own shifts,
// leads and admins for anyone's; For defaults to whoever is on call at
// the span's start.
func (r *Rotation) RequestCover(ctx context.Context, ask CoverAsk) (CoverRequest, error) {
	if r.Covers == nil {
		return CoverRequest{}, rituals.Errorf(rituals.EINVALID, "Cover requests need the store; they are not available here.")
	}
	now := r.Clock.Now()
	if err := r.checkPlannedSpan(ask.Span, now); err != nil {
		return CoverRequest{}, err
	}
	stints, err := r.OnCallOver(ask.Span)
	if err != nil {
		return CoverRequest{}, err
	}
	if len(stints) == 0 {
		return CoverRequest{}, rituals.Errorf(rituals.EINVALID, "Nobody is on call for %s then: the rotation has not started.", r.TeamName())
	}
	if ask.For == "" {
		ask.For = stints[0].User
		for _, st := range stints {
			if st.User == ask.By {
				ask.For = ask.By
			}
		}
	}
	if ask.By != ask.For && !r.mayLead(ask.By) {
		return CoverRequest{}, rituals.Errorf(rituals.EFORBIDDEN, "Only a lead of %s (%s) or an admin can ask for cover of someone else's shift.", r.TeamName(), mentions(r.Team.Leads))
	}
	if !r.mayTakeShift(ask.By) {
		return CoverRequest{}, rituals.Errorf(rituals.EFORBIDDEN, "You are not in the %s team or its rotation.", r.TeamName())
	}
	onCall := false
	for _, st := range stints {
		onCall = onCall || st.User == ask.For
	}
	if !onCall {
		return CoverRequest{}, rituals.Errorf(rituals.EINVALID, "%s is not on call for %s between %s and %s, so there is nothing to cover. `/oncall schedule %s` shows the shifts.",
			rituals.Mention(ask.For), r.TeamName(), r.FormatTime(ask.Span.From), r.FormatTime(ask.Span.To), r.Team.ID)
	}
	open, err := r.Covers.Covers(r.Config.Name, now)
	if err != nil {
		return CoverRequest{}, fmt.Errorf("oncall %s: read cover requests: %w", r.Config.Name, err)
	}
	for _, c := range open {
		if c.TakenBy == "" && c.Span.From.Before(ask.Span.To) && c.Span.To.After(ask.Span.From) {
			if ask.Auto && c.Span == ask.Span {
				return c, nil
			}
			return CoverRequest{}, rituals.Errorf(rituals.ECONFLICT, "Cover request #%d (%s to %s) already asks for part of that span. Nothing changed.", c.ID, r.FormatTime(c.Span.From), r.FormatTime(c.Span.To))
		}
	}
	c := CoverRequest{Ritual: r.Config.Name, For: ask.For, By: ask.By, Span: ask.Span, Reason: rituals.Clip(ask.Reason, maxReason), Created: now}
	if c, err = r.Covers.PutCover(c); err != nil {
		return CoverRequest{}, fmt.Errorf("oncall %s: store cover request: %w", r.Config.Name, err)
	}
	if err := r.Outbox.Send(ctx, rituals.UrgentFor(ctx, []rituals.Message{r.coverMessage(c)})...); err != nil {
		return CoverRequest{}, fmt.Errorf("oncall %s: post cover request %d: %w", r.Config.Name, c.ID, err)
	}
	r.pokePlanner()
	return c, nil
}

// coverMessage is the request as the channel shows it: open with "Take
// it", or taken, saying by whom (the same key, so it is edited in place).
func (r *Rotation) coverMessage(c CoverRequest) rituals.Message {
	span := r.FormatTime(c.Span.From) + " to " + r.FormatTime(c.Span.To)
	text := fmt.Sprintf(":sos: *Cover request #%d* for *%s*: who can be on call %s in place of %s?", c.ID, r.TeamName(), span, rituals.Mention(c.For))
	if c.Reason != "" {
		text += "\n_" + rituals.Escape(c.Reason) + "_"
	}
	blocks := []rituals.Block{rituals.Section(text)}
	// Any change after the post edits it in place.
	m := rituals.Message{Key: r.key("cover", strconv.FormatUint(c.ID, 10)), To: r.Channel(), Update: c.TakenBy != "" || c.Reopened > 0}
	switch {
	case c.TakenBy != "" && !c.Released.IsZero():
		blocks = append(blocks, rituals.Context(fmt.Sprintf(":warning: Taken by %s, whose cover ended early, at %s: %s is on call again until %s. The span had begun, so the request is not open again; `/oncall cover %s` asks for cover of what is left.",
			rituals.Mention(c.TakenBy), r.FormatTime(c.Released), rituals.Mention(c.For), r.FormatTime(c.Span.To), r.Team.ID)))
		m.Text = stripMrkdwn(fmt.Sprintf("Cover request #%d for %s: %s's cover ended early", c.ID, r.TeamName(), rituals.Mention(c.TakenBy)))
	case c.TakenBy != "":
		blocks = append(blocks, rituals.Context(fmt.Sprintf(":white_check_mark: Taken by %s: they are on call %s.", rituals.Mention(c.TakenBy), span)))
		m.Text = stripMrkdwn(fmt.Sprintf("Cover request #%d for %s: taken by %s", c.ID, r.TeamName(), rituals.Mention(c.TakenBy)))
	default:
		blocks = append(blocks, rituals.Actions(r.takeButton(c)))
		if c.Reopened > 0 {
			blocks = append(blocks, rituals.Context(":leftwards_arrow_with_hook: Open again: the cover of whoever took it was cancelled."))
		}
		blocks = append(blocks, rituals.Context("Anyone in the rotation who is not away then can take it; the first to take it is on call for exactly that span."))
		m.Text = stripMrkdwn(fmt.Sprintf("Cover request #%d for %s, %s", c.ID, r.TeamName(), span))
	}
	m.Blocks = blocks
	return m
}

// takeButton takes c, from the channel's request or the App Home.
func (r *Rotation) takeButton(c CoverRequest) rituals.Button {
	return rituals.Button{Text: "Take it", ActionID: ActionCoverTake, Style: "primary", Value: r.Config.Name + "|" + strconv.FormatUint(c.ID, 10)}
}

// openCoversFor returns the cover requests user could take at at (see
// rituals.OpenCovers).
func (r *Rotation) openCoversFor(user string, at time.Time) ([]rituals.CoverBrief, error) {
	if r.Covers == nil || !r.InRotation(user) {
		return nil, nil
	}
	covers, err := r.Covers.Covers(r.Config.Name, at)
	if err != nil {
		return nil, fmt.Errorf("oncall %s: read cover requests: %w", r.Config.Name, err)
	}
	var out []rituals.CoverBrief
	for _, c := range covers {
		if c.TakenBy != "" || c.For == user || !c.Span.To.After(at) {
			continue
		}
		out = append(out, rituals.CoverBrief{Ritual: r.Config.Name, Team: r.Team.ID, ID: c.ID, For: c.For,
			From: c.Span.From, To: c.Span.To, Reason: c.Reason, Take: r.takeButton(c)})
	}
	return out, nil
}

// TakeCover puts taker on call over cover request id's span: once, for
// the first who takes it. The taker and whoever is relieved are told
// (HandoverDMs, as for any override), the requester too, and the request
// in the channel is edited to say who took it. The override, the request
// marked taken and those messages are stored in one commit
// (CoverStore.SaveTakenCover).
func (r *Rotation) TakeCover(ctx context.Context, id uint64, taker string) (CoverRequest, error) {
	if r.Covers == nil || r.Store == nil {
		return CoverRequest{}, rituals.Errorf(rituals.ENOTFOUND, "That cover request no longer exists.")
	}
	r.coverMu.Lock()
	defer r.coverMu.Unlock()
	c, ok, err := r.Covers.Cover(r.Config.Name, id)
	if err != nil {
		return CoverRequest{}, fmt.Errorf("oncall %s: read cover request %d: %w", r.Config.Name, id, err)
	}
	now := r.Clock.Now()
	switch {
	case !ok:
		return CoverRequest{}, rituals.Errorf(rituals.ENOTFOUND, "That cover request no longer exists.")
	case c.TakenBy == taker:
		return CoverRequest{}, rituals.Errorf(rituals.ECONFLICT, "You took cover request #%d already: you are on call %s to %s. Nothing changed.", c.ID, r.FormatTime(c.Span.From), r.FormatTime(c.Span.To))
	case c.TakenBy != "":
		return CoverRequest{}, rituals.Errorf(rituals.ECONFLICT, "%s took cover request #%d already. Nothing changed.", rituals.Mention(c.TakenBy), c.ID)
	case !c.Span.To.After(now):
		return CoverRequest{}, rituals.Errorf(rituals.EINVALID, "Cover request #%d is over: its span ended %s. Nothing changed.", c.ID, r.FormatTime(c.Span.To))
	case taker == c.For:
		return CoverRequest{}, rituals.Errorf(rituals.EINVALID, "Cover request #%d asks for someone to take your own shift; someone else has to take it.", c.ID)
	case !r.InRotation(taker):
		return CoverRequest{}, rituals.Errorf(rituals.EFORBIDDEN, "Only members of the %s rotation can take its cover requests.", r.TeamName())
	}
	if r.Availability != nil {
		loc := r.loc()
		absences, err := r.Availability.Absences(ctx, rituals.DateOf(now.In(loc)), r.Directory, []string{taker})
		if err != nil {
			return CoverRequest{}, fmt.Errorf("oncall %s: %w", r.Config.Name, err)
		}
		if a, away := awayDuring(absences, taker, c.Span, loc); away {
			return CoverRequest{}, rituals.Errorf(rituals.EINVALID, "You are away then (%s, %s → %s), so you cannot cover it. Nothing changed.", a.Why, a.From, a.To)
		}
	}
	c.TakenBy, c.Taken = taker, now
	msgs := []rituals.Message{r.coverMessage(c)}
	if c.By != c.For && c.By != taker {
		loc := r.Zones(ctx)(c.By)
		msgs = append(msgs, rituals.Message{
			Key: r.key("cover", strconv.FormatUint(c.ID, 10), "taken", c.By), To: c.By,
			Text: stripMrkdwn(fmt.Sprintf("%s took your cover request #%d", rituals.Mention(taker), c.ID)),
			Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":white_check_mark: %s took your cover request #%d for *%s*: they are on call %s to %s in place of %s.",
				rituals.Mention(taker), c.ID, r.TeamName(), r.FormatTimeIn(c.Span.From, loc), r.FormatTimeIn(c.Span.To, loc), rituals.Mention(c.For)))},
		})
	}
	o, _, err := r.setOverride(ctx, OverrideRequest{By: taker, User: taker, Span: c.Span, Planned: c.Span.From.After(now), How: fmt.Sprintf("cover request #%d", c.ID), Cover: c.ID},
		&takenCover{request: c, told: msgs})
	if err != nil {
		return CoverRequest{}, err
	}
	c.Override = o.ID
	return c, nil
}

// takenCover is the cover request an override being set takes, marked
// taken, and the messages that say so: setOverride stores them with the
// override, in one commit.
type takenCover struct {
	request CoverRequest
	told    []rituals.Message
}

// escalations raises to the leads each cover request still untaken
// escalate_after before its shift, once, and returns when the next one
// falls due (zero if none).
func (r *Rotation) escalations(ctx context.Context, now time.Time) (time.Time, error) {
	if r.Covers == nil {
		return time.Time{}, nil
	}
	next, due, err := r.dueEscalations(now)
	if err != nil || len(due) == 0 {
		return next, err
	}
	zone := r.Zones(ctx) // read before the lock: it may ask Slack
	r.coverMu.Lock()
	defer r.coverMu.Unlock()
	// Read again under the lock: a take (or a cancel) committed since the
	// first read wins, and marking a request escalated from the stale
	// copy would write over its taker.
	if _, due, err = r.dueEscalations(now); err != nil {
		return time.Time{}, err
	}
	for _, c := range due {
		var msgs []rituals.Message
		for _, lead := range r.Team.Leads {
			loc := zone(lead)
			key := r.key("cover", strconv.FormatUint(c.ID, 10), "escalated", lead)
			if c.Reopened > 0 { // raised again once it is open again
				key += "/reopened-" + strconv.Itoa(c.Reopened)
			}
			msgs = append(msgs, rituals.Message{
				Key: key, To: lead,
				Text: stripMrkdwn(fmt.Sprintf("Nobody has taken cover request #%d for %s yet", c.ID, r.TeamName())),
				Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":rotating_light: Nobody has taken cover request #%d for *%s* yet: %s is away and on call %s to %s. Find someone, or put them on call with `/oncall override @user FROM TO %s`.",
					c.ID, r.TeamName(), rituals.Mention(c.For), r.FormatTimeIn(c.Span.From, loc), r.FormatTimeIn(c.Span.To, loc), r.Team.ID))},
			})
		}
		// Sent before it is marked: a crash between sends again, and the
		// keys make that once.
		if err := r.Outbox.Send(ctx, msgs...); err != nil {
			return time.Time{}, fmt.Errorf("oncall %s: escalate cover request %d: %w", r.Config.Name, c.ID, err)
		}
		c.Escalated = now
		if _, err := r.Covers.PutCover(c); err != nil {
			return time.Time{}, fmt.Errorf("oncall %s: record cover request %d escalated: %w", r.Config.Name, c.ID, err)
		}
	}
	return next, nil
}

// dueEscalations reads the cover requests and returns those to raise to
// the leads at now, and when the next one is due.
func (r *Rotation) dueEscalations(now time.Time) (next time.Time, due []CoverRequest, err error) {
	covers, err := r.Covers.Covers(r.Config.Name, now)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("oncall %s: read cover requests: %w", r.Config.Name, err)
	}
	for _, c := range covers {
		// A lead who asked knows already.
		if c.TakenBy != "" || !c.Escalated.IsZero() || !c.Span.From.After(now) || r.Team.IsLead(c.By) {
			continue
		}
		at := c.Span.From.Add(-r.Settings.escalateAfter())
		if at.After(now) {
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		due = append(due, c)
	}
	return next, due, nil
}
