package main

import (
	"slices"
	"strings"
	"testing"
)

// Bob takes Carol's cover request; the lead cancels Bob's override before
// it starts: the request is open again wherever open requests show (the
// channel's post offers Take it, Dave's App Home lists it), Carol and Bob
// are told, and Dave takes it. Dave's cover, ended by the lead once it
// has begun, is not opened again: the post, the lead's answer and Carol's
// DM say so, and Carol is on call for the rest.
func TestOnCallCoverReopensWhenItsOverrideIsCancelled(t *testing.T) {
	h := newOnCallCoverHarness(t, at(t, "2026-10-21 12:00", berlin)) // Bob's week; Carol's is next
	h.start()
	say := func(user, text string) string {
		t.Helper()
		return asRead(decoded(t, h.command(user, "C0PAYMENTS", "/oncall", text)))
	}
	wantIn(t, "Carol's request", say("U0CAROL", "cover 2026-10-28 09:00 2026-10-28 17:00 dentist"), "Cover request #1")
	h.settle()
	req := one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel")
	wantIn(t, "Bob's take", h.clickReply("U0BOB", req, "oncall:cover-take"), "You took cover request #1")
	if home := h.home("U0DAVE"); strings.Contains(home, "Cover wanted") {
		t.Fatalf("the taken request is on Dave's App Home:\n%s", home)
	}

	// The lead cancels Bob's override by its day.
	wantIn(t, "the lead's cancel", say("U0LEAD", "override cancel 2026-10-28 payments"),
		"Done: <@U0BOB>'s override for *Payments*, Wed 28 Oct 14:00 CET to Wed 28 Oct 22:00 CET, is cancelled. <@U0CAROL> is on call then.",
		"It took cover request #1, which is open again in <#C0PAYMENTS>.")
	h.settle()
	req = one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel")
	post := readable(t, req)
	wantIn(t, "the channel's request, open again", post, "Take it", "Open again: the cover of whoever took it was cancelled.")
	if strings.Contains(post, "Taken by") {
		t.Errorf("the request open again still says who took it:\n%s", post)
	}
	wantIn(t, "Dave's App Home", h.home("U0DAVE"), ":sos: *Cover wanted* (1 open)", "*Cover request #1* for *Payments*", "Take it")
	wantIn(t, "Carol's DM (New York)", readableIn(t, h.lastDM("U0CAROL", "is open again"), newYork),
		"Cover request #1 for *Payments* is open again: <@U0LEAD> cancelled <@U0BOB>'s cover, so <@U0CAROL> is on call Wed 28 Oct 09:00 EDT to Wed 28 Oct 17:00 EDT until someone takes it.")
	wantIn(t, "Bob's DM (Tokyo)", readableIn(t, h.lastDM("U0BOB", "is open again"), tokyo),
		"Cover request #1 for *Payments* is open again: <@U0LEAD> cancelled your cover")
	if got := messagesWith(h.fake.DMs("U0LEAD"), "is open again"); len(got) != 0 {
		t.Errorf("the lead, who cancelled, was DMed too: %q", texts(got))
	}

	// Dave takes it; it stays his across a restart.
	wantIn(t, "Dave's take", h.clickReply("U0DAVE", req, "oncall:cover-take"), "You took cover request #1: you are on call for *Payments* from Wed 28 Oct 14:00 CET")
	wantIn(t, "the request taken again", readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel")), "Taken by <@U0DAVE>")
	h.restart()
	h.runUntil(at(t, "2026-10-28 15:00", berlin))
	h.settle()
	wantIn(t, "/oncall during the cover", h.onCallNow("U0BOB", ""), "Primary: <@U0DAVE> until Wed 28 Oct 22:00 CET _(override, covering <@U0CAROL>)_")

	// The lead ends Dave's cover at 15:00: not open again.
	wantIn(t, "the lead's end", say("U0LEAD", "override cancel payments"),
		"Done: <@U0DAVE>'s override for *Payments* has ended; <@U0CAROL> is on call",
		"It took cover request #1, whose span had begun: the request is not open again, and whoever asked has been told; `/oncall cover payments FROM TO` asks for cover of what is left.")
	h.settle()
	post = readable(t, one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel"))
	wantIn(t, "the channel's request, ended early", post,
		"Taken by <@U0DAVE>, whose cover ended early, at Wed 28 Oct 15:00 CET: <@U0CAROL> is on call again until Wed 28 Oct 22:00 CET. The span had begun, so the request is not open again")
	if strings.Contains(string(one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel").Blocks), "oncall:cover-take") {
		t.Errorf("the request ended early offers Take it:\n%s", post)
	}
	wantIn(t, "Carol's DM of the early end", readableIn(t, h.lastDM("U0CAROL", "ended early"), newYork),
		"<@U0LEAD> ended <@U0DAVE>'s cover (cover request #1 for *Payments*) at Wed 28 Oct 10:00 EDT, before its end: <@U0CAROL> is on call again until Wed 28 Oct 17:00 EDT.")
	wantIn(t, "Dave's DM of the early end", readable(t, h.lastDM("U0DAVE", "ended early")), "The request is not open again")
	if home := h.home("U0BOB"); strings.Contains(home, "Cover wanted") {
		t.Errorf("the request ended early is on Bob's App Home:\n%s", home)
	}
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0CAROL"}) {
		t.Errorf("user group holds %v after the early end, want Carol", got)
	}
}
