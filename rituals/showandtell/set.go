package showandtell

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Set is every show-and-tell ritual: what a release asks of them, and
// what /demo and the digest read.
type Set struct {
	List  []*ShowAndTell
	Clock rituals.Clock
}

// ByName returns the ritual named name, nil if none.
func (s *Set) ByName(name string) *ShowAndTell {
	for _, r := range s.List {
		if r.Config.Name == name {
			return r
		}
	}
	return nil
}

// For is the ritual a member's /demo goes to: the first with one of
// their teams, else the first.
func (s *Set) For(user string) *ShowAndTell {
	for _, r := range s.List {
		if r.TeamOf(user) != "" {
			return r
		}
	}
	if len(s.List) == 0 {
		return nil
	}
	return s.List[0]
}

// Announce asks who shipped d to demo it, in every ritual whose teams own
// its service.
func (s *Set) Announce(ctx context.Context, d rituals.Deploy) error {
	now := s.Clock.Now()
	for _, r := range s.List {
		msgs, err := r.Ask(d, now)
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			if err := r.Outbox.Send(ctx, msgs...); err != nil {
				return fmt.Errorf("show-and-tell %s: ask: %w", r.Config.Name, err)
			}
		}
	}
	return nil
}

// DemosBetween is the team's demos in [from, to) of every ritual.
func (s *Set) DemosBetween(team string, from, to time.Time) ([]rituals.DemoBrief, error) {
	now := s.Clock.Now()
	var out []rituals.DemoBrief
	for _, r := range s.List {
		list, err := r.Demos(team, from, to, now)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
