package standup

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// StandupRecords is the StandupLog of every standup ritual of a config:
// what the digest and the App Home read of standups.
type StandupRecords struct {
	Store StandupStore

	mu       sync.RWMutex
	standups []*Standup
}

var _ rituals.StandupLog = (*StandupRecords)(nil)

// Add makes a standup's records part of the log.
func (r *StandupRecords) Add(s *Standup) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.standups = append(r.standups, s)
}

func (r *StandupRecords) list() []*Standup {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Standup(nil), r.standups...)
}

// Participation sums the team's standup days whose summary was due in
// [from, to), read from the tallies filed with each summary.
func (r *StandupRecords) Participation(team string, from, to time.Time) (rituals.Participation, error) {
	var p rituals.Participation
	// Tallies are filed by date; a day's date is within a day of its
	// summary's instant in any zone (summaries come at most 20h after
	// the prompt).
	tallies, err := r.Store.Tallies(team, rituals.DateOf(from.UTC()).AddDays(-1), rituals.DateOf(to.UTC()).AddDays(1))
	if err != nil {
		return p, err
	}
	for _, t := range tallies {
		if !t.At.Before(from) && t.At.Before(to) {
			p = p.Plus(t.Counts)
		}
	}
	return p, nil
}

// MemberParticipation sums one member's standup days in the team from..to
// (dates, inclusive). Not part of StandupLog; for whoever wants one
// person's record (the /standup history footer, a digest).
func (r *StandupRecords) MemberParticipation(team, user string, from, to rituals.Date) (rituals.Participation, error) {
	return r.Store.MemberParticipation(team, user, from, to)
}

// OpenBlockers returns the team's blockers not yet cleared, oldest first.
func (r *StandupRecords) OpenBlockers(team string) ([]rituals.Blocker, error) {
	var out []rituals.Blocker
	for _, s := range r.list() {
		if s.Team == nil || s.Team.ID != team {
			continue
		}
		bs, err := r.Store.Blockers(s.Config.Name, true)
		if err != nil {
			return nil, err
		}
		out = append(out, bs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Opened.Before(out[j].Opened) })
	return out, nil
}

// UserStandup returns user's standup of today (until its summary is out),
// or the next one, whichever of their standups comes first.
func (r *StandupRecords) UserStandup(ctx context.Context, user string, now time.Time) (rituals.UserStandup, bool, error) {
	var best rituals.UserStandup
	found := false
	for _, s := range r.list() {
		if s.Team == nil || !s.Team.IsMember(user) {
			continue
		}
		us, err := s.userStandup(ctx, user, now)
		if err != nil {
			return rituals.UserStandup{}, false, err
		}
		if !found || us.Prompt.Before(best.Prompt) {
			best, found = us, true
		}
	}
	return best, found, nil
}

// userStandup is where user stands in this standup at now.
func (s *Standup) userStandup(ctx context.Context, user string, now time.Time) (rituals.UserStandup, error) {
	users, _ := s.users(ctx)
	d, err := s.dateFor(users, user, now)
	if err != nil {
		return rituals.UserStandup{}, err
	}
	loc := s.zoneOf(users, user)
	prompt, _ := s.promptAt(loc, d)
	us := rituals.UserStandup{Ritual: s.Config.Name, Team: s.Team.ID, Date: d, Prompt: prompt}
	a, ok, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return us, err
	}
	us.Answered, us.Skipped = ok && !a.Skipped, ok && a.Skipped
	away, err := s.awaySet(d, users)
	if err != nil {
		return us, err
	}
	us.Away = away[user]
	return us, nil
}
