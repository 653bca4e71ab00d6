package main

import (
	"strings"
	"testing"
)

// An admin and a lead mark Nina's steps done with /onboard done, by the
// numbers /onboard status shows; her week-1 nudge no longer lists them,
// Nina is told who marked hers, her own Done button then says so, and
// bad arguments get clear answers.
func TestOnboardDoneByLeadsAndAdmins(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-11-30 10:30", berlin))
	h.start()
	h.runUntil(at(t, "2026-11-30 11:00", berlin))
	if r := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "<@U0NINA|nina> payments"); !strings.Contains(r, "has started") {
		t.Fatalf("/onboard: %s", r)
	}
	wantIn(t, "/onboard help", h.commandText("U0ALICE", "C0PAYMENTS", "/onboard", "help"), "`/onboard done @user STEP [TEAM]`")
	h.runUntil(at(t, "2026-12-02 12:00", tokyo))
	ship := h.dmWith("U0NINA", "Ship a one-line change")

	wantIn(t, "the lead's status", h.onboardStatusText("U0LENA"),
		"`1` Set up your laptop", "`3` Ship a one-line change to production _(newcomer)_")
	for _, c := range []struct{ user, text, want string }{
		{"U0LENA", "done", "Usage: `/onboard done @user STEP [TEAM]`"},
		{"U0LENA", "done <@U0NINA>", "Usage: `/onboard done @user STEP [TEAM]`"},
		{"U0LENA", "done nina 3", "`nina` is not a @user"},
		{"U0LENA", "done <@U0NINA> three", "`three` is not a step number"},
		{"U0LENA", "done <@U0NINA> 9", "The Payments onboarding has steps 1 to 5, not 9"},
		{"U0LENA", "done <@U0NINA> 1 billing", "No team `billing` has an onboarding"},
		{"U0LENA", "done <@U0OMAR> 1", "<@U0OMAR> has no onboarding"},
		{"U0ALICE", "done <@U0NINA> 3", "This step is <@U0NINA>'s to mark done (or a lead's or an admin's)"},
		{"U0ADMIN", "done <@U0NINA|nina> 3", "Step 3 of <@U0NINA>'s onboarding in Payments is done: Ship a one-line change to production. Weekly nudges no longer list it. <@U0NINA> has been told."},
		{"U0LENA", "done <@U0NINA> #3 payments", "was done already"},
	} {
		if got := h.commandText(c.user, "C0PAYMENTS", "/onboard", c.text); !strings.Contains(got, c.want) {
			t.Errorf("/onboard %s by %s: %s\nwant %q", c.text, c.user, got, c.want)
		}
	}
	// Nina hears who marked her step, so her button's "Done already" is
	// no surprise.
	h.settle()
	wantIn(t, "Nina's DM of the admin's mark", readable(t, h.dmWith("U0NINA", "marked a step")),
		"<@U0ADMIN> marked a step of your onboarding in Payments done for you: Ship a one-line change to production.",
		`its Done button answers "Done already"`)
	if got := messagesWith(h.fake.DMs("U0ADMIN"), "marked a step"); len(got) != 0 {
		t.Errorf("the admin, who marked it, was DMed too: %q", texts(got))
	}
	h.clickOn("U0NINA", ship, "onboarding:done:2")
	wantIn(t, "Nina's click after the admin's", readable(t, h.dmWith("U0NINA", "Day 2 of your onboarding")), "Done already")

	h.runUntil(at(t, "2026-12-07 12:00", tokyo))
	nudge := readable(t, h.dmWith("U0NINA", "Week 1 of your onboarding"))
	wantIn(t, "the nudge", nudge, "1 step is still open", "Set up your laptop")
	if strings.Contains(nudge, "Ship a one-line change") {
		t.Errorf("the nudge lists the step the admin marked done:\n%s", nudge)
	}
	wantIn(t, "the lead's status after", h.onboardStatusText("U0LENA"), "steps 1/5 done")
}
