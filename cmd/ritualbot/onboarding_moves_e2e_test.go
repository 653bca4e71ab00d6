package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// Omar starts in Berlin and flies to Tokyo on the Sunday before his
// week-1 nudge; back in Berlin the Sunday before week 2's. Each week's
// list of open steps reaches him once, and each step once: the Monday in
// Tokyo comes before the night's rebuild has a Tokyo job, so the day's
// DMs come with Berlin's 10:00 (18:00 in Tokyo), not never.
func TestOnboardingNudgesFollowAZoneMoveOnce(t *testing.T) {
	h := newOnboardingHarness(t, at(t, "2026-11-30 10:30", berlin))
	h.start()
	h.runUntil(at(t, "2026-11-30 11:00", berlin))
	if r := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "<@U0OMAR> payments"); !strings.Contains(r, "has started") {
		t.Fatalf("/onboard: %s", r)
	}
	h.runUntil(at(t, "2026-12-06 12:00", berlin))
	h.fake.AddUser(slackfake.User{ID: "U0OMAR", Name: "omar", TZ: "Asia/Tokyo"})
	h.runUntil(at(t, "2026-12-09 12:00", berlin))

	nudge := h.dmWith("U0OMAR", "Week 1 of your onboarding")
	wantIn(t, "week 1's nudge", readable(t, nudge), "Set up your laptop", "Ship a one-line change", "2 steps are still open")
	if got := tsTime(t, nudge.TS).In(tokyo).Format("Mon 2 Jan 15:04"); got != "Mon 7 Dec 18:00" {
		t.Errorf("week 1's nudge came at %s Tokyo time, want Mon 7 Dec 18:00", got)
	}
	step := h.dmWith("U0OMAR", "pay for something")
	if got := tsTime(t, step.TS).In(tokyo).Format("Mon 2 Jan 15:04"); got != "Mon 7 Dec 18:00" {
		t.Errorf("day 7's step came at %s Tokyo time, want Mon 7 Dec 18:00", got)
	}

	h.runUntil(at(t, "2026-12-13 12:00", berlin))
	h.fake.AddUser(slackfake.User{ID: "U0OMAR", Name: "omar", TZ: "Europe/Berlin"})
	h.runUntil(at(t, "2026-12-16 12:00", berlin))
	week2 := h.dmWith("U0OMAR", "Week 2 of your onboarding")
	if got := tsTime(t, week2.TS).In(berlin).Format("Mon 2 Jan 15:04"); got != "Mon 14 Dec 10:00" {
		t.Errorf("week 2's nudge came at %s Berlin time, want Mon 14 Dec 10:00", got)
	}
	// Each step's DM once: the nudges list open steps again, as meant.
	for _, text := range []string{"Set up your laptop", "Ship a one-line change", "pay for something"} {
		var got []string
		for _, m := range h.fake.DMs("U0OMAR") {
			if strings.Contains(m.Text, text) && !strings.Contains(m.Text, "still open") {
				got = append(got, tsTime(t, m.TS).Format(time.RFC3339))
			}
		}
		if len(got) != 1 {
			t.Errorf("%q came %d times: %v", text, len(got), got)
		}
	}
}
