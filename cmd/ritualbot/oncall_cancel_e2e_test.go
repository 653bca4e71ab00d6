package main

import (
	"slices"
	"strings"
	"testing"
)

// A planned override can be cancelled before it starts: by whoever it
// puts on call with `/oncall override cancel` (their next), by a lead
// naming it by its start or its day; anyone else is refused and shown
// the planned ones with the command for each, in their own zone. The
// channel and each person whose shifts move are told; /oncall, the
// schedule and the user group never see it, also after a restart.
func TestOnCallCancelPlannedOverride(t *testing.T) {
	h := newOnCallPeopleHarness(t, at(t, "2026-10-14 12:00", berlin)) // Wednesday of Alice's week
	h.start()
	say := func(user, text string) string {
		t.Helper()
		return asRead(decoded(t, h.command(user, "C0PAYMENTS", "/oncall", text)))
	}

	// Carol takes Alice's Friday evening.
	wantIn(t, "Carol's override", say("U0CAROL", "override <@U0CAROL|carol> 2026-10-16 18:00 2026-10-17 09:00"),
		"Done: <@U0CAROL> is on call for *Payments* from Fri 16 Oct 18:00 CEST until Sat 17 Oct 09:00 CEST, covering <@U0ALICE>")
	h.settle()
	dms := len(h.fake.DMs("U0ALICE")) + len(h.fake.DMs("U0CAROL"))

	// Dave may not cancel it; with none of his own planned he is shown it.
	wantIn(t, "Dave cancelling Carol's", say("U0DAVE", "override cancel 2026-10-16 18:00"),
		"Only <@U0CAROL> (on call by it), <@U0CAROL> (who set it), a lead of Payments (<@U0LEAD>) or an admin can cancel this override.")
	wantIn(t, "Dave's plain cancel", say("U0DAVE", "override cancel"),
		"No override is in force for Payments now: <@U0ALICE> is on call as scheduled.",
		"You have no override of Payments planned (none you are on call by or set). Planned:",
		"• <@U0CAROL>, Fri 16 Oct 18:00 CEST to Sat 17 Oct 09:00 CEST: `/oncall override cancel 2026-10-16 18:00 payments`")
	// Bob reads (and would type) it in Tokyo.
	wantIn(t, "Bob's plain cancel", say("U0BOB", "override cancel payments"), "`/oncall override cancel 2026-10-17 01:00 payments`")
	wantIn(t, "a start no override has", say("U0LEAD", "override cancel 2026-10-16 19:00"), "No override of Payments starts at Fri 16 Oct 19:00 CEST. Planned:")
	wantIn(t, "a FROM that is no date", say("U0LEAD", "override cancel someday"), "`someday` is not a date")
	h.settle()
	if n := len(h.fake.DMs("U0ALICE")) + len(h.fake.DMs("U0CAROL")); n != dms {
		t.Errorf("refused cancels sent %d DMs", n-dms)
	}

	// Carol cancels her next planned override.
	wantIn(t, "Carol's cancel", say("U0CAROL", "override cancel"),
		"Done: <@U0CAROL>'s override for *Payments*, Fri 16 Oct 18:00 CEST to Sat 17 Oct 09:00 CEST, is cancelled. <@U0ALICE> is on call then. The channel and everyone whose shifts move have been told.")
	h.settle()
	if told := messagesWith(h.fake.ChannelMessages("C0PAYMENTS"), "<@U0CAROL> cancelled their on-call override for Payments, Fri 16 Oct 18:00 CEST to Sat 17 Oct 09:00 CEST. <@U0ALICE> is on call then."); len(told) != 1 {
		t.Errorf("the channel was not told once: %q", texts(h.fake.ChannelMessages("C0PAYMENTS")))
	}
	alice := readableIn(t, h.lastDM("U0ALICE", "shifts for Payments moved"), newYork)
	wantIn(t, "Alice's DM (New York)", alice, "moved: <@U0CAROL> cancelled their override", "*Before*\n• Wed 14 Oct 06:00 EDT → Fri 16 Oct 12:00 EDT\n• Sat 17 Oct 03:00 EDT → Mon 19 Oct 04:00 EDT", "*Now*\n• Wed 14 Oct 06:00 EDT → Mon 19 Oct 04:00 EDT")
	carol := readableIn(t, h.lastDM("U0CAROL", "shifts for Payments moved"), berlin)
	wantIn(t, "Carol's DM", carol, "*Before*\n• Fri 16 Oct 18:00 CEST → Sat 17 Oct 09:00 CEST\n• Mon 26 Oct", "*Now*\n• Mon 26 Oct 10:00 CET → Mon 2 Nov 10:00 CET\n")
	if sched := say("U0ALICE", "schedule payments 3"); strings.Contains(sched, "U0CAROL> ") && strings.Contains(sched, "override") {
		t.Errorf("the schedule still shows Carol's override:\n%s", sched)
	}

	// The lead plans Dave into Bob's Wednesday, then cancels it by its day.
	say("U0LEAD", "override <@U0DAVE|dave> 2026-10-21 09:00 2026-10-21 17:00")
	wantIn(t, "the lead's cancel by day", say("U0LEAD", "override cancel wed"),
		"Done: <@U0DAVE>'s override for *Payments*, Wed 21 Oct 09:00 CEST to Wed 21 Oct 17:00 CEST, is cancelled. <@U0BOB> is on call then.")
	h.settle()
	wantIn(t, "Bob's DM", readableIn(t, h.lastDM("U0BOB", "shifts for Payments moved"), tokyo), "moved: <@U0LEAD> cancelled <@U0DAVE>'s override")

	// Friday evening and Wednesday come as scheduled, also after a restart.
	h.restart()
	h.runUntil(at(t, "2026-10-16 19:00", berlin))
	h.settle()
	if now := say("U0ALICE", ""); !strings.Contains(now, "Primary: <@U0ALICE>") || strings.Contains(now, "override") {
		t.Errorf("/oncall on Friday evening:\n%s", now)
	}
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0ALICE", "U0BOB"}) {
		t.Errorf("Friday evening: user group holds %v, want Alice and Bob", got)
	}
	// An override that has started is ended, not cancelled.
	say("U0LEAD", "override <@U0DAVE|dave> 2026-10-16 19:30 2026-10-16 22:00")
	h.runUntil(at(t, "2026-10-16 20:00", berlin))
	wantIn(t, "cancelling a started override by its start", say("U0LEAD", "override cancel 2026-10-16 19:30"),
		"<@U0DAVE>'s override of Payments has started: `/oncall override cancel payments` ends it now.")
	h.runUntil(at(t, "2026-10-21 12:00", berlin))
	if now := say("U0ALICE", ""); !strings.Contains(now, "Primary: <@U0BOB>") || strings.Contains(now, "override") {
		t.Errorf("/oncall on Wednesday:\n%s", now)
	}
}
