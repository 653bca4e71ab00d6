package main

import (
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// TestABadIncidentNumberNeverFallsBackOnTheOpenOne: with one incident
// open, a verb naming a # that is no incident number is refused with a
// usage message, and the open incident is left alone (the review's
// `/incident resolve #12345678901` resolved #1).
func TestABadIncidentNumberNeverFallsBackOnTheOpenOne(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-24 14:00", berlin), slackfake.Options{})
	h.startHTTP()
	h.incidentCmd(t, "U0ALICE", "declare sev2 Checkout slow")
	before := h.export()
	for _, text := range []string{"resolve #12345678901", "resolve #-3", "update #1x Rolled back", "sev #general sev1", "resolve #"} {
		got := ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", text))
		if !strings.Contains(got, "is not an incident number") {
			t.Errorf("/incident %s: %q, want a usage error", text, got)
		}
	}
	if after := h.export(); after != before {
		t.Errorf("a refused command changed the store:\n%s", firstDiff(before, after))
	}
	if inc, _, _ := h.m.DB.Incident(1); !inc.IsOpen() {
		t.Error("#1 was resolved")
	}
}
