package main

import (
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// An action item entered in the retro form reaches its owner at once, as
// one from /incident action does, and goes in the incident's thread; its
// owner in New York is reminded at 09:00 New York time, Alice at 09:00
// in Berlin.
func TestRetroFormActionsDMedAtOnceAndRemindedInOwnersZone(t *testing.T) {
	h := newIncidentHarnessFast(t, at(t, "2026-11-30 10:00", berlin), "chat.update", "chat.postMessage")
	h.fake.AddUser(slackfake.User{ID: "U0NICK", Name: "nick", TZ: "America/New_York"})
	h.start()
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	h.clock.Advance(time.Hour)
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1")
	h.command("U0BOB", "C0INCIDENTS", "/incident", "action #1 <@U0ALICE|alice> Raise the pool size alert")
	h.settle()

	submit := func() {
		h.command("U0BOB", "C0INCIDENTS", "/incident", "retro #1")
		v := h.openView("U0BOB")
		if _, err := h.fake.SubmitView(h.ctx(), "U0BOB", v.ID, map[string]map[string]any{
			"happened":      {"value": text("The pool shrank with deploy 4242.")},
			"action1_text":  {"value": text("Show config changes in deploy diffs")},
			"action1_owner": {"value": map[string]any{"type": "users_select", "selected_user": "U0NICK"}},
			"action1_due":   {"value": map[string]any{"type": "datepicker", "selected_date": "2026-12-11"}},
		}); err != nil {
			t.Fatal(err)
		}
		h.settle()
	}
	submit()
	dm := one(t, h.fake.DMs("U0NICK"), "gave you an action item", "Nick's DMs")
	wantIn(t, "Nick's DM", readable(t, dm), "<@U0BOB> gave you an action item from incident *#1: Checkout returns 500s*, due Fri 11 Dec", "Show config changes in deploy diffs", "[Done]")
	one(t, h.fake.Replies("C0INCIDENTS", h.fake.ChannelMessages("C0INCIDENTS")[0].TS), ":clipboard: *Action item* for <@U0NICK>, due Fri 11 Dec, added by <@U0BOB>", "the thread")
	// Answering again with the item as it was says nothing new.
	submit()
	if n := len(find(t, h.fake.DMs("U0NICK"), "gave you an action item")); n != 1 {
		t.Errorf("Nick was told %d times of one item", n)
	}

	// Tuesday 09:00 in Berlin: Alice's reminder, none for Nick (03:00 in
	// New York); 09:00 in New York (15:00 in Berlin): Nick's.
	h.runUntil(at(t, "2026-12-01 09:00", berlin))
	one(t, h.fake.DMs("U0ALICE"), "You have 1 open action item", "Alice's DMs")
	if got := find(t, h.fake.DMs("U0NICK"), "open action item"); len(got) != 0 {
		t.Fatalf("Nick reminded at %s in New York", tsTime(t, got[0].TS).In(newYork))
	}
	h.runUntil(at(t, "2026-12-01 09:00", newYork))
	rem := one(t, h.fake.DMs("U0NICK"), "You have 1 open action item", "Nick's DMs")
	if got := tsTime(t, rem.TS).In(newYork); got.Hour() != 9 || got.Minute() != 0 {
		t.Errorf("Nick reminded at %s, want 09:00 in New York", got)
	}
	if n := len(find(t, h.fake.DMs("U0ALICE"), "open action item")); n != 1 {
		t.Errorf("Alice reminded %d times on Tuesday", n)
	}
}
