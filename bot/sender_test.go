package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// memOutbox is an in-memory rituals.OutboxStore.
type memOutbox struct {
	mu      sync.Mutex
	seq     uint64
	items   map[uint64]rituals.OutboxItem
	sent    map[string]rituals.SentMessage
	dropped map[string]string
	read    int // items returned by Pending and PendingAfter
}

func newMemOutbox() *memOutbox {
	return &memOutbox{items: map[uint64]rituals.OutboxItem{}, sent: map[string]rituals.SentMessage{}, dropped: map[string]string{}}
}

func (o *memOutbox) Enqueue(now time.Time, msgs ...rituals.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		o.seq++
		o.items[o.seq] = rituals.OutboxItem{Seq: o.seq, Message: m, Enqueued: now}
	}
	return nil
}

func (o *memOutbox) LastSeq() (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.seq, nil
}

func (o *memOutbox) Pending(limit int) ([]rituals.OutboxItem, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []rituals.OutboxItem
	for _, it := range o.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	o.read += len(out)
	return out, nil
}

func (o *memOutbox) PendingAfter(seq uint64, limit int) ([]rituals.OutboxItem, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []rituals.OutboxItem
	for _, it := range o.items {
		if it.Seq > seq {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	o.read += len(out)
	return out, nil
}

func (o *memOutbox) UrgentSeqs() ([]uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var seqs []uint64
	for seq, it := range o.items {
		if it.Message.Urgent {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}

func (o *memOutbox) Item(seq uint64) (rituals.OutboxItem, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, ok := o.items[seq]
	return it, ok, nil
}

func (o *memOutbox) Delivered(seq uint64, sm rituals.SentMessage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[o.items[seq].Message.Key] = sm
	delete(o.items, seq)
	return nil
}

func (o *memOutbox) DeliveredAll(ds []rituals.Delivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.deliveredAll(ds)
	return nil
}

func (o *memOutbox) deliveredAll(ds []rituals.Delivery) {
	for _, d := range ds {
		if it, ok := o.items[d.Seq]; ok {
			if _, edited := o.sent[it.Message.Key]; !it.Message.Update || !edited {
				o.sent[it.Message.Key] = d.Sent
			}
			delete(o.items, d.Seq)
		}
	}
}

func (o *memOutbox) Attempt(seq uint64, at time.Time, ds ...rituals.Delivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.deliveredAll(ds)
	it := o.items[seq]
	if it.InFlight.IsZero() {
		it.InFlight = at
	}
	o.items[seq] = it
	return nil
}

func (o *memOutbox) Retry(seq uint64, notBefore time.Time, reason string, maybeSent bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	it := o.items[seq]
	it.Attempts++
	it.NotBefore, it.LastError = notBefore, reason
	if !maybeSent {
		it.InFlight = time.Time{}
	}
	o.items[seq] = it
	return nil
}

func (o *memOutbox) Drop(seq uint64, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dropped[o.items[seq].Message.Key] = reason
	delete(o.items, seq)
	return nil
}

func (o *memOutbox) Sent(key string) (rituals.SentMessage, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	sm, ok := o.sent[key]
	return sm, ok, nil
}

// scriptedSlack answers chat.postMessage from a script of errors, then ok.
type scriptedSlack struct {
	mu       sync.Mutex
	failures map[string][]error // by channel: errors to return first
	posts    []string           // channel/text of accepted posts, in order
	calls    int
}

func (s *scriptedSlack) PostMessageContext(_ context.Context, channel string, opts ...slack.MsgOption) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if errs := s.failures[channel]; len(errs) > 0 {
		s.failures[channel] = errs[1:]
		return "", "", errs[0]
	}
	_, values, err := slack.UnsafeApplyMsgOptions("xoxb-test", channel, "https://slack.invalid/api/", opts...)
	if err != nil {
		return "", "", err
	}
	s.posts = append(s.posts, channel+"/"+values.Get("text"))
	return channel, fmt.Sprintf("1700000000.%06d", len(s.posts)), nil
}

func (s *scriptedSlack) UpdateMessageContext(_ context.Context, channel, ts string, _ ...slack.MsgOption) (string, string, string, error) {
	return channel, ts, "", nil
}

func (s *scriptedSlack) UploadFileContext(context.Context, slack.UploadFileParameters) (*slack.FileSummary, error) {
	return nil, errors.New("no uploads in this test")
}

// A scripted failure never posts: reading back finds nothing.

func (s *scriptedSlack) OpenConversationContext(_ context.Context, p *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error) {
	ch := &slack.Channel{}
	ch.ID = "D" + p.Users[0][1:]
	return ch, false, false, nil
}

func (s *scriptedSlack) GetConversationHistoryContext(context.Context, *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	return &slack.GetConversationHistoryResponse{}, nil
}

func (s *scriptedSlack) GetConversationRepliesContext(context.Context, *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	return nil, false, "", nil
}

func runSender(t *testing.T, api *scriptedSlack, store *memOutbox, msgs ...rituals.Message) *Sender {
	t.Helper()
	s := &Sender{API: api, Store: store, Limiter: NewRateLimiter(nil), Log: zerolog.Nop(), Backoff: time.Millisecond, LookAfter: time.Millisecond, MaxAttempts: 3, MaxAge: -1}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	if err := store.Enqueue(time.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	s.Wake()
	wait, cancelWait := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelWait()
	if err := s.WaitIdle(wait); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSenderRetriesUntilDeliveredOnce(t *testing.T) {
	api := &scriptedSlack{failures: map[string][]error{
		"C0RATE": {&slack.RateLimitedError{RetryAfter: 10 * time.Millisecond}},
		"C0DOWN": {slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, slack.SlackErrorResponse{Err: "internal_error"}},
	}}
	store := newMemOutbox()
	runSender(t, api, store,
		rituals.Message{Key: "a", To: "C0RATE", Text: "after a 429"},
		rituals.Message{Key: "b", To: "C0DOWN", Text: "after two 5xx"},
		rituals.Message{Key: "c", To: "C0RATE", Text: "second in its channel"},
	)
	sort.Strings(api.posts)
	want := []string{"C0DOWN/after two 5xx", "C0RATE/after a 429", "C0RATE/second in its channel"}
	if fmt.Sprint(api.posts) != fmt.Sprint(want) {
		t.Errorf("posts = %v, want each once: %v", api.posts, want)
	}
	if len(store.sent) != 3 || len(store.dropped) != 0 {
		t.Errorf("sent %d, dropped %v", len(store.sent), store.dropped)
	}
}

func TestSenderKeepsOrderWithinAConversation(t *testing.T) {
	api := &scriptedSlack{failures: map[string][]error{"C0A": {slack.StatusCodeError{Code: 502}}}}
	store := newMemOutbox()
	runSender(t, api, store,
		rituals.Message{Key: "1", To: "C0A", Text: "first"},
		rituals.Message{Key: "2", To: "C0A", Text: "second"},
	)
	if fmt.Sprint(api.posts) != "[C0A/first C0A/second]" {
		t.Errorf("posts = %v; a failed first message must not be overtaken by the second", api.posts)
	}
}

func TestSenderDropsWhatSlackRefusesForGood(t *testing.T) {
	api := &scriptedSlack{failures: map[string][]error{
		"C0GONE": {slack.SlackErrorResponse{Err: "channel_not_found"}},
		"C0FLAP": {slack.StatusCodeError{Code: 500}, slack.StatusCodeError{Code: 500}, slack.StatusCodeError{Code: 500}, slack.StatusCodeError{Code: 500}},
	}}
	store := newMemOutbox()
	runSender(t, api, store,
		rituals.Message{Key: "gone", To: "C0GONE", Text: "x"},
		rituals.Message{Key: "flap", To: "C0FLAP", Text: "y"},
		rituals.Message{Key: "ok", To: "C0OK", Text: "z"},
	)
	if store.dropped["gone"] == "" || store.dropped["flap"] == "" {
		t.Errorf("dropped = %v, want the refused message and the one that failed MaxAttempts times", store.dropped)
	}
	if api.calls != 1+3+1 {
		t.Errorf("%d calls; want 1 for the refused message, 3 attempts for the failing one, 1 for the good one", api.calls)
	}
	if _, ok := store.sent["ok"]; !ok {
		t.Error("a good message was held up by bad ones")
	}
}

func TestPermanentErrors(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{slack.SlackErrorResponse{Err: "channel_not_found"}, true},
		{slack.SlackErrorResponse{Err: "invalid_blocks"}, true},
		{slack.SlackErrorResponse{Err: "msg_too_long"}, true},
		{slack.SlackErrorResponse{Err: "internal_error"}, false},
		{slack.SlackErrorResponse{Err: "invalid_auth"}, false},
		{slack.StatusCodeError{Code: 500}, false},
		{slack.StatusCodeError{Code: 429}, false},
		{slack.StatusCodeError{Code: 400}, true},
		{context.DeadlineExceeded, false},
		{errNothingToUpdate, true},
		{errors.New("connection reset by peer"), false},
	}
	for _, tt := range tests {
		if got := permanent(tt.err); got != tt.want {
			t.Errorf("permanent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
