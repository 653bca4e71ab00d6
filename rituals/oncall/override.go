package oncall

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// OverrideRequest asks to put User on call over Span.
type OverrideRequest struct {
	By, User string
	Span     Span
	// Planned is an override given FROM TO: it may not start in the past
	// nor overlap another override. Without it, the override takes over
	// from now, even from another override (the newest wins; ending it
	// brings the older back), as an emergency needs.
	Planned bool
	// How names it in the DMs ("an override" if empty; "a cover request").
	How string
	// Cover is the cover request it takes, 0 if none.
	Cover uint64
}

// maxOverride bounds one override: longer absences are a config change.
const maxOverride = 92 * 24 * time.Hour

// maxPlanAhead bounds how far ahead an override may start.
const maxPlanAhead = 366 * 24 * time.Hour

// pastSlack is how far in the past a planned start may be and still mean
// now (the command took a moment).
const pastSlack = time.Minute

// SetOverride puts req.User on call over req.Span, as req.By asks. Leads
// of the team and admins may put anyone of the team or its rotation on
// call, admins anyone (with a warning, returned for req.By); others only
// themselves. The override, the channel's announcement and the DMs to the
// person on call and to each person relieved (HandoverDMs) are stored in
// one commit; Slack's user group and topic follow when it starts.
func (r *Rotation) SetOverride(ctx context.Context, req OverrideRequest) (Override, string, error) {
	return r.setOverride(ctx, req, nil)
}

// setOverride is SetOverride; taken, if not nil, is the cover request the
// override takes (TakeCover), stored with it and its messages in one
// commit.
func (r *Rotation) setOverride(ctx context.Context, req OverrideRequest, taken *takenCover) (Override, string, error) {
	now := r.Clock.Now()
	by, user, from, until := req.By, req.User, req.Span.From, req.Span.To
	if err := r.checkPerson(ctx, user); err != nil {
		return Override{}, "", err
	}
	if err := r.mayOverride(by, user); err != nil {
		return Override{}, "", err
	}
	var warning string
	if !r.mayTakeShift(user) {
		warning = fmt.Sprintf(":warning: %s is not in the %s team or its rotation; they are on call as you asked, and have been told.", rituals.Mention(user), r.TeamName())
	}
	switch {
	case !until.After(from):
		return Override{}, "", rituals.Errorf(rituals.EINVALID, "The override would end (%s) before it starts (%s). Nothing changed.", r.FormatTime(until), r.FormatTime(from))
	case !until.After(now):
		return Override{}, "", rituals.Errorf(rituals.EINVALID, "The override would end at %s, which has passed. Give a duration (`4h`, `2d`) or a later date.", r.FormatTime(until))
	case req.Planned && from.Before(now.Add(-pastSlack)):
		return Override{}, "", rituals.Errorf(rituals.EINVALID, "The override would start at %s, which has passed. Start it `now` or later. Nothing changed.", r.FormatTime(from))
	case until.Sub(maxTime(from, now)) > maxOverride:
		return Override{}, "", rituals.Errorf(rituals.EINVALID, "An override can last at most %d days; for longer, change the rotation in the config.", int(maxOverride.Hours()/24))
	case from.Sub(now) > maxPlanAhead:
		return Override{}, "", rituals.Errorf(rituals.EINVALID, "An override can be planned at most a year ahead.")
	}
	from = maxTime(from, now)
	zone := r.Zones(ctx)
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return Override{}, "", err
	}
	first := r.First()
	if first.IsZero() || !until.After(first) {
		r.mu.Unlock()
		return Override{}, "", rituals.Errorf(rituals.EINVALID, "The %s rotation starts %s; an override must reach into it.", r.TeamName(), r.FormatTime(first))
	}
	from = maxTime(from, first)
	if req.Planned {
		for _, o := range r.overrides {
			if o.From.Before(until) && o.To.After(from) {
				r.mu.Unlock()
				// A planned one is cancelled by its start, read in the
				// asker's zone; one in force by the team alone.
				cancel := r.Team.ID
				if o.From.After(now) {
					cancel = o.From.In(zone(by)).Format("2006-01-02 15:04") + " " + r.Team.ID
				}
				return Override{}, "", rituals.Errorf(rituals.ECONFLICT, "That overlaps %s's override, %s to %s. Nothing changed; cancel that one first (`/oncall override cancel %s`), or pick a span that does not overlap it.",
					rituals.Mention(o.User), r.FormatTimeIn(o.From, zone(by)), r.FormatTimeIn(o.To, zone(by)), cancel)
			}
		}
	}
	relieved := r.onCallOverLocked(Span{From: from, To: until})
	var covering string
	for _, st := range relieved {
		if st.User != user {
			covering = st.User
			break
		}
	}
	o := Override{Ritual: r.Config.Name, User: user, From: from, To: until, By: by, Covering: covering, Cover: req.Cover, Created: now}
	if err := ctx.Err(); err != nil {
		r.mu.Unlock()
		return Override{}, "", err
	}
	var relievedUsers []string
	for _, st := range relieved {
		relievedUsers = append(relievedUsers, st.User)
	}
	messages := func(o Override) []rituals.Message {
		msgs := append([]rituals.Message{r.overrideAnnouncement(o, relievedUsers...)}, r.HandoverDMs(Handover{
			Key: fmt.Sprintf("override/%d", o.ID), User: o.User, Span: Span{o.From, o.To}, Relieved: relieved, By: by, How: req.How,
		}, zone)...)
		if taken != nil {
			msgs = append(msgs, taken.told...)
		}
		return msgs
	}
	if r.Store != nil {
		// The override and its announcements are one commit: it is never
		// in force unannounced, and the command waits for one write.
		urgent := func(o Override) []rituals.Message { return rituals.UrgentFor(ctx, messages(o)) }
		var err error
		if taken != nil {
			o, err = r.Covers.SaveTakenCover(o, taken.request, now, urgent)
		} else {
			o, err = r.Store.SaveOverride(o, now, urgent)
		}
		if err != nil {
			r.mu.Unlock()
			return Override{}, "", fmt.Errorf("oncall %s: store override: %w", r.Config.Name, err)
		}
	}
	r.overrides = append(r.overrides, o)
	r.mu.Unlock()
	return o, warning, r.overridden(ctx, messages(o))
}

// EndOverride ends now, as `by` asks, the override that puts someone on
// call now (where overrides overlap, the one in force: the one set last).
// Its user, whoever set it, leads of the team and admins may end it. The
// channel is told, and the user group and topic follow at once; an older
// override it covered is in force again, if there is one. It returns the
// override as ended and the shift in force after it. A cover request it
// took is not open again (see releasedCover), and its early end is stored
// in the same commit; the override names it.
func (r *Rotation) EndOverride(ctx context.Context, by string) (Override, Shift, error) {
	now := r.Clock.Now()
	zone := r.Zones(ctx)
	// Taken before mu, as TakeCover does: the request the override took
	// cannot change while its override ends.
	r.coverMu.Lock()
	defer r.coverMu.Unlock()
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return Override{}, Shift{}, err
	}
	var current Shift
	r.walk(now, func(sh Shift) bool { current = sh; return false })
	if current.Override == nil || current.Start.After(now) {
		r.mu.Unlock()
		return Override{}, Shift{}, rituals.Errorf(rituals.ENOTFOUND, "No override is in force for %s now: %s is on call as scheduled. `/oncall schedule %s` shows what is coming.",
			r.TeamName(), rituals.Mention(current.Primary), r.Team.ID)
	}
	o := *current.Override
	if !(r.mayLead(by) || by == o.User || by == o.By) {
		r.mu.Unlock()
		return Override{}, Shift{}, rituals.Errorf(rituals.EFORBIDDEN, "Only %s (on call by it), %s (who set it), a lead of %s (%s) or an admin can end this override.",
			rituals.Mention(o.User), rituals.Mention(o.By), r.TeamName(), mentions(r.Team.Leads))
	}
	if err := ctx.Err(); err != nil {
		r.mu.Unlock()
		return Override{}, Shift{}, err
	}
	o.To = now
	i := slices.IndexFunc(r.overrides, func(x Override) bool { return x.ID == o.ID })
	r.overrides[i].To = now // walk reads the overrides in place
	var after Shift
	r.walk(now, func(sh Shift) bool { after = sh; return false })
	messages := []rituals.Message{r.endAnnouncement(o, by, after)}
	var cover CoverRequest
	released := false
	var err error
	if r.Store != nil { // without a store, overrides are kept in memory only, and no request follows them
		var told []rituals.Message
		cover, told, released, err = r.releasedCover(o, by, now, zone)
		messages = append(messages, told...)
	}
	if err == nil && r.Store != nil {
		// Ended and announced in one commit, as when it was set; with
		// the early end of the cover request it took, if any.
		if released {
			err = r.Covers.EndCoveredOverride(o, cover, now, rituals.UrgentFor(ctx, messages))
		} else {
			err = r.Store.EndOverride(o, now, func(Override) []rituals.Message { return rituals.UrgentFor(ctx, messages) })
		}
	}
	if err != nil {
		r.overrides[i].To = current.Override.To
		r.mu.Unlock()
		return Override{}, Shift{}, fmt.Errorf("oncall %s: end override %d: %w", r.Config.Name, o.ID, err)
	}
	r.mu.Unlock()
	o.Cover = 0
	if released {
		o.Cover = cover.ID
	}
	return o, after, r.overridden(ctx, messages)
}

func (r *Rotation) endAnnouncement(o Override, by string, after Shift) rituals.Message {
	what := fmt.Sprintf("%s ended %s's on-call override for *%s*", rituals.Mention(by), rituals.Mention(o.User), r.TeamName())
	if by == o.User {
		what = fmt.Sprintf("%s ended their on-call override for *%s*", rituals.Mention(by), r.TeamName())
	}
	text := fmt.Sprintf(":repeat: %s. %s is on call until %s.", what, rituals.Mention(after.Primary), r.FormatTime(after.End))
	return rituals.Message{
		Key: r.key("override-end", fmt.Sprint(o.ID)), To: r.Channel(),
		Text: stripMrkdwn(text), Blocks: []rituals.Block{rituals.Section(text)},
	}
}
