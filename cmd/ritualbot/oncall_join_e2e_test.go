package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// Four engineers take weekly turns from Monday 12 October 2026; Nia
// (U0NIA) is new in the team, shadowing its on-call in the weeks of 26
// October and 2 November.
const onCallJoinConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
admins: [U0ADMIN]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB, U0CAROL, U0DAVE, U0NIA]
    leads: [U0LEAD]
rituals:
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-10-12
    rotation: [U0ALICE, U0BOB, U0CAROL, U0DAVE]
    secondary: true
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
`

var onCallJoinNames = map[string]string{
	"U0ALICE": "alice", "U0BOB": "bob", "U0CAROL": "carol", "U0DAVE": "dave", "U0NIA": "nia", "U0LEAD": "lena", "U0ADMIN": "adam",
}

func newOnCallJoinHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, onCallJoinConfig, at(t, "2026-10-11 12:00", berlin), slackfake.Options{})
	h.limits = map[string]bot.Limit{}
	for _, m := range []string{"chat.postMessage/channel", "users.list", "conversations.info"} {
		h.limits[m] = bot.Limit{PerMinute: 6000, Burst: 100}
	}
	var ids []string
	for id, name := range onCallJoinNames {
		h.fake.AddUser(slackfake.User{ID: id, Name: name, RealName: name, TZ: "Europe/Berlin"})
		ids = append(ids, id)
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: append(ids, "U0BOT")})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: append(ids, "U0BOT")})
	// Onboarding stands in: Nia shadows Payments' on-call for two weeks.
	shadowFrom, shadowTo := at(t, "2026-10-26 00:00", berlin), at(t, "2026-11-09 00:00", berlin)
	h.setup = func(m *Main) {
		m.shadows = func(team string, t time.Time) []string {
			if team == "payments" && !t.Before(shadowFrom) && t.Before(shadowTo) {
				return []string{"U0NIA"}
			}
			return nil
		}
	}
	return h
}

// primaryRE is a shift's primary in /oncall schedule's list.
var primaryRE = regexp.MustCompile(`(?m)^• .* → .*?  <@(U[0-9A-Z]+)>`)

// shiftsMovedDMs are the DMs telling user their on-call shifts moved or
// that they joined the rotation.
func shiftsMovedDMs(h *harness, user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.fake.DMs(user) {
		if strings.Contains(m.Text, "on-call shifts for Payments moved") || strings.Contains(m.Text, "joined the on-call rotation") {
			out = append(out, m)
		}
	}
	return out
}

// The lead adds Nia to the rotation (onboarding's "Add"): she takes turns
// from the next handoff, after everyone the config lists; whoever's shifts
// move is told old → new, once, however often the bot restarts; /oncall
// schedule, the App Home and validate show her; as a shadow she sees the
// handoff and the team's incidents.
func TestOnCallJoinRotationEndToEnd(t *testing.T) {
	h := newOnCallJoinHarness(t)
	h.start()
	h.runUntil(at(t, "2026-10-20 12:00", berlin)) // Bob's week
	h.settle()
	joiner := h.m.RotationJoiner()
	if joiner == nil {
		t.Fatal("the wiring offers no RotationJoiner with an oncall ritual configured")
	}
	if _, in := joiner.RotationOf("payments", "U0NIA"); in {
		t.Fatal("U0NIA is in the rotation before the join")
	}
	if name, in := joiner.RotationOf("payments", "U0DAVE"); !in || name != "payments-oncall" {
		t.Fatalf("RotationOf(U0DAVE) = %q, %v; want payments-oncall", name, in)
	}
	j, err := joiner.JoinRotation(h.ctx(), "payments", "U0NIA", "U0LEAD", h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !j.From.Equal(at(t, "2026-10-26 10:00", berlin)) || !j.HasFirstShift || !j.FirstShift.Start.Equal(at(t, "2026-11-09 10:00", berlin)) {
		t.Errorf("joined %+v", j)
	}
	if slices.Sort(j.Told); !slices.Equal(j.Told, []string{"U0ALICE", "U0BOB", "U0NIA"}) {
		t.Errorf("told %v", j.Told)
	}
	h.settle()

	// Carol (26 Oct) and Dave (2 Nov) keep their weeks; Nia takes 9 Nov,
	// Alice's week moves to 16 Nov, Bob loses the start of his.
	for _, who := range []string{"U0CAROL", "U0DAVE"} {
		if dms := shiftsMovedDMs(h, who); len(dms) != 0 {
			t.Errorf("%s, whose shifts stay, was told: %s", who, readable(t, dms[0]))
		}
	}
	alice := shiftsMovedDMs(h, "U0ALICE")
	if len(alice) != 1 {
		t.Fatalf("Alice got %d DMs of moves", len(alice))
	}
	wantIn(t, "Alice's DM", readable(t, alice[0]), "<@U0NIA> joins the rotation from the handoff of Mon 26 Oct 10:00 CET",
		"*Before*\n• Mon 9 Nov 10:00 CET → Mon 16 Nov 10:00 CET", "*Now*\n• Mon 16 Nov 10:00 CET → Tue 17 Nov 11:00 CET") // 4 weeks of 24 h from now
	nia := shiftsMovedDMs(h, "U0NIA")
	if len(nia) != 1 {
		t.Fatalf("Nia got %d DMs", len(nia))
	}
	wantIn(t, "Nia's DM", readable(t, nia[0]), "<@U0LEAD> added you to the on-call rotation for *Payments*", "Mon 9 Nov 10:00 CET → Mon 16 Nov 10:00 CET")

	sched := h.onCallNow("U0LEAD", "schedule payments 6")
	var order []string // the primaries, in order
	for _, m := range primaryRE.FindAllStringSubmatch(sched, -1) {
		order = append(order, onCallJoinNames[m[1]])
	}
	if want := []string{"bob", "carol", "dave", "nia", "alice", "bob"}; !slices.Equal(order, want) {
		t.Errorf("/oncall schedule lists %v, want %v:\n%s", order, want, sched)
	}
	wantIn(t, "Nia's App Home", h.home("U0NIA"), "Your next on-call shift* for *Payments*: Mon 9 Nov 10:00")

	// validate, beside the running bot, shows the stored addition.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--config", h.cfg}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("validate: %d %s", code, errOut.String())
	}
	wantIn(t, "validate", out.String(), "rotation with the stored additions: U0ALICE, U0BOB, U0CAROL, U0DAVE, then U0NIA",
		"stored addition: U0NIA takes shifts from the handoff of Mon 2026-10-26 10:00 CET (added 2026-10-20 by U0LEAD)")

	// A restart keeps her in and tells nobody again; joining again is refused.
	h.restart()
	if got := h.onCallNow("U0LEAD", "schedule payments 6"); got != sched {
		t.Errorf("after a restart the schedule reads\n%s\nwas\n%s", got, sched)
	}
	if _, err := h.m.RotationJoiner().JoinRotation(h.ctx(), "payments", "U0NIA", "U0LEAD", h.clock.Now()); rituals.ErrorCode(err) != rituals.ECONFLICT {
		t.Errorf("joining again: %v", err)
	}
	if _, err := h.m.RotationJoiner().JoinRotation(h.ctx(), "search", "U0NIA", "U0LEAD", h.clock.Now()); rituals.ErrorCode(err) != rituals.ENOTFOUND {
		t.Errorf("joining a team without a rotation: %v", err)
	}

	// The handoff of 26 Oct: Carol comes on call, Nia shadows.
	h.runUntil(at(t, "2026-10-26 10:30", berlin))
	h.settle()
	for _, who := range []string{"U0ALICE", "U0BOB", "U0NIA"} {
		if n := len(shiftsMovedDMs(h, who)); n != 1 {
			t.Errorf("%s was told of the moves %d times", who, n)
		}
	}
	ann := one(t, h.fake.ChannelMessages("C0PAYMENTS"), "<@U0CAROL> is now on call", "the handoff")
	wantIn(t, "the handoff announcement", readable(t, ann), "<@U0NIA> is shadowing this shift.", "Rotation of 5")
	wantIn(t, "Carol's incoming DM", readable(t, h.lastDM("U0CAROL", "You are on call")), "<@U0NIA> is shadowing this shift.")
	wantIn(t, "Nia's shadow DM", readable(t, h.lastDM("U0NIA", "You are shadowing")),
		"You are shadowing <@U0CAROL>'s on-call shift for *Payments*, from now until Mon 2 Nov 10:00 CET.", "<@U0BOB> hands over to <@U0CAROL>.",
		"Open incidents:* none.")

	// An incident declared while she shadows lists her, and gives her no say.
	ack := decoded(t, h.command("U0CAROL", "C0INCIDENTS", "/incident", "declare sev2 Refunds fail"))
	wantIn(t, "the declaration", ack, "#1")
	h.settle()
	inc := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Refunds fail", "the incident announcement")
	wantIn(t, "the incident announcement", readable(t, inc), "Shadowing*\n<@U0NIA>", "On call*\n<@U0CAROL>")
	if got := decoded(t, h.command("U0NIA", "C0INCIDENTS", "/incident", "command #1 <@U0NIA|nia>")); !strings.Contains(got, "Only") {
		t.Errorf("a shadow gave themselves command: %s", got)
	}

	// Stopped, validate reads the store file itself.
	h.stop()
	out.Reset()
	if code := run(context.Background(), []string{"validate", "--config", h.cfg}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("validate: %d %s", code, errOut.String())
	}
	wantIn(t, "validate of the stopped store", out.String(), "stored addition: U0NIA takes shifts from the handoff of Mon 2026-10-26 10:00 CET")
}
