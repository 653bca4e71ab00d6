package main

import (
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// TestStandupHistoryIsForTheTeam: Bob's answer, before its summary is
// posted, is read with /standup history by Bob, his teammates, his lead
// and admins, and by nobody else, even naming the standup.
func TestStandupHistoryIsForTheTeam(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{}) // a Monday
	h.startHTTP()
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0BOB", answers{"today": "Tax export", "blockers": "Waiting on the PCI audit"})

	for _, c := range []struct {
		who, user, text string
		may             bool
	}{
		{"Bob", "U0BOB", "history", true},
		{"Carol (teammate)", "U0CAROL", "history <@U0BOB|bob>", true},
		{"Lena (lead)", "U0LEAD", "history payments-standup <@U0BOB|bob>", true},
		{"Adam (admin, no team)", "U0ADMIN", "history payments-standup <@U0BOB|bob>", true},
		{"Otto (no team)", "U0OUT", "history payments-standup <@U0BOB|bob>", false},
		{"Dan (search)", "U0DAN", "history payments <@U0BOB|bob> 50", false},
		{"Sam (lead of search)", "U0SAM", "history payments-standup <@U0BOB|bob>", false},
	} {
		got := ackText(t, h.command(c.user, "C0SEARCH", "/standup", c.text))
		switch {
		case c.may && !strings.Contains(got, "Tax export"):
			t.Errorf("%s: /standup %s: %q, want Bob's answer", c.who, c.text, got)
		case !c.may && (strings.Contains(got, "Tax export") || strings.Contains(got, "PCI") || strings.Contains(got, "answered")):
			t.Errorf("%s: /standup %s showed Bob's answers: %q", c.who, c.text, got)
		case !c.may && !strings.Contains(got, "Only <@U0BOB>, the members and leads of Payments, and admins can read"):
			t.Errorf("%s: /standup %s: %q, want who may", c.who, c.text, got)
		}
	}
}
