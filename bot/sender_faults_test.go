package bot

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// faultyWorkspace is the fake Slack with a channel and a member, and a
// sender whose HTTP client gives up after 300 ms, as the bot's does after
// its own timeout.
type faultyWorkspace struct {
	t      *testing.T
	fake   *slackfake.Server
	store  *memOutbox
	sender *Sender
	health *Health
}

func newFaultyWorkspace(t *testing.T) *faultyWorkspace {
	t.Helper()
	f := slackfake.New(slackfake.Options{DisableRateLimits: true})
	t.Cleanup(f.Close)
	f.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	f.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ALICE", "U0BOT"}})
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()),
		slack.OptionHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
	w := &faultyWorkspace{t: t, fake: f, store: newMemOutbox(), health: &Health{}}
	w.health.SetConnected(true, "")
	w.sender = &Sender{API: api, Store: w.store, Limiter: NewRateLimiter(nil), Log: zerolog.Nop(),
		Backoff: 5 * time.Millisecond, LookAfter: 300 * time.Millisecond, Health: w.health}
	return w
}

// run delivers msgs (and whatever the store already holds) until the
// outbox is empty.
func (w *faultyWorkspace) run(msgs ...rituals.Message) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.sender.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := w.store.Enqueue(time.Now(), msgs...); err != nil {
		w.t.Fatal(err)
	}
	w.sender.Wake()
	wait, cancelWait := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancelWait()
	if err := w.sender.WaitIdle(wait); err != nil {
		w.t.Fatal(err)
	}
}

// texts is what a person sees in a conversation, top-level and replies.
func (w *faultyWorkspace) texts(channel string) string {
	var out []string
	for _, m := range w.fake.ChannelMessages(channel) {
		prefix := ""
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			prefix = "  ↳ "
		}
		out = append(out, prefix+m.Text)
	}
	return strings.Join(out, "\n")
}

func TestSenderDoesNotRepostWhenTheAnswerWasLost(t *testing.T) {
	w := newFaultyWorkspace(t)
	// Each first attempt lands in Slack and its answer is lost: the
	// connection dropped, reset, or held past the client's timeout.
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, CloseConn: true})
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, Delay: time.Hour})
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, Reset: true})
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Accepted: true, Status: 504})
	w.run(
		rituals.Message{Key: "summary", To: "C0TEAM", Text: "Standup summary"},
		rituals.Message{Key: "prompt", To: "U0ALICE", Text: "Time for the standup"},
		rituals.Message{Key: "reply", To: "C0TEAM", ThreadKey: "summary", Text: "Alice's answer"},
		rituals.Message{Key: "note", To: "C0TEAM", Text: "A note"},
	)
	if got, want := w.texts("C0TEAM"), "Standup summary\n  ↳ Alice's answer\nA note"; got != want {
		t.Errorf("channel reads:\n%s\nwant each message once:\n%s", got, want)
	}
	if dms := w.fake.DMs("U0ALICE"); len(dms) != 1 {
		t.Errorf("%d DMs to Alice, want 1", len(dms))
	}
	// The records point at the messages that landed, so later edits and
	// replies find them.
	for _, key := range []string{"summary", "prompt", "reply", "note"} {
		sm, ok, _ := w.store.Sent(key)
		if !ok || sm.TS == "" || sm.Channel == "" {
			t.Errorf("%s recorded as %+v, %v", key, sm, ok)
		}
	}
	summary, _, _ := w.store.Sent("summary")
	if ms := w.fake.ChannelMessages("C0TEAM"); ms[0].TS != summary.TS {
		t.Errorf("summary recorded at %s, landed at %s", summary.TS, ms[0].TS)
	}
	// The look-ups cost one read each, and only for the uncertain items.
	if n := w.fake.Calls("conversations.history") + w.fake.Calls("conversations.replies"); n != 4 {
		t.Errorf("%d read-backs, want 4 (one per lost answer)", n)
	}
	if n := w.fake.Calls("conversations.open"); n != 1 {
		t.Errorf("%d conversations.open, want 1 (the DM's read-back)", n)
	}
}

func TestSenderPostsAgainWhenTheLostAttemptDidNotLand(t *testing.T) {
	w := newFaultyWorkspace(t)
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Reset: true})
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Delay: time.Hour})
	w.run(
		rituals.Message{Key: "a", To: "C0TEAM", Text: "first"},
		rituals.Message{Key: "b", To: "U0ALICE", Text: "second"},
	)
	if got := w.texts("C0TEAM"); got != "first" {
		t.Errorf("channel reads %q", got)
	}
	if dms := w.fake.DMs("U0ALICE"); len(dms) != 1 {
		t.Errorf("%d DMs, want 1", len(dms))
	}
}

func TestSenderLooksBeforeRepostingAfterACrash(t *testing.T) {
	w := newFaultyWorkspace(t)
	// The process died between Slack taking the post and the store
	// recording it: the item is in flight, the message is in Slack.
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(w.fake.APIURL()))
	if _, _, err := api.PostMessage("C0TEAM", slack.MsgOptionText("posted before the crash", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEventType, EventPayload: map[string]any{"key": "k1"}})); err != nil {
		t.Fatal(err)
	}
	if err := w.store.Enqueue(time.Now(), rituals.Message{Key: "k1", To: "C0TEAM", Text: "posted before the crash"},
		rituals.Message{Key: "k2", To: "C0TEAM", Text: "in flight, never reached Slack"}); err != nil {
		t.Fatal(err)
	}
	for seq := range uint64(2) {
		if err := w.store.Attempt(seq+1, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	w.run()
	if got, want := w.texts("C0TEAM"), "posted before the crash\nin flight, never reached Slack"; got != want {
		t.Errorf("after the restart the channel reads:\n%s\nwant:\n%s", got, want)
	}
}

func TestSenderFindsAnUploadWhoseAnswerWasLost(t *testing.T) {
	w := newFaultyWorkspace(t)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	w.fake.FailNext("files.completeUploadExternal", 1, slackfake.Fault{Accepted: true, CloseConn: true})
	w.run(
		rituals.Message{Key: "digest", To: "C0TEAM", Text: "Weekly digest"},
		rituals.Message{Key: "digest/chart", To: "C0TEAM", ThreadKey: "digest", Text: "Trend",
			Upload: &rituals.Upload{Filename: "trend.png", Title: "Eight weeks", Data: buf.Bytes()}},
	)
	if n := len(w.fake.Files()); n != 1 {
		t.Errorf("%d files shared, want the chart once", n)
	}
}

func TestSenderKeepsMessagesWhileSlackRefusesTheToken(t *testing.T) {
	w := newFaultyWorkspace(t)
	w.sender.MaxAttempts, w.sender.MaxAge = 2, -1 // would give up at once on any other failure
	w.fake.SetTokensRevoked(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.sender.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := w.store.Enqueue(time.Now(), rituals.Message{Key: "a", To: "C0TEAM", Text: "kept"}); err != nil {
		t.Fatal(err)
	}
	w.sender.Wake()
	wait, cancelWait := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelWait()
	if err := w.fake.WaitFor(wait, func() bool { return w.fake.Calls("chat.postMessage") >= 4 }); err != nil {
		t.Fatal(err)
	}
	if ok, reason := w.health.Connected(); ok || !strings.Contains(reason, "invalid_auth") {
		t.Errorf("health = %v %q while Slack refuses the token", ok, reason)
	}
	if len(w.store.dropped) != 0 {
		t.Fatalf("dropped %v while the token was refused", w.store.dropped)
	}
	w.fake.SetTokensRevoked(false)
	if err := w.sender.WaitIdle(wait); err != nil {
		t.Fatal(err)
	}
	if got := w.texts("C0TEAM"); got != "kept" {
		t.Errorf("channel reads %q, want the message once", got)
	}
	if ok, _ := w.health.Connected(); !ok {
		t.Error("health still refused after Slack took the token again")
	}
}

func TestMaybeSent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{slack.SlackErrorResponse{Err: "channel_not_found"}, false},
		{&slack.RateLimitedError{RetryAfter: time.Second}, false},
		{slack.StatusCodeError{Code: 400}, false},
		{slack.StatusCodeError{Code: 502}, true},
		{slack.StatusCodeError{Code: 503}, false},
		{context.DeadlineExceeded, true},
		{errNotSent{context.Canceled}, false},
	}
	for _, tt := range tests {
		if got := maybeSent(tt.err); got != tt.want {
			t.Errorf("maybeSent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
