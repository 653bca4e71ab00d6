package bot

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
)

// hookTransport calls before with each request's form body before the
// request leaves.
type hookTransport struct {
	before func(method, body string)
}

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		h.before(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], string(b))
	}
	return http.DefaultTransport.RoundTrip(r)
}

// editRace is the fake Slack with a channel, a real store, and a sender
// whose requests pass through hook first. deliver enqueues m and waits
// until the outbox is empty.
type editRace struct {
	fake    *slackfake.Server
	db      *store.DB
	sender  *Sender
	deliver func(m rituals.Message)
}

func newEditRace(t *testing.T, hook func(r *editRace, method, body string), tune ...func(*Sender)) *editRace {
	t.Helper()
	r := &editRace{fake: slackfake.New(slackfake.Options{DisableRateLimits: true})}
	t.Cleanup(r.fake.Close)
	r.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	r.fake.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ALICE", "U0BOT"}})
	db, err := store.Open(filepath.Join(t.TempDir(), "ritualbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.db = db
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(r.fake.APIURL()),
		slack.OptionHTTPClient(&http.Client{Timeout: 5 * time.Second,
			Transport: hookTransport{func(method, body string) { hook(r, method, body) }}}))
	r.sender = &Sender{API: api, Store: db, Limiter: NewRateLimiter(nil), Log: zerolog.Nop(), Backoff: 5 * time.Millisecond}
	for _, f := range tune {
		f(r.sender)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.sender.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	r.deliver = func(m rituals.Message) {
		t.Helper()
		if err := db.Enqueue(time.Now(), m); err != nil {
			t.Fatal(err)
		}
		r.sender.Wake()
		wait, cancelWait := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancelWait()
		if err := r.sender.WaitIdle(wait); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// replaceOnce returns a hook that, when edit A of "brief" leaves for
// Slack, enqueues edit B of it, as a second quick update does, and then
// lets fail happen to edit A's request.
func replaceOnce(t *testing.T, replaced *bool, fail func(r *editRace)) func(r *editRace, method, body string) {
	return func(r *editRace, method, body string) {
		if method != "chat.update" || *replaced || !strings.Contains(body, "edit+A") {
			return
		}
		*replaced = true // only one goroutine at a time sends the message's edits
		if err := r.db.Enqueue(time.Now(), rituals.Message{Key: "brief", To: "C0TEAM", Text: "edit B", Update: true}); err != nil {
			t.Error(err)
		}
		r.sender.Wake()
		if fail != nil {
			fail(r)
		}
	}
}

// wantOnly checks the channel holds one message reading text, and the
// outbox nothing.
func (r *editRace) wantOnly(t *testing.T, text string) {
	t.Helper()
	msgs := r.fake.ChannelMessages("C0TEAM")
	if len(msgs) != 1 || msgs[0].Text != text {
		t.Errorf("channel holds %+v, want one message reading %q", msgs, text)
	}
	if items, _ := r.db.Pending(0); len(items) != 0 {
		t.Errorf("outbox still holds %+v", items)
	}
}

// Two quick edits of one message: the second arrives while the sender is
// sending the first. The message must end with the second's text, not be
// left with the first's because the first's record removed the second.
func TestSenderSendsAnEditThatReplacedTheOneBeingSent(t *testing.T) {
	var replaced bool
	r := newEditRace(t, replaceOnce(t, &replaced, nil))
	r.deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "declared"})
	r.deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "edit A", Update: true})
	if !replaced {
		t.Fatal("edit A was never sent")
	}
	r.wantOnly(t, "edit B")
}

// Slack refusing for good an edit that a newer one has replaced while it
// was sent drops neither: the newer one is sent.
func TestSenderSendsTheNewerEditWhenSlackRefusesTheReplacedOne(t *testing.T) {
	var replaced bool
	r := newEditRace(t, replaceOnce(t, &replaced, func(r *editRace) {
		r.fake.FailNext("chat.update", 1, slackfake.Fault{SlackError: "msg_too_long"})
	}))
	r.deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "declared"})
	r.deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "edit A", Update: true})
	if !replaced {
		t.Fatal("edit A was never sent")
	}
	r.wantOnly(t, "edit B")
}

// Nor does giving up on an edit that keeps failing give up the newer
// content that replaced it while it was sent.
func TestSenderDoesNotGiveUpTheNewerEditWithTheReplacedOne(t *testing.T) {
	var replaced bool
	r := newEditRace(t, replaceOnce(t, &replaced, func(r *editRace) {
		r.fake.FailNext("chat.update", 1, slackfake.Fault{Status: http.StatusInternalServerError})
	}), func(s *Sender) { s.MaxAttempts, s.MaxAge = 1, time.Nanosecond })
	r.deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "declared"})
	r.deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "edit A", Update: true})
	if !replaced {
		t.Fatal("edit A was never sent")
	}
	r.wantOnly(t, "edit B")
}
