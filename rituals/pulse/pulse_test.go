package pulse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// memStore is a pulse.Store in memory.
type memStore struct {
	rounds    map[string]pulse.Round
	answered  map[string]bool
	responses map[string][]pulse.Response
}

func newMemStore() *memStore {
	return &memStore{rounds: map[string]pulse.Round{}, answered: map[string]bool{}, responses: map[string][]pulse.Response{}}
}

func (s *memStore) PutPulseRound(r pulse.Round) error {
	if _, ok := s.rounds[r.ID]; !ok {
		s.rounds[r.ID] = r
	}
	return nil
}
func (s *memStore) PulseRound(_, id string) (pulse.Round, bool, error) {
	r, ok := s.rounds[id]
	return r, ok, nil
}
func (s *memStore) PulseRounds(string, int) ([]pulse.Round, error) {
	var out []pulse.Round
	for _, r := range s.rounds {
		out = append(out, r)
	}
	return out, nil
}
func (s *memStore) SubmitPulse(_, round, user string, r pulse.Response) (bool, error) {
	if s.answered[round+user] {
		return true, nil
	}
	s.answered[round+user] = true
	s.responses[round] = append(s.responses[round], r)
	return false, nil
}
func (s *memStore) PulseAnswered(_, round, user string) (bool, error) {
	return s.answered[round+user], nil
}
func (s *memStore) PulseResponses(_, round string) ([]pulse.Response, error) {
	return s.responses[round], nil
}
func (s *memStore) ClosePulseRound(r pulse.Round, drop bool) error {
	s.rounds[r.ID] = r
	if drop {
		delete(s.responses, r.ID)
	}
	return nil
}

type nopOutbox struct{}

func (nopOutbox) Send(context.Context, ...rituals.Message) error { return nil }

func TestSubmitValidatesAndRefusesASecondAnswer(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	store := newMemStore()
	p := &pulse.Pulse{
		Config:   &rituals.RitualConfig{Name: "p", Schedule: rituals.MustParseSchedule("0 10 * * MON", time.UTC)},
		Settings: &pulse.Settings{Questions: []pulse.Question{{ID: "w", Text: "Workload?", Scale: 5}, {ID: "e", Text: "Else?", FreeText: true}}, CloseAfter: 48 * time.Hour, MinResponses: 3},
		Team:     &rituals.Team{ID: "t", Name: "T", Members: []string{"U0A", "U0B"}},
		Store:    store, Outbox: nopOutbox{}, Clock: rituals.NewFakeClock(at.Add(time.Hour)),
	}
	ctx := context.Background()
	if err := p.Open(ctx, at); err != nil {
		t.Fatal(err)
	}
	round := pulse.RoundID(at)
	for _, bad := range []string{"0", "6", "", "three"} {
		errs, err := p.Submit(ctx, "U0A", round, map[string]string{"w": bad})
		if err != nil || !strings.Contains(errs["w"], "Pick 1 to 5") {
			t.Errorf("score %q: errs %v, %v", bad, errs, err)
		}
	}
	if errs, err := p.Submit(ctx, "U0A", round, map[string]string{"w": "4", "e": "fine"}); err != nil || len(errs) > 0 {
		t.Fatalf("first answer: %v, %v", errs, err)
	}
	_, err := p.Submit(ctx, "U0A", round, map[string]string{"w": "1"})
	if rituals.ErrorCode(err) != rituals.ECONFLICT || !strings.Contains(rituals.ErrorMessage(err), "already answered") {
		t.Errorf("second answer: %v", err)
	}
	if _, err := p.Submit(ctx, "U0OUTSIDER", round, map[string]string{"w": "1"}); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a non-member's answer: %v", err)
	}
	if got := store.responses[round]; len(got) != 1 || got[0].Scores["w"] != 4 {
		t.Errorf("responses %v, want only the first", got)
	}
}
