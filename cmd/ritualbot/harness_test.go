package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/bot/slackfake"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
)

// harness runs the real Main against the fake Slack on a fake clock.
type harness struct {
	t     *testing.T
	fake  *slackfake.Server
	clock *rituals.FakeClock
	dir   string
	cfg   string // config file path
	env   map[string]string
	logs  *syncBuffer
	m     *Main
	// limits, if set, replace the client-side Slack limits.
	limits map[string]bot.Limit
	// setup, if set, runs on each Main before it starts (to stand in for
	// a provider another kind would set, such as the on-call lookup).
	setup func(m *Main)
}

// berlin is the zone most tests run in.
var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at reads "2006-01-02 15:04" in loc.
func at(t testing.TB, s string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newHarness writes the config (with STORE and the listen address filled
// in) and starts a fake Slack whose clock is the fake clock.
func newHarness(t *testing.T, configYAML string, start time.Time, opts slackfake.Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: rituals.NewFakeClock(start), dir: t.TempDir(), logs: &syncBuffer{}}
	if opts.Now == nil {
		opts.Now = h.clock.Now
	}
	if opts.RateLimits == nil && !opts.DisableRateLimits {
		// A simulated week runs in real seconds, so a week's posts to one
		// channel would meet Slack's one-per-second channel limit in a
		// burst. Both sides get the same limit scaled up; the limits
		// themselves are tested on their own.
		opts.RateLimits = map[string]slackfake.Limit{"chat.postMessage:channel": {PerMinute: 6000, Burst: 100}}
		h.limits = map[string]bot.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}
	}
	h.fake = slackfake.New(opts)
	t.Cleanup(h.fake.Close)
	configYAML = strings.ReplaceAll(configYAML, "STORE", filepath.Join(h.dir, "ritualbot.db"))
	h.cfg = filepath.Join(h.dir, "config.yaml")
	if err := os.WriteFile(h.cfg, []byte(configYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	h.env = map[string]string{
		envBotToken: defaultOr(opts.BotToken, "xoxb-fake-bot-token"),
		envAppToken: defaultOr(opts.AppToken, "xapp-fake-app-token"),
		envAPIURL:   h.fake.APIURL(),
	}
	return h
}

func defaultOr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// start runs Main, as `ritualbot run` would.
func (h *harness) start() {
	h.t.Helper()
	loaded, err := config.Load(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.m = &Main{
		Loaded: loaded,
		Env:    func(k string) string { return h.env[k] },
		Clock:  h.clock,
		Log:    zerolog.New(h.logs).With().Timestamp().Logger(),
		// The fake pings every 10 s; a generous timeout keeps -race runs calm.
		PingInterval: time.Minute,
		SlackLimits:  h.limits,
	}
	if h.setup != nil {
		h.setup(h.m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.m.Run(ctx); err != nil {
		h.t.Fatalf("Main.Run: %v", err)
	}
	h.t.Cleanup(h.stop)
	if h.m.Loaded.Config.Slack.Mode != "http" {
		h.waitConnected(true)
	}
	h.settle()
}

// stop shuts Main down as SIGTERM would.
func (h *harness) stop() {
	if h.m == nil {
		return
	}
	if err := h.m.Close(); err != nil {
		h.t.Errorf("Main.Close: %v", err)
	}
	h.m = nil
}

func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

// settle waits until everything due now has run and been delivered.
func (h *harness) settle() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.m.Settle(ctx); err != nil {
		h.t.Fatalf("settle at %s: %v", h.clock.Now(), err)
	}
}

// runUntil moves the clock to each pending timer up to t in turn, letting
// the bot act at each, then to t (as the demo plays time).
func (h *harness) runUntil(t time.Time) {
	h.t.Helper()
	if err := runClockUntil(context.Background(), h.m, h.clock, t, 30*time.Second); err != nil {
		h.t.Fatal(err)
	}
}

// waitConnected waits until /readyz's view of Slack is ok.
func (h *harness) waitConnected(ok bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		changed := h.m.Health.Changed()
		if got, _ := h.m.Health.Connected(); got == ok {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			h.t.Fatalf("Slack connected never became %v", ok)
		}
	}
}

// get fetches a path of the bot's HTTP server.
func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	resp, err := http.Get("http://" + h.m.Addr + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// command sends a slash command as a user would type it.
func (h *harness) command(user, channel, command, text string) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := h.fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: channel})
	if err != nil {
		h.t.Fatalf("%s %s: %v", command, text, err)
	}
	return string(r.Ack)
}

// texts returns the texts of messages, block text included.
func texts(msgs []slackfake.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text+" "+string(m.Blocks))
	}
	return out
}

// tsTime reads a Slack ts ("1700000000.000100") as an instant.
func tsTime(t testing.TB, ts string) time.Time {
	t.Helper()
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		t.Fatalf("bad ts %q", ts)
	}
	_ = frac
	return time.Unix(s, 0)
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func fmtTimes(ts []time.Time, loc *time.Location) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.In(loc).Format("Mon 01-02 15:04"))
	}
	return fmt.Sprint(s)
}

// readable is a message as a person reads it: its text, then each block's
// text, fields and context elements in order, buttons in brackets.
func readable(t testing.TB, m slackfake.Message) string {
	t.Helper()
	type text struct{ Text any }
	var blocks []struct {
		Type      string
		Text      text
		Fields    []text
		Elements  []json.RawMessage
		Accessory json.RawMessage
	}
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			t.Fatalf("blocks of %s: %v", m.TS, err)
		}
	}
	parts := []string{m.Text}
	element := func(raw json.RawMessage) {
		var el struct {
			Type string
			Text any
		}
		if len(raw) == 0 || json.Unmarshal(raw, &el) != nil {
			return
		}
		switch t := el.Text.(type) {
		case string: // a context's mrkdwn or plain_text element
			parts = append(parts, t)
		case map[string]any: // a button
			if s, ok := t["text"].(string); ok {
				parts = append(parts, "["+s+"]")
			}
		}
	}
	for _, b := range blocks {
		if s, ok := b.Text.Text.(string); ok {
			parts = append(parts, s)
		}
		for _, f := range b.Fields {
			if s, ok := f.Text.(string); ok {
				parts = append(parts, s)
			}
		}
		for _, e := range b.Elements {
			element(e)
		}
		element(b.Accessory)
	}
	return strings.Join(parts, "\n")
}

// openView is the modal on top of the member's stack.
func (h *harness) openView(user string) slackfake.View {
	h.t.Helper()
	views := h.fake.OpenViews(user)
	if len(views) == 0 {
		h.t.Fatalf("%s has no open modal", user)
	}
	return views[len(views)-1]
}

// clickOn is a member clicking a button of a message, as Slack sends a
// block_actions payload.
func (h *harness) clickOn(user string, msg slackfake.Message, actionID string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.fake.SendBlockAction(ctx, user, msg.Channel, msg.TS, actionID, ""); err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
	h.settle()
}

// post sends a JSON POST (a webhook) to the running bot, lets it settle,
// and returns the status and the body.
func (h *harness) post(path, body string, header map[string]string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h.settle()
	return resp.StatusCode, string(b)
}

// errorOf is the reason in a webhook's `{"error": …}` answer, or the body.
func errorOf(body string) string {
	var e struct{ Error string }
	if json.Unmarshal([]byte(body), &e) == nil && e.Error != "" {
		return e.Error
	}
	return body
}
