package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

const pulseConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
admins: [U0ADMIN]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ANNA, U0BEN, U0CARA, U0DAN, U0EVA]
    leads: [U0ANNA]
rituals:
  - name: payments-pulse
    kind: pulse
    team: payments
    schedule: "0 10 * * MON"
    every_weeks: 2
    start: 2026-11-23
    questions:
      - {id: workload, text: "How sustainable is your workload?", scale: 5}
      - {id: clarity, text: "How clear are our priorities?", scale: 5}
      - {id: else, text: "Anything else?", free_text: true}
  - name: digest
    kind: digest
    team: payments
    channel: C0DIGEST
    schedule: "0 17 * * FRI"
`

var pulseMembers = []string{"U0ANNA", "U0BEN", "U0CARA", "U0DAN", "U0EVA"}

func newPulseHarness(t *testing.T) *harness {
	h := newHarness(t, pulseConfig, at(t, "2026-11-22 12:00", berlin), slackfake.Options{})
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments"})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "digest"})
	h.fake.AddUser(slackfake.User{ID: "U0ADMIN", Name: "admin", TZ: "Europe/Berlin"})
	for _, u := range pulseMembers {
		h.fake.AddUser(slackfake.User{ID: u, Name: strings.ToLower(u[2:]), TZ: "Europe/Berlin"})
	}
	return h
}

// answerPulse is a member opening the form from the invitation and
// sending scores and a free text; it returns the ack.
func (h *harness) answerPulse(user, workload, clarity, text string) string {
	h.t.Helper()
	h.click(user, "pulse:answer")
	return h.submitPulse(user, workload, clarity, text)
}

func (h *harness) submitPulse(user, workload, clarity, text string) string {
	h.t.Helper()
	r, err := h.fake.SubmitViewInputs(h.ctx(), user, h.openView(user).ID, map[string]map[string]string{
		"workload": {"value": workload}, "clarity": {"value": clarity}, "else": {"value": text},
	})
	if err != nil {
		h.t.Fatalf("%s submits the pulse: %v", user, err)
	}
	h.settle()
	return string(r.Ack)
}

// canary is a member's free-text answer, unique to them, so that a test
// can look for it next to their ID.
func canary(user string) string { return "canary answer of " + strings.ToLower(user[2:]) + " zq" }

func TestPulseFourOfFiveAnswerResultsWithAveragesAndNoLinkToAnyone(t *testing.T) {
	h := newPulseHarness(t)
	h.start()
	h.runUntil(at(t, "2026-11-23 10:00", berlin))
	for _, u := range pulseMembers {
		wantIn(t, u+"'s invitation", readable(t, h.lastDM(u, "team health pulse")), "Anonymous", "Answer the pulse", "closes Wed 25 Nov 10:00")
	}
	scores := map[string][2]string{"U0ANNA": {"4", "2"}, "U0BEN": {"3", "3"}, "U0CARA": {"5", "3"}, "U0DAN": {"4", "4"}}
	for _, u := range pulseMembers[:4] {
		if ack := h.answerPulse(u, scores[u][0], scores[u][1], canary(u)); strings.Contains(ack, "errors") {
			t.Fatalf("%s's answer refused: %s", u, ack)
		}
	}

	// A second answer is refused, clearly, though nothing ties the first
	// to the member: from the invitation's button and from /pulse. (The
	// store refuses a second answer in the same transaction that would
	// record it, for a form opened before the first was sent:
	// TestSubmitPulseOncePerMember.)
	h.click("U0ANNA", "pulse:answer")
	if eph := texts(h.fake.Ephemerals("U0ANNA")); len(eph) == 0 || !strings.Contains(eph[len(eph)-1], "already answered") {
		t.Errorf("a second click on the button: ephemerals %q", eph)
	}
	if r := h.command("U0BEN", "C0PAYMENTS", "/pulse", ""); !strings.Contains(r, "already answered") {
		t.Errorf("/pulse after answering: %s", r)
	}
	if n := len(h.fake.OpenViews("U0ANNA")) + len(h.fake.OpenViews("U0BEN")); n != 0 {
		t.Errorf("%d forms opened for members who answered", n)
	}

	// One reminder, on Tuesday, to Eva alone; the round closes on
	// Wednesday at 10:00.
	h.runUntil(at(t, "2026-11-25 10:00", berlin))
	for _, u := range pulseMembers {
		if n, want := len(find(t, h.fake.DMs(u), "still open")), map[bool]int{true: 1}[u == "U0EVA"]; n != want {
			t.Errorf("%s got %d reminders, want %d", u, n, want)
		}
	}
	results := one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Results of the Payments team health pulse", "payments")
	got := readable(t, results)
	// workload 4,3,5,4 → 4.0; clarity 2,3,3,4 → 3.0
	wantIn(t, "results", got, "4 answers", "How sustainable is your workload?", "4.0 / 5", "How clear are our priorities?", "3.0 / 5", "trend: 4.0", "Anything else?")
	for _, u := range pulseMembers[:4] {
		wantIn(t, "results", got, canary(u))
	}
	for _, u := range pulseMembers {
		if strings.Contains(got, u) {
			t.Errorf("results name %s:\n%s", u, got)
		}
	}
	if r := h.command("U0CARA", "C0PAYMENTS", "/pulse", "results"); !strings.Contains(r, "4.0 / 5") {
		t.Errorf("/pulse results: %s", r)
	}
	h.runUntil(at(t, "2026-11-27 17:00", berlin))
	digest := strings.Join(texts(h.fake.ChannelMessages("C0DIGEST")), "\n")
	wantIn(t, "digest", digest, "Team health pulse:", "How sustainable is your workload? 4.0 _(of 5)_", "How clear are our priorities? 3.0")

	// A fortnight later three answer: the trend shows both pulses.
	h.runUntil(at(t, "2026-12-07 10:00", berlin))
	for i, u := range pulseMembers[1:4] {
		h.answerPulse(u, fmt.Sprint(2+i), "3", canary(u))
	}
	h.runUntil(at(t, "2026-12-11 17:00", berlin))
	second := readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Payments team health pulse, Mon 7 Dec", "payments"))
	wantIn(t, "second results", second, "3 answers", "3.0 / 5   trend: 4.0 → 3.0", "3.0 / 5   trend: 3.0 → 3.0")
	digest = strings.Join(texts(h.fake.ChannelMessages("C0DIGEST")), "\n")
	wantIn(t, "second digest", digest, "How sustainable is your workload? 4.0 → 3.0 _(of 5)_")

	assertNoLink(t, h, pulseMembers[:4])
}

// assertNoLink looks for each member's ID next to their answer in the
// export, the store's raw bytes, the logs, the metrics and the preview.
func assertNoLink(t *testing.T, h *harness, members []string) {
	t.Helper()
	env := func(k string) string { return h.env[k] }
	var export, errOut bytes.Buffer
	if code := run(h.ctx(), []string{"export", "--config", h.cfg}, &export, &errOut, env); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut.String())
	}
	_, metrics := h.get("/metrics")
	h.stop()
	var preview bytes.Buffer
	if code := run(h.ctx(), []string{"preview", "--config", h.cfg, "payments-pulse"}, &preview, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("preview: exit %d: %s", code, errOut.String())
	}
	wantIn(t, "preview", preview.String(), "Payments team health pulse, Mon 7 Dec", "trend: 4.0 → 3.0")
	raw, err := os.ReadFile(h.storePath())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(canary(members[0]))) || !strings.Contains(export.String(), canary(members[0])) {
		t.Fatal("the answers are not in the store or the export: the search below would prove nothing")
	}
	anyMember := regexp.MustCompile(`U0(ANNA|BEN|CARA|DAN|EVA)`)
	canaries := regexp.MustCompile(`canary answer of [a-z]+ zq`)
	// The export: no record holds both a member and an answer.
	var doc struct{ Buckets map[string]json.RawMessage }
	if err := json.Unmarshal(export.Bytes(), &doc); err != nil || len(doc.Buckets) == 0 {
		t.Fatalf("export is not JSON with buckets: %v", err)
	}
	var records func(path string, raw json.RawMessage)
	records = func(path string, raw json.RawMessage) {
		var inner map[string]json.RawMessage
		if !strings.Contains(path, "/") && json.Unmarshal(raw, &inner) == nil {
			for k, v := range inner {
				records(path+"/"+k, v)
			}
			return
		}
		rec := path + " " + string(raw)
		if canaries.MatchString(rec) && anyMember.MatchString(rec) {
			t.Errorf("export: a record names %s next to an answer: %.400s", anyMember.FindString(rec), rec)
		}
	}
	for name, raw := range doc.Buckets {
		records(name, raw)
		// The pulse's own buckets name nobody at all, who answered included.
		if strings.HasPrefix(name, "pulse_") && anyMember.Match(raw) {
			t.Errorf("export: bucket %s names %s", name, anyMember.Find(raw))
		}
	}
	// Logs, metrics and the preview: no line holds both.
	for name, text := range map[string]string{"logs": h.logs.String(), "metrics": metrics, "preview": preview.String()} {
		if canaries.MatchString(text) && name != "preview" { // the preview shows the published results
			t.Errorf("%s show an answer", name)
		}
		for _, line := range strings.Split(text, "\n") {
			if anyMember.MatchString(line) && (strings.Contains(line, "workload") || canaries.MatchString(line)) {
				t.Errorf("%s: a line names a member and an answer: %.300s", name, line)
			}
		}
	}
	// The file's bytes: no member who answered lies near any answer.
	answered := regexp.MustCompile(`U0(` + strings.Join(func() (n []string) {
		for _, u := range members {
			n = append(n, u[2:])
		}
		return n
	}(), "|") + `)`)
	for _, loc := range canaries.FindAllIndex(raw, -1) {
		lo, hi := max(0, loc[0]-200), min(len(raw), loc[1]+200)
		if m := answered.Find(raw[lo:hi]); m != nil {
			t.Errorf("store file: %s lies within 200 bytes of an answer: %q", m, raw[lo:hi])
		}
	}
}

func TestPulseWithTwoAnswersSaysOnlyTooFew(t *testing.T) {
	h := newPulseHarness(t)
	h.start()
	h.runUntil(at(t, "2026-11-23 10:00", berlin))
	h.answerPulse("U0ANNA", "5", "5", canary("U0ANNA"))
	h.answerPulse("U0BEN", "1", "2", canary("U0BEN"))

	// One reminder, on Tuesday, to the three who have not answered.
	h.runUntil(at(t, "2026-11-24 12:00", berlin))
	for _, u := range pulseMembers {
		n := len(find(t, h.fake.DMs(u), "still open"))
		if want := map[bool]int{true: 0, false: 1}[u == "U0ANNA" || u == "U0BEN"]; n != want {
			t.Errorf("%s got %d reminders, want %d", u, n, want)
		}
	}
	h.runUntil(at(t, "2026-11-25 12:00", berlin))
	msgs := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "team health pulse")
	if len(msgs) != 1 {
		t.Fatalf("%d pulse posts, want 1: %q", len(msgs), texts(msgs))
	}
	got := readable(t, msgs[0])
	wantIn(t, "too-few post", got, "too few answered")
	for _, leak := range []string{"/ 5", "canary", "2 answers", "trend"} {
		if strings.Contains(got, leak) {
			t.Errorf("the too-few post shows %q:\n%s", leak, got)
		}
	}
	if r := h.command("U0CARA", "C0PAYMENTS", "/pulse", "results"); !strings.Contains(r, "too few answered") || strings.Contains(r, "canary") {
		t.Errorf("/pulse results: %s", r)
	}
	// The answers of a round that shows nothing are not kept either.
	var export, errOut bytes.Buffer
	if code := run(h.ctx(), []string{"export", "--config", h.cfg}, &export, &errOut, func(k string) string { return h.env[k] }); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut.String())
	}
	if strings.Contains(export.String(), "canary") {
		t.Errorf("the export still holds the answers of a round with too few")
	}
	if r := h.command("U0CARA", "C0PAYMENTS", "/pulse", ""); !strings.Contains(r, "not open") {
		t.Errorf("/pulse with no open round: %s", r)
	}
}
