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

// The retro prompt reaches a participant in New York at the retro slot's
// local time there (10:00 in New York), the ones in Berlin at 10:00 in
// Berlin with the thread's prompt; so do the reminders of a required retro.
func TestRetroPromptsInEachParticipantsZone(t *testing.T) {
	h := newIncidentHarnessFast(t, at(t, "2026-11-30 10:00", berlin), "chat.update", "chat.postMessage")
	h.fake.AddUser(slackfake.User{ID: "U0NICK", Name: "nick", TZ: "America/New_York"})
	h.start()
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	h.command("U0NICK", "C0INCIDENTS", "/incident", "update #1 Rolled back in us-east")
	h.clock.Advance(time.Hour)
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1")
	h.settle()

	h.runUntil(at(t, "2026-12-01 10:00", berlin))
	one(t, h.fake.Replies("C0INCIDENTS", h.fake.ChannelMessages("C0INCIDENTS")[0].TS), "Retro time for #1", "the thread")
	one(t, h.fake.DMs("U0ALICE"), "You took part in incident *#1", "Alice's DMs")
	if got := find(t, h.fake.DMs("U0NICK"), "You took part"); len(got) != 0 {
		t.Fatalf("Nick prompted at %s in New York", tsTime(t, got[0].TS).In(newYork))
	}
	h.runUntil(at(t, "2026-12-01 10:00", newYork))
	dm := one(t, h.fake.DMs("U0NICK"), "You took part in incident *#1", "Nick's DMs")
	if got := tsTime(t, dm.TS).In(newYork); got.Hour() != 10 || got.Minute() != 0 {
		t.Errorf("Nick prompted at %s, want 10:00 in New York", got)
	}
	// The retro is required (sev2): the next day's reminders, each at 10:00
	// local time.
	h.runUntil(at(t, "2026-12-02 10:00", newYork))
	alice := one(t, h.fake.DMs("U0ALICE"), "is not published yet", "Alice's DMs")
	nick := one(t, h.fake.DMs("U0NICK"), "is still open", "Nick's DMs")
	if a, n := tsTime(t, alice.TS).In(berlin), tsTime(t, nick.TS).In(newYork); a.Hour() != 10 || n.Hour() != 10 {
		t.Errorf("reminders at %s (Alice, Berlin) and %s (Nick, New York)", a, n)
	}
	if n := len(find(t, h.fake.DMs("U0NICK"), "You took part")); n != 1 {
		t.Errorf("Nick prompted %d times", n)
	}
}
