package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/slackfake"
)

// A rotation that plans ahead: Alice (Berlin), Bob (Tokyo), Carol (New
// York), Dave (Berlin) in turn from Monday 12 October; Berlin leaves
// summer time on 25 October. A standup takes absences, an incidents
// ritual and a digest count what happened.
const onCallCoverConfig = paymentsTeamConfig + paymentsOnCall + `    usergroup: S0ONCALL
    topic: true
    escalate_after: 1d
    drill: {schedule: "0 14 * * WED", nth_weekday: 1}
  - name: payments-standup
    kind: standup
    team: payments
    schedule: "0 9 * * MON-FRI"
    questions:
      - {id: today, text: "What are you working on today?"}
  - {name: incidents, kind: incidents, channel: C0INCIDENTS, teams: [payments]}
  - {name: digest, kind: digest, channel: C0DIGEST, schedule: "0 16 * * FRI", teams: [payments]}
`

func newOnCallCoverHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	// Weeks pass in a second of wall time: loosen the limits, the fake's
	// and the bot's, that simulated time compresses.
	methods := []string{"chat.postMessage/channel", "usergroups.users.update", "usergroups.users.list", "conversations.setTopic", "conversations.info", "users.list"}
	fakeLimits, botLimits := map[string]slackfake.Limit{}, map[string]bot.Limit{}
	for _, m := range methods {
		fakeLimits[m], botLimits[m] = slackfake.Limit{PerMinute: 6000, Burst: 100}, bot.Limit{PerMinute: 6000, Burst: 100}
	}
	h := newHarness(t, onCallCoverConfig, start, slackfake.Options{RateLimits: fakeLimits})
	h.limits = botLimits
	zones := map[string]string{"U0ALICE": "Europe/Berlin", "U0BOB": "Asia/Tokyo", "U0CAROL": "America/New_York", "U0DAVE": "Europe/Berlin", "U0LEAD": "Europe/Berlin", "U0ADMIN": "Europe/Berlin"}
	var ids []string
	for id, tz := range zones {
		h.fake.AddUser(slackfake.User{ID: id, Name: onCallNames[id], RealName: onCallNames[id], TZ: tz})
		ids = append(ids, id)
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Topic: "Runbook: wiki/payments", Members: append(ids, "U0BOT")})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: append(ids, "U0BOT")})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "digest", Members: append(ids, "U0BOT")})
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "payments-oncall", Name: "Payments on call"})
	return h
}

// clickReply is user clicking a button of msg; it returns what the bot
// answered them (ephemeral) since.
func (h *harness) clickReply(user string, msg slackfake.Message, actionID string) string {
	h.t.Helper()
	before := len(h.fake.Ephemerals(user))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.fake.SendBlockAction(ctx, user, msg.Channel, msg.TS, actionID, ""); err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
	h.settle()
	eph := h.fake.Ephemerals(user)
	if len(eph) == before {
		return ""
	}
	return asRead(strings.Join(texts(eph[before:]), "\n"))
}

// A member's /standup ooo over her shift tells her and the lead; the
// cover request she posts from the DM is taken by a second member, who
// is then on call for exactly that span everywhere the rotation shows,
// across the change of summer time; bad requests change nothing.
func TestOnCallCoverForAnAbsence(t *testing.T) {
	h := newOnCallCoverHarness(t, at(t, "2026-10-21 12:00", berlin)) // Bob's week, in summer time
	h.start()

	// Carol (New York) is on call 26 Oct–2 Nov and will be away Wed–Fri.
	reply := asRead(decoded(t, h.command("U0CAROL", "C0PAYMENTS", "/standup", "ooo 2026-10-28 2026-10-30")))
	wantIn(t, "/standup ooo", reply, "Out of office from", "You are on call during 1 stretch of it")
	h.settle()
	warn := h.lastDM("U0CAROL", "during an on-call shift")
	wantIn(t, "Carol's warning, read in New York", readableIn(t, warn, newYork),
		"You are away (out of office, 2026-10-28 → 2026-10-30) during an on-call shift for *Payments*: Tue 27 Oct 19:00 EDT to Fri 30 Oct 19:00 EDT")
	wantIn(t, "the lead's warning", readableIn(t, h.lastDM("U0LEAD", "during an on-call shift"), berlin),
		"<@U0CAROL> is away (out of office, 2026-10-28 → 2026-10-30) during an on-call shift for *Payments*: Wed 28 Oct 00:00 CET to Sat 31 Oct 00:00 CET")

	// She posts the cover request from the DM.
	wantIn(t, "posting from the DM", h.clickReply("U0CAROL", warn, "oncall:cover-post"), "Cover request #1 is posted in <#C0PAYMENTS>")
	req := one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel")
	wantIn(t, "the cover request", readable(t, req), "who can be on call Wed 28 Oct 00:00 CET to Sat 31 Oct 00:00 CET in place of <@U0CAROL>", "Take it")

	// Bad requests: a clear answer each, and nothing changes.
	h.command("U0LEAD", "C0PAYMENTS", "/oncall", "override <@U0ALICE|alice> 2026-11-03 10:00 2026-11-03 12:00")
	h.settle()
	sched := asRead(decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/oncall", "schedule payments 6")))
	posted, dms := len(h.fake.ChannelMessages("C0PAYMENTS")), len(h.fake.DMs("U0LEAD"))+len(h.fake.DMs("U0DAVE"))
	for _, tc := range []struct{ text, want string }{
		{"cover 2026-11-05 2026-11-04", "is not after the start"},
		{"cover 2026-10-13 10:00 2026-10-13 12:00", "which has passed"},
		{"cover 2026-11-03 09:00 2026-11-03 11:00", "That overlaps <@U0ALICE>'s override"},
		{"cover 2026-10-29 2026-10-29", "Only a lead of Payments (<@U0LEAD>) or an admin can ask for cover of someone else's shift"},
		{"cover", "Usage: `/oncall cover [TEAM] FROM TO [REASON]`"},
	} {
		if got := asRead(decoded(t, h.command("U0DAVE", "C0PAYMENTS", "/oncall", tc.text))); !strings.Contains(got, tc.want) {
			t.Errorf("/oncall %s answered %s\nwant %q", tc.text, got, tc.want)
		}
	}
	wantIn(t, "asking again", asRead(decoded(t, h.command("U0CAROL", "C0PAYMENTS", "/oncall", "cover 2026-10-29 2026-10-29"))), "Cover request #1 (Wed 28 Oct 00:00 CET to Sat 31 Oct 00:00 CET) already asks for part of that span")
	h.settle()
	if got := asRead(decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/oncall", "schedule payments 6"))); got != sched {
		t.Errorf("refused cover requests changed the schedule:\n%s\nwas\n%s", got, sched)
	}
	if n, d := len(h.fake.ChannelMessages("C0PAYMENTS")), len(h.fake.DMs("U0LEAD"))+len(h.fake.DMs("U0DAVE")); n != posted || d != dms {
		t.Errorf("refused cover requests posted %d messages and %d DMs", n-posted, d-dms)
	}

	// Bob (Tokyo) takes it; a second take, his or Dave's, clicked on the
	// request as their clients still show it (with Take it, before the
	// edit reaches them), is refused. Bob's take is handled before the
	// stale clicks, so which take wins is not left to the scheduler.
	if _, err := h.fake.SendBlockAction(h.ctx(), "U0BOB", req.Channel, req.TS, "oncall:cover-take", ""); err != nil {
		t.Fatalf("Bob clicks Take it: %v", err)
	}
	h.settle()
	for _, who := range []string{"U0DAVE", "U0BOB"} {
		if _, err := h.fake.SendStaleBlockAction(h.ctx(), who, req, "oncall:cover-take", ""); err != nil {
			t.Fatalf("%s clicks Take it on the request as first shown: %v", who, err)
		}
	}
	h.settle()
	wantIn(t, "Bob's takes", asRead(strings.Join(texts(h.fake.Ephemerals("U0BOB")), "\n")),
		"You took cover request #1: you are on call for *Payments* from Wed 28 Oct 00:00 CET to Sat 31 Oct 00:00 CET", "You took cover request #1 already")
	wantIn(t, "Dave's take", asRead(strings.Join(texts(h.fake.Ephemerals("U0DAVE")), "\n")), "<@U0BOB> took cover request #1 already. Nothing changed.")
	req = one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel")
	wantIn(t, "the cover request after", readable(t, req), "Taken by <@U0BOB>")
	if strings.Contains(string(req.Blocks), "oncall:cover-take") {
		t.Errorf("the taken request still offers Take it: %s", req.Blocks)
	}
	wantIn(t, "Bob's DM, read in Tokyo", readableIn(t, h.lastDM("U0BOB", "You are on call"), tokyo),
		"You are on call for *Payments* from Wed 28 Oct 08:00 JST to Sat 31 Oct 08:00 JST, by cover request #1", "You cover <@U0CAROL>")
	wantIn(t, "Carol's DM, read in New York", readableIn(t, h.lastDM("U0CAROL", "covers your on-call shift"), newYork),
		"<@U0BOB> covers your on-call shift for *Payments*, Tue 27 Oct 19:00 EDT to Fri 30 Oct 19:00 EDT")
	if got := messagesWith(h.fake.DMs("U0DAVE"), "You are on call"); len(got) != 0 {
		t.Errorf("Dave, refused, was told he is on call: %q", texts(got))
	}

	// During the cover, after the change of time: every view agrees.
	h.runUntil(at(t, "2026-10-28 12:00", berlin))
	h.settle()
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0BOB"}) {
		t.Errorf("user group holds %v during the cover, want Bob", got)
	}
	if got := h.fake.Topic("C0PAYMENTS"); got != "On call: @bob | Runbook: wiki/payments" {
		t.Errorf("topic %q during the cover", got)
	}
	wantIn(t, "/oncall", h.onCallNow("U0DAVE", ""), "Primary: <@U0BOB> until Sat 31 Oct 00:00 CET _(override, covering <@U0CAROL>)_", "Next: <@U0CAROL> from Sat 31 Oct 00:00 CET")
	wantIn(t, "/oncall schedule", h.onCallNow("U0DAVE", "schedule payments 3"),
		"Wed 28 Oct 00:00 CET → Sat 31 Oct 00:00 CET  <@U0BOB>", "_override, covering <@U0CAROL>_")
	_, feed := h.get("/oncall/payments-oncall.ics")
	events := parseFeed(t, feed)
	i := slices.IndexFunc(events, func(e feedEvent) bool { return e.user == "U0BOB" && e.start.Equal(at(t, "2026-10-28 00:00", berlin)) })
	if i < 0 || !events[i].end.Equal(at(t, "2026-10-31 00:00", berlin)) {
		t.Errorf("the feed does not show Bob covering Wed 28 Oct to Sat 31 Oct: %+v", events)
	}
	wantIn(t, "Bob's App Home (Tokyo)", h.home("U0BOB"), "On call now* for *Payments*, until Sat 31 Oct 08:00 JST")

	// Cover lasts exactly its span: Carol is back on call for Saturday.
	h.runUntil(at(t, "2026-10-31 01:00", berlin))
	h.settle()
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0CAROL"}) {
		t.Errorf("user group holds %v after the cover, want Carol", got)
	}
}

// /oncall away records an absence as /standup ooo does; a cover request
// nobody takes is raised to the lead escalate_after before its shift; the
// warning's button, clicked once the absence has begun, asks for cover of
// what is left of it.
func TestOnCallAwayAndUntakenCover(t *testing.T) {
	h := newOnCallCoverHarness(t, at(t, "2026-10-29 12:00", berlin))
	h.start()
	reply := asRead(decoded(t, h.command("U0DAVE", "C0PAYMENTS", "/oncall", "away 2026-11-05 2026-11-06")))
	wantIn(t, "/oncall away", reply, "Away from 2026-11-05 to 2026-11-06", "on call during 1 stretch")
	h.settle()
	warning := h.lastDM("U0LEAD", "<@U0DAVE> is away")
	wantIn(t, "/oncall away in the past", asRead(decoded(t, h.command("U0DAVE", "C0PAYMENTS", "/oncall", "away 2026-10-01 2026-10-02"))), "in the past")

	wantIn(t, "/oncall cover", asRead(decoded(t, h.command("U0DAVE", "C0PAYMENTS", "/oncall", "cover 2026-11-07 2026-11-07 family"))), "Cover request #1 is posted")
	h.runUntil(at(t, "2026-11-05 12:00", berlin))
	h.settle()
	wantIn(t, "the lead posts from the warning", h.clickReply("U0LEAD", warning, "oncall:cover-post"), "Cover request #2 is posted")
	wantIn(t, "cover request #2", readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #2", "the channel")),
		"Thu 5 Nov 12:00 CET to Sat 7 Nov 00:00 CET in place of <@U0DAVE>")
	h.runUntil(at(t, "2026-11-05 23:59", berlin))
	h.settle()
	if got := messagesWith(h.fake.DMs("U0LEAD"), "Nobody has taken cover request"); len(got) != 0 {
		t.Fatalf("escalated before escalate_after: %q", texts(got))
	}
	h.runUntil(at(t, "2026-11-06 00:30", berlin))
	h.settle()
	if got := messagesWith(h.fake.DMs("U0LEAD"), "Nobody has taken cover request"); len(got) != 1 || !strings.Contains(got[0].Text, "#1") {
		t.Errorf("the lead got %q, want one escalation of #1 a day before its shift (not of #2, which the lead asked for)", texts(got))
	}
	// The daily look-ahead does not repeat what it told.
	if got := messagesWith(h.fake.DMs("U0LEAD"), "<@U0DAVE> is away"); len(got) != 1 {
		t.Errorf("the lead was told of Dave's absence %d times", len(got))
	}
}

// A drill acknowledged after two minutes, and a scheduled one escalated
// to the secondary; the channel gets each result, the digest a drill line,
// and neither counts as an incident.
func TestOnCallDrills(t *testing.T) {
	h := newOnCallCoverHarness(t, at(t, "2026-11-02 12:00", berlin)) // Dave primary, Alice secondary
	h.start()
	wantIn(t, "a member's drill", asRead(decoded(t, h.command("U0BOB", "C0PAYMENTS", "/oncall", "drill"))), "Only a lead of Payments")
	wantIn(t, "the lead's drill", asRead(decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/oncall", "drill payments"))), "Drill #1: <@U0DAVE> has a practice page")
	h.settle()
	page := h.lastDM("U0DAVE", "Practice page: acknowledge within 5 min")
	h.runUntil(at(t, "2026-11-02 12:02", berlin))
	wantIn(t, "Dave acknowledges", h.clickReply("U0DAVE", page, "oncall:drill-ack"), "Acknowledged after 2m")
	wantIn(t, "the result", readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "On-call drill", "the channel")),
		"drill #1: acknowledged by <@U0DAVE> after 2m, not escalated")
	wantIn(t, "acknowledging twice", h.clickReply("U0DAVE", page, "oncall:drill-ack"), "acknowledged this drill already")

	// The first Wednesday of November, 14:00: Dave is paged, then Alice.
	h.runUntil(at(t, "2026-11-04 14:00", berlin))
	h.settle()
	if got := messagesWith(h.fake.DMs("U0DAVE"), "Practice page"); len(got) != 2 {
		t.Fatalf("Dave got %d practice pages, want the scheduled one too", len(got))
	}
	h.runUntil(at(t, "2026-11-04 14:06", berlin))
	h.settle()
	second := h.lastDM("U0ALICE", "Practice page")
	wantIn(t, "the secondary's page", readable(t, second), "<@U0DAVE> has not acknowledged it, so it comes to you as secondary")
	h.clickReply("U0ALICE", second, "oncall:drill-ack")
	results := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "On-call drill")
	if len(results) != 2 {
		t.Fatalf("%d drill results in the channel, want 2", len(results))
	}
	wantIn(t, "the escalated result", readable(t, results[1]), "drill #2: acknowledged by <@U0ALICE> after 6m, escalated to <@U0ALICE>")

	digest := asRead(decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/digest", "preview")))
	wantIn(t, "the digest", digest, "*Drills*\n2 drills", "acknowledged in 4m (median) · 1 escalated")
	wantIn(t, "the digest's incident figures", digest, "*Incidents*\n0 → same", "0.0 incidents/shift", "_nothing restored_")
	wantIn(t, "/incident list", asRead(decoded(t, h.command("U0LEAD", "C0INCIDENTS", "/incident", "list"))), "No ")
}
