package bot

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// attemptCounter counts the marks in flight, each a commit in bbolt.
type attemptCounter struct {
	*countingOutbox
	attempts int
}

func (c *attemptCounter) Attempt(seq uint64, at time.Time, ds ...rituals.Delivery) error {
	c.mu.Lock()
	c.attempts++
	c.mu.Unlock()
	return c.countingOutbox.Attempt(seq, at, ds...)
}

// A reply a person waits for goes without a commit of its own before it:
// the one marking it in flight lands behind the command's, where the next
// command waits for it. Routine messages are marked as before.
func TestSenderMarksNoUrgentPostOfThisRunBeforeItGoes(t *testing.T) {
	api := &gatedSlack{gate: make(chan struct{})}
	close(api.gate)
	store := &attemptCounter{countingOutbox: &countingOutbox{memOutbox: newMemOutbox()}}
	s := startSender(t, api, store)
	waitIdle(t, s) // started: what is enqueued now is this run's
	var urgent []rituals.Message
	for i := range 6 {
		urgent = append(urgent, rituals.Message{Key: fmt.Sprint("reply-", i), To: fmt.Sprint("U0P", i%3), Text: "Done", Urgent: true})
	}
	if err := store.Enqueue(time.Now(), urgent...); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	waitIdle(t, s)
	store.mu.Lock()
	attempts, commits, left := store.attempts, store.commits, len(store.items)
	store.mu.Unlock()
	if attempts != 0 || left != 0 {
		t.Errorf("6 urgent posts: %d marked in flight, %d left in the outbox; want 0 and 0", attempts, left)
	}
	if commits > 6 {
		t.Errorf("6 urgent posts cost %d commits, want at most one each (their records)", commits)
	}
	if err := store.Enqueue(time.Now(), rituals.Message{Key: "fanout", To: "C0A", Text: "Time for the standup"}); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	waitIdle(t, s)
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.attempts != 1 {
		t.Errorf("a routine post marked %d times, want once", store.attempts)
	}
}

// An urgent post whose answer was lost is looked for before it goes
// again, marked or not.
func TestSenderDoesNotRepostAnUrgentReplyWhoseAnswerWasLost(t *testing.T) {
	w := newFaultyWorkspace(t)
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, CloseConn: true})
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, Delay: time.Hour})
	s := w.sender
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitIdle(t, s) // started: what is enqueued now is this run's
	if err := w.store.Enqueue(time.Now(),
		rituals.Message{Key: "reply", To: "C0TEAM", Text: "Added to the timeline", Urgent: true},
		rituals.Message{Key: "dm", To: "U0ALICE", Text: "You are on call", Urgent: true}); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	waitIdle(t, s)
	if got := w.texts("C0TEAM"); got != "Added to the timeline" {
		t.Errorf("channel reads %q, want the reply once", got)
	}
	if dms := w.fake.DMs("U0ALICE"); len(dms) != 1 {
		t.Errorf("%d DMs to Alice, want 1", len(dms))
	}
	if n := w.fake.Calls("conversations.history"); n != 2 {
		t.Errorf("%d read-backs, want 2 (one per lost answer)", n)
	}
}

// A former run may have posted an urgent reply unmarked and died before
// recording it: the next start looks for each urgent post it finds
// pending before posting it.
func TestSenderLooksForTheUrgentPostsAFormerRunLeft(t *testing.T) {
	w := newFaultyWorkspace(t)
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(w.fake.APIURL()))
	if _, _, err := api.PostMessage("C0TEAM", slack.MsgOptionText("posted before the crash", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEventType, EventPayload: map[string]any{"key": "k1"}})); err != nil {
		t.Fatal(err)
	}
	if err := w.store.Enqueue(time.Now(),
		rituals.Message{Key: "k1", To: "C0TEAM", Text: "posted before the crash", Urgent: true},
		rituals.Message{Key: "k2", To: "C0TEAM", Text: "never reached Slack", Urgent: true}); err != nil {
		t.Fatal(err)
	}
	w.run()
	if got, want := w.texts("C0TEAM"), "posted before the crash\nnever reached Slack"; got != want {
		t.Errorf("after the restart the channel reads:\n%s\nwant:\n%s", got, want)
	}
}

// A read of the outbox whose transaction began before a delivery's record
// was committed still holds the item: it is passed over, or it would be
// posted twice. Once a read began after the commit, it is forgotten.
func TestSenderPassesOverADeliveryRecordedDuringARead(t *testing.T) {
	s := &Sender{Store: newMemOutbox()}
	item := rituals.OutboxItem{Seq: 7, Message: rituals.Message{Key: "k", To: "C0A", Urgent: true}}
	s.delivered(item, rituals.SentMessage{Channel: "C0A", TS: "1.000001"}, zerolog.Nop())
	got, _ := s.readOutbox(func() ([]rituals.OutboxItem, error) {
		// The read's transaction began; now the record commits.
		s.recordedDeliveries(s.takeDeliveries(), nil)
		return []rituals.OutboxItem{item}, nil
	})
	if len(got) != 0 {
		t.Errorf("a read that began before the record returned %+v, want the delivered item passed over", got)
	}
	if _, err := s.readOutbox(func() ([]rituals.OutboxItem, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(s.unrecorded.recorded); n != 0 {
		t.Errorf("%d records remembered after a read that began after them, want 0", n)
	}
}
