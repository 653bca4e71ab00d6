package onboarding

import (
	"context"
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// MarkStep marks step number n (counted from 1, as `/onboard status`
// lists them) of newcomer's onboarding done for `by`, a lead or an admin
// (or the step's owner), without the DM's button: `/onboard done`. team
// may be left out unless the newcomer is onboarded in several teams. The
// step's owner, if not `by`, gets a DM saying who marked it (their Done
// button would otherwise only say "Done already"). It returns what to
// tell `by`.
func (s *Set) MarkStep(ctx context.Context, by, newcomer, team string, n int) (string, error) {
	r, err := s.onboardingOf(newcomer, team)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(r.Settings.Steps) {
		return "", rituals.Errorf(rituals.EINVALID, "The %s onboarding has steps 1 to %d, not %d. `/onboard status` numbers the open ones.",
			rituals.Escape(r.Team.Name), len(r.Settings.Steps), n)
	}
	o, step, already, err := r.markDone(by, newcomer, n-1)
	if err != nil {
		return "", err
	}
	if already {
		return fmt.Sprintf("Step %d of %s onboarding in %s was done already: %s", n, possessive(newcomer), rituals.Escape(r.Team.Name), step), nil
	}
	said := fmt.Sprintf(":white_check_mark: Step %d of %s onboarding in %s is done: %s. Weekly nudges no longer list it.",
		n, possessive(newcomer), rituals.Escape(r.Team.Name), step)
	owner := o.Of(r.Settings.Steps[n-1].Owner)
	if owner == by {
		return said, nil
	}
	// Marked in the store already: should the DM fail, the step stays
	// done and `by` hears that the owner was not told.
	if err := r.Outbox.Send(ctx, rituals.UrgentFor(ctx, []rituals.Message{r.markedDoneMessage(o, n-1, by, owner)})...); err != nil {
		return "", fmt.Errorf("onboarding %s: tell %s step %d is done: %w", r.Name(), owner, n, err)
	}
	return said + " " + rituals.Mention(owner) + " has been told.", nil
}

// markedDoneMessage tells owner that by marked step i of o done for them.
func (r *Ritual) markedDoneMessage(o Onboarding, i int, by, owner string) rituals.Message {
	whose := "your"
	if owner != o.Newcomer {
		whose = possessive(o.Newcomer)
	}
	text := fmt.Sprintf(":white_check_mark: %s marked a step of %s onboarding in %s done for you: %s. Nothing is left to do: its Done button answers \"Done already\".",
		rituals.Mention(by), whose, rituals.Escape(r.Team.Name), r.stepLine(i))
	return rituals.Message{Key: key(o, "step-done", i), To: owner, Text: rituals.Clip(text, 3000), Blocks: []rituals.Block{rituals.Section(rituals.Clip(text, 3000))}}
}

// onboardingOf is the ritual in which newcomer is onboarded (under way or
// completed): team's, or the one such ritual if team is "".
func (s *Set) onboardingOf(newcomer, team string) (*Ritual, error) {
	if team != "" {
		r := s.ByTeam(team)
		if r == nil {
			return nil, rituals.Errorf(rituals.ENOTFOUND, "No team `%s` has an onboarding. Teams with one: %s.", rituals.Escape(team), rituals.Escape(s.TeamIDs()))
		}
		if _, err := r.read(newcomer); err != nil {
			return nil, err
		}
		return r, nil
	}
	var found []*Ritual
	for _, r := range s.List {
		o, ok, err := r.Store.Onboarding(r.Name(), newcomer)
		if err != nil {
			return nil, fmt.Errorf("onboarding %s: read %s: %w", r.Name(), newcomer, err)
		}
		if ok && (o.Status == StatusActive || o.Status == StatusCompleted) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return nil, rituals.Errorf(rituals.ENOTFOUND, "%s has no onboarding. `/onboard status` lists those under way.", rituals.Mention(newcomer))
	case 1:
		return found[0], nil
	}
	var ids []string
	for _, r := range found {
		ids = append(ids, r.Team.ID)
	}
	return nil, rituals.Errorf(rituals.EINVALID, "%s is onboarded in %s: add the team, `/onboard done @user STEP TEAM`.",
		rituals.Mention(newcomer), rituals.Escape(strings.Join(ids, " and ")))
}

func possessive(user string) string { return rituals.Mention(user) + "'s" }
