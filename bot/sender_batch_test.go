package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// gatedSlack holds every post until its gate opens, and records the text
// of each edit.
type gatedSlack struct {
	scriptedSlack
	gate    chan struct{}
	mu      sync.Mutex
	updates []string
	threads []string // text → thread_ts of each post
}

func (g *gatedSlack) PostMessageContext(ctx context.Context, channel string, opts ...slack.MsgOption) (string, string, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	_, values, err := slack.UnsafeApplyMsgOptions("xoxb-test", channel, "https://slack.invalid/api/", opts...)
	if err != nil {
		return "", "", err
	}
	g.mu.Lock()
	g.threads = append(g.threads, values.Get("text")+" → "+values.Get("thread_ts"))
	g.mu.Unlock()
	return g.scriptedSlack.PostMessageContext(ctx, channel, opts...)
}

func (g *gatedSlack) UpdateMessageContext(_ context.Context, channel, ts string, opts ...slack.MsgOption) (string, string, string, error) {
	_, values, err := slack.UnsafeApplyMsgOptions("xoxb-test", channel, "https://slack.invalid/api/", opts...)
	if err != nil {
		return "", "", "", err
	}
	g.mu.Lock()
	g.updates = append(g.updates, values.Get("text"))
	g.mu.Unlock()
	return channel, ts, "", nil
}

// startSender runs a sender over store until the test ends.
func startSender(t *testing.T, api messageAPI, store rituals.OutboxStore) *Sender {
	t.Helper()
	fast := Limit{PerMinute: 1e6, Burst: 1000}
	limits := NewRateLimiter(map[string]Limit{"chat.postMessage": fast, "chat.postMessage/channel": fast, "chat.update": fast})
	s := &Sender{API: api, Store: store, Limiter: limits, Log: zerolog.Nop(), Backoff: time.Millisecond, LookAfter: time.Millisecond, MaxAge: -1}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

func waitIdle(t *testing.T, s *Sender) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// A burst of commands each wakes the sender while it works through a
// backlog: it must read what is new, not the whole outbox again each time
// (which made the backlog quadratic to read).
func TestSenderReadsOnlyNewMessagesWhenWoken(t *testing.T) {
	api := &gatedSlack{gate: make(chan struct{})}
	store := newMemOutbox()
	s := startSender(t, api, store)
	enqueue := func(key string) {
		t.Helper()
		if err := store.Enqueue(time.Now(), rituals.Message{Key: key, To: "C0BUSY", Text: key}); err != nil {
			t.Fatal(err)
		}
		s.Wake()
	}
	for i := range 100 {
		enqueue("backlog-" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	for i := range 50 {
		enqueue("burst-" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	close(api.gate)
	waitIdle(t, s)
	if len(api.posts) != 150 {
		t.Fatalf("%d posts, want 150", len(api.posts))
	}
	store.mu.Lock()
	read := store.read
	store.mu.Unlock()
	// Each message read once, give or take a read that raced a wake.
	if read > 2*150 {
		t.Errorf("the sender read %d outbox items to deliver 150", read)
	}
}

// An update replaces the content of a pending update of the same message
// (the outbox keeps one edit per message); the sender must send what is
// there when it sends, not what it read before the replacement.
func TestSenderSendsAPendingUpdateAsItIsNow(t *testing.T) {
	api := &gatedSlack{gate: make(chan struct{})}
	store := newMemOutbox()
	s := startSender(t, api, store)
	if err := store.Enqueue(time.Now(),
		rituals.Message{Key: "summary", To: "C0A", Text: "posted"},
		rituals.Message{Key: "summary", To: "C0A", Text: "edit 1", Update: true},
	); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	// The post is held in flight, the edit waits behind it in the batch;
	// a newer edit replaces it in the outbox (as store.Enqueue does).
	deadline := time.Now().Add(5 * time.Second)
	for {
		store.mu.Lock()
		read := store.read
		store.mu.Unlock()
		if read >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	store.mu.Lock()
	for seq, it := range store.items {
		if it.Message.Update {
			it.Message.Text = "edit 2"
			store.items[seq] = it
		}
	}
	store.mu.Unlock()
	s.Wake()
	close(api.gate)
	waitIdle(t, s)
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.updates) != 1 || api.updates[0] != "edit 2" {
		t.Errorf("edits sent = %q, want the latest one once: [edit 2]", api.updates)
	}
}

// Working through a queue, the sender records each delivery with the next
// attempt: one commit per message, not two. A reply still threads under a
// parent whose delivery is not recorded yet, and once the sender is idle
// every delivery is in the store.
func TestSenderRecordsADeliveryWithTheNextAttempt(t *testing.T) {
	api := &gatedSlack{gate: make(chan struct{})}
	close(api.gate)
	store := &countingOutbox{memOutbox: newMemOutbox()}
	s := startSender(t, api, store)
	msgs := []rituals.Message{{Key: "parent", To: "C0A", Text: "parent"}}
	for i := range 20 {
		msgs = append(msgs, rituals.Message{Key: fmt.Sprint("reply-", i), To: "C0A", ThreadKey: "parent", Text: fmt.Sprint("reply ", i)})
	}
	if err := store.Enqueue(time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	waitIdle(t, s)
	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.items) != 0 || len(store.sent) != 21 {
		t.Errorf("%d left in the outbox, %d recorded as sent; want 0 and 21", len(store.items), len(store.sent))
	}
	if store.commits > 21+3 {
		t.Errorf("%d commits for 21 posts, want about one each", store.commits)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	parentTS := store.sent["parent"].TS
	for _, p := range api.threads[1:] {
		if !strings.HasSuffix(p, " → "+parentTS) {
			t.Errorf("post %q not in the parent's thread (%s)", p, parentTS)
		}
	}
}

// countingOutbox counts the memOutbox's writes, each a commit in bbolt.
type countingOutbox struct {
	*memOutbox
	commits int
}

func (c *countingOutbox) count() { c.mu.Lock(); c.commits++; c.mu.Unlock() }

func (c *countingOutbox) Attempt(seq uint64, at time.Time, ds ...rituals.Delivery) error {
	c.count()
	return c.memOutbox.Attempt(seq, at, ds...)
}

func (c *countingOutbox) Delivered(seq uint64, sm rituals.SentMessage) error {
	c.count()
	return c.memOutbox.Delivered(seq, sm)
}

func (c *countingOutbox) DeliveredAll(ds []rituals.Delivery) error {
	c.count()
	return c.memOutbox.DeliveredAll(ds)
}
