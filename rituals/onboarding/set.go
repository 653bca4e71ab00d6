package onboarding

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Set is every onboarding ritual of the config: what /onboard, the
// buttons and the other rituals' seams read.
type Set struct {
	List []*Ritual
	// IsAdmin tells the config's admins.
	IsAdmin func(user string) bool
	Clock   rituals.Clock
}

// ByName is the ritual of that name, nil if none.
func (s *Set) ByName(name string) *Ritual {
	for _, r := range s.List {
		if r.Name() == name {
			return r
		}
	}
	return nil
}

// ByTeam is the team's ritual, nil if none.
func (s *Set) ByTeam(team string) *Ritual {
	for _, r := range s.List {
		if strings.EqualFold(r.Team.ID, team) {
			return r
		}
	}
	return nil
}

// TeamIDs lists the teams with an onboarding.
func (s *Set) TeamIDs() string {
	var ids []string
	for _, r := range s.List {
		ids = append(ids, r.Team.ID)
	}
	return strings.Join(ids, ", ")
}

// For is the ritual a command of user's means: the team named, else the
// one team user leads (or, for an admin, the only one).
func (s *Set) For(user, team string) (*Ritual, error) {
	if team != "" {
		if r := s.ByTeam(team); r != nil {
			return r, nil
		}
		return nil, rituals.Errorf(rituals.ENOTFOUND, "No team `%s` has an onboarding. Teams with one: %s.", rituals.Escape(team), rituals.Escape(s.TeamIDs()))
	}
	var led []*Ritual
	for _, r := range s.List {
		if r.Team.IsLead(user) {
			led = append(led, r)
		}
	}
	if len(led) == 0 && s.isAdmin(user) {
		led = s.List
	}
	switch len(led) {
	case 0:
		return nil, rituals.Errorf(rituals.EFORBIDDEN, "Only a team's leads and the admins can start an onboarding, and you lead no team with one (teams: %s).", rituals.Escape(s.TeamIDs()))
	case 1:
		return led[0], nil
	}
	var ids []string
	for _, r := range led {
		ids = append(ids, r.Team.ID)
	}
	return nil, rituals.Errorf(rituals.EINVALID, "Which team? Add it: `/onboard @user TEAM` with TEAM one of %s.", rituals.Escape(strings.Join(ids, ", ")))
}

func (s *Set) isAdmin(user string) bool { return s.IsAdmin != nil && s.IsAdmin(user) }

// Shadows is who shadows the team's on-call at `at`: newcomers in their
// first shadow_oncall weeks (rituals.Shadows).
func (s *Set) Shadows(team string, at time.Time) []string {
	var out []string
	for _, r := range s.List {
		if r.Team.ID != team || r.Settings.ShadowWeeks == 0 {
			continue
		}
		all, err := r.Store.Onboardings(r.Name())
		if err != nil {
			continue // a read that failed shows nobody shadowing; the next succeeds
		}
		for _, o := range all {
			if o.Running() && !at.Before(o.Started) && at.Before(o.ShadowEnd(r.Settings.ShadowWeeks)) {
				out = append(out, o.Newcomer)
			}
		}
	}
	return out
}

// Onboardings is the team's onboardings, started ones only, as the digest
// and the App Home show them (rituals.OnboardingLog).
func (s *Set) Onboardings(team string) ([]rituals.OnboardingBrief, error) {
	var out []rituals.OnboardingBrief
	for _, r := range s.List {
		if r.Team.ID != team {
			continue
		}
		all, err := r.Store.Onboardings(r.Name())
		if err != nil {
			return nil, fmt.Errorf("onboardings of %s: %w", team, err)
		}
		for _, o := range all {
			if o.Status == StatusActive || o.Status == StatusCompleted {
				out = append(out, r.brief(o))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out, nil
}

// brief is o as other rituals read it.
func (r *Ritual) brief(o Onboarding) rituals.OnboardingBrief {
	r.fitSteps(&o)
	b := rituals.OnboardingBrief{Ritual: o.Ritual, Team: o.Team, Newcomer: o.Newcomer, Buddy: o.Buddy, Lead: o.Lead,
		Started: o.Started, Completed: o.Completed, Steps: len(o.Steps), Joined: o.Joined}
	for _, st := range o.Steps {
		if !st.Done.IsZero() {
			b.StepsDone++
		}
	}
	return b
}
