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

// Two quick edits of one message: the second arrives while the sender is
// sending the first. The message must end with the second's text, not be
// left with the first's because the first's record removed the second.
func TestSenderSendsAnEditThatReplacedTheOneBeingSent(t *testing.T) {
	f := slackfake.New(slackfake.Options{DisableRateLimits: true})
	t.Cleanup(f.Close)
	f.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	f.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ALICE", "U0BOT"}})
	db, err := store.Open(filepath.Join(t.TempDir(), "ritualbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	var sender *Sender
	replaced := false
	hook := func(method, body string) {
		if method != "chat.update" || replaced || !strings.Contains(body, "edit+A") {
			return
		}
		replaced = true // only this goroutine sends the message's edits
		if err := db.Enqueue(time.Now(), rituals.Message{Key: "brief", To: "C0TEAM", Text: "edit B", Update: true}); err != nil {
			t.Error(err)
		}
		sender.Wake()
	}
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()),
		slack.OptionHTTPClient(&http.Client{Transport: hookTransport{hook}, Timeout: 5 * time.Second}))
	sender = &Sender{API: api, Store: db, Limiter: NewRateLimiter(nil), Log: zerolog.Nop(), Backoff: 5 * time.Millisecond}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = sender.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deliver := func(m rituals.Message) {
		t.Helper()
		if err := db.Enqueue(time.Now(), m); err != nil {
			t.Fatal(err)
		}
		sender.Wake()
		wait, cancelWait := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancelWait()
		if err := sender.WaitIdle(wait); err != nil {
			t.Fatal(err)
		}
	}
	deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "declared"})
	deliver(rituals.Message{Key: "brief", To: "C0TEAM", Text: "edit A", Update: true})

	if !replaced {
		t.Fatal("edit A was never sent")
	}
	msgs := f.ChannelMessages("C0TEAM")
	if len(msgs) != 1 || msgs[0].Text != "edit B" {
		t.Errorf("channel holds %+v, want one message reading \"edit B\"", msgs)
	}
	if items, _ := db.Pending(0); len(items) != 0 {
		t.Errorf("outbox still holds %+v", items)
	}
}
