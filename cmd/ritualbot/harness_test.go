package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// harness runs the real Main against the fake Slack on a fake clock, for
// end-to-end tests and benchmarks.
type harness struct {
	t     testing.TB
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
	// quiet discards the bot's log (benchmarks, whose figures logging
	// would weigh on).
	quiet bool
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
func newHarness(t testing.TB, configYAML string, start time.Time, opts slackfake.Options) *harness {
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
		opts.RateLimits = map[string]slackfake.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}
		h.limits = map[string]bot.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}
	}
	h.fake = slackfake.New(opts)
	t.Cleanup(h.fake.Close)
	configYAML = strings.ReplaceAll(configYAML, "STORE", h.storePath())
	h.cfg = filepath.Join(h.dir, "config.yaml")
	if err := os.WriteFile(h.cfg, []byte(configYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	h.env = map[string]string{
		envBotToken: cmp.Or(opts.BotToken, "xoxb-fake-bot-token"),
		envAppToken: cmp.Or(opts.AppToken, "xapp-fake-app-token"),
		envAPIURL:   h.fake.APIURL(),
	}
	return h
}

// storePath is the store file the config names.
func (h *harness) storePath() string { return filepath.Join(h.dir, "ritualbot.db") }

// loosened returns rate limits for the fake and for the bot with the
// given methods (the bot's names) raised alike on both sides: a simulated
// week runs in seconds of wall time, while rate limits count wall minutes.
func loosened(methods ...string) (map[string]slackfake.Limit, map[string]bot.Limit) {
	fake, client := map[string]slackfake.Limit{}, map[string]bot.Limit{}
	for _, m := range methods {
		fake[m] = slackfake.Limit{PerMinute: 6000, Burst: 1000}
		client[m] = bot.Limit{PerMinute: 6000, Burst: 1000}
	}
	return fake, client
}

// start runs Main, as `ritualbot run` would.
func (h *harness) start() {
	h.t.Helper()
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		h.t.Fatal(err)
	}
	// A config that names no listen address would take the default
	// port, which parallel test processes (or anything else on the
	// machine) may hold: listen on a free loopback port instead.
	if raw, _ := os.ReadFile(h.cfg); !strings.Contains(string(raw), "listen:") {
		loaded.Config.HTTP.Listen = "127.0.0.1:0"
	}
	// The app is installed with the scopes its manifest asks for, and
	// the fake refuses any call they do not allow, as Slack does.
	h.fake.GrantScopes(manifestScopes(h.t, loaded))
	log := zerolog.New(h.logs).With().Timestamp().Logger()
	if h.quiet {
		log = zerolog.Nop()
	}
	h.m = &Main{
		Loaded: loaded,
		Env:    func(k string) string { return h.env[k] },
		Clock:  h.clock,
		Log:    log,
		// The fake pings every 10 s; a generous timeout keeps -race runs calm.
		PingInterval: time.Minute,
		SlackLimits:  h.limits,
		// After a 5xx or a timeout the sender waits one HTTP timeout before
		// looking for the post it may have made (30 s in production); on
		// loopback 3 s is ample, and keeps a test with a 500 from waiting
		// half a minute. Backoffs likewise.
		HTTPClient:   &http.Client{Timeout: 3 * time.Second},
		RetryBackoff: 50 * time.Millisecond,
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

// stop shuts Main down as SIGTERM would. Every test also checks that no
// text the bot sent was cut inside a mention, a link or an entity.
func (h *harness) stop() {
	if h.m == nil {
		return
	}
	for _, t := range h.fake.BrokenFormatting() {
		h.t.Errorf("the bot sent a text cut inside a token: …%s", t[max(0, len(t)-80):])
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
	if err := demo.RunClockUntil(context.Background(), h.m, h.clock, t, h.m.Loaded.Config.Timezone, 30*time.Second); err != nil {
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
	// What the command posts goes through the outbox after the ack; a
	// person sees it a moment later, and so does the test.
	h.settle()
	return h.lateReply(user, r.Ack)
}

// lateReply is the answer the member sees to a command acked with "Working
// on it…" (its work outlived the ack deadline, as it may under the race
// detector on a busy machine): the reply that followed through response_url,
// as an ack payload. Any other ack is returned as it is.
func (h *harness) lateReply(user string, ack []byte) string {
	h.t.Helper()
	var p struct{ Text string }
	if json.Unmarshal(ack, &p) != nil || p.Text != "Working on it…" {
		return string(ack)
	}
	eph := h.fake.Ephemerals(user)
	if len(eph) == 0 || eph[len(eph)-1].Text == "Working on it…" {
		return string(ack) // none followed, or it went to the channel
	}
	late := eph[len(eph)-1]
	out, err := json.Marshal(map[string]any{"response_type": "ephemeral", "text": late.Text, "blocks": late.Blocks})
	if err != nil {
		h.t.Fatal(err)
	}
	return string(out)
}

// texts returns the texts of messages, block text included.
func texts(msgs []slackfake.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, asRead(m.Text+" "+string(m.Blocks)))
	}
	return out
}

// dateTokenRE is a Slack date token, <!date^UNIX^FORMAT|fallback>, as
// text or inside JSON (where < and > are escaped).
var dateTokenRE = regexp.MustCompile(`(?:<|\\u003c)!date\^([0-9]+)\^[^|]*\|(.*?)(?:>|\\u003e)`)

// asRead is text as a client that cannot format dates shows it: each date
// token as its fallback.
func asRead(s string) string { return dateTokenRE.ReplaceAllString(s, "$2") }

// readIn is text as a member in loc reads it: each date token as the
// instant in their zone.
func readIn(s string, loc *time.Location) string {
	return dateTokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		sec, _ := strconv.ParseInt(dateTokenRE.FindStringSubmatch(tok)[1], 10, 64)
		return time.Unix(sec, 0).In(loc).Format("Mon 2 Jan 15:04 MST")
	})
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
	return asRead(strings.Join(append([]string{m.Text}, blockParts(t, m.Blocks)...), "\n"))
}

// blockParts is what a person reads of Block Kit blocks, a part each: a
// block's text, its fields and its elements (context texts, buttons in
// brackets) in order.
func blockParts(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	type text struct{ Text any }
	var blocks []struct {
		Type      string
		Text      text
		Fields    []text
		Elements  []json.RawMessage
		Accessory json.RawMessage
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &blocks); err != nil {
			t.Fatalf("blocks %.200s: %v", raw, err)
		}
	}
	var parts []string
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
	return parts
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

// find returns the messages whose readable text contains substr.
func find(t testing.TB, msgs []slackfake.Message, substr string) []slackfake.Message {
	t.Helper()
	var out []slackfake.Message
	for _, m := range msgs {
		if strings.Contains(readable(t, m), substr) {
			out = append(out, m)
		}
	}
	return out
}

func one(t testing.TB, msgs []slackfake.Message, substr, where string) slackfake.Message {
	t.Helper()
	got := find(t, msgs, substr)
	if len(got) != 1 {
		var all []string
		for _, m := range msgs {
			all = append(all, readable(t, m))
		}
		t.Fatalf("%d messages with %q in %s, want 1; all:\n%s", len(got), substr, where, strings.Join(all, "\n---\n"))
	}
	return got[0]
}

// wantIn reports each of wants that text (what a person reads, named by
// what) lacks.
func wantIn(t testing.TB, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}

// messagesWith keeps the messages whose text or blocks contain substr.
func messagesWith(msgs []slackfake.Message, substr string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range msgs {
		if strings.Contains(asRead(m.Text+string(m.Blocks)), substr) {
			out = append(out, m)
		}
	}
	return out
}

// lastWith is the newest of msgs whose text or blocks contain substr.
func lastWith(msgs []slackfake.Message, substr string) (slackfake.Message, bool) {
	got := messagesWith(msgs, substr)
	if len(got) == 0 {
		return slackfake.Message{}, false
	}
	return got[len(got)-1], true
}

// lastDM is the member's newest DM whose text or blocks contain substr.
func (h *harness) lastDM(user, substr string) slackfake.Message {
	h.t.Helper()
	m, ok := lastWith(h.fake.DMs(user), substr)
	if !ok {
		h.t.Fatalf("%s has no DM with %q", user, substr)
	}
	return m
}

// postedAt lists when each message whose text contains substr was posted.
func postedAt(t testing.TB, msgs []slackfake.Message, substr string) []time.Time {
	var out []time.Time
	for _, m := range msgs {
		if strings.Contains(m.Text, substr) {
			out = append(out, tsTime(t, m.TS))
		}
	}
	return out
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	h.t.Cleanup(cancel)
	return ctx
}

// waitFor waits until cond holds in the fake Slack (for the effects of
// events, which the bot acknowledges before handling), then settles.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	if err := h.fake.WaitFor(h.ctx(), cond); err != nil {
		h.t.Fatalf("waiting for %s: %v\nlogs:\n%s", what, err, grepLines(h.logs.String(), `"level":"error"`))
	}
	h.settle()
}

// click uses a button of the member's latest DM that has it.
func (h *harness) click(user, actionID string) {
	h.t.Helper()
	h.clickOn(user, h.lastDM(user, actionID), actionID)
}

// answers are a member's values by question (block) ID.
type answers map[string]string

// state is view_submission's view.state.values for answers: block ID →
// action ID → the plain_text_input's state.
func (a answers) state() map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, v := range a {
		out[id] = map[string]any{"value": map[string]any{"type": "plain_text_input", "value": v}}
	}
	return out
}

// submit submits the member's open modal with a, as Slack sends a
// view_submission, and returns the ack.
func (h *harness) submit(user string, a answers) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := h.fake.SubmitView(ctx, user, h.openView(user).ID, a.state())
	if err != nil {
		h.t.Fatalf("%s submits: %v", user, err)
	}
	h.settle()
	return string(r.Ack)
}

// home opens user's App Home tab, as Slack sends app_home_opened, and
// returns what it shows.
func (h *harness) home(user string) string {
	h.t.Helper()
	published := h.fake.Calls("views.publish")
	if err := h.fake.WaitFor(h.ctx(), h.fake.SocketConnected); err != nil {
		h.t.Fatal("the bot is not connected to the fake Slack")
	}
	if _, err := h.fake.SendEvent(h.ctx(), map[string]any{"type": "app_home_opened", "user": user, "channel": "D0" + user[3:], "tab": "home"}); err != nil {
		h.t.Fatal(err)
	}
	h.waitFor("the Home tab of "+user, func() bool { return h.fake.Calls("views.publish") > published && h.fake.HomeView(user) != nil })
	var v struct {
		Type   string          `json:"type"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(h.fake.HomeView(user), &v); err != nil || v.Type != "home" {
		h.t.Fatalf("Home of %s: %v %s", user, err, v.Type)
	}
	return strings.Join(blockParts(h.t, v.Blocks), "\n")
}

// webhookToken is RITUALBOT_WEBHOOK_TOKEN in tests that post webhooks.
const webhookToken = "deploy-token-1"

// deploy posts a deploy to POST /hooks/deploy, as a pipeline would.
func (h *harness) deploy(body string) {
	h.t.Helper()
	code, out := h.post("/hooks/deploy", body, map[string]string{"Authorization": "Bearer " + webhookToken})
	if code != http.StatusOK {
		h.t.Fatalf("POST /hooks/deploy %s: %d %s", body, code, out)
	}
}

// zeroTime is how Alertmanager writes the endsAt of a firing alert.
const zeroTime = "0001-01-01T00:00:00Z"

// manifestScopes are the bot scopes `ritualbot manifest` asks for.
func manifestScopes(t testing.TB, loaded *config.Loaded) []string {
	t.Helper()
	out, err := manifest(loaded)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
	}
	if err := yaml.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m.OAuth.Scopes.Bot
}
