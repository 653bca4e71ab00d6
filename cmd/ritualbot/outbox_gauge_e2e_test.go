package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
)

const gaugeConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
rituals:
  - name: monthly
    kind: reminder
    channel: C0GENERAL
    schedule: "0 10 1 * *"
    text: "Monthly"
`

// A restart with messages left in the outbox shows them on /metrics from
// the first scrape, before the sender has read the outbox, while Slack
// refuses every post: a dashboard (or a test waiting for the outbox to
// drain) must not see an empty outbox that is not.
func TestOutboxGaugeShowsWhatTheStoreHoldsFromTheFirstScrape(t *testing.T) {
	h := newHarness(t, gaugeConfig, at(t, "2026-11-17 12:00", berlin), slackfake.Options{})
	db, err := store.Open(h.storePath())
	if err != nil {
		t.Fatal(err)
	}
	var msgs []rituals.Message
	for i := range 3 {
		msgs = append(msgs, rituals.Message{Key: fmt.Sprintf("left-%d", i), To: "C0GENERAL", Text: "left by the last run"})
	}
	if err := db.Enqueue(h.clock.Now(), msgs...); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	h.fake.FailRandomly("chat.postMessage", slackfake.RandomFaults{Rate: 1, Faults: []slackfake.Fault{{Status: 503}}})

	// The sender's reads of the outbox wait until the test has scraped:
	// the first scrape is then surely before the sender's first pass.
	scraped := make(chan struct{})
	var release sync.Once
	open := func() { release.Do(func() { close(scraped) }) }
	t.Cleanup(open)
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	h.fake.GrantScopes(manifestScopes(t, loaded))
	h.m = &Main{
		Loaded: loaded, Env: func(k string) string { return h.env[k] }, Clock: h.clock, Log: zerolog.New(h.logs),
		HTTPClient: &http.Client{Timeout: 3 * time.Second}, RetryBackoff: 50 * time.Millisecond,
		StoreOptions: []store.Option{store.WithObserver(func(op string, _ time.Duration) {
			if op == "pending" {
				<-scraped
			}
		})},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.m.Run(ctx); err != nil {
		t.Fatalf("Main.Run: %v", err)
	}
	t.Cleanup(h.stop)
	t.Cleanup(open) // before the stop: the sender must get past its read to stop

	_, body := h.get("/metrics")
	open()
	if !strings.Contains(body, "\nritualbot_outbox_pending 3\n") {
		t.Errorf("first scrape after the restart: want ritualbot_outbox_pending 3, got:\n%s", grepLines(body, "ritualbot_outbox_pending"))
	}
}
