package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/slackfake"
)

// weekConfig is every ritual kind at once, for two teams: the rituals
// feed each other only through the real providers Main wires.
const weekConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
admins: [U0ADMIN]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB, U0CAROL]
    leads: [U0ALICE]
    services: [checkout]
  - id: search
    name: Search
    channel: C0SEARCH
    members: [U0DAN, U0ERIN]
    leads: [U0DAN]
    services: [search-api]
rituals:
  - name: payments-standup
    kind: standup
    team: payments
    schedule: "0 9 * * MON-FRI"
    local_time: true
    remind_after: 1h
    summary_after: 2h
    summary: channel
    questions:
      - {id: yesterday, text: "What did you get done yesterday?"}
      - {id: today, text: "What are you working on today?"}
      - {id: blockers, text: "Anything blocking you?", blocker: true}
    oncall_questions:
      - {id: pages, text: "What paged you since the last standup?"}
      - {id: handover, text: "Anything the next on-call should know?", optional: true}
  - name: search-standup
    kind: standup
    team: search
    schedule: "0 15 * * MON-FRI"
    summary_after: 2h
    questions:
      - {id: today, text: "What are you working on today?"}
      - {id: blockers, text: "Anything blocking you?", blocker: true}
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-16
    usergroup: S0PAYONCALL
    topic: true
  - name: search-oncall
    kind: oncall
    team: search
    handoff: "0 10 * * MON"
    start: 2026-11-16
    usergroup: S0SEARCHONCALL
    topic: true
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
    retro: {schedule: "0 10 * * MON-FRI", min_delay: 12h, required: [sev1, sev2]}
    actions_remind: "0 9 * * FRI"
    alertmanager:
      open_when: {severity: [critical]}
      severity: sev1
  - name: weekly-digest
    kind: digest
    channel: C0DIGEST
    schedule: "0 16 * * FRI"
    teams: [payments, search]
  - name: payments-sync
    kind: reminder
    team: payments
    schedule: "30 9 * * TUE"
    text: "Payments sync at 10:00. On call: {{.OnCall}}"
  - name: search-triage
    kind: reminder
    team: search
    schedule: "0 9 * * MON"
    text: "{{.Team}} triage at 09:30. On call: {{.OnCall}}"
`

// The people: Carol works from London, Erin from New York; the rest in
// Berlin. Payments' rotation is Alice, Bob, Carol from Monday 16 November,
// Search's Dan, Erin: this week Bob and Erin are on call.
var weekPeople = []slackfake.User{
	{ID: "U0ALICE", Name: "alice", TZ: "Europe/Berlin"},
	{ID: "U0BOB", Name: "bob", TZ: "Europe/Berlin"},
	{ID: "U0CAROL", Name: "carol", TZ: "Europe/London"},
	{ID: "U0DAN", Name: "dan", TZ: "Europe/Berlin"},
	{ID: "U0ERIN", Name: "erin", TZ: "America/New_York"},
	{ID: "U0ADMIN", Name: "admin", TZ: "Europe/Berlin"},
}

func newWeekHarness(t *testing.T) *harness {
	t.Helper()
	// A week passes in a second or two of wall time: the methods it calls
	// often get room on both sides (rate limits are tested on their own).
	fakeLimits, botLimits := loosened("chat.postMessage", "chat.postMessage/channel", "chat.update", "users.list", "views.open",
		"views.publish", "usergroups.users.update", "usergroups.users.list", "conversations.setTopic", "conversations.info",
		"apps.connections.open")
	h := newHarness(t, weekConfig, at(t, "2026-11-22 20:00", berlin), slackfake.Options{RateLimits: fakeLimits})
	h.limits = botLimits
	h.env[envWebhookToken] = webhookToken
	var everyone []string
	for _, u := range weekPeople {
		h.fake.AddUser(u)
		everyone = append(everyone, u.ID)
	}
	for id, name := range map[string]string{"C0PAYMENTS": "payments", "C0SEARCH": "search", "C0INCIDENTS": "incidents", "C0DIGEST": "eng-digest"} {
		h.fake.AddChannel(slackfake.Channel{ID: id, Name: name, Members: append([]string{"U0BOT"}, everyone...)})
	}
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0PAYONCALL", Handle: "payments-oncall", Name: "Payments on call"})
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0SEARCHONCALL", Handle: "search-oncall", Name: "Search on call"})
	return h
}

// answerPrompt is a member clicking Answer on today's prompt and
// submitting the modal, as Slack sends the view_submission.
func (h *harness) answerPrompt(user string, a answers) {
	h.t.Helper()
	h.click(user, "standup:answer")
	if ack := h.submit(user, a); ack != "" {
		h.t.Fatalf("%s's answer was refused: %s", user, ack)
	}
}

// promptAsks reports which question set a member's latest prompt asks.
func (h *harness) promptAsks(user string) string {
	h.t.Helper()
	p := readable(h.t, h.lastDM(user, "Time for the"))
	switch {
	case strings.Contains(p, "What paged you since the last standup?") && !strings.Contains(p, "What did you get done yesterday?"):
		return "on-call"
	case strings.Contains(p, "What did you get done yesterday?") && !strings.Contains(p, "What paged you"):
		return "normal"
	}
	return "unclear:\n" + p
}

func TestAWeekInTheLife(t *testing.T) {
	h := newWeekHarness(t)
	h.start()
	berlinAt := func(s string) time.Time { return at(t, s, berlin) }
	normal := answers{"yesterday": "Refund API reviews", "today": "Ship refunds", "blockers": "none"}
	blocked := answers{"yesterday": "Card vault migration", "today": "Card vault cut-over", "blockers": "Waiting on PCI sign-off from compliance"}
	onCall := answers{"pages": "Two ledger lag pages on Saturday night", "handover": "Ledger replica still catching up"}
	searchAnswer := answers{"today": "Reindex the catalogue", "blockers": "none"}
	bearer := map[string]string{"Authorization": "Bearer " + webhookToken}

	// Monday 23 November. At 09:00 Alice is still on call (the handoff is
	// at 10:00): she is asked the on-call questions, Bob the usual ones.
	h.runUntil(berlinAt("2026-11-23 09:01"))
	if r := readable(t, one(t, h.fake.ChannelMessages("C0SEARCH"), "triage", "#search")); !strings.Contains(r, "Search triage at 09:30. On call: <@U0DAN>") {
		t.Errorf("Monday's search reminder names the wrong on-call:\n%s", r)
	}
	if got := h.promptAsks("U0ALICE"); got != "on-call" {
		t.Errorf("Alice, on call Monday 09:00, was asked the %s questions", got)
	}
	if got := h.promptAsks("U0BOB"); got != "normal" {
		t.Errorf("Bob, not on call Monday 09:00, was asked the %s questions", got)
	}
	h.answerPrompt("U0ALICE", onCall)
	h.answerPrompt("U0BOB", normal)

	// 10:00: Bob takes over from Alice; the group and topic follow. Carol,
	// in London, is prompted at her 09:00 with the usual questions, and
	// raises a blocker.
	h.runUntil(berlinAt("2026-11-23 10:01"))
	handoff := readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "On-call handoff", "#payments"))
	wantIn(t, "Monday's handoff", handoff, "<@U0BOB> is now on call for *Payments* until Mon 30 Nov 10:00", "Thank you, <@U0ALICE>", "*Last shift's incidents:* none")
	h.assertOnCall("S0PAYONCALL", "C0PAYMENTS", "U0BOB", "bob")
	h.assertOnCall("S0SEARCHONCALL", "C0SEARCH", "U0ERIN", "erin")
	if got := h.promptAsks("U0CAROL"); got != "normal" {
		t.Errorf("Carol, prompted at 09:00 London, was asked the %s questions", got)
	}
	h.clock.Advance(5 * time.Minute)
	h.answerPrompt("U0CAROL", blocked)
	searchDay := func(date string, silent ...string) {
		h.runUntil(berlinAt(date + " 15:05"))
		for _, u := range []string{"U0DAN", "U0ERIN"} {
			if !slices.Contains(silent, u) {
				h.answerPrompt(u, searchAnswer)
			}
		}
	}
	searchDay("2026-11-23")
	h.runUntil(berlinAt("2026-11-23 23:00"))

	// Tuesday: Bob is on call all day now.
	h.runUntil(berlinAt("2026-11-24 09:01"))
	if a, b := h.promptAsks("U0ALICE"), h.promptAsks("U0BOB"); a != "normal" || b != "on-call" {
		t.Errorf("Tuesday: Alice asked the %s questions, Bob the %s ones; want normal and on-call", a, b)
	}
	h.answerPrompt("U0ALICE", normal)
	h.answerPrompt("U0BOB", onCall)
	h.runUntil(berlinAt("2026-11-24 09:31"))
	if r := readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Payments sync", "#payments")); !strings.Contains(r, "On call: <@U0BOB>") {
		t.Errorf("Tuesday's payments reminder names the wrong on-call:\n%s", r)
	}
	h.runUntil(berlinAt("2026-11-24 10:05"))
	h.answerPrompt("U0CAROL", blocked) // the blocker stands
	h.runUntil(berlinAt("2026-11-24 12:01"))
	tuesday := readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Payments standup · Tue 24 Nov", "#payments"))
	wantIn(t, "Tuesday's summary", tuesday, "<@U0CAROL>: Waiting on PCI sign-off from compliance _(open since yesterday)_", "3/3 answered")
	searchDay("2026-11-24")

	// Wednesday: Bob lets his standup slide. Checkout is deployed at 10:00;
	// at 11:30 checkout fails and Alice declares an incident, which names
	// Bob, on call.
	h.runUntil(berlinAt("2026-11-25 09:01"))
	h.answerPrompt("U0ALICE", normal)
	h.runUntil(berlinAt("2026-11-25 10:02"))
	h.deploy(`{"service":"checkout","environment":"production","sha":"c1","status":"success",
	  "started_at":"2026-11-25T08:50:00Z","finished_at":"2026-11-25T09:00:00Z",
	  "commits":[{"sha":"c1","timestamp":"2026-11-24T16:00:00Z"}]}`) // lead time 17h
	if code, out := h.post("/hooks/deploy", `{"service":"checkout","environment":"staging","sha":"c1","status":"success","finished_at":"2026-11-25T08:00:00Z"}`, bearer); code != http.StatusAccepted {
		t.Errorf("staging deploy: %d %s, want 202", code, out)
	}
	h.answerPrompt("U0CAROL", blocked)
	one(t, h.fake.DMs("U0BOB"), "A gentle nudge", "Bob's DMs")
	h.runUntil(berlinAt("2026-11-25 11:30"))
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s"); !strings.Contains(ack, "Declared *#1: Checkout returns 500s*") {
		t.Fatalf("declare answered %s", ack)
	}
	h.settle()
	announce := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1: Checkout returns 500s", "#incidents")
	if r := readable(t, announce); !strings.Contains(r, "*On call*\n<@U0BOB> (Payments)") || !strings.Contains(r, "*Commander*\n<@U0ALICE>") {
		t.Errorf("the incident does not name Bob on call:\n%s", r)
	}
	h.runUntil(berlinAt("2026-11-25 11:40"))
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0CAROL|carol> Alert on connection pool saturation due 2026-12-04")
	h.runUntil(berlinAt("2026-11-25 11:45"))
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Roll back checkout faster due 2026-11-26")

	// The Home tab, mid-incident.
	h.runUntil(berlinAt("2026-11-25 11:50"))
	alice, bob, dan := h.home("U0ALICE"), h.home("U0BOB"), h.home("U0DAN")
	paymentsNow := "*Payments*\n:rotating_light: 1 open incident\n• #1 Checkout returns 500s _(sev2, open 20m, led by <@U0ALICE>)_\n" +
		":construction: 1 open blocker\n• <@U0CAROL> Waiting on PCI sign-off from compliance _(2 days)_"
	wantIn(t, "Alice's Home", alice,
		":memo: *Standup*\nWed 25 Nov 09:00 · :white_check_mark: answered",
		":pager: *Your next on-call shift* for *Payments*: Mon 7 Dec 10:00 – Mon 14 Dec 10:00",
		":clipboard: *Your action items*\nNone open. :tada:",
		paymentsNow)
	wantIn(t, "Bob's Home", bob,
		":memo: *Standup*\nWed 25 Nov 09:00 · :hourglass_flowing_sand: not answered yet: `/standup` to answer",
		":pager: *On call now* for *Payments*, until Mon 30 Nov 10:00",
		":clipboard: *Your action items* (1 open)\n• #1 Roll back checkout faster _(due Thu 26 Nov)_",
		paymentsNow)
	wantIn(t, "Dan's Home", dan,
		":memo: *Standup*\nWed 25 Nov 15:00 · not answered yet (you can answer ahead with `/standup`)",
		":pager: *Your next on-call shift* for *Search*: Mon 30 Nov 10:00 – Mon 7 Dec 10:00",
		"*Search*\n:large_green_circle: No open incidents\n:white_check_mark: No open blockers")
	if strings.Contains(dan, "Checkout") || strings.Contains(dan, "*Payments*") {
		t.Errorf("Dan's Home shows another team's incident:\n%s", dan)
	}

	h.runUntil(berlinAt("2026-11-25 12:01"))
	wednesday := readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Payments standup · Wed 25 Nov", "#payments"))
	wantIn(t, "Wednesday's summary", wednesday, "<@U0CAROL>: Waiting on PCI sign-off from compliance _(open for 2 days)_", "2/3 answered")
	h.runUntil(berlinAt("2026-11-25 12:30"))
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1 Rolled back the deploy") // restored in 1h
	searchDay("2026-11-25")

	// Thursday: a quiet day, until Alertmanager pages at 22:10 about an
	// alert firing since 22:00; it resolves at 22:50.
	h.runUntil(berlinAt("2026-11-26 09:01"))
	h.answerPrompt("U0ALICE", normal)
	h.answerPrompt("U0BOB", onCall)
	h.runUntil(berlinAt("2026-11-26 10:05"))
	h.answerPrompt("U0CAROL", blocked)
	h.runUntil(berlinAt("2026-11-26 11:00"))
	h.deploy(`{"service":"search-api","environment":"production","sha":"s1","status":"success",
	  "finished_at":"2026-11-26T10:00:00Z","commits":[{"sha":"s1","timestamp":"2026-11-25T10:00:00Z"}]}`) // lead time 24h
	searchDay("2026-11-26")
	h.runUntil(berlinAt("2026-11-26 22:10"))
	firing := ledgerLag("firing", zeroTime)
	if code, body := h.post("/hooks/alertmanager", firing, bearer); code != http.StatusOK || !strings.Contains(body, `"outcome":"opened"`) || !strings.Contains(body, `"incident":2`) {
		t.Fatalf("the alert: %d %s", code, body)
	}
	if r := readable(t, one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #2", "#incidents")); !strings.Contains(r, "*Commander*\n<@U0BOB>") || !strings.Contains(r, "SEV1") {
		t.Errorf("the alert's incident is not Bob's to lead, or not sev1:\n%s", r)
	}
	h.runUntil(berlinAt("2026-11-26 22:50"))
	resolved := ledgerLag("resolved", "2026-11-26T21:50:00Z")
	if code, body := h.post("/hooks/alertmanager", resolved, bearer); code != http.StatusOK || !strings.Contains(body, `"outcome":"resolved"`) {
		t.Fatalf("the alert resolving: %d %s", code, body)
	}

	// Friday: Bob's overdue action item is pointed out; Carol skips her
	// standup; a checkout deploy fails; Erin misses hers. At 16:00, the
	// digest.
	h.runUntil(berlinAt("2026-11-27 09:01"))
	if r := readable(t, h.lastDM("U0BOB", "open action item")); !strings.Contains(r, "Roll back checkout faster") || !strings.Contains(r, "overdue") {
		t.Errorf("Bob's action item reminder:\n%s", r)
	}
	h.answerPrompt("U0ALICE", normal)
	h.answerPrompt("U0BOB", onCall)
	h.runUntil(berlinAt("2026-11-27 10:05"))
	h.click("U0CAROL", "standup:skip")
	h.runUntil(berlinAt("2026-11-27 10:30"))
	h.deploy(`{"service":"checkout","environment":"production","sha":"c2","status":"failure",
	  "finished_at":"2026-11-27T09:30:00Z","commits":[{"sha":"c2","timestamp":"2026-11-27T08:00:00Z"}]}`)
	searchDay("2026-11-27", "U0ERIN")
	h.runUntil(berlinAt("2026-11-27 16:30"))

	digests := h.fake.ChannelMessages("C0DIGEST")
	if len(digests) != 2 || len(digests[1].Files) != 1 {
		t.Fatalf("%d messages in #eng-digest, want the digest and its chart: %q", len(digests), texts(digests))
	}
	digest := digests[0]
	if got := tsTime(t, digest.TS); !got.Equal(berlinAt("2026-11-27 16:00")) {
		t.Errorf("digest posted at %s, want Friday 16:00", got.In(berlin))
	}
	// Every figure by hand, from what happened above (the week before the
	// bot came is empty; Monday 16 November's shifts are the first).
	want := []string{
		"Weekly digest · week to Fri 27 Nov",
		"Each figure against the week before · :large_green_circle: good news · :red_circle: bad news · :white_circle: no change",
		"*Payments*",
		// Wednesday's checkout deploy; Friday's failed; staging not counted.
		"*Deploys*\n1 · 0.1/day ↑ 1 :large_green_circle:\n_weekly cadence · 1 failed_",
		"*Lead time*\n17h\n_median of 1 change_",
		// #1 opened 1h30 after that deploy; #2 36h after it.
		"*Change failure rate*\n100%\n_1 of 1 deploy_",
		// #1: 11:30 → 12:30; #2: the alert fired at 22:00, resolved 22:50.
		"*Time to restore*\n55m\n_median of 2_",
		"*Incidents*\n2 ↑ 2 :red_circle:\n_sev1 1 · sev2 1_",
		// 15 member-days: Bob missed Wednesday, Carol skipped Friday.
		"*Standups*\n93% answered\n_13 of 14 · 1 away_",
		// Carol's, from Monday 10:05.
		"*Open blockers*\n1\n_oldest 4 days_",
		// Bob's was due Thursday.
		"*Action items*\n1 overdue ↑ 1 :red_circle:\n_2 open · 2 opened · 0 closed_",
		// #1's retro was due Thursday 10:00; #2's comes Monday.
		"*Retros*\n1 overdue ↑ 1 :red_circle:\n_0 published_",
		// Alice's shift and Bob's; the week before only Alice's. #2 came
		// with two notifications, at night.
		"*On-call load*\n1.0 incidents/shift ↑ 1.0 :red_circle:\n_2 shifts · 1.0 alerts/shift · 1 out of hours_",
		"*Open blockers:* <@U0CAROL> Waiting on PCI sign-off from compliance _(4 days)_\n" +
			"*Incidents:* #1 Checkout returns 500s _(sev2, restored in 1h)_ · #2 Ledger lag above 5 minutes _(sev1, restored in 50m)_",
		"*Search*",
		"*Deploys*\n1 · 0.1/day ↑ 1 :large_green_circle:\n_weekly cadence_",
		"*Lead time*\n1d\n_median of 1 change_",
		"*Change failure rate*\n0%\n_0 of 1 deploy_",
		"*Time to restore*\n—\n_nothing restored_",
		"*Incidents*\n0 → same :white_circle:\n_none_",
		// Monday to Thursday: Friday's summary comes at 17:00, so that day
		// (Erin missed it) counts in next week's digest.
		"*Standups*\n100% answered\n_8 of 8_",
		"*Open blockers*\n0\n_none_",
		"*Action items*\n0 overdue → same :white_circle:\n_0 open · 0 opened · 0 closed_",
		"*Retros*\n0 overdue → same :white_circle:\n_0 published_",
		"*On-call load*\n0.0 incidents/shift → same :white_circle:\n_2 shifts · 0.0 alerts/shift · 0 out of hours_",
		"[Useful]", "[Not useful]", "[What's missing?]", // the readers' feedback
	}
	got := blockParts(t, digest.Blocks)
	if strings.Join(got, "\n~~~\n") != strings.Join(want, "\n~~~\n") {
		t.Errorf("the digest:\n%s\n\nwant:\n%s", strings.Join(got, "\n~~~\n"), strings.Join(want, "\n~~~\n"))
	}

	// Monday 30 November. At 09:00 Bob is still on call; at 10:00 Carol
	// takes over, and her standup (09:00 in London) asks her the on-call
	// questions. Erin hands Search back to Dan.
	h.runUntil(berlinAt("2026-11-30 09:01"))
	if r := readable(t, find(t, h.fake.ChannelMessages("C0SEARCH"), "triage")[1]); !strings.Contains(r, "On call: <@U0ERIN>") {
		t.Errorf("the second Monday's search reminder names the wrong on-call:\n%s", r)
	}
	if got := h.promptAsks("U0BOB"); got != "on-call" {
		t.Errorf("Bob, on call until 10:00, was asked the %s questions", got)
	}
	h.runUntil(berlinAt("2026-11-30 10:01"))
	handoffs := find(t, h.fake.ChannelMessages("C0PAYMENTS"), "On-call handoff")
	if len(handoffs) != 2 {
		t.Fatalf("%d handoff announcements in #payments, want 2", len(handoffs))
	}
	second := readable(t, handoffs[1])
	wantIn(t, "the second handoff", second,
		"<@U0CAROL> is now on call for *Payments* until Mon 7 Dec 10:00 CET. Thank you, <@U0BOB>, for the last shift!",
		"*Last shift's incidents:* 2 (2 alerts)\n"+
			"• #1 sev2 Checkout returns 500s — resolved after 1h, commander <@U0ALICE>\n"+
			"• #2 sev1 Ledger lag above 5 minutes — resolved after 40m, commander <@U0BOB>, 2 alerts",
	)
	incoming := readable(t, h.lastDM("U0CAROL", "You are on call for"))
	wantIn(t, "Carol's handoff DM", incoming,
		"You take over from <@U0BOB>",
		"*Open incidents:* none.",
		"*Open action items:* 2\n"+
			"• Roll back checkout faster (#1, <@U0BOB>, due 2026-11-26 — *overdue*)\n"+
			"• Alert on connection pool saturation (#1, <@U0CAROL>, due 2026-12-04)",
	)
	if got := h.promptAsks("U0CAROL"); got != "on-call" {
		t.Errorf("Carol, on call from 10:00 (her 09:00), was asked the %s questions", got)
	}
	h.assertOnCall("S0PAYONCALL", "C0PAYMENTS", "U0CAROL", "carol")
	h.assertOnCall("S0SEARCHONCALL", "C0SEARCH", "U0DAN", "dan")

	// `ritualbot preview` reads the same from the store: the digest as it
	// was posted, the handoff with the shift's incidents, a reminder with
	// who is on call.
	h.stop()
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	previewOf := func(ritual string, now time.Time) (text string, blocks json.RawMessage) {
		t.Helper()
		var out bytes.Buffer
		if err := preview(context.Background(), loaded, func(k string) string { return h.env[k] }, ritual, true, now, &out); err != nil {
			t.Fatalf("preview %s: %v", ritual, err)
		}
		var msg struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(out.Bytes(), &msg); err != nil {
			t.Fatalf("preview %s --json: %v\n%s", ritual, err, out.String())
		}
		return msg.Text, msg.Blocks
	}
	_, blocks := previewOf("weekly-digest", berlinAt("2026-11-27 16:00"))
	// The preview has no feedback buttons: feedback is on a posted digest.
	got = got[:len(got)-3]
	if p := blockParts(t, blocks); strings.Join(p, "\n~~~\n") != strings.Join(got, "\n~~~\n") {
		t.Errorf("`ritualbot preview weekly-digest` for Friday 16:00:\n%s\n\nwant what was posted:\n%s", strings.Join(p, "\n~~~\n"), strings.Join(got, "\n~~~\n"))
	}
	_, blocks = previewOf("payments-oncall", berlinAt("2026-11-30 09:00"))
	if p := strings.Join(blockParts(t, blocks), "\n"); !strings.Contains(p, "*Last shift's incidents:* 2 (2 alerts)") {
		t.Errorf("`ritualbot preview payments-oncall` before the handoff lacks the shift's incidents:\n%s", p)
	}
	// Now, on Monday, the week to date counts Friday's search standup.
	_, blocks = previewOf("weekly-digest", berlinAt("2026-11-30 10:05"))
	if p := strings.Join(blockParts(t, blocks), "\n"); !strings.Contains(p, "*Search*\n*Deploys*") || !strings.Contains(p[strings.Index(p, "*Search*"):], "*Standups*\n90% answered\n_9 of 10_") {
		t.Errorf("`ritualbot preview weekly-digest` on Monday lacks Friday's search standup:\n%s", p)
	}
	if text, _ := previewOf("payments-sync", berlinAt("2026-11-24 09:30")); !strings.Contains(text, "On call: <@U0BOB>") {
		t.Errorf("`ritualbot preview payments-sync` = %q, want Bob named on call", text)
	}
}

// ledgerLag is Alertmanager's webhook (version 4) for the ledger's lag
// alert, firing since Thursday 22:00 Berlin time.
func ledgerLag(status, endsAt string) string {
	return fmt.Sprintf(`{
  "receiver": "ritualbot", "status": %[1]q, "version": "4", "truncatedAlerts": 0,
  "groupKey": "{}:{alertname=\"LedgerLag\"}",
  "groupLabels": {"alertname": "LedgerLag"},
  "commonLabels": {"alertname": "LedgerLag", "service": "ledger", "severity": "critical"},
  "commonAnnotations": {"summary": "Ledger lag above 5 minutes"},
  "externalURL": "http://alertmanager.example.com:9093",
  "alerts": [{
    "status": %[1]q,
    "labels": {"alertname": "LedgerLag", "instance": "ledger-1", "service": "ledger", "severity": "critical"},
    "annotations": {"summary": "Ledger lag above 5 minutes"},
    "startsAt": "2026-11-26T21:00:00Z", "endsAt": %[2]q,
    "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=ledger_lag_seconds",
    "fingerprint": "1f2e3d4c5b6a7980"
  }]
}`, status, endsAt)
}

// assertOnCall checks a rotation's user group holds exactly user and the
// channel's topic names them.
func (h *harness) assertOnCall(group, channel, user, name string) {
	h.t.Helper()
	if got := h.fake.UserGroupMembers(group); len(got) != 1 || got[0] != user {
		h.t.Errorf("user group %s holds %v, want exactly %s", group, got, user)
	}
	if got, want := h.fake.Topic(channel), "On call: @"+name; got != want {
		h.t.Errorf("topic of %s is %q, want %q", channel, got, want)
	}
}
