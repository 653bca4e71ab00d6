package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

// readCountingStore is the real store, counting the items its outbox reads
// return (each one decoded), and telling of each read.
type readCountingStore struct {
	*store.DB
	mu      sync.Mutex
	pending int // items returned by Pending
	after   int // items returned by PendingAfter
	seen    uint64
	read    chan struct{}
}

func (c *readCountingStore) counted(items []rituals.OutboxItem, n *int) {
	c.mu.Lock()
	*n += len(items)
	c.seen = lastSeq(items, c.seen)
	c.mu.Unlock()
	select {
	case c.read <- struct{}{}:
	default:
	}
}

func (c *readCountingStore) Pending(limit int) ([]rituals.OutboxItem, error) {
	items, err := c.DB.Pending(limit)
	c.counted(items, &c.pending)
	return items, err
}

func (c *readCountingStore) PendingAfter(seq uint64, limit int) ([]rituals.OutboxItem, error) {
	items, err := c.DB.PendingAfter(seq, limit)
	c.counted(items, &c.after)
	return items, err
}

// waitRead waits until a read of the outbox has returned item seq.
func (c *readCountingStore) waitRead(t *testing.T, seq uint64) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		seen := c.seen
		c.mu.Unlock()
		if seen >= seq {
			return
		}
		select {
		case <-c.read:
		case <-timeout:
			t.Fatalf("the sender never read item %d (read up to %d)", seq, seen)
		}
	}
}

// People's commands during a backlog each enqueue an urgent reply and wake
// the sender: it must read what is new, not the whole backlog again for
// each (which made the backlog quadratic to read), and still send the
// urgent ones first, each after the post it threads under.
func TestSenderReadsOnlyTheNewUrgentMessagesDuringABacklog(t *testing.T) {
	const backlog, urgent = 500, 100
	db, err := store.Open(filepath.Join(t.TempDir(), "ritualbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &readCountingStore{DB: db, read: make(chan struct{}, 1)}
	api := &gatedSlack{gate: make(chan struct{})}
	s := startSender(t, api, st)

	// One channel, one post in flight at a time: the first of the backlog
	// is held at the gate while the rest waits in the batch.
	var msgs []rituals.Message
	for i := range backlog {
		msgs = append(msgs, rituals.Message{Key: fmt.Sprint("backlog-", i), To: "C0BUSY", Text: fmt.Sprint("backlog ", i)})
	}
	enqueue := func(msgs ...rituals.Message) {
		t.Helper()
		if err := db.Enqueue(time.Now(), msgs...); err != nil {
			t.Fatal(err)
		}
		s.Wake()
		seq, err := db.LastSeq()
		if err != nil {
			t.Fatal(err)
		}
		st.waitRead(t, seq)
	}
	enqueue(msgs...)
	// Each tenth reply threads under the last post of the backlog: the
	// store makes that post urgent, and the sender must send it first.
	for i := range urgent {
		m := rituals.Message{Key: fmt.Sprint("reply-", i), To: "C0BUSY", Text: fmt.Sprint("reply ", i), Urgent: true}
		if i%10 == 0 {
			m.ThreadKey = fmt.Sprint("backlog-", backlog-1)
		}
		enqueue(m)
	}
	close(api.gate)
	waitIdle(t, s)

	st.mu.Lock()
	pending, after := st.pending, st.after
	st.mu.Unlock()
	// Each item read about once; reading the backlog again for each
	// reply would be urgent × backlog = 50,000.
	if total := pending + after; total > 2*(backlog+urgent) {
		t.Errorf("the sender read %d outbox items (%d by Pending, %d by PendingAfter) to deliver %d", total, pending, after, backlog+urgent)
	}

	want := []string{"C0BUSY/backlog 0", fmt.Sprint("C0BUSY/backlog ", backlog-1)}
	for i := range urgent {
		want = append(want, fmt.Sprint("C0BUSY/reply ", i))
	}
	for i := 1; i < backlog-1; i++ {
		want = append(want, fmt.Sprint("C0BUSY/backlog ", i))
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if !slices.Equal(api.posts, want) {
		t.Errorf("posts in this order:\n%q\nwant the one in flight, the urgent parent, the replies, then the backlog:\n%q", head(api.posts), head(want))
	}
	parentTS := "1700000000.000002" // the second post
	for i := 0; i < urgent && i+2 < len(api.threads); i += 10 {
		if p := api.threads[i+2]; p != fmt.Sprint("reply ", i, " → ", parentTS) {
			t.Errorf("post %d: %q, want reply %d in the thread of %s", i+2, p, i, parentTS)
		}
	}
	items, err := db.Pending(0)
	if err != nil || len(items) != 0 {
		t.Errorf("outbox still holds %d items (%v)", len(items), err)
	}
}

// head is the first posts of a long list, enough to read the order.
func head(posts []string) []string { return posts[:min(len(posts), 12)] }

// Commands one after another each get their reply while the deliveries
// before wait to be recorded together (sender_record.go): the batch runs
// dry after each, and the sender must not read the outbox again for it,
// where those deliveries still wait (which made a run of commands
// quadratic to read).
func TestSenderDoesNotReadTheOutboxAgainWhenTheBatchRunsDry(t *testing.T) {
	const commands = 50
	store := newMemOutbox()
	landed := make(chan struct{}, commands)
	fast := Limit{PerMinute: 1e6, Burst: 1000}
	s := &Sender{API: &scriptedSlack{}, Store: store, Log: zerolog.Nop(), MaxAge: -1,
		Limiter: NewRateLimiter(map[string]Limit{"chat.postMessage": fast, "chat.postMessage/channel": fast}),
		Landed:  func(rituals.Message, rituals.SentMessage) { landed <- struct{}{} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for i := range commands {
		// A reply a person waits for goes unmarked, its delivery recorded later.
		if err := store.Enqueue(time.Now(), rituals.Message{Key: fmt.Sprint("reply-", i), To: "C0TEAM", Text: "Done", Urgent: true}); err != nil {
			t.Fatal(err)
		}
		s.Wake()
		select {
		case <-landed:
		case <-time.After(10 * time.Second):
			t.Fatalf("reply %d never posted", i)
		}
	}
	waitIdle(t, s)
	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.items) != 0 || len(store.sent) != commands {
		t.Errorf("%d left in the outbox, %d recorded as sent; want 0 and %d", len(store.items), len(store.sent), commands)
	}
	if store.read > 2*commands {
		t.Errorf("the sender read %d outbox items to deliver %d", store.read, commands)
	}
}
