package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Set is every incidents ritual of a config. An incident belongs to one of
// them; which one a command, an alert or a PagerDuty event is for is
// decided here, so the adapters only translate.
type Set []*Incidents

// Owner returns the ritual incident n belongs to.
func (s Set) Owner(n int) (*Incidents, error) {
	for _, x := range s {
		if x.Owns(n) {
			return x, nil
		}
	}
	return nil, rituals.Errorf(rituals.ENOTFOUND, "There is no incident #%d. `/incident list` shows the open ones.", n)
}

// OwnerOf returns the incident a button's value or a modal's metadata
// names, and the ritual it belongs to.
func (s Set) OwnerOf(ref string) (*Incidents, int, error) {
	n, err := ParseIncidentNumber(ref)
	if err != nil {
		return nil, 0, err
	}
	x, err := s.Owner(n)
	return x, n, err
}

// ForChannel returns the ritual announcing in channel, else one whose
// teams have that channel, else the first. Incidents declared in a channel
// go to it.
func (s Set) ForChannel(channel string) *Incidents {
	for _, x := range s {
		if x.Channel() == channel {
			return x
		}
	}
	for _, x := range s {
		for _, t := range x.Teams {
			if t.Channel == channel && slices.Contains(x.Settings.Teams, t.ID) {
				return x
			}
		}
	}
	return s[0]
}

// isRetroVerb reports whether verb acts on a resolved incident's retro
// rather than on an open incident.
func isRetroVerb(verb string) bool { return verb == "retro" || verb == "publish" || verb == "skip" }

// Scope names the incident a command typed in channel is about: #n if
// given (n > 0), else the only one that fits (open, or awaiting its retro
// for retro verbs), that channel's incidents first.
func (s Set) Scope(verb string, n int, channel string) (*Incidents, int, error) {
	if n > 0 {
		x, err := s.Owner(n)
		return x, n, err
	}
	if x, n, ok, err := s.Room(channel); err != nil || ok {
		return x, n, err // typed in an incident's own channel
	}
	retroVerb := isRetroVerb(verb)
	type cand struct {
		x   *Incidents
		inc Incident
	}
	var cands []cand
	for _, x := range s {
		var incs []Incident
		var err error
		if retroVerb {
			incs, err = x.List()
		} else {
			incs, err = x.Open()
		}
		if err != nil {
			return nil, 0, err
		}
		for _, inc := range incs {
			if retroVerb && (inc.IsOpen() || inc.Retro.Done()) {
				continue
			}
			cands = append(cands, cand{x, inc})
		}
	}
	var here []cand
	for _, c := range cands {
		if c.x.Channel() == channel {
			here = append(here, c)
		}
	}
	if len(here) > 0 {
		cands = here
	}
	switch len(cands) {
	case 1:
		return cands[0].x, cands[0].inc.Number, nil
	case 0:
		if retroVerb {
			return nil, 0, rituals.Errorf(rituals.ENOTFOUND, "No resolved incident is waiting for its retro. Name one: `/incident %s #N`.", verb)
		}
		return nil, 0, rituals.Errorf(rituals.ENOTFOUND, "No incident is open. Name one with `/incident %s #N …`, or declare one with `/incident declare [SEV] TITLE`.", verb)
	}
	var names []string
	for _, c := range cands {
		names = append(names, fmt.Sprintf("#%d %s", c.inc.Number, rituals.Escape(c.x.ShownTitle(c.inc.Title))))
	}
	return nil, 0, rituals.Errorf(rituals.EINVALID, "Several incidents could be meant (%s): say which, e.g. `/incident %s #%d …`. (Slack does not tell me which thread a slash command was typed in; in an incident's thread you can mention me instead: `@ritualbot %s …`.)",
		strings.Join(names, "; "), verb, cands[0].inc.Number, verb)
}

// Room returns the incident whose own channel is channel, if any.
func (s Set) Room(channel string) (*Incidents, int, bool, error) {
	for _, x := range s {
		n, ok, err := x.RoomIncident(channel)
		if err != nil || ok {
			return x, n, ok, err
		}
	}
	return nil, 0, false, nil
}

// HandleAlerts hands an Alertmanager notification to every ritual that
// takes alerts; the first that acts on it is reported.
func (s Set) HandleAlerts(ctx context.Context, g AlertGroup) (WebhookOutcome, int, error) {
	res, num := OutcomeIgnored, 0
	for _, x := range s {
		outcome, n, err := x.HandleAlerts(ctx, g)
		if err != nil {
			return res, num, err
		}
		if res == OutcomeIgnored && outcome != OutcomeIgnored {
			res, num = outcome, n
		}
	}
	return res, num, nil
}

// PagerDutyTakers returns the rituals a PagerDuty event is for: those
// listing its service, or else the first that lists no services.
func (s Set) PagerDutyTakers(ev PagerDutyEvent) []*Incidents {
	var takers []*Incidents
	for _, x := range s {
		if x.TakesPagerDuty(ev) {
			takers = append(takers, x)
		}
	}
	if len(takers) > 0 {
		return takers
	}
	for _, x := range s {
		if x.Settings.PagerDuty == nil || len(x.Settings.PagerDuty.Services) == 0 {
			return []*Incidents{x}
		}
	}
	return nil
}

// HandlePagerDuty hands a PagerDuty event to the rituals it is for; the
// first outcome that is not OutcomeIgnored is reported.
func (s Set) HandlePagerDuty(ctx context.Context, ev PagerDutyEvent) (WebhookOutcome, int, error) {
	res, num := OutcomeIgnored, 0
	for _, x := range s.PagerDutyTakers(ev) {
		outcome, n, err := x.HandlePagerDuty(ctx, ev)
		if err != nil {
			return res, num, err
		}
		if res == OutcomeIgnored {
			res, num = outcome, n
		}
	}
	return res, num, nil
}

// RetroState says where a resolved incident's retro stands, with the
// prompt's time shown in each reader's zone (loc for the fallback).
func (inc Incident) RetroState(loc *time.Location) string {
	switch {
	case !inc.Retro.Published.IsZero():
		return "postmortem published"
	case !inc.Retro.Skipped.IsZero():
		return "retro skipped"
	}
	state := fmt.Sprintf("retro %d answer%s", len(inc.Retro.Answers), rituals.Plural(len(inc.Retro.Answers)))
	if !inc.Retro.Due.IsZero() && inc.Retro.Prompted.IsZero() {
		state += ", prompt " + rituals.SlackDate(inc.Retro.Due, loc)
	}
	return state
}

// Location is the zone the ritual writes times in.
func (x *Incidents) Location() *time.Location { return x.location() }
