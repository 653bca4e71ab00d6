package incident_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/store"
)

// countingStore counts full incident reads.
type countingStore struct {
	*store.DB
	reads atomic.Int64
}

func (s *countingStore) ReadIncident(n int) (incident.Incident, bool, error) {
	s.reads.Add(1)
	return s.DB.ReadIncident(n)
}

// The Watch reads an incident again when it is saved, not every open
// incident: with 100 open, an update costs one read, and the nudges come
// due at their times.
func TestWatchLooksOnlyAtWhatChanged(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cs := &countingStore{DB: db}
	clock := rituals.NewFakeClock(time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC))
	x := &incident.Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Kind: rituals.KindIncidents, Channel: "C0INC", Enabled: true},
		Settings: &incident.Settings{Severities: []string{"sev1", "sev2"}, Location: time.UTC,
			Comms: incident.CommsSettings{Updates: map[string]time.Duration{"sev1": 30 * time.Minute}}},
		Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: cs, Sent: db, Clock: clock,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < 100; i++ {
		if _, err := x.Declare(ctx, "U0ALICE", "sev1", "Outage"); err != nil {
			t.Fatal(err)
		}
	}
	w := &incident.Watch{Rituals: incident.Set{x}, Clock: clock, Log: zerolog.Nop()}
	x.Poke = w.Poke
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	settle := func() {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		if err := w.WaitSettled(wctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	settle()
	if n := cs.reads.Load(); n < 100 {
		t.Fatalf("the start-up scan read %d incidents, want all 100", n)
	}
	cs.reads.Store(0)
	clock.Advance(10 * time.Minute)
	if _, err := x.Update(ctx, 7, "U0ALICE", "Rolled back"); err != nil {
		t.Fatal(err)
	}
	settle()
	if n := cs.reads.Load(); n > 3 {
		t.Errorf("one update cost %d incident reads, want about one", n)
	}
	clock.Advance(20 * time.Minute) // 30 minutes after the declarations
	settle()
	nudged := func() int {
		items, err := db.Pending(10000)
		if err != nil {
			t.Fatal(err)
		}
		c := 0
		for _, it := range items {
			if strings.Contains(it.Message.Key, "/nudge/") {
				c++
			}
		}
		return c
	}
	if n := nudged(); n != 99 {
		t.Errorf("%d nudges at 30 minutes, want 99 (#7 was updated)", n)
	}
	clock.Advance(10 * time.Minute)
	settle()
	if n := nudged(); n != 100 {
		t.Errorf("%d nudges after #7's own 30 minutes, want 100", n)
	}
	cancel()
	<-done
}
