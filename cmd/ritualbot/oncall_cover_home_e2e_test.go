package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// An open cover request is on the App Home of each teammate who could
// take it, in their zone, with the channel's Take button; taking it from
// the Home is the same take: the channel's request says who took it, the
// taker's Home is drawn again without it and says what happened, and a
// teammate clicking it on a Home drawn before is told it is taken.
func TestOnCallCoverRequestOnTheAppHome(t *testing.T) {
	h := newOnCallCoverHarness(t, at(t, "2026-10-21 12:00", berlin)) // Bob's week; Carol's is next
	h.start()
	// Carol, in New York, asks for 09:00–17:00 her time: 14:00–22:00 in
	// Berlin, 22:00–06:00 in Tokyo.
	wantIn(t, "Carol's cover request", asRead(decoded(t, h.command("U0CAROL", "C0PAYMENTS", "/oncall", "cover 2026-10-28 09:00 2026-10-28 17:00 dentist"))), "Cover request #1")
	h.settle()

	dave := h.home("U0DAVE")
	wantIn(t, "Dave's App Home", dave, ":sos: *Cover wanted* (1 open)",
		"*Cover request #1* for *Payments*: Wed 28 Oct 14:00 – Wed 28 Oct 22:00 CET, in place of <@U0CAROL>", "_dentist_", "Take it")
	wantIn(t, "Bob's App Home (Tokyo)", h.home("U0BOB"), "Wed 28 Oct 22:00 – Thu 29 Oct 06:00 JST, in place of <@U0CAROL>")
	for _, who := range []string{"U0CAROL", "U0LEAD"} { // her own; the lead is not in the rotation
		if home := h.home(who); strings.Contains(home, "Cover wanted") {
			t.Errorf("%s's App Home offers the request:\n%s", who, home)
		}
	}

	// Dave takes it from his Home.
	published := h.fake.Calls("views.publish")
	if _, err := h.fake.SendHomeAction(h.ctx(), "U0DAVE", "oncall:cover-take", ""); err != nil {
		t.Fatalf("Dave clicks Take it on his Home: %v", err)
	}
	h.waitFor("Dave's Home drawn again", func() bool { return h.fake.Calls("views.publish") > published })
	h.settle()
	dave = homeView(t, h, "U0DAVE")
	wantIn(t, "Dave's App Home after the take", dave, "You took cover request #1: you are on call for *Payments* from Wed 28 Oct 14:00 CET to Wed 28 Oct 22:00 CET.")
	if strings.Contains(dave, "Cover wanted") {
		t.Errorf("the taken request is still on Dave's Home:\n%s", dave)
	}
	req := one(t, h.fake.ChannelMessages("C0PAYMENTS"), "Cover request #1", "the channel")
	wantIn(t, "the channel's request", readable(t, req), "Taken by <@U0DAVE>")
	if strings.Contains(string(req.Blocks), "oncall:cover-take") {
		t.Errorf("the taken request still offers Take it: %s", req.Blocks)
	}
	wantIn(t, "Dave's DM", readable(t, h.lastDM("U0DAVE", "You are on call")), "by cover request #1", "You cover <@U0CAROL>")

	// Bob clicks the button on his Home as it was drawn before the take.
	published = h.fake.Calls("views.publish")
	if _, err := h.fake.SendHomeAction(h.ctx(), "U0BOB", "oncall:cover-take", ""); err != nil {
		t.Fatalf("Bob clicks Take it on his Home: %v", err)
	}
	h.waitFor("Bob's Home drawn again", func() bool { return h.fake.Calls("views.publish") > published })
	h.settle()
	bob := homeView(t, h, "U0BOB")
	wantIn(t, "Bob's App Home after his late click", bob, "<@U0DAVE> took cover request #1 already. Nothing changed.")
	if strings.Contains(bob, "Cover wanted") {
		t.Errorf("the taken request is still on Bob's Home:\n%s", bob)
	}
	if got := messagesWith(h.fake.DMs("U0BOB"), "by cover request #1"); len(got) != 0 {
		t.Errorf("Bob, refused, was told he is on call: %q", texts(got))
	}
}

// homeView is the Home tab last published to user, as they read it.
func homeView(t *testing.T, h *harness, user string) string {
	t.Helper()
	var v struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(h.fake.HomeView(user), &v); err != nil {
		t.Fatalf("Home of %s: %v", user, err)
	}
	return asRead(strings.Join(blockParts(t, v.Blocks), "\n"))
}
