package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/slackfake"
)

const incidentsConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
admins: [U0ADMIN]
teams:
  - {id: payments, name: Payments, channel: C0PAYMENTS, members: [U0ALICE, U0BOB, U0CAROL], leads: [U0ALICE]}
rituals:
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
    retro: {schedule: "0 10 * * MON-FRI", min_delay: 12h}
    actions_remind: "0 9 * * MON-FRI"
    alertmanager:
      open_when: {severity: [critical, page]}
      severity: sev1
`

// newIncidentHarness is a workspace with an incidents channel the bot is
// in, and Carol on call for payments (the on-call ritual is another
// kind's: a lookup stands in for it).
func newIncidentHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	return newIncidentHarnessFast(t, start)
}

// newIncidentHarnessFast is newIncidentHarness with the methods named
// also loosened, for tests that run many commands (each edits the
// announcement: chat.update is Tier 3).
func newIncidentHarnessFast(t *testing.T, start time.Time, methods ...string) *harness {
	t.Helper()
	// An incident's thread gets several posts within one frozen minute of
	// the fake clock; Slack's one-a-second channel pace, which this test
	// is not about, would make it wait in real time.
	fast := bot.Limit{PerMinute: 6000, Burst: 100}
	fake := map[string]slackfake.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}
	client := map[string]bot.Limit{"chat.postMessage/channel": fast}
	// The action reminders read members' zones (users.list, Tier 2)
	// when their jobs are made, daily: days pass in real seconds here.
	for _, m := range append(methods, "users.list") {
		fake[m], client[m] = slackfake.Limit{PerMinute: 6000, Burst: 100}, fast
	}
	h := newHarness(t, incidentsConfig, start, slackfake.Options{RateLimits: fake})
	h.limits = client
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0ALICE", "U0BOB", "U0CAROL", "U0BOT"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: []string{"U0ALICE", "U0BOB", "U0CAROL", "U0ADMIN", "U0BOT"}})
	for _, u := range []slackfake.User{{ID: "U0ALICE", Name: "alice"}, {ID: "U0BOB", Name: "bob"}, {ID: "U0CAROL", Name: "carol"}, {ID: "U0ADMIN", Name: "admin"}} {
		u.TZ = "Europe/Berlin"
		h.fake.AddUser(u)
	}
	h.setup = func(m *Main) {
		m.onCall = func(team string, at time.Time) (string, bool) { return "U0CAROL", team == "payments" }
	}
	h.env[envWebhookToken] = "hook-token"
	h.env[envPagerDutySecret] = "pd-secret"
	return h
}

func text(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }

func TestIncidentFromDeclarationToPublishedPostmortemAndDoneActions(t *testing.T) {
	fri := at(t, "2026-11-27 14:00", berlin) // a Friday
	h := newIncidentHarness(t, fri)
	h.start()

	// Alice declares a sev2: announced in #incidents naming Carol, on call.
	ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	if !strings.Contains(ack, "Declared *#1: Checkout returns 500s* (SEV2)") {
		t.Fatalf("declare answered %s", ack)
	}
	h.settle()
	announce := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1: Checkout returns 500s", "#incidents")
	if a := readable(t, announce); !strings.Contains(a, "SEV2") || !strings.Contains(a, "<@U0ALICE>") || !strings.Contains(a, "*On call*\n<@U0CAROL> (Payments)") {
		t.Errorf("announcement lacks severity, commander or on-call:\n%s", a)
	}

	// Two updates: Bob with /incident and #1; Alice by mentioning the bot
	// in the incident's thread (slash commands carry no thread).
	h.clock.Advance(20 * time.Minute)
	h.command("U0BOB", "C0PAYMENTS", "/incident", "update #1 Rolled back deploy 4242 &lt;!channel&gt;")
	h.clock.Advance(25 * time.Minute)
	// The fake sends app_mention besides the message event, as Slack does.
	if _, _, err := h.fake.SendMessageEvent(h.ctx(), "U0ALICE", "C0INCIDENTS", "<@U0BOT> update Error rate falling, watching", announce.TS); err != nil {
		t.Fatal(err)
	}
	// Events are acknowledged before they are handled: wait for the effect.
	h.waitFor("the mentioned update in the thread", func() bool {
		return len(find(t, h.fake.Replies("C0INCIDENTS", announce.TS), "*Update* by <@U0ALICE>")) > 0
	})

	// Carol writes in the thread; Bob pins it with :pushpin:.
	h.clock.Advance(15 * time.Minute)
	carol, _, err := h.fake.SendMessageEvent(h.ctx(), "U0CAROL", "C0INCIDENTS", "Root of it: connection pool at 100% after the deploy", announce.TS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.AddReaction(h.ctx(), "U0BOB", "C0INCIDENTS", carol.TS, "pushpin"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.fake.AddReaction(h.ctx(), "U0ALICE", "C0INCIDENTS", carol.TS, "pushpin"); err != nil {
		t.Fatal(err)
	}
	h.settle()
	h.waitFor("the pinned message in the thread", func() bool {
		return len(find(t, h.fake.Replies("C0INCIDENTS", announce.TS), "*Pinned* from")) > 0
	})
	thread := h.fake.Replies("C0INCIDENTS", announce.TS)
	for _, want := range []string{"*Update* by <@U0BOB>", "*Update* by <@U0ALICE>\nError rate falling", "*Pinned* from <@U0CAROL>"} {
		one(t, thread, want, "the incident's thread")
	}
	if up := readable(t, one(t, thread, "Rolled back deploy 4242", "thread")); !strings.Contains(up, "&lt;!channel&gt;") {
		t.Errorf("a pasted <!channel> is not inert in the update: %q", up)
	}

	// Resolved late on Friday.
	h.runUntil(at(t, "2026-11-27 22:30", berlin))
	ack = h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1 Rolled back; pool size raised")
	if !strings.Contains(ack, "Resolved #1 after 8h 30m") {
		t.Errorf("resolve answered %s", ack)
	}
	h.settle()
	if a := readable(t, h.fake.ChannelMessages("C0INCIDENTS")[0]); !strings.Contains(a, "*Resolved* after 8h 30m") {
		t.Errorf("announcement not updated on resolve:\n%s", a)
	}

	// No prompt over the weekend or before the slot; Monday 10:00 it comes.
	h.runUntil(at(t, "2026-11-30 09:59", berlin))
	if got := find(t, h.fake.Replies("C0INCIDENTS", announce.TS), "Retro time"); len(got) != 0 {
		t.Fatalf("retro prompt before Monday's slot, at %s", tsTime(t, got[0].TS).In(berlin))
	}
	h.runUntil(at(t, "2026-11-30 10:00", berlin))
	prompt := one(t, h.fake.Replies("C0INCIDENTS", announce.TS), "Retro time for #1", "thread")
	if got := tsTime(t, prompt.TS).In(berlin); !got.Equal(at(t, "2026-11-30 10:00", berlin)) {
		t.Errorf("retro prompt at %s, want Monday 10:00", got)
	}
	dm := map[string]slackfake.Message{}
	for _, u := range []string{"U0ALICE", "U0BOB", "U0CAROL"} {
		dm[u] = one(t, h.fake.DMs(u), "You took part in incident *#1", u+"'s DMs")
	}
	if !strings.Contains(readable(t, dm["U0ALICE"]), "[Publish postmortem]") || strings.Contains(readable(t, dm["U0BOB"]), "[Publish postmortem]") {
		t.Error("only the commander's prompt offers to publish")
	}

	// Bob and Carol answer through the modal.
	h.clickOn("U0BOB", dm["U0BOB"], incident.ActionRetroAnswer)
	v := h.openView("U0BOB")
	if _, err := h.fake.SubmitView(h.ctx(), "U0BOB", v.ID, map[string]map[string]any{
		"happened":      {"value": text("Deploy 4242 halved the pool size; checkout timed out waiting for connections.")},
		"went_well":     {"value": text("Rollback took four minutes.")},
		"action1_text":  {"value": text("Alert on connection pool saturation")},
		"action1_owner": {"value": map[string]any{"type": "users_select", "selected_user": "U0CAROL"}},
		"action1_due":   {"value": map[string]any{"type": "datepicker", "selected_date": "2026-12-04"}},
	}); err != nil {
		t.Fatal(err)
	}
	h.clickOn("U0CAROL", dm["U0CAROL"], incident.ActionRetroAnswer)
	v = h.openView("U0CAROL")
	// An action item without an owner keeps the modal open with a reason.
	reply, err := h.fake.SubmitView(h.ctx(), "U0CAROL", v.ID, map[string]map[string]any{
		"happened":     {"value": text("Paged at 14:02, pool graphs showed it at once.")},
		"went_badly":   {"value": text("The deploy diff hid the pool change in a config file.")},
		"action1_text": {"value": text("Show config changes in deploy diffs")},
	})
	if err != nil || !strings.Contains(string(reply.Ack), "action1_owner") {
		t.Fatalf("action item without owner: %v %s", err, reply.Ack)
	}
	if _, err := h.fake.SubmitView(h.ctx(), "U0CAROL", v.ID, map[string]map[string]any{
		"happened":      {"value": text("Paged at 14:02, pool graphs showed it at once.")},
		"went_badly":    {"value": text("The deploy diff hid the pool change in a config file.")},
		"action1_text":  {"value": text("Show config changes in deploy diffs")},
		"action1_owner": {"value": map[string]any{"type": "users_select", "selected_user": "U0BOB"}},
		"action1_due":   {"value": map[string]any{"type": "datepicker", "selected_date": "2026-12-11"}},
	}); err != nil {
		t.Fatal(err)
	}
	h.settle()

	// Only the commander (or an admin) publishes.
	if ack := h.command("U0BOB", "C0INCIDENTS", "/incident", "publish #1"); !strings.Contains(ack, `Only \u003c@U0ALICE\u003e (the commander) or an admin`) {
		t.Errorf("Bob publishing answered %s", ack)
	}
	if code, _ := h.get("/incidents/1/postmortem.md"); code != http.StatusNotFound {
		t.Errorf("postmortem served before publishing: %d", code)
	}
	h.clock.Advance(time.Hour)
	h.clickOn("U0ALICE", dm["U0ALICE"], incident.ActionRetroPublish)
	// The DM she clicked in says so now, with the link, and offers
	// Publish no more.
	if r := readable(t, sameMessage(t, h.fake.DMs("U0ALICE"), dm["U0ALICE"])); !strings.Contains(r, "*Published* ✓ (<http") || strings.Contains(r, "[Publish postmortem]") {
		t.Errorf("Alice's retro DM after publishing:\n%s", r)
	}

	pm := readable(t, one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Postmortem #1: Checkout returns 500s", "#incidents"))
	wantIn(t, "postmortem message", pm, "*Duration*\n8h 30m", "*Time to restore*\n8h 30m", "Blameless", "Alert on connection pool saturation — <@U0CAROL>, due Fri 4 Dec 2026",
		"Show config changes in deploy diffs — <@U0BOB>, due Fri 11 Dec 2026", "Rollback took four minutes.", "postmortem.md")
	inOrder(t, "postmortem message", pm, "Declared", "Rolled back deploy 4242", "Error rate falling", "connection pool at 100%", "*Resolved*")

	code, md := h.get("/incidents/1/postmortem.md")
	if code != http.StatusOK {
		t.Fatalf("GET /incidents/1/postmortem.md = %d %s", code, md)
	}
	wantIn(t, "postmortem.md", md, "# Postmortem #1: Checkout returns 500s", "| Severity | SEV2 |", "| Commander | @alice |", "| Duration | 8h 30m |",
		"| Alert on connection pool saturation | @carol | 2026-12-04 | open |", "| Show config changes in deploy diffs | @bob | 2026-12-11 | open |",
		"## What went well?", "**@bob**", "Published 2026-11-30 11:00 CET by @alice.")
	inOrder(t, "postmortem.md", md,
		"**2026-11-27 14:00** Declared by @alice as SEV2",
		"**2026-11-27 14:20** Update by @bob: Rolled back deploy 4242 \\<!channel\\>",
		"**2026-11-27 14:45** Update by @alice: Error rate falling, watching",
		"**2026-11-27 15:00** Pinned message from @carol: Root of it: connection pool at 100% after the deploy",
		"**2026-11-27 22:30** Resolved by @alice: Rolled back; pool size raised")
	if strings.Contains(md, "&lt;") || strings.Contains(md, "&gt;") || strings.Contains(md, "&amp;") {
		t.Errorf("Slack's escaping leaks into the Markdown postmortem:\n%s", md)
	}
	if strings.Count(md, "Pinned message") != 1 {
		t.Error("a message pinned twice is on the timeline twice")
	}

	// Action item reminders: each owner one DM a day until Done.
	h.runUntil(at(t, "2026-12-01 09:00", berlin))
	bobDM := one(t, h.fake.DMs("U0BOB"), "You have 1 open action item", "Bob's DMs")
	if r := readable(t, bobDM); !strings.Contains(r, "Show config changes in deploy diffs") || !strings.Contains(r, "[Done]") {
		t.Errorf("Bob's reminder:\n%s", r)
	}
	one(t, h.fake.DMs("U0CAROL"), "You have 1 open action item", "Carol's DMs")
	h.clickOn("U0BOB", bobDM, incident.ActionItemDone)
	if r := readable(t, sameMessage(t, h.fake.DMs("U0BOB"), bobDM)); !strings.Contains(r, "Show config changes in deploy diffs") || !strings.Contains(r, "*Done* ✓") || strings.Contains(r, "[Done]") {
		t.Errorf("Bob's reminder after Done:\n%s", r)
	}
	h.runUntil(at(t, "2026-12-02 09:00", berlin))
	if n := len(find(t, h.fake.DMs("U0BOB"), "open action item")); n != 1 {
		t.Errorf("Bob got %d reminders, want none after clicking Done", n)
	}
	if n := len(find(t, h.fake.DMs("U0CAROL"), "open action item")); n != 2 {
		t.Errorf("Carol got %d reminders by Wednesday, want 2 (her item is still open)", n)
	}
	// Overdue items say so.
	h.runUntil(at(t, "2026-12-07 09:00", berlin))
	last := find(t, h.fake.DMs("U0CAROL"), "open action item")
	if r := readable(t, last[len(last)-1]); !strings.Contains(r, "1 overdue") || !strings.Contains(r, "*overdue* since Fri 4 Dec") {
		t.Errorf("overdue reminder:\n%s", r)
	}
	if ack := h.command("U0CAROL", "", "/incident", "actions"); !strings.Contains(ack, "Alert on connection pool saturation") {
		t.Errorf("/incident actions answered %s", ack)
	}
	// The digest and the App Home read the same through the IncidentLog.
	briefs, err := h.m.Incidents().IncidentsBetween("payments", fri.Add(-time.Hour), fri.Add(time.Hour))
	if err != nil || len(briefs) != 1 || briefs[0].Source != "slack" || briefs[0].RetroPublished.IsZero() || !briefs[0].RetroDue.Equal(at(t, "2026-11-30 10:00", berlin)) {
		t.Errorf("IncidentsBetween = %+v, %v", briefs, err)
	}
	acts, err := h.m.Incidents().Actions("payments")
	if err != nil || len(acts) != 2 || acts[0].Created.IsZero() {
		t.Errorf("Actions = %+v, %v", acts, err)
	}
	closed := 0
	for _, a := range acts {
		if a.Done() {
			closed++
		}
	}
	if closed != 1 {
		t.Errorf("%d action items closed, want Bob's one", closed)
	}
}

// inOrder checks that the parts appear in s in the given order.
func inOrder(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			t.Errorf("%s: %q missing or out of order in:\n%s", what, p, s)
			return
		}
		at += i + len(p)
	}
}

// sameMessage is m as msgs have it now (edited or replaced since).
func sameMessage(t *testing.T, msgs []slackfake.Message, m slackfake.Message) slackfake.Message {
	t.Helper()
	for _, x := range msgs {
		if x.Channel == m.Channel && x.TS == m.TS {
			return x
		}
	}
	t.Fatalf("message %s in %s is gone", m.TS, m.Channel)
	return m
}
