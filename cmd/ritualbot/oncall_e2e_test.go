package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/slackfake"
)

// Four engineers, weekly handoffs on Monday 10:00 in Berlin, starting two
// weeks before clocks go back (25 October 2026).
const onCallConfig = paymentsTeamConfig + `http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
` + paymentsOnCall + `    exec: [U0EXEC1, U0EXEC2]
    usergroup: S0ONCALL
    topic: true
    notify_before: 1d
  - name: ops-sync
    kind: reminder
    team: payments
    schedule: "0 9 * * TUE"
    text: "Ops sync at 9:30. On call: {{.OnCall}}"
`

var onCallNames = map[string]string{
	"U0ALICE": "alice", "U0BOB": "bob", "U0CAROL": "carol", "U0DAVE": "dave",
	"U0LEAD": "lena", "U0ADMIN": "adam", "U0EXEC1": "erin", "U0EXEC2": "eli",
}

func newOnCallHarness(t *testing.T, start time.Time, opts slackfake.Options) *harness {
	t.Helper()
	// Weeks pass in a second or two of wall time here, while rate limits
	// (the client's and the fake's) count real minutes: a message a day
	// in the channel would be paced at one a second. Loosen only those
	// limits that simulated time compresses; 429s are tested on their own.
	if opts.RateLimits == nil {
		opts.RateLimits = map[string]slackfake.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}
	}
	h := newHarness(t, onCallConfig, start, opts)
	h.limits = map[string]bot.Limit{}
	for _, m := range []string{"chat.postMessage/channel", "usergroups.users.update", "usergroups.users.list", "conversations.setTopic", "conversations.info", "users.list"} {
		h.limits[m] = bot.Limit{PerMinute: 6000, Burst: 100}
	}
	var ids []string
	for id, name := range onCallNames {
		h.fake.AddUser(slackfake.User{ID: id, Name: name, RealName: strings.ToUpper(name[:1]) + name[1:], TZ: "Europe/Berlin"})
		ids = append(ids, id)
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Topic: "Runbook: wiki/payments", Members: append(ids, "U0BOT")})
	// Someone left the group pointing at last quarter's on-call.
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "payments-oncall", Name: "Payments on call", Users: []string{"U0DAVE", "U0BOB"}})
	return h
}

// onCallNow asks /oncall as user and returns what they read.
func (h *harness) onCallNow(user, text string) string {
	h.t.Helper()
	var r struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	ack := h.command(user, "C0PAYMENTS", "/oncall", text)
	if err := json.Unmarshal([]byte(ack), &r); err != nil {
		h.t.Fatalf("/oncall %s ack %s: %v", text, ack, err)
	}
	var b strings.Builder
	b.WriteString(r.Text)
	for _, blk := range r.Blocks {
		var s struct {
			Text     struct{ Text string } `json:"text"`
			Elements []struct{ Text string }
		}
		_ = json.Unmarshal(blk, &s)
		b.WriteString("\n" + s.Text.Text)
		for _, e := range s.Elements {
			b.WriteString("\n" + e.Text)
		}
	}
	return asRead(b.String())
}

// assertInStep checks the user group holds exactly the primary and the
// topic names them.
func (h *harness) assertInStep(when, primary string) {
	h.t.Helper()
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{primary}) {
		h.t.Errorf("%s: user group holds %v, want exactly [%s]", when, got, primary)
	}
	want := "On call: @" + onCallNames[primary] + " | Runbook: wiki/payments"
	if got := h.fake.Topic("C0PAYMENTS"); got != want {
		h.t.Errorf("%s: topic %q, want %q", when, got, want)
	}
}

func TestOnCallFourWeeksAcrossDST(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-11 12:00", berlin), slackfake.Options{}) // a Sunday
	h.start()

	if got := h.onCallNow("U0BOB", ""); !strings.Contains(got, "The rotation starts Mon 12 Oct 10:00 CEST with <@U0ALICE>") {
		t.Errorf("/oncall before the first shift:\n%s", got)
	}

	type week struct {
		handoff                          string
		utc                              string
		in, out, secondary, exec, reason string
	}
	weeks := []week{
		{"2026-10-12 10:00", "2026-10-12T08:00:00Z", "U0ALICE", "", "U0BOB", "U0EXEC1", ""},
		{"2026-10-19 10:00", "2026-10-19T08:00:00Z", "U0BOB", "U0ALICE", "U0CAROL", "U0EXEC2", ""},
		{"2026-10-26 10:00", "2026-10-26T09:00:00Z", "U0CAROL", "U0BOB", "U0DAVE", "U0EXEC1", "first Monday of CET"},
		// Alice and Dave swap in week 3: Alice takes Dave's shift.
		// The secondary is the next in the rotation who is not on call.
		{"2026-11-02 10:00", "2026-11-02T09:00:00Z", "U0ALICE", "U0CAROL", "U0BOB", "U0EXEC2", "swapped"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for i, w := range weeks {
		handoff := at(t, w.handoff, berlin)
		if handoff.UTC().Format(time.RFC3339) != w.utc {
			t.Fatalf("test setup: %s is %s", w.handoff, handoff.UTC())
		}
		h.runUntil(handoff.Add(-time.Minute))
		before := h.onCallNow("U0CAROL", "payments")
		if i > 0 && !strings.Contains(before, "Primary: <@"+w.out+"> until "+handoff.Format("Mon 2 Jan 15:04 MST")) {
			t.Errorf("week %d: /oncall a minute before the handoff:\n%s", i+1, before)
		}
		if i > 0 {
			h.assertInStep(fmt.Sprintf("week %d, before the handoff", i+1), w.out)
		}
		h.runUntil(handoff)

		// The announcement, posted at the handoff itself.
		ann := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "On-call handoff")
		if len(ann) != i+1 {
			t.Fatalf("week %d: %d handoff announcements, want %d", i+1, len(ann), i+1)
		}
		a := ann[i]
		if posted := tsTime(t, a.TS); !posted.Equal(handoff) {
			t.Errorf("week %d: announced at %s, want %s (%s)", i+1, posted.UTC(), w.utc, w.reason)
		}
		body := readable(t, a)
		for _, want := range []string{"<@" + w.in + "> is now on call for Payments until " + handoff.AddDate(0, 0, 7).Format("Mon 2 Jan 15:04 MST"),
			"*Secondary*\n<@" + w.secondary + ">", "*Exec on call*\n<@" + w.exec + ">"} {
			if !strings.Contains(body, want) {
				t.Errorf("week %d announcement lacks %q:\n%s", i+1, want, body)
			}
		}
		if w.out != "" && !strings.Contains(body, "*Outgoing*\n<@"+w.out+">") {
			t.Errorf("week %d announcement does not name the outgoing %s:\n%s", i+1, w.out, body)
		}
		// The DM to the incoming engineer.
		dms := messagesWith(h.fake.DMs(w.in), "You are on call for Payments")
		if len(dms) == 0 || !tsTime(t, dms[len(dms)-1].TS).Equal(handoff) {
			t.Errorf("week %d: no handoff DM to %s at the handoff: %q", i+1, w.in, texts(dms))
		}
		h.assertInStep(fmt.Sprintf("week %d, at the handoff", i+1), w.in)
		after := h.onCallNow("U0CAROL", "")
		if !strings.Contains(after, "Primary: <@"+w.in+">") || !strings.Contains(after, "Secondary: <@"+w.secondary+"> · Exec: <@"+w.exec+">") {
			t.Errorf("week %d: /oncall after the handoff:\n%s", i+1, after)
		}

		switch i {
		case 1: // Tuesday of week 2: overrides.
			h.runUntil(at(t, "2026-10-20 12:00", berlin))
			refused := h.onCallNow("U0CAROL", "override <@U0DAVE|dave> 4h")
			if !strings.Contains(refused, "Only a lead of Payments (<@U0LEAD>) or an admin can put someone else on call") {
				t.Errorf("a non-lead's override for someone else:\n%s", refused)
			}
			if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0BOB"}) {
				t.Errorf("a refused override changed the user group: %v", got)
			}
			if ghost := h.onCallNow("U0LEAD", "override <@U0GHOST|ghost> 4h"); !strings.Contains(ghost, "<@U0GHOST> is not an active member of this workspace") {
				t.Errorf("an override for someone not in the workspace:\n%s", ghost)
			}
			done := h.onCallNow("U0LEAD", "override <@U0DAVE|dave> 4h")
			if !strings.Contains(done, "Done: <@U0DAVE> is on call for *Payments* from now until Tue 20 Oct 16:00 CEST, covering <@U0BOB>") {
				t.Errorf("a lead's override:\n%s", done)
			}
			h.settle()
			if got := h.onCallNow("U0ALICE", ""); !strings.Contains(got, "Primary: <@U0DAVE> until Tue 20 Oct 16:00 CEST _(override, covering <@U0BOB>)_") ||
				!strings.Contains(got, "Secondary: <@U0CAROL>") || !strings.Contains(got, "Next: <@U0BOB> from Tue 20 Oct 16:00 CEST") {
				t.Errorf("/oncall during the override:\n%s", got)
			}
			h.assertInStep("during the override", "U0DAVE")
			if told := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "<@U0LEAD> put <@U0DAVE> on call"); len(told) != 1 {
				t.Errorf("the channel was not told of the override: %q", texts(h.fake.ChannelMessages("C0PAYMENTS")))
			}
			_, feed := h.get("/oncall/payments-oncall.ics")
			events := parseFeed(t, feed)
			if len(events) < 3 || events[1].user != "U0DAVE" || !events[1].start.Equal(at(t, "2026-10-20 12:00", berlin)) || !events[1].end.Equal(at(t, "2026-10-20 16:00", berlin)) {
				t.Errorf("the feed does not show the override: %+v", events[:min(3, len(events))])
			}
			// Dave hands the shift back early; Carol, who neither set it
			// nor is on call by it, may not end it.
			h.runUntil(at(t, "2026-10-20 13:30", berlin))
			if refused := h.onCallNow("U0CAROL", "override cancel"); !strings.Contains(refused, "Only <@U0DAVE> (on call by it), <@U0LEAD> (who set it), a lead of Payments (<@U0LEAD>) or an admin can end this override") {
				t.Errorf("Carol ending Dave's override:\n%s", refused)
			}
			h.assertInStep("after a refused cancel", "U0DAVE")
			ended := h.onCallNow("U0DAVE", "override cancel")
			if !strings.Contains(ended, "Done: <@U0DAVE>'s override for *Payments* has ended; <@U0BOB> is on call until Mon 26 Oct 10:00 CET. The channel has been told, and the user group follows.") {
				t.Errorf("Dave ending his override:\n%s", ended)
			}
			h.settle()
			if told := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "<@U0DAVE> ended their on-call override for Payments. <@U0BOB> is on call until Mon 26 Oct 10:00 CET."); len(told) != 1 {
				t.Errorf("the channel was not told the override ended: %q", texts(h.fake.ChannelMessages("C0PAYMENTS")))
			}
			h.assertInStep("after the override was cancelled", "U0BOB")
			if got := h.onCallNow("U0ALICE", ""); !strings.Contains(got, "Primary: <@U0BOB> until Mon 26 Oct 10:00 CET") || strings.Contains(got, "override") {
				t.Errorf("/oncall after the override was cancelled:\n%s", got)
			}
			if again := h.onCallNow("U0DAVE", "override cancel"); !strings.Contains(again, "No override is in force for Payments now: <@U0BOB> is on call as scheduled.") {
				t.Errorf("cancelling again:\n%s", again)
			}
			_, feed = h.get("/oncall/payments-oncall.ics")
			if events := parseFeed(t, feed); len(events) < 2 || events[1].user != "U0DAVE" || !events[1].end.Equal(at(t, "2026-10-20 13:30", berlin)) {
				t.Errorf("the feed does not show the override ending early: %+v", events[:min(3, len(events))])
			}
			h.runUntil(at(t, "2026-10-20 16:00", berlin))
			h.assertInStep("after the override", "U0BOB")
		case 2: // Tuesday of week 3: swaps.
			h.runUntil(at(t, "2026-10-27 11:00", berlin))
			asked := h.onCallNow("U0DAVE", "swap <@U0ALICE|alice>")
			if !strings.Contains(asked, "I asked <@U0ALICE>: <@U0ALICE> takes your on-call shift in Payments, Mon 2 Nov 10:00 CET to Mon 9 Nov 10:00 CET, and you take theirs, Mon 9 Nov 10:00 CET to Mon 16 Nov 10:00 CET") {
				t.Errorf("swap request:\n%s", asked)
			}
			h.settle()
			ask := messagesWith(h.fake.DMs("U0ALICE"), "asks to swap")
			if len(ask) != 1 {
				t.Fatalf("Alice got %d swap requests, want 1", len(ask))
			}
			if _, err := h.fake.SendBlockAction(ctx, "U0ALICE", ask[0].Channel, ask[0].TS, "oncall:swap-accept", ""); err != nil {
				t.Fatal(err)
			}
			h.settle()
			if got := messagesWith(h.fake.Ephemerals("U0ALICE"), "Swapped"); len(got) != 1 {
				t.Errorf("Alice was not told the swap is done: %q", texts(h.fake.Ephemerals("U0ALICE")))
			}
			if got := messagesWith(h.fake.DMs("U0DAVE"), "<@U0ALICE> accepted"); len(got) != 1 {
				t.Errorf("Dave was not told: %q", texts(h.fake.DMs("U0DAVE")))
			}
			if got := messagesWith(h.fake.DMs("U0ALICE"), "asks to swap"); len(got) != 1 || strings.Contains(string(got[0].Blocks), "swap-accept") || !strings.Contains(string(got[0].Blocks), "You accepted") {
				t.Errorf("the request still offers its buttons: %s", got[0].Blocks)
			}
			sched := h.onCallNow("U0BOB", "schedule payments 3")
			if !regexp.MustCompile(`Mon 2 Nov 10:00 CET → Mon 9 Nov 10:00 CET  <@U0ALICE> .*override, covering <@U0DAVE>`).MatchString(sched) ||
				!regexp.MustCompile(`Mon 9 Nov 10:00 CET → Mon 16 Nov 10:00 CET  <@U0DAVE> .*override, covering <@U0ALICE>`).MatchString(sched) {
				t.Errorf("schedule after the swap:\n%s", sched)
			}
			// Bob asks Carol; Carol declines; nothing changes.
			h.onCallNow("U0BOB", "swap <@U0CAROL|carol>")
			h.settle()
			ask = messagesWith(h.fake.DMs("U0CAROL"), "asks to swap")
			if len(ask) != 1 {
				t.Fatalf("Carol got %d swap requests, want 1", len(ask))
			}
			if _, err := h.fake.SendBlockAction(ctx, "U0CAROL", ask[0].Channel, ask[0].TS, "oncall:swap-decline", ""); err != nil {
				t.Fatal(err)
			}
			h.settle()
			if got := h.onCallNow("U0BOB", "schedule payments 3"); got != sched {
				t.Errorf("a declined swap changed the schedule:\n%s\nwas\n%s", got, sched)
			}
			if got := messagesWith(h.fake.DMs("U0BOB"), "<@U0CAROL> declined your swap request"); len(got) != 1 {
				t.Errorf("Bob was not told of the decline: %q", texts(h.fake.DMs("U0BOB")))
			}
		}
	}
	h.runUntil(at(t, "2026-11-08 23:00", berlin))

	// Heads-ups went out a day before each handoff to whoever came next.
	for _, hu := range []struct{ user, at string }{{"U0BOB", "2026-10-18 10:00"}, {"U0CAROL", "2026-10-25 10:00"}, {"U0ALICE", "2026-11-01 10:00"}, {"U0DAVE", "2026-11-08 10:00"}} {
		got := messagesWith(h.fake.DMs(hu.user), "Heads-up")
		if len(got) != 1 || !tsTime(t, got[0].TS).Equal(at(t, hu.at, berlin)) {
			t.Errorf("heads-up to %s: %d at %v, want one at %s", hu.user, len(got), texts(got), hu.at)
		}
	}
	// The reminder's {{.OnCall}} names who is on call each Tuesday.
	reminders := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "Ops sync at 9:30")
	var named []string
	for _, m := range reminders {
		named = append(named, m.Text)
	}
	want := []string{"Ops sync at 9:30. On call: <@U0ALICE>", "Ops sync at 9:30. On call: <@U0BOB>", "Ops sync at 9:30. On call: <@U0CAROL>", "Ops sync at 9:30. On call: <@U0ALICE>"}
	if !slices.Equal(named, want) {
		t.Errorf("reminders named\n%q\nwant\n%q", named, want)
	}

	// The feed lists the same shifts as /oncall schedule.
	code, feed := h.get("/oncall/payments-oncall.ics")
	if code != 200 {
		t.Fatalf("feed: %d %s", code, feed)
	}
	events := parseFeed(t, feed)
	if len(events) < 12 {
		t.Fatalf("feed holds %d events, want 12 weeks of shifts", len(events))
	}
	last := events[len(events)-1]
	if end := h.clock.Now().Add(12 * 7 * 24 * time.Hour); last.start.After(end) || last.end.Before(end) {
		t.Errorf("the feed ends with %v, want the shift under way 12 weeks from now (%s)", last, end)
	}
	sched := h.onCallNow("U0BOB", fmt.Sprintf("schedule payments %d", len(events)))
	var lines []string
	for _, l := range strings.Split(sched, "\n") {
		if strings.HasPrefix(l, "• ") {
			lines = append(lines, strings.SplitN(l, " (", 2)[0])
		}
	}
	var fromFeed []string
	for _, e := range events {
		if !e.end.After(h.clock.Now()) {
			continue
		}
		fromFeed = append(fromFeed, fmt.Sprintf("• %s → %s  <@%s>", e.start.In(berlin).Format("Mon 2 Jan 15:04 MST"), e.end.In(berlin).Format("Mon 2 Jan 15:04 MST"), e.user))
	}
	if !slices.Equal(lines, fromFeed) {
		t.Errorf("/oncall schedule and the feed differ:\n%s\nvs\n%s", strings.Join(lines, "\n"), strings.Join(fromFeed, "\n"))
	}
	if !strings.Contains(sched, "https://ritualbot.example.com/oncall/payments-oncall.ics") {
		t.Errorf("/oncall schedule does not link the feed:\n%s", sched)
	}
}

type feedEvent struct {
	uid, summary, user string
	start, end         time.Time
}

// parseFeed reads the feed with go-ical, a parser independent of the
// library that wrote it.
func parseFeed(t *testing.T, body string) []feedEvent {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader([]byte(body))).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, body)
	}
	var out []feedEvent
	for _, e := range cal.Events() {
		start, err := e.DateTimeStart(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		end, err := e.DateTimeEnd(time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := e.Props.Text(goical.PropUID)
		summary, _ := e.Props.Text(goical.PropSummary)
		user := ""
		if p := e.Props.Get("X-RITUALBOT-USER"); p != nil {
			user = p.Value
		}
		out = append(out, feedEvent{uid: uid, summary: summary, user: user, start: start, end: end})
	}
	slices.SortFunc(out, func(a, b feedEvent) int { return a.start.Compare(b.start) })
	return out
}

func TestOnCallGroupAndTopicRecoverFromSlackFailures(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-14 12:00", berlin), slackfake.Options{}) // Alice's first week
	h.start()
	// Start-up reconciles: the stale group and the topic are set right.
	h.assertInStep("after start-up", "U0ALICE")
	updates := h.fake.Calls("usergroups.users.update")

	// A restart with Slack already right writes nothing.
	h.restart()
	if n := h.fake.Calls("usergroups.users.update"); n != updates {
		t.Errorf("a restart with the group already right updated it again (%d calls, was %d)", n, updates)
	}
	if n := h.fake.Calls("conversations.setTopic"); n != 1 {
		t.Errorf("conversations.setTopic called %d times, want once", n)
	}

	// At the next handoff Slack fails: 503 twice, then a 429 asking for 1s.
	h.fake.FailNext("usergroups.users.update", 2, slackfake.Fault{Status: 503})
	h.fake.FailNext("conversations.setTopic", 1, slackfake.Fault{Status: 429, RetryAfter: 1})
	handoff := at(t, "2026-10-19 10:00", berlin)
	h.clock.Set(handoff)
	h.settle()
	if got := h.fake.UserGroupMembers("S0ONCALL"); slices.Equal(got, []string{"U0BOB"}) {
		t.Fatalf("the group was updated through a failing Slack: %v", got)
	}
	// The keeper retries with backoff on the clock until Slack matches.
	h.runUntil(handoff.Add(time.Minute))
	h.assertInStep("a minute after the failed handoff", "U0BOB")
	if n := h.fake.Calls("usergroups.users.update") - updates; n != 3 {
		t.Errorf("usergroups.users.update called %d times after the handoff, want 3 (2 failed, 1 good)", n)
	}
	if !strings.Contains(h.logs.String(), "retry after 1s") {
		t.Errorf("the 429 was not waited out as asked; logs:\n%s", grepLines(h.logs.String(), "oncall"))
	}
	// The bot retried no sooner than Retry-After: the clock had to pass it.
	if n := h.fake.Calls("conversations.setTopic"); n != 3 {
		t.Errorf("conversations.setTopic called %d times, want 3 (start-up, the 429, the retry)", n)
	}
}

// Someone edits the on-call user group by hand in Slack: the bot puts it
// back to exactly the primary at once, not at the next handoff. An edit
// that leaves it right writes nothing, and other groups are not the bot's.
// (HTTP mode: the event is handled before it is acknowledged, so each
// edit below has been seen when EditUserGroup returns.)
func TestOnCallGroupEditedByHandIsPutBack(t *testing.T) {
	cfg := strings.Replace(workspaceConfig, "    start: 2026-11-02\n", "    start: 2026-11-02\n    usergroup: S0ONCALL\n", 1)
	if cfg == workspaceConfig {
		t.Fatal("the workspace's rotation is not where this test adds its user group")
	}
	h := newWorkspaceHarness(t, cfg, at(t, "2026-11-24 12:00", berlin), slackfake.Options{}) // Alice's week
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "payments-oncall", Name: "Payments on call", Users: []string{"U0BOB"}})
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0DESIGN", Handle: "design", Name: "Design", Users: []string{"U0CAROL"}})
	h.startHTTP()
	ctx := context.Background()
	group := func(when string, want ...string) {
		t.Helper()
		if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, want) {
			t.Errorf("%s: the on-call group holds %v, want %v", when, got, want)
		}
	}
	h.settle()
	group("after start-up", "U0ALICE")
	updates := h.fake.Calls("usergroups.users.update")

	if _, err := h.fake.EditUserGroup(ctx, "U0CAROL", "S0ONCALL", []string{"U0ALICE", "U0CAROL"}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	group("after Carol added herself", "U0ALICE")
	if n := h.fake.Calls("usergroups.users.update") - updates; n != 1 {
		t.Errorf("usergroups.users.update called %d times to put the group back, want 1", n)
	}
	// Slack tells of the bot's own writes too (at start-up and putting
	// the group back); let those echoes pass first.
	h.waitFor("the echoes of the bot's writes", func() bool { return h.fake.EventsSent("subteam_members_changed") >= 3 })
	reads := h.fake.Calls("usergroups.users.list")
	if _, err := h.fake.EditUserGroup(ctx, "U0CAROL", "S0ONCALL", []string{"U0ALICE"}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := h.fake.Calls("usergroups.users.list") - reads; n != 1 {
		t.Errorf("the group was read %d times after an edit, want once", n)
	}
	if n := h.fake.Calls("usergroups.users.update") - updates; n != 1 {
		t.Errorf("an edit leaving the group right was written over (%d updates, want still 1)", n)
	}
	if _, err := h.fake.EditUserGroup(ctx, "U0CAROL", "S0DESIGN", []string{"U0CAROL", "U0DAN"}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if got := h.fake.UserGroupMembers("S0DESIGN"); !slices.Equal(got, []string{"U0CAROL", "U0DAN"}) {
		t.Errorf("a group no rotation keeps was changed: %v", got)
	}
	group("after all the edits", "U0ALICE")
}

func TestOnCallPreviewShowsTheNextHandoff(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-14 12:00", berlin), slackfake.Options{})
	var out, errOut bytes.Buffer
	l, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	if err := preview(context.Background(), l, func(k string) string { return h.env[k] }, "payments-oncall", false, at(t, "2026-10-14 12:00", berlin), &out); err != nil {
		t.Fatalf("preview: %v %s", err, errOut.String())
	}
	wantIn(t, "preview", asRead(out.String()), "To C0PAYMENTS:", "On-call handoff · Payments", "<@U0BOB> is now on call for *Payments* until Mon 26 Oct 10:00 CET", "*Outgoing*\n<@U0ALICE>", "*Secondary*\n<@U0CAROL>")
}

func TestOnCallManifestScopes(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-14 12:00", berlin), slackfake.Options{})
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"manifest", "--config", h.cfg}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("manifest exited %d: %s", code, errOut.String())
	}
	// usergroups.users.list/update, conversations.info/setTopic (public
	// and private channels), DMs.
	for _, scope := range []string{"usergroups:read", "usergroups:write", "channels:manage", "groups:write", "channels:read", "groups:read", "im:write", "chat:write", "users:read"} {
		if !strings.Contains(out.String(), "- "+scope+"\n") {
			t.Errorf("manifest lacks the scope %s:\n%s", scope, out.String())
		}
	}
	// The event that tells the bot someone edited the user group by hand.
	if !strings.Contains(out.String(), "- subteam_members_changed\n") {
		t.Errorf("manifest does not subscribe to subteam_members_changed:\n%s", out.String())
	}
}
