package githubissues_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/githubissues"
	"github.com/ritualbot/ritualbot/internal/githubfake"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// memStore holds action items and their issues in memory.
type memStore struct {
	mu    sync.Mutex
	items []incident.ActionItem
	links map[string]incident.IssueLink
}

func (m *memStore) ActionItems(string) ([]incident.ActionItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]incident.ActionItem(nil), m.items...), nil
}

func (m *memStore) IncidentBriefs(string) ([]rituals.IncidentBrief, error) { return nil, nil }

func (m *memStore) PutIssueLink(l incident.IssueLink) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[l.ActionID] = l
	return nil
}

func (m *memStore) IssueLinks() (map[string]incident.IssueLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]incident.IssueLink{}
	for k, v := range m.links {
		out[k] = v
	}
	return out, nil
}

// An item added after a pass at the same time on the (fake) clock is in
// step once WaitSettled returns: a pass that began before the call may
// have read the items before it (a test then saw the issue on GitHub but
// not its link, and the bot ignored the issue's webhook).
func TestWaitSettledWaitsForAPassBegunAfterTheCall(t *testing.T) {
	gh := githubfake.New("right")
	defer gh.Close()
	clock := rituals.NewFakeClock(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	store := &memStore{links: map[string]incident.IssueLink{}}
	s := &githubissues.Sync{
		API:   &githubissues.Client{BaseURL: gh.APIURL(), Token: func() string { return "right" }},
		Store: store, Clock: clock, Log: zerolog.Nop(),
		Rituals: []githubissues.Ritual{{Name: "incidents", GitHub: incident.GitHubConfig{Repo: "acme/pay"}}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, cancelWait := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelWait()
	for i, id := range []string{"1.1", "1.2", "1.3"} {
		if err := s.WaitSettled(wait, clock.Now()); err != nil {
			t.Fatal(err)
		}
		store.mu.Lock()
		store.items = append(store.items, incident.ActionItem{ID: id, Ritual: "incidents", Incident: 1, Owner: "U0BOB", Text: "Alert on pool saturation"})
		store.mu.Unlock()
		if err := s.WaitSettled(wait, clock.Now()); err != nil {
			t.Fatal(err)
		}
		links, _ := store.IssueLinks()
		if _, ok := links[id]; !ok || len(links) != i+1 {
			t.Fatalf("after WaitSettled, item %s has no issue: links %v, GitHub %d issues", id, links, len(gh.Issues("acme/pay")))
		}
	}
}
