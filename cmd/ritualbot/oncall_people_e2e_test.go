package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals/when"
	"github.com/ritualbot/ritualbot/slackfake"
)

// A team spread over three zones: Alice in New York, Bob in Tokyo, Carol
// and Dave in Berlin (the config's zone); Dan is in no team.
const onCallPeopleConfig = paymentsTeamConfig + paymentsOnCall + `    usergroup: S0ONCALL
    usergroup_members: primary+secondary
`

var tokyo = mustLoad("Asia/Tokyo")

func newOnCallPeopleHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	h := newHarness(t, onCallPeopleConfig, start, slackfake.Options{RateLimits: map[string]slackfake.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}})
	h.limits = map[string]bot.Limit{}
	for _, m := range []string{"chat.postMessage/channel", "usergroups.users.update", "usergroups.users.list", "users.list"} {
		h.limits[m] = bot.Limit{PerMinute: 6000, Burst: 100}
	}
	zones := map[string]string{"U0ALICE": "America/New_York", "U0BOB": "Asia/Tokyo", "U0CAROL": "Europe/Berlin", "U0DAVE": "Europe/Berlin",
		"U0LEAD": "Europe/Berlin", "U0ADMIN": "Europe/Berlin", "U0DAN": "Europe/Berlin"}
	var ids []string
	for id, tz := range zones {
		name := strings.ToLower(id[3:])
		h.fake.AddUser(slackfake.User{ID: id, Name: name, RealName: name, TZ: tz})
		ids = append(ids, id)
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: append(slices.DeleteFunc(ids, func(id string) bool { return id == "U0DAN" }), "U0BOT")})
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "payments-oncall", Name: "Payments on call"})
	return h
}

// readableIn is a message as a member in loc reads it: date tokens as
// their client shows them, in their zone.
func readableIn(t testing.TB, m slackfake.Message, loc *time.Location) string {
	t.Helper()
	return readIn(strings.Join(append([]string{m.Text}, blockParts(t, m.Blocks)...), "\n"), loc)
}

// Planned overrides tell the person put on call and the person relieved,
// each with the span in their own zone; the user group holds primary and
// secondary; /oncall, the handoff and the App Home agree on "until" and
// show each reader their zone; bad input is refused and changes nothing.
func TestOnCallOverridesAreToldInEachReadersZone(t *testing.T) {
	h := newOnCallPeopleHarness(t, at(t, "2026-10-14 12:00", berlin)) // Wednesday of Alice's week
	h.start()

	// Week 1: Alice primary, Bob secondary: the group holds both.
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0ALICE", "U0BOB"}) {
		t.Errorf("user group holds %v, want Alice and Bob (usergroup_members: primary+secondary)", got)
	}

	// The lead plans Bob (Tokyo) in for Alice (New York) on Friday evening.
	ack := decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/oncall", "override <@U0BOB|bob> 2026-10-16 18:00 2026-10-17 09:00"))
	wantIn(t, "the lead's override", asRead(ack), "Done: <@U0BOB> is on call for *Payments* from Fri 16 Oct 18:00 CEST until Sat 17 Oct 09:00 CEST, covering <@U0ALICE>")
	h.settle()
	bobDM := h.lastDM("U0BOB", "You are on call")
	wantIn(t, "Bob's DM, as he reads it in Tokyo", readableIn(t, bobDM, tokyo), "from Sat 17 Oct 01:00 JST to Sat 17 Oct 16:00 JST", "You cover <@U0ALICE>")
	wantIn(t, "Bob's DM without date formatting", readable(t, bobDM), "Sat 17 Oct 01:00 JST")
	aliceDM := h.lastDM("U0ALICE", "covers your on-call shift")
	wantIn(t, "Alice's DM, as she reads it in New York", readableIn(t, aliceDM, newYork), "<@U0BOB> covers your on-call shift for *Payments*, Fri 16 Oct 12:00 EDT to Sat 17 Oct 03:00 EDT")
	wantIn(t, "Alice's DM without date formatting", readable(t, aliceDM), "Fri 16 Oct 12:00 EDT")

	// /oncall during Bob's override, read in Tokyo and in New York; the
	// reply names whom he covers as the confirmation did.
	h.runUntil(at(t, "2026-10-16 19:00", berlin))
	raw := decoded(t, h.command("U0BOB", "C0PAYMENTS", "/oncall", ""))
	wantIn(t, "/oncall in Tokyo", readIn(raw, tokyo), "Primary: <@U0BOB> until Sat 17 Oct 16:00 JST _(override, covering <@U0ALICE>)_")
	wantIn(t, "/oncall in New York", readIn(raw, newYork), "until Sat 17 Oct 03:00 EDT")

	// Bad input: each refused with a clear answer, nothing changed.
	dms := len(h.fake.DMs("U0BOB")) + len(h.fake.DMs("U0CAROL")) + len(h.fake.DMs("U0DAN"))
	sched := asRead(decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/oncall", "schedule payments 4")))
	for _, tc := range []struct{ who, text, want string }{
		{"U0LEAD", "override <@U0CAROL|carol> 2026-10-20 18:00 2026-10-20 09:00", "is not after the start"},
		{"U0LEAD", "override <@U0CAROL|carol> 2026-10-13 10:00 2026-10-13 12:00", "has passed"},
		{"U0LEAD", "override <@U0CAROL|carol> 2026-10-17 08:00 2026-10-17 12:00", "That overlaps <@U0BOB>'s override"},
		{"U0LEAD", "override <@U0DAN|dan> 2026-11-04 09:00 2026-11-04 17:00", "<@U0DAN> is not in the Payments team or its rotation"},
		{"U0CAROL", "swap <@U0CAROL|carol>", "You cannot swap with yourself"},
	} {
		if got := asRead(decoded(t, h.command(tc.who, "C0PAYMENTS", "/oncall", tc.text))); !strings.Contains(got, tc.want) {
			t.Errorf("/oncall %s answered %s\nwant %q", tc.text, got, tc.want)
		}
	}
	h.settle()
	if got := asRead(decoded(t, h.command("U0LEAD", "C0PAYMENTS", "/oncall", "schedule payments 4"))); got != sched {
		t.Errorf("refused commands changed the schedule:\n%s\nwas\n%s", got, sched)
	}
	if n := len(h.fake.DMs("U0BOB")) + len(h.fake.DMs("U0CAROL")) + len(h.fake.DMs("U0DAN")); n != dms {
		t.Errorf("refused commands sent %d DMs", n-dms)
	}

	// An admin may put Dan (in no team) on call, with a warning; Dan, who
	// is not in the channel, is DMed.
	ack = asRead(decoded(t, h.command("U0ADMIN", "C0PAYMENTS", "/oncall", "override <@U0DAN|dan> 2026-11-04 09:00 2026-11-04 17:00")))
	wantIn(t, "the admin's override", ack, "Done: <@U0DAN> is on call", ":warning: <@U0DAN> is not in the Payments team or its rotation")
	h.settle()
	h.lastDM("U0DAN", "You are on call for *Payments* from")

	// Bob's week stretches into Monday 26 Oct by an override until noon:
	// the handoff, /oncall and the App Home give the same end.
	h.command("U0ADMIN", "C0PAYMENTS", "/oncall", "override <@U0BOB|bob> 2026-10-26 10:00 2026-10-26 12:00")
	h.runUntil(at(t, "2026-10-19 10:00", berlin))
	h.settle()
	handoff, ok := lastWith(h.fake.ChannelMessages("C0PAYMENTS"), "is now on call")
	if !ok {
		t.Fatal("no handoff announcement")
	}
	wantIn(t, "the handoff, read in Tokyo", readableIn(t, handoff, tokyo), "<@U0BOB> is now on call for *Payments* until Mon 26 Oct 20:00 JST")
	wantIn(t, "/oncall, read in Tokyo", readIn(decoded(t, h.command("U0BOB", "C0PAYMENTS", "/oncall", "")), tokyo), "Primary: <@U0BOB> until Mon 26 Oct 20:00 JST")
	wantIn(t, "Bob's App Home (Tokyo)", h.home("U0BOB"), "On call now* for *Payments*, until Mon 26 Oct 20:00 JST")
	wantIn(t, "Alice's App Home (New York)", h.home("U0ALICE"), "Your next on-call shift* for *Payments*: Mon 9 Nov 04:00 – Mon 16 Nov 04:00 EST")
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0BOB", "U0CAROL"}) {
		t.Errorf("week 2: user group holds %v, want Bob and Carol", got)
	}
}

// Two successive swaps leave everyone with as many shifts as before: a
// swap trades one week for one week, never a run of back-to-back weeks
// (Alice once ended up on call four weeks in a row).
func TestOnCallTwoSwapsKeepEveryonesShifts(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-13 12:00", berlin), slackfake.Options{}) // Alice's week
	h.start()
	owners := func() map[string]int {
		r := h.m.rotations.List[0]
		n := map[string]int{}
		for end := at(t, "2026-10-19 10:00", berlin); end.Before(at(t, "2026-12-08 00:00", berlin)); end = end.AddDate(0, 0, 7) {
			s, ok, err := r.At(end.Add(-time.Minute))
			if err != nil || !ok {
				t.Fatalf("at %v: %v", end, err)
			}
			n[s.Primary]++
		}
		return n
	}
	before := owners()
	accept := func(who string) {
		t.Helper()
		ask := messagesWith(h.fake.DMs(who), "asks to swap")
		if len(ask) == 0 {
			t.Fatalf("%s was not asked", who)
		}
		last := ask[len(ask)-1]
		if _, err := h.fake.SendBlockAction(h.ctx(), who, last.Channel, last.TS, "oncall:swap-accept", ""); err != nil {
			t.Fatal(err)
		}
		h.settle()
	}
	if got := h.onCallNow("U0CAROL", "swap <@U0BOB|bob>"); !strings.Contains(got, "I asked <@U0BOB>") {
		t.Fatalf("Carol's swap: %s", got)
	}
	accept("U0BOB")
	if got := h.onCallNow("U0ALICE", "swap <@U0CAROL|carol>"); !strings.Contains(got, "I asked <@U0CAROL>") {
		t.Fatalf("Alice's swap: %s", got)
	}
	ask := asRead(readable(t, messagesWith(h.fake.DMs("U0CAROL"), "asks to swap")[0]))
	wantIn(t, "the request to Carol", ask, "you take <@U0ALICE>'s on-call shift in Payments, Tue 13 Oct 12:00 CEST to Mon 19 Oct 10:00 CEST, and they take yours, Mon 19 Oct 10:00 CEST to Mon 26 Oct 10:00 CET")
	accept("U0CAROL")
	after := owners()
	for _, who := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"} {
		if before[who] != after[who] {
			t.Errorf("%s: %d shifts in eight weeks before the swaps, %d after (%v → %v)", who, before[who], after[who], before, after)
		}
	}
}

// Every command that takes a date reads the same forms, and its help
// says so: /standup ooo and /incident action … due take "fri" and "+3d"
// as /oncall override does.
func TestEveryCommandTakesTheSameDates(t *testing.T) {
	h := newFaultWeekHarness(t) // Sunday 22 November 2026, 20:00
	h.start()
	help := asRead(decoded(t, h.command("U0ALICE", "C0PAYMENTS", "/standup", "help")))
	wantIn(t, "/standup help", help, "ooo FROM [TO]", when.DayForms)
	wantIn(t, "/standup ooo fri +1w", asRead(decoded(t, h.command("U0ALICE", "C0PAYMENTS", "/standup", "ooo fri +1w"))), "Out of office from", "Fri 27 Nov", "Sun 29 Nov")
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout slow")
	usage := asRead(decoded(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1")))
	wantIn(t, "/incident action's usage", usage, "due DATE", when.DayForms)
	wantIn(t, "/incident action … due +3d", asRead(decoded(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Add an alert due +3d"))), "due Wed 25 Nov")
	wantIn(t, "/incident action … due fri", asRead(decoded(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Page less due fri"))), "due Fri 27 Nov")
}

// A rotation changed while the bot was down: at start-up each person
// whose shifts within plan_ahead moved gets one DM, old → new; starting
// again with the same config tells nobody twice.
func TestOnCallConfigChangeTellsWhoseShiftsMoved(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-13 12:00", berlin), slackfake.Options{}) // Alice's week
	h.start()
	h.stop()
	cfg, err := os.ReadFile(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Carol leaves the team (and so the rotation).
	changed := strings.Replace(string(cfg), "members: [U0ALICE, U0BOB, U0CAROL, U0DAVE]", "members: [U0ALICE, U0BOB, U0DAVE]", 1)
	if changed == string(cfg) {
		t.Fatal("the config's members line was not found")
	}
	if err := os.WriteFile(h.cfg, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Hour)
	h.start()
	moved := func(user string) []slackfake.Message {
		return messagesWith(h.fake.DMs(user), "Your on-call shifts for *Payments* in the next 4 weeks moved")
	}
	carol := moved("U0CAROL")
	if len(carol) != 1 {
		t.Fatalf("Carol got %d DMs about her shifts, want 1", len(carol))
	}
	wantIn(t, "Carol's DM", readable(t, carol[0]), "*Before*\n• Mon 26 Oct 10:00 CET → Mon 2 Nov 10:00 CET", "*Now*\nnone")
	dave := moved("U0DAVE")
	if len(dave) != 1 {
		t.Fatalf("Dave got %d DMs about his shifts, want 1", len(dave))
	}
	wantIn(t, "Dave's DM", readable(t, dave[0]), "*Before*\n• Mon 2 Nov 10:00 CET → Mon 9 Nov 10:00 CET", "*Now*\n• Mon 26 Oct 10:00 CET → Mon 2 Nov 10:00 CET")
	if got := moved("U0BOB"); len(got) != 1 || !strings.Contains(readable(t, got[0]), "*Now*\n• Mon 19 Oct 10:00 CEST → Mon 26 Oct 10:00 CET\n• Mon 9 Nov 10:00 CET") {
		t.Errorf("Bob, whose turn comes sooner, was told %d times: %q", len(got), texts(got))
	}
	if got := moved("U0LEAD"); len(got) != 0 {
		t.Errorf("the lead, who takes no shifts, was told: %q", texts(got))
	}
	h.clock.Advance(time.Hour)
	h.restart()
	if n := len(moved("U0CAROL")) + len(moved("U0DAVE")); n != 2 {
		t.Errorf("after a second start with the same config: %d DMs about moved shifts, want the 2 from before", n)
	}
}
