package githubissues

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// Store is what the sync reads and writes.
type Store interface {
	ActionItems(ritual string) ([]incident.ActionItem, error)
	IncidentBriefs(ritual string) ([]rituals.IncidentBrief, error)
	PutIssueLink(l incident.IssueLink) error
	IssueLinks() (map[string]incident.IssueLink, error)
}

// Ritual is an incidents ritual whose items become issues.
type Ritual struct {
	Name   string
	GitHub incident.GitHubConfig
	// Postmortem links an incident's postmortem ("" for none).
	Postmortem func(n int) string
}

// Sync keeps the issues in step with the items.
type Sync struct {
	API     *Client
	Store   Store
	Rituals []Ritual
	Clock   rituals.Clock
	// Names gives people's display names for the issues (may be nil).
	Names func(ctx context.Context) map[string]string
	Log   zerolog.Logger

	once  sync.Once
	wake  chan struct{}
	mu    sync.Mutex
	fails map[string]failure // by action ID
	done  time.Time          // the clock's time at the start of the last pass
	// begun counts the passes started, ended the last one ended: a pass
	// that started on the fake clock's same "now" may have read the items
	// before the one WaitSettled waits for was added.
	begun, ended uint64
	cond         *sync.Cond
}

type failure struct {
	attempts int
	next     time.Time
}

func (s *Sync) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.fails = map[string]failure{}
		s.cond = sync.NewCond(&s.mu)
	})
}

// Wake asks for a pass soon (an item was added or changed).
func (s *Sync) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run makes passes until ctx ends: at start, when woken, and when a
// failed call is due again.
func (s *Sync) Run(ctx context.Context) error {
	s.init()
	for {
		next := s.Pass(ctx)
		var timer rituals.Timer
		var due <-chan time.Time
		if !next.IsZero() {
			timer = s.Clock.NewTimer(max(next.Sub(s.Clock.Now()), 0))
			due = timer.C()
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-due:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// WaitSettled waits until a pass has started at or after now, and after
// the call, and ended: what Main.Settle does after moving the fake clock.
// A pass that began before the call may have read the items before the
// ones just added (a fake clock that did not move says nothing of it).
func (s *Sync) WaitSettled(ctx context.Context, now time.Time) error {
	s.init()
	s.mu.Lock()
	want := s.begun + 1
	s.mu.Unlock()
	s.Wake()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.ended < want || s.done.Before(now) || s.done.IsZero() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.cond.Wait()
	}
	return nil
}

// Pass brings every item's issue in step, and returns when the earliest
// failed call is due again (zero if none failed).
func (s *Sync) Pass(ctx context.Context) time.Time {
	s.init()
	s.mu.Lock()
	s.begun++
	n := s.begun
	s.mu.Unlock()
	start := s.Clock.Now()
	next := s.pass(ctx, start)
	s.mu.Lock()
	s.done, s.ended = start, n
	s.cond.Broadcast()
	s.mu.Unlock()
	return next
}

func (s *Sync) pass(ctx context.Context, now time.Time) time.Time {
	links, err := s.Store.IssueLinks()
	if err != nil {
		s.Log.Error().Err(err).Msg("read the action items' GitHub issues")
		return now.Add(time.Minute)
	}
	var names map[string]string
	var next time.Time
	for _, r := range s.Rituals {
		items, err := s.Store.ActionItems(r.Name)
		if err != nil {
			s.Log.Error().Err(err).Str("ritual", r.Name).Msg("read action items for GitHub")
			return now.Add(time.Minute)
		}
		var titles map[int]string
		for _, a := range items {
			l, linked := links[a.ID]
			want := incident.IssueOpen
			if !a.Open() {
				want = incident.IssueClosed
			}
			if linked && l.State == want || !linked && !a.Open() {
				continue // in step; an item done before it had an issue needs none
			}
			s.mu.Lock()
			f := s.fails[a.ID]
			s.mu.Unlock()
			if f.next.After(now) {
				next = earliest(next, f.next)
				continue
			}
			if !linked && titles == nil {
				titles = s.titles(r.Name)
				if names == nil && s.Names != nil {
					names = s.Names(ctx)
				}
			}
			err := s.step(ctx, r, a, l, linked, want, titles, names)
			s.mu.Lock()
			if err != nil {
				f.attempts++
				f.next = now.Add(backoff(f.attempts))
				s.fails[a.ID] = f
				next = earliest(next, f.next)
				s.Log.Warn().Err(err).Str("action", a.ID).Int("attempt", f.attempts).Time("retry_at", f.next).Msg("GitHub issue of an action item not in step yet; retrying later")
			} else {
				delete(s.fails, a.ID)
			}
			s.mu.Unlock()
		}
	}
	return next
}

// step creates a's issue, or sets its state.
func (s *Sync) step(ctx context.Context, r Ritual, a incident.ActionItem, l incident.IssueLink, linked bool, want string, titles map[int]string, names map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if !linked {
		owner := names[a.Owner]
		if owner == "" {
			owner = a.Owner
		}
		pm := ""
		if r.Postmortem != nil {
			pm = r.Postmortem(a.Incident)
		}
		is, err := s.API.CreateIssue(ctx, r.GitHub.Repo, incident.IssueTitle(a), incident.IssueBody(a, incident.ShowMentions(titles[a.Incident], names), "@"+owner, pm), r.GitHub.Labels)
		if err != nil {
			return err
		}
		l = incident.IssueLink{ActionID: a.ID, Ritual: r.Name, Repo: r.GitHub.Repo, Number: is.Number, URL: is.HTMLURL, State: incident.IssueOpen}
		if err := s.Store.PutIssueLink(l); err != nil {
			return fmt.Errorf("store the issue of action item %s: %w", a.ID, err)
		}
		s.Log.Info().Str("action", a.ID).Str("repo", l.Repo).Int("issue", l.Number).Msg("GitHub issue created for an action item")
		if want == incident.IssueOpen {
			return nil
		}
	}
	if err := s.API.SetState(ctx, l.Repo, l.Number, want); err != nil {
		return err
	}
	l.State = want
	return s.Store.PutIssueLink(l)
}

func (s *Sync) titles(ritual string) map[int]string {
	out := map[int]string{}
	briefs, err := s.Store.IncidentBriefs(ritual)
	if err != nil {
		return out
	}
	for _, b := range briefs {
		out[b.Number] = b.Title
	}
	return out
}

// backoff is 30 s doubled each attempt, at most 30 min: GitHub down for a
// day costs about fifty calls per item.
func backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < 30*time.Minute; i++ {
		d *= 2
	}
	return min(d, 30*time.Minute)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
