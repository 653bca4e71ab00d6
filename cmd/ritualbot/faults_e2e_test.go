package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
)

// A week of every ritual, run once against a healthy Slack and once under
// each fault mode; what people see and what they submitted must come out
// the same. The rituals: a standup (thread summaries, a reminder), an
// on-call rotation (handoff, heads-up, topic, an override), incidents (a
// declaration, updates, an action item, a retro answered and published),
// two reminders, and a digest with its chart.
const faultWeekConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
catch_up: 2h
admins: [U0ADMIN]
teams:
  - {id: payments, name: Payments, channel: C0PAYMENTS, members: [U0ALICE, U0BOB, U0CAROL], leads: [U0ALICE]}
rituals:
  - name: payments-standup
    kind: standup
    team: payments
    schedule: "0 9 * * MON-FRI"
    remind_after: 1h
    summary_after: 2h
    summary: thread
    questions:
      - {id: yesterday, text: "What did you get done yesterday?"}
      - {id: today, text: "What are you working on today?"}
      - {id: blockers, text: "Anything blocking you?", blocker: true}
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-16
    topic: true
    notify_before: 1d
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
    retro: {schedule: "0 10 * * MON-FRI", min_delay: 12h}
    actions_remind: "0 9 * * MON-FRI"
  - {name: ops-sync, kind: reminder, team: payments, schedule: "0 9 * * TUE", text: "Ops sync at 9:30. On call: {{.OnCall}}"}
  - {name: lunch, kind: reminder, team: payments, schedule: "0 12 * * FRI", text: "Team lunch!"}
  - {name: weekly-digest, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", teams: [payments]}
`

// faultMode is one way Slack misbehaves during the week.
type faultMode struct {
	name string
	// during switches the fault on for the whole week (nil: none).
	during func(w *faultWeek)
	// outage, if set, is one scripted outage on Tuesday morning, while
	// the 09:00 rituals fire; it checks /readyz during it and ends it.
	outage func(w *faultWeek)
	// counted is a /metrics series that must have counted the retries.
	counted *regexp.Regexp
}

// faultWeek is one run of the week.
type faultWeek struct {
	*harness
	mode faultMode
}

// everyCall is the Web API surface a fault mode hits: what the rituals
// send, and what they read and change. apps.connections.open is left to
// the Socket Mode modes.
var everyCall = []string{
	"chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.update", "views.publish",
	"files.getUploadURLExternal", "upload", "files.completeUploadExternal", "users.list", "users.info",
	"conversations.setTopic", "conversations.info", "conversations.history", "conversations.replies", "conversations.open",
}

func failRandomly(w *faultWeek, methods []string, rate float64, faults ...slackfake.Fault) {
	for i, m := range methods {
		w.fake.FailRandomly(m, slackfake.RandomFaults{Rate: rate, Seed: uint64(i + 1), Faults: faults})
	}
}

var faultModes = []faultMode{
	{name: "5xx", during: func(w *faultWeek) {
		failRandomly(w, everyCall, 0.2, slackfake.Fault{Status: 503}, slackfake.Fault{Status: 500}, slackfake.Fault{Status: 502, Accepted: true})
	}, counted: regexp.MustCompile(`ritualbot_slack_calls_total\{method="chat.postMessage",outcome="(retry|recovered)"\} [1-9]`)},
	{name: "timeouts", during: func(w *faultWeek) {
		// The fake holds the answer past the client's timeout (500 ms
		// here); half the time it has posted the message by then.
		failRandomly(w, []string{"chat.postMessage", "chat.update", "files.completeUploadExternal", "views.open"}, 0.15,
			slackfake.Fault{Delay: 5 * time.Second}, slackfake.Fault{Delay: 5 * time.Second, Accepted: true})
	}, counted: regexp.MustCompile(`ritualbot_slack_calls_total\{method="chat.postMessage",outcome="(retry|recovered)"\} [1-9]`)},
	{name: "429 storms", outage: func(w *faultWeek) {
		// Two storms with Retry-After: 1 while the 09:00 rituals post.
		w.fake.FailNext("chat.postMessage", 6, slackfake.Fault{Status: 429, RetryAfter: 1})
		w.fake.FailNext("chat.update", 2, slackfake.Fault{Status: 429, RetryAfter: 1})
		w.runUntil(at(w.t, "2026-11-24 09:00", berlin))
		w.fake.FailNext("chat.postMessage", 4, slackfake.Fault{Status: 429, RetryAfter: 1})
	}, counted: regexp.MustCompile(`ritualbot_slack_calls_total\{method="chat.postMessage",outcome="ratelimited"\} [1-9]`)},
	{name: "connection resets", during: func(w *faultWeek) {
		failRandomly(w, everyCall, 0.15, slackfake.Fault{Reset: true}, slackfake.Fault{Reset: true, Accepted: true})
	}, counted: regexp.MustCompile(`ritualbot_slack_calls_total\{method="chat.postMessage",outcome="(retry|recovered)"\} [1-9]`)},
	{name: "disconnect refresh_requested", outage: func(w *faultWeek) {
		// Slack rotates the connection and refuses the next few.
		w.fake.FailNext("apps.connections.open", 3, slackfake.Fault{Status: 503})
		w.fake.DisconnectSockets("refresh_requested")
		w.outageUntilReconnected("09:00")
	}, counted: regexp.MustCompile(`ritualbot_socket_reconnects_total\{reason="lost"\} [1-9]`)},
	{name: "disconnect too_many_websockets", outage: func(w *faultWeek) {
		// The bot backs off after each refusal (5, 10, 20… ms here).
		w.fake.RefuseSockets(6, "too_many_websockets")
		w.fake.DisconnectSockets("refresh_requested")
		w.outageUntilReconnected("09:00")
	}, counted: regexp.MustCompile(`ritualbot_socket_reconnects_total\{reason="refused"\} [1-9]`)},
	{name: "invalid_auth", outage: func(w *faultWeek) {
		// The tokens are refused mid-run while the 09:00 rituals fire,
		// then taken again: nothing is lost, /readyz says so meanwhile.
		w.fake.SetTokensRevoked(true)
		w.waitConnected(false)
		w.clock.Set(at(w.t, "2026-11-24 09:00", berlin))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := w.m.Scheduler.WaitSettled(ctx, w.clock.Now()); err != nil {
			w.t.Fatal(err)
		}
		if err := w.fake.WaitFor(ctx, func() bool { return w.m.Metrics != nil && strings.Contains(w.metrics(), `outcome="retry"`) }); err != nil {
			w.t.Fatalf("no send was tried while the token was refused: %v", err)
		}
		if code, body := w.get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "invalid_auth") {
			w.t.Errorf("/readyz = %d %q while Slack refuses the token, want 503 naming invalid_auth", code, body)
		}
		w.fake.SetTokensRevoked(false)
		w.waitConnected(true)
		w.settle()
		if code, body := w.get("/readyz"); code != http.StatusOK {
			w.t.Errorf("/readyz = %d %q after Slack took the token again", code, body)
		}
	}, counted: regexp.MustCompile(`ritualbot_socket_reconnects_total\{reason="auth_refused"\} [1-9]`)},
}

// outageUntilReconnected checks /readyz says 503 while the socket is
// down, lets the rituals of hh:mm on Tuesday fire meanwhile, and waits
// for the reconnect.
func (w *faultWeek) outageUntilReconnected(hhmm string) {
	w.t.Helper()
	w.waitConnected(false)
	if code, _ := w.get("/readyz"); code != http.StatusServiceUnavailable {
		w.t.Errorf("/readyz = %d while the socket is down, want 503", code)
	}
	w.clock.Set(at(w.t, "2026-11-24 "+hhmm, berlin))
	w.settle()
	w.waitConnected(true)
	if code, body := w.get("/readyz"); code != http.StatusOK {
		w.t.Errorf("/readyz = %d %q after reconnecting, want 200", code, body)
	}
}

func (w *faultWeek) metrics() string {
	_, body := w.get("/metrics")
	return body
}

func TestEveryRitualThroughAWeekOfFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated week per fault mode")
	}
	// No goroutine may outlive the bots: checked once all weeks are over
	// (they run in parallel, so one week's goroutines are not another's
	// leak).
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	defer http.DefaultClient.CloseIdleConnections()
	clean := runFaultWeek(t, faultMode{name: "healthy"})
	if len(clean.messages) < 40 {
		t.Fatalf("the healthy week says only %d things; the script is broken:\n%s", len(clean.messages), strings.Join(clean.messages, "\n"))
	}
	t.Run("modes", func(t *testing.T) {
		for _, mode := range faultModes {
			t.Run(strings.ReplaceAll(mode.name, " ", "_"), func(t *testing.T) {
				t.Parallel()
				checkFaultWeek(t, clean, mode)
			})
		}
	})
}

// checkFaultWeek runs the week under mode and compares it with the
// healthy one.
func checkFaultWeek(t *testing.T, clean weekOutcome, mode faultMode) {
	got := runFaultWeek(t, mode)
	if d := diffLines(clean.messages, got.messages); d != "" {
		t.Errorf("messages differ from the healthy week (- healthy, + %s):\n%s", mode.name, d)
	}
	if d := diffLines(clean.submissions, got.submissions); d != "" {
		t.Errorf("stored submissions differ from the healthy week (- healthy, + %s):\n%s", mode.name, d)
	}
	if !mode.counted.MatchString(got.metrics) {
		t.Errorf("/metrics did not count the retries (%s):\n%s", mode.counted, grepRegexp(got.metrics, "ritualbot_slack_calls_total|ritualbot_socket_reconnects_total"))
	}
	if got.injected == 0 && mode.during != nil {
		t.Error("no fault was injected")
	}
}

// weekOutcome is what a week left behind.
type weekOutcome struct {
	messages    []string // every message as a person reads it, once each
	submissions []string // what users submitted, as stored
	metrics     string
	injected    int
}

// runFaultWeek runs the week under mode.
func runFaultWeek(t *testing.T, mode faultMode) weekOutcome {
	t.Helper()
	var out weekOutcome
	func() {
		h := newFaultWeekHarness(t)
		h.start()
		w := &faultWeek{harness: h, mode: mode}
		if mode.during != nil {
			mode.during(w)
		}
		w.live()
		for _, m := range everyCall {
			out.injected += h.fake.Injected(m)
			h.fake.FailRandomly(m, slackfake.RandomFaults{})
		}
		h.settle()
		out.messages = w.readAll()
		out.metrics = w.metrics()
		if code, body := w.get("/readyz"); code != http.StatusOK {
			t.Errorf("/readyz = %d %q at the end of the week", code, body)
		}
		h.stop()
		out.submissions = storedSubmissions(t, h)
		h.fake.Close()
	}()
	return out
}

// newFaultWeekHarness is the week's workspace, with the bot's retry
// backoff at 5 ms and its HTTP timeout at 500 ms (those waits are on the
// wall clock).
func newFaultWeekHarness(t *testing.T) *harness {
	t.Helper()
	cfg := strings.Replace(faultWeekConfig, "STORE", filepath.Join(memTempDir(t), "ritualbot.db"), 1)
	h := newHarness(t, cfg, at(t, "2026-11-22 20:00", berlin), slackfake.Options{RateLimits: map[string]slackfake.Limit{
		// A week passes in seconds of wall time: loosen the limits
		// that count wall minutes, on both sides.
		"chat.postMessage": {PerMinute: 6000, Burst: 1000}, "chat.postMessage/channel": {PerMinute: 6000, Burst: 100},
		"users.list": {PerMinute: 6000, Burst: 1000},
		"views.open": {PerMinute: 6000, Burst: 1000}, "chat.update": {PerMinute: 6000, Burst: 1000},
		"conversations.setTopic": {PerMinute: 6000, Burst: 100}, "conversations.info": {PerMinute: 6000, Burst: 100},
		"apps.connections.open": {PerMinute: 600, Burst: 100},
	}})
	h.limits = map[string]bot.Limit{}
	for _, m := range []string{"chat.postMessage", "chat.postMessage/channel", "users.list", "views.open", "chat.update", "conversations.setTopic", "conversations.info"} {
		h.limits[m] = bot.Limit{PerMinute: 6000, Burst: 100}
	}
	h.setup = func(m *Main) {
		m.RetryBackoff = 5 * time.Millisecond
		m.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond}
	}
	for _, u := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0ADMIN"} {
		h.fake.AddUser(slackfake.User{ID: u, Name: strings.ToLower(u[2:]), TZ: "Europe/Berlin"})
	}
	members := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0BOT"}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Topic: "Runbook: wiki/payments", Members: members})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: append(members, "U0ADMIN")})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "digest", Members: members})
	return h
}

// live is the week: Monday to Friday, as the team lives it.
func (w *faultWeek) live() {
	t := w.t
	w.runUntil(at(t, "2026-11-23 09:30", berlin)) // Monday: prompts at 09:00
	w.answerStandup("U0ALICE", answers{"yesterday": "Reviewed the ledger PR", "today": "Payout retries", "blockers": "none"})
	w.answerStandup("U0BOB", answers{"yesterday": "On-call handover notes", "today": "Refund queue", "blockers": "-"})
	w.runUntil(at(t, "2026-11-23 14:00", berlin)) // handoff 10:00, reminder, summary 11:00
	w.slash("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	w.clock.Advance(20 * time.Minute)
	w.slash("U0BOB", "C0INCIDENTS", "/incident", "update #1 Rolled back deploy 4242")
	w.clock.Advance(40 * time.Minute)
	w.slash("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1 Rolled back; pool size raised")
	w.slash("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Alert on pool saturation")
	w.slash("U0ALICE", "C0PAYMENTS", "/digest", "highlight Shipped payout retries")

	// Tuesday: the scripted outage, if any, hits the 09:00 rituals.
	w.runUntil(at(t, "2026-11-24 08:59", berlin))
	if w.mode.outage != nil {
		w.mode.outage(w)
	}
	w.runUntil(at(t, "2026-11-24 09:20", berlin))
	w.answerStandup("U0CAROL", answers{"yesterday": "Refund queue backlog", "today": "Bank API", "blockers": "Waiting on the bank's API keys"})
	w.answerStandup("U0ALICE", answers{"yesterday": "Payout retries", "today": "Retro of #1", "blockers": "no"})
	w.runUntil(at(t, "2026-11-24 10:05", berlin)) // the retro prompt at 10:00
	w.answerRetro("U0BOB", map[string]map[string]any{
		"happened":  {"value": text("Deploy 4242 halved the pool size.")},
		"went_well": {"value": text("Rollback took four minutes.")},
	})
	w.clock.Advance(30 * time.Minute)
	w.clickDM("U0ALICE", incident.ActionRetroPublish)

	// Wednesday: Alice covers Thursday for Carol.
	w.runUntil(at(t, "2026-11-25 11:00", berlin))
	w.slash("U0ALICE", "C0PAYMENTS", "/oncall", "override <@U0CAROL|carol> 1d")
	w.runUntil(at(t, "2026-11-27 09:30", berlin))
	w.answerStandup("U0BOB", answers{"yesterday": "Refund queue", "today": "Digest numbers", "blockers": "none"})
	// Friday: lunch, the digest with its chart; then the weekend.
	w.runUntil(at(t, "2026-11-28 12:00", berlin))
}

// slash is a member typing a command; when Slack cannot reach the bot
// (the socket is down) they try again once it is back, as people do.
func (w *faultWeek) slash(user, channel, command, text string) string {
	w.t.Helper()
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, err := w.fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: channel})
		cancel()
		if err == nil {
			w.settle()
			return string(r.Ack)
		}
		if try == 10 {
			w.t.Fatalf("%s %s by %s: %v", command, text, user, err)
		}
		w.waitConnected(true)
	}
}

// answerStandup opens the standup modal (again, if Slack failed to open
// it) and submits it.
func (w *faultWeek) answerStandup(user string, a answers) {
	w.t.Helper()
	for try := 0; len(w.fake.OpenViews(user)) == 0; try++ {
		if try == 10 {
			w.t.Fatalf("the standup modal never opened for %s", user)
		}
		w.slash(user, "C0PAYMENTS", "/standup", "")
	}
	w.submitView(user, a.state())
}

// answerRetro clicks the retro prompt's button and submits the modal.
func (w *faultWeek) answerRetro(user string, values map[string]map[string]any) {
	w.t.Helper()
	for try := 0; len(w.fake.OpenViews(user)) == 0; try++ {
		if try == 10 {
			w.t.Fatalf("the retro modal never opened for %s", user)
		}
		w.clickDM(user, incident.ActionRetroAnswer)
	}
	w.submitView(user, values)
}

func (w *faultWeek) submitView(user string, values map[string]map[string]any) {
	w.t.Helper()
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, err := w.fake.SubmitView(ctx, user, w.openView(user).ID, values)
		cancel()
		if err == nil {
			if len(r.Ack) > 0 {
				w.t.Fatalf("%s's submission was refused: %s", user, r.Ack)
			}
			w.settle()
			return
		}
		if try == 10 {
			w.t.Fatalf("%s submits: %v", user, err)
		}
		w.waitConnected(true)
	}
}

// clickDM clicks a button of the member's latest DM that has it.
func (w *faultWeek) clickDM(user, actionID string) {
	w.t.Helper()
	msg, ok := lastWith(w.fake.DMs(user), actionID)
	if !ok {
		w.t.Fatalf("%s has no DM with a %s button", user, actionID)
	}
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := w.fake.SendBlockAction(ctx, user, msg.Channel, msg.TS, actionID, "")
		cancel()
		if err == nil {
			w.settle()
			return
		}
		if try == 10 {
			w.t.Fatalf("%s clicks %s: %v", user, actionID, err)
		}
		w.waitConnected(true)
	}
}

// readAll describes every message in every conversation as a person
// reads it: where it is, the thread it is in, and its final text. Slack's
// timestamps differ between runs; this does not.
func (w *faultWeek) readAll() []string {
	var out []string
	add := func(where string, msgs []slackfake.Message) {
		byTS := map[string]string{}
		for _, m := range msgs {
			byTS[m.TS] = firstLine(readable(w.t, m))
		}
		for _, m := range msgs {
			d := where
			if m.ThreadTS != "" && m.ThreadTS != m.TS {
				d += " ↳ " + byTS[m.ThreadTS]
			}
			d += ": " + strings.ReplaceAll(readable(w.t, m), "\n", " ⏎ ")
			if len(m.Files) > 0 {
				d += fmt.Sprintf(" [%d files]", len(m.Files))
			}
			out = append(out, d)
		}
	}
	for _, c := range []string{"C0PAYMENTS", "C0INCIDENTS", "C0DIGEST"} {
		add("#"+c, w.fake.ChannelMessages(c))
	}
	for _, u := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0ADMIN"} {
		add("DM "+u, w.fake.DMs(u))
	}
	for _, f := range w.fake.Files() {
		out = append(out, fmt.Sprintf("file %s %q in %v", f.Filename, f.Title, f.Channels))
	}
	sort.Strings(out)
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// submissionBuckets hold what people submitted (and what the rituals did
// with it); occurrences show every ritual ran once, and not as failed.
var submissionBuckets = []string{
	"standup_answers", "blockers", "incidents", "incident_actions", "oncall_overrides", "digest_notes", "occurrences",
}

// slackTS matches a Slack timestamp, which differs between runs.
var slackTS = regexp.MustCompile(`\d{10}\.\d{6}`)

// storedSubmissions reads the submission buckets from the stopped bot's
// store, one line per record.
func storedSubmissions(t *testing.T, h *harness) []string {
	t.Helper()
	var out strings.Builder
	if code := run(context.Background(), []string{"export", "--config", h.cfg}, &out, &out, func(string) string { return "" }); code != 0 {
		t.Fatalf("export exited %d: %s", code, out.String())
	}
	var export struct {
		Buckets map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out.String()), &export); err != nil {
		t.Fatalf("export: %v", err)
	}
	var lines []string
	for _, b := range submissionBuckets {
		for k, v := range export.Buckets[b] {
			lines = append(lines, b+" "+k+" "+slackTS.ReplaceAllString(string(v), "TS"))
		}
	}
	sort.Strings(lines)
	return lines
}

// diffLines shows the lines only in a (-) and only in b (+), as multisets.
func diffLines(a, b []string) string {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	var d []string
	for l, n := range count {
		for ; n > 0; n-- {
			d = append(d, "- "+l)
		}
		for ; n < 0; n++ {
			d = append(d, "+ "+l)
		}
	}
	slices.Sort(d)
	return strings.Join(d, "\n")
}

// grepRegexp keeps the lines of s that match expr.
func grepRegexp(s, expr string) string {
	re := regexp.MustCompile(expr)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// memTempDir is a temporary directory in memory where the system has one
// (/dev/shm), else on disk. A week commits a few thousand transactions;
// on a disk each waits for its fsync, which is not what these tests
// measure.
func memTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "ritualbot-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestMessagesQueuedWhileSlackIsDownGoOutAfterARestartOldestFirst: Slack
// is down through a morning of rituals, the bot is stopped meanwhile, and
// started again once Slack is back: every message goes, once, and each
// conversation reads in the order the rituals spoke.
func TestMessagesQueuedWhileSlackIsDownGoOutAfterARestartOldestFirst(t *testing.T) {
	h := newFaultWeekHarness(t)
	h.start()
	h.runUntil(at(t, "2026-11-23 08:59", berlin))
	before := len(h.fake.ChannelMessages("C0PAYMENTS"))
	h.fake.FailRandomly("*", slackfake.RandomFaults{Rate: 1, Faults: []slackfake.Fault{{Status: 503}}})
	// Prompts at 09:00, the handoff and the nudges at 10:00, the summary
	// at 11:00: the rituals run, their messages wait.
	h.runSchedulerUntil(at(t, "2026-11-23 11:30", berlin))
	if n := len(h.fake.DMs("U0CAROL")) + len(h.fake.ChannelMessages("C0PAYMENTS")) - before; n != 0 {
		t.Fatalf("%d messages went while Slack was down", n)
	}
	h.stop()
	db, err := store.Open(h.m0Store())
	if err != nil {
		t.Fatal(err)
	}
	pending, err := db.Pending(0)
	db.Close()
	if err != nil || len(pending) < 8 {
		t.Fatalf("%d messages kept in the store while Slack was down (%v), want the morning's", len(pending), err)
	}

	h.fake.FailRandomly("*", slackfake.RandomFaults{})
	h.start() // settles: the outbox drains
	readsInOrder := func(where string, msgs []slackfake.Message, want ...string) {
		t.Helper()
		var got []string
		for _, m := range topLevel(msgs) {
			got = append(got, firstLine(readable(t, m)))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s reads:\n%s\nwant, once each and in this order:\n%s", where, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	readsInOrder("Carol's DMs", h.fake.DMs("U0CAROL"),
		"Time for the Payments standup (Mon 23 Nov)", "Your Payments standup for Mon 23 Nov is still open")
	// Bob's nudge and on-call DM both come at 10:00: either may be first.
	bob := h.fake.DMs("U0BOB")
	if len(bob) == 3 && strings.Contains(readable(t, bob[2]), "You are on call") {
		bob[1], bob[2] = bob[2], bob[1]
	}
	readsInOrder("Bob's DMs", bob,
		"Time for the Payments standup (Mon 23 Nov)", "You are on call for Payments until Mon 30 Nov 10:00 CET",
		"Your Payments standup for Mon 23 Nov is still open")
	readsInOrder("#payments", h.fake.ChannelMessages("C0PAYMENTS")[before:],
		"<@U0BOB> is now on call for Payments until Mon 30 Nov 10:00 CET (from <@U0ALICE>)", "Payments standup · Mon 23 Nov: 0/3 answered")
}

// runSchedulerUntil moves the clock as runUntil does, but waits only for
// the rituals to run, not for their messages to go.
func (h *harness) runSchedulerUntil(until time.Time) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		next, ok := h.clock.NextTimer()
		if !ok || next.After(until) {
			break
		}
		h.clock.Set(next)
		if err := h.m.Scheduler.WaitSettled(ctx, next); err != nil {
			h.t.Fatal(err)
		}
	}
	h.clock.Set(until)
	if err := h.m.Scheduler.WaitSettled(ctx, until); err != nil {
		h.t.Fatal(err)
	}
}

// m0Store is the store file of the harness's config.
func (h *harness) m0Store() string {
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		h.t.Fatal(err)
	}
	return loaded.Config.Store.Path
}
