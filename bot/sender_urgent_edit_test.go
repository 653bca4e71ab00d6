package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

// orderedSlack is gatedSlack, also noting its posts and edits in the one
// order Slack sees them.
type orderedSlack struct {
	gatedSlack
	calls []string // "post TEXT" or "edit TEXT"
}

func (o *orderedSlack) PostMessageContext(ctx context.Context, channel string, opts ...slack.MsgOption) (string, string, error) {
	_, values, _ := slack.UnsafeApplyMsgOptions("xoxb-test", channel, "https://slack.invalid/api/", opts...)
	ch, ts, err := o.gatedSlack.PostMessageContext(ctx, channel, opts...)
	if err == nil {
		o.mu.Lock()
		o.calls = append(o.calls, "post "+values.Get("text"))
		o.mu.Unlock()
	}
	return ch, ts, err
}

func (o *orderedSlack) UpdateMessageContext(ctx context.Context, channel, ts string, opts ...slack.MsgOption) (string, string, string, error) {
	_, values, _ := slack.UnsafeApplyMsgOptions("xoxb-test", channel, "https://slack.invalid/api/", opts...)
	ch, ts, text, err := o.gatedSlack.UpdateMessageContext(ctx, channel, ts, opts...)
	if err == nil {
		o.mu.Lock()
		o.calls = append(o.calls, "edit "+values.Get("text"))
		o.mu.Unlock()
	}
	return ch, ts, text, err
}

// A person's click edits a message a routine edit of which waits behind a
// backlog: the store puts the click's content in the routine edit's place
// and makes it urgent there, with no new item for the sender to read. The
// batch the sender holds must send it first all the same, not after the
// backlog (minutes of it, at Slack's one post a second per channel), and
// the post it edits before it if that too waits behind the backlog.
func TestSenderSendsAnUrgentEditThatReplacedARoutineOneFirst(t *testing.T) {
	t.Run("of a message posted before", func(t *testing.T) {
		testUrgentEditInPlace(t, false)
	})
	t.Run("of a post waiting behind the backlog", func(t *testing.T) {
		testUrgentEditInPlace(t, true)
	})
}

func testUrgentEditInPlace(t *testing.T, postPending bool) {
	const backlog = 50
	db, err := store.Open(filepath.Join(t.TempDir(), "ritualbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	poll := rituals.Message{Key: "poll", To: "C0BUSY", Text: "poll: 0 votes"}
	if !postPending {
		if err := db.Enqueue(time.Now(), poll); err != nil {
			t.Fatal(err)
		}
		if err := db.Delivered(1, rituals.SentMessage{Key: "poll", Channel: "C0BUSY", TS: "1699999999.000001", Sent: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	st := &readCountingStore{DB: db, read: make(chan struct{}, 1)}
	api := &orderedSlack{gatedSlack: gatedSlack{gate: make(chan struct{})}}
	s := startSender(t, api, st)

	// One channel, one call in flight at a time: the first of the backlog
	// is held at the gate while the rest, and the routine edit, wait.
	var msgs []rituals.Message
	for i := range backlog {
		msgs = append(msgs, rituals.Message{Key: fmt.Sprint("backlog-", i), To: "C0BUSY", Text: fmt.Sprint("backlog ", i)})
	}
	if postPending {
		msgs = append(msgs, poll)
	}
	msgs = append(msgs, rituals.Message{Key: "poll", To: "C0BUSY", Update: true, Text: "poll: 1 vote"})
	if err := db.Enqueue(time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	seq, err := db.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	st.waitRead(t, seq)

	// The click: its edit replaces the routine one in place.
	select {
	case <-st.read:
	default:
	}
	if err := db.Enqueue(time.Now(), rituals.Message{Key: "poll", To: "C0BUSY", Update: true, Text: "poll: 2 votes", Urgent: true}); err != nil {
		t.Fatal(err)
	}
	if after, err := db.LastSeq(); err != nil || after != seq {
		t.Fatalf("the urgent edit was queued as item %d (%v), want it in place of item %d", after, err, seq)
	}
	s.Wake()
	select {
	case <-st.read:
	case <-time.After(10 * time.Second):
		t.Fatal("the sender never read the outbox after the click")
	}
	close(api.gate)
	waitIdle(t, s)

	want := []string{"post backlog 0"}
	if postPending {
		want = append(want, "post poll: 0 votes")
	}
	want = append(want, "edit poll: 2 votes")
	for i := 1; i < backlog; i++ {
		want = append(want, fmt.Sprint("post backlog ", i))
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if !slices.Equal(api.calls, want) {
		t.Errorf("Slack saw, in this order:\n%q\nwant the post in flight, the urgent edit (after its post), then the backlog:\n%q", head(api.calls), head(want))
	}
	items, err := db.Pending(0)
	if err != nil || len(items) != 0 {
		t.Errorf("outbox still holds %d items (%v)", len(items), err)
	}
}
