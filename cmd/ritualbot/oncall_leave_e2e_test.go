package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// dmsSaying are user's DMs whose text has substr.
func dmsSaying(h *harness, user, substr string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.fake.DMs(user) {
		if strings.Contains(m.Text, substr) {
			out = append(out, m)
		}
	}
	return out
}

// scheduleOrder is the primaries /oncall schedule lists, by name.
func scheduleOrder(sched string) []string {
	var order []string
	for _, m := range primaryRE.FindAllStringSubmatch(sched, -1) {
		order = append(order, onCallJoinNames[m[1]])
	}
	return order
}

// The lead added Nia from Slack; /oncall rotation shows where each member
// comes from. The lead takes her out again with /oncall rotation remove:
// from the next handoff, with the shift under way kept; whoever's shifts
// move is told old → new and Nia that she leaves, once, however often the
// bot restarts. Only leads and admins may, and only for members added
// from Slack: a member the config lists gets where to change it.
func TestOnCallRotationRemoveEndToEnd(t *testing.T) {
	h := newOnCallJoinHarness(t)
	h.start()
	h.runUntil(at(t, "2026-10-20 12:00", berlin)) // Bob's week
	h.settle()
	if _, err := h.m.RotationJoiner().JoinRotation(h.ctx(), "payments", "U0NIA", "U0LEAD", h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.settle()
	members := h.onCallNow("U0BOB", "rotation")
	wantIn(t, "/oncall rotation", members, "*Payments* rotation · _payments-oncall_ · 5 members",
		"1. <@U0ALICE> · _config_", "4. <@U0DAVE> · _config_",
		"5. <@U0NIA> · _added from Slack_ by <@U0LEAD> on Tue 20 Oct 12:00 CEST, takes shifts from the handoff of Mon 26 Oct 10:00 CET",
		"the `rotation:` of `payments-oncall`", "`/oncall rotation remove @user payments`")

	wantIn(t, "/oncall help", h.onCallNow("U0BOB", "help"), "rotation remove @user [TEAM]")
	wantIn(t, "/oncall rotation remove", h.onCallNow("U0LEAD", "rotation remove"), "Usage: `/oncall rotation [TEAM]` lists the members")

	h.runUntil(at(t, "2026-11-03 12:00", berlin)) // Dave's week; Nia's comes next
	h.settle()
	if got, want := scheduleOrder(h.onCallNow("U0LEAD", "schedule payments 6")), []string{"dave", "nia", "alice", "bob", "carol", "dave"}; !slices.Equal(got, want) {
		t.Fatalf("before the removal /oncall schedule lists %v, want %v", got, want)
	}
	channelBefore := len(h.fake.ChannelMessages("C0PAYMENTS"))

	// Refused, and nothing changes: a member who is no lead; a member the
	// config lists.
	wantIn(t, "a member removing Nia", h.onCallNow("U0CAROL", "rotation remove <@U0NIA|nia>"),
		"Only a lead of Payments (<@U0LEAD>) or an admin can take someone out of its on-call rotation.")
	wantIn(t, "the lead removing Bob", h.onCallNow("U0LEAD", "rotation remove <@U0BOB|bob>"),
		"<@U0BOB> is in the Payments on-call rotation by the config file: the `rotation:` of the `payments-oncall` ritual lists them.",
		"remove them from that list in the config file and restart the bot")
	h.settle()
	if n := len(dmsSaying(h, "U0NIA", "You leave the on-call rotation")); n != 0 {
		t.Fatalf("a refusal told Nia she leaves")
	}

	// The lead takes her out.
	done := h.onCallNow("U0LEAD", "rotation remove <@U0NIA|nia>")
	wantIn(t, "the lead's answer", done, "Done: <@U0NIA> leaves the *Payments* on-call rotation from the handoff of Mon 9 Nov 10:00 CET",
		"has been told, and so have the 4 people whose shifts move")
	h.settle()
	nia := dmsSaying(h, "U0NIA", "You leave the on-call rotation for Payments")
	if len(nia) != 1 {
		t.Fatalf("Nia got %d DMs that she leaves", len(nia))
	}
	wantIn(t, "Nia's DM", readable(t, nia[0]),
		"<@U0LEAD> took you out of the on-call rotation for *Payments*: you leave the rotation from the handoff of Mon 9 Nov 10:00 CET.",
		"Shifts you no longer have in the next 4 weeks*\n• Mon 9 Nov 10:00 CET → Mon 16 Nov 10:00 CET")
	// Alice, Bob and Carol move a week earlier; Dave gains the start of
	// the 30 Nov shift.
	moved := map[string]int{}
	for _, who := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"} {
		moved[who] = len(dmsSaying(h, who, "on-call shifts for Payments moved"))
	}
	alice := dmsSaying(h, "U0ALICE", "on-call shifts for Payments moved")
	if len(alice) != 2 { // the join's and the removal's
		t.Fatalf("Alice got %d DMs of moves", len(alice))
	}
	wantIn(t, "Alice's DM", readable(t, alice[1]), "<@U0NIA> leaves the rotation from the handoff of Mon 9 Nov 10:00 CET",
		"*Before*\n• Mon 16 Nov 10:00 CET → Mon 23 Nov 10:00 CET", "*Now*\n• Mon 9 Nov 10:00 CET → Mon 16 Nov 10:00 CET")
	wantIn(t, "Dave's DM", readable(t, h.lastDM("U0DAVE", "on-call shifts for Payments moved")), "*Now*\n• Tue 3 Nov 12:00 CET → Mon 9 Nov 10:00 CET\n• Mon 30 Nov 10:00 CET → Tue 1 Dec 12:00 CET")
	if n := len(h.fake.ChannelMessages("C0PAYMENTS")); n != channelBefore {
		t.Errorf("the channel got %d messages; a join posts none there, nor does a removal", n-channelBefore)
	}

	// Dave's shift stays, with Alice as secondary now; Nia is gone from
	// the next handoff.
	sched := h.onCallNow("U0LEAD", "schedule payments 6")
	if got, want := scheduleOrder(sched), []string{"dave", "alice", "bob", "carol", "dave", "alice"}; !slices.Equal(got, want) {
		t.Errorf("/oncall schedule lists %v, want %v:\n%s", got, want, sched)
	}
	wantIn(t, "/oncall schedule", sched, "Mon 2 Nov 10:00 CET → Mon 9 Nov 10:00 CET  <@U0DAVE> (secondary <@U0ALICE>)")
	if strings.Contains(sched, "<@U0NIA>") {
		t.Errorf("/oncall schedule still names Nia:\n%s", sched)
	}
	wantIn(t, "/oncall rotation", h.onCallNow("U0LEAD", "rotation payments"),
		"5. <@U0NIA> · _added from Slack_ by <@U0LEAD>", "*leaves from the handoff of Mon 9 Nov 10:00 CET* (<@U0LEAD> took them out)")
	wantIn(t, "removing her again", h.onCallNow("U0LEAD", "rotation remove <@U0NIA|nia>"), "leaves the Payments on-call rotation from the handoff of Mon 9 Nov 10:00 CET already")
	if home := h.home("U0NIA"); strings.Contains(home, "Your next on-call shift") {
		t.Errorf("Nia's App Home still has a shift:\n%s", home)
	}

	// validate, beside the running bot, shows her addition and its end.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--config", h.cfg}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("validate: %d %s", code, errOut.String())
	}
	wantIn(t, "validate", out.String(), "rotation with the stored additions: the config's (the members added from Slack were taken out)",
		"stored addition, taken out: U0NIA takes shifts from the handoff of Mon 2026-10-26 10:00 CET until the handoff of Mon 2026-11-09 10:00 CET (added 2026-10-20 by U0LEAD, taken out 2026-11-03 by U0LEAD)")

	// Restarts, before the handoff she leaves at and after it, tell
	// nobody again and keep the schedule.
	told := func() map[string]int {
		n := map[string]int{}
		for _, who := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "U0NIA"} {
			n[who] = len(h.fake.DMs(who))
		}
		return n
	}
	h.restart()
	h.settle()
	if got := h.onCallNow("U0LEAD", "schedule payments 6"); got != sched {
		t.Errorf("after a restart the schedule reads\n%s\nwas\n%s", got, sched)
	}
	for who, n := range moved {
		if got := len(dmsSaying(h, who, "on-call shifts for Payments moved")); got != n {
			t.Errorf("after a restart %s has %d DMs of moves, had %d", who, got, n)
		}
	}
	h.runUntil(at(t, "2026-11-09 10:30", berlin))
	h.settle()
	one(t, h.fake.ChannelMessages("C0PAYMENTS"), "<@U0ALICE> is now on call for Payments until Mon 16 Nov", "the handoff of 9 Nov")
	before := told()
	h.restart()
	h.settle()
	if after := told(); !mapsEqual(before, after) {
		t.Errorf("a restart after the handoff sent DMs: %v → %v", before, after)
	}
	if got, want := scheduleOrder(h.onCallNow("U0LEAD", "schedule payments 5")), []string{"alice", "bob", "carol", "dave", "alice"}; !slices.Equal(got, want) {
		t.Errorf("after the handoff /oncall schedule lists %v, want %v", got, want)
	}
	if n := len(dmsSaying(h, "U0NIA", "You leave the on-call rotation")); n != 1 {
		t.Errorf("Nia was told %d times that she leaves", n)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
