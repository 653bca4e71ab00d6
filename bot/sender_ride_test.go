package bot

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

// rideStore is the real store, its commits counted by operation, with a
// switch that fails them as a full disk would.
type rideStore struct {
	*store.DB
	mu      sync.Mutex
	commits map[string]int
	full    atomic.Bool
}

func openRideStore(t *testing.T) *rideStore {
	t.Helper()
	rs := &rideStore{commits: map[string]int{}}
	db, err := store.Open(filepath.Join(t.TempDir(), "ritualbot.db"),
		store.WithObserver(func(op string, _ time.Duration) {
			rs.mu.Lock()
			rs.commits[op]++
			rs.mu.Unlock()
		}),
		store.WithCommitFault(func() error {
			if rs.full.Load() {
				return errors.New("no space left on device")
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rs.DB = db
	return rs
}

// senders counts the sender's own commits: marks in flight and records.
func (rs *rideStore) senders() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.commits["attempt"] + rs.commits["delivered"]
}

// rideSender runs a sender on rs that would record its deliveries on its
// own only after an hour, and tells of each post that landed.
func rideSender(t *testing.T, rs *rideStore) (*Sender, chan string) {
	t.Helper()
	api := &gatedSlack{gate: make(chan struct{})}
	close(api.gate)
	landed := make(chan string, 100)
	fast := Limit{PerMinute: 1e6, Burst: 1000}
	s := &Sender{API: api, Store: rs, Log: zerolog.Nop(), Backoff: time.Millisecond, LookAfter: time.Millisecond,
		Limiter:     NewRateLimiter(map[string]Limit{"chat.postMessage": fast, "chat.postMessage/channel": fast}),
		RecordAfter: time.Hour,
		Landed:      func(m rituals.Message, _ rituals.SentMessage) { landed <- m.Key },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitIdle(t, s) // started: what is enqueued now is this run's
	return s, landed
}

func waitLanded(t *testing.T, landed chan string, key string) {
	t.Helper()
	select {
	case got := <-landed:
		if got != key {
			t.Fatalf("%s landed, want %s", got, key)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never landed", key)
	}
}

// Each command's write records the delivery of the reply before it: the
// sender makes no commit of its own while commands come (the next command
// would wait for it, bbolt having one writer), and what it delivered
// leaves the outbox as soon as anything is written.
func TestSenderRecordsItsDeliveriesWithTheNextWrite(t *testing.T) {
	rs := openRideStore(t)
	s, landed := rideSender(t, rs)
	const replies = 5
	for i := range replies {
		// A command's write, which enqueues its reply.
		key := fmt.Sprint("reply-", i)
		if err := rs.Enqueue(time.Now(), rituals.Message{Key: key, To: "U0P", Text: "Done", Urgent: true}); err != nil {
			t.Fatal(err)
		}
		s.Wake()
		waitLanded(t, landed, key)
	}
	// The last reply awaits the next write; the others were recorded.
	if n, err := rs.OutboxLen(); n != 1 || err != nil {
		t.Errorf("%d replies delivered one after another, each followed by a write: %d left in the outbox (%v), want the last only", replies, n, err)
	}
	if n := rs.senders(); n != 0 {
		t.Errorf("the sender made %d commits of its own while writes came, want none", n)
	}
	for i := range replies - 1 {
		if _, ok, _ := rs.Sent(fmt.Sprint("reply-", i)); !ok {
			t.Errorf("reply-%d not recorded as sent", i)
		}
	}
	waitIdle(t, s)
	if n, err := rs.OutboxLen(); n != 0 || err != nil {
		t.Errorf("idle with %d in the outbox (%v), want every delivery recorded", n, err)
	}
}

// A write that fails records none of the deliveries it took: they stay
// with the sender for the next commit, and nothing is posted twice.
func TestSenderKeepsTheDeliveriesAFailedWriteTook(t *testing.T) {
	rs := openRideStore(t)
	s, landed := rideSender(t, rs)
	if err := rs.Enqueue(time.Now(), rituals.Message{Key: "reply", To: "U0P", Text: "Done", Urgent: true}); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	waitLanded(t, landed, "reply")
	rs.full.Store(true)
	if err := rs.Enqueue(time.Now(), rituals.Message{Key: "lost", To: "U0Q", Text: "x"}); err == nil {
		t.Fatal("a write succeeded on a full disk")
	}
	rs.full.Store(false)
	if n, err := rs.OutboxLen(); n != 1 || err != nil {
		t.Fatalf("after the failed write: %d in the outbox (%v), want the reply, unrecorded", n, err)
	}
	waitIdle(t, s)
	if n, err := rs.OutboxLen(); n != 0 || err != nil {
		t.Errorf("idle with %d in the outbox (%v), want the reply's delivery recorded", n, err)
	}
	if _, ok, _ := rs.Sent("reply"); !ok {
		t.Error("the reply was never recorded as sent")
	}
	select {
	case key := <-landed:
		t.Errorf("%s posted again", key)
	default:
	}
}
