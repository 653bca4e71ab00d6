package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// pastShifts is the primaries of payments' shifts starting in [from, to),
// as the digest reads them: "Mon 9 Nov alice, …".
func (h *harness) pastShifts(from, to time.Time) string {
	h.t.Helper()
	shifts, err := h.m.OnCallSchedule().ShiftsBetween("payments", from, to)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, sh := range shifts {
		out = append(out, fmt.Sprintf("%s %s", sh.Start.In(berlin).Format("Mon 2 Jan"), onCallJoinNames[sh.User]))
	}
	return strings.Join(out, ", ")
}

// niaAddedThenTakenOut starts the bot; the lead adds Nia on Tuesday 20
// October 2026 (she takes shifts from the handoff of the 26th) and takes
// her out on Tuesday 3 November. It returns what the removal answered.
func (h *harness) niaAddedThenTakenOut() string {
	h.t.Helper()
	h.start()
	h.runUntil(at(h.t, "2026-10-20 12:00", berlin))
	h.settle()
	if _, err := h.m.RotationJoiner().JoinRotation(h.ctx(), "payments", "U0NIA", "U0LEAD", h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
	h.runUntil(at(h.t, "2026-11-03 12:00", berlin))
	h.settle()
	return h.onCallNow("U0LEAD", "rotation remove <@U0NIA|nia>")
}

// Nia, added from Slack and taken out from the handoff of 9 November,
// is added again after the bot was down over the handoffs of 9 and 16
// November (nothing recorded them): her new turns start at the next
// handoff, and the shifts already past stay as they were, also after a
// restart.
func TestOnCallRejoinAfterDowntimeKeepsHistory(t *testing.T) {
	h := newOnCallJoinHarness(t)
	wantIn(t, "the removal", h.niaAddedThenTakenOut(), "leaves the *Payments* on-call rotation from the handoff of Mon 9 Nov 10:00 CET")
	h.settle()

	// Down from Tuesday 3 to Wednesday 25 November.
	h.stop()
	h.clock.Set(at(t, "2026-11-25 12:00", berlin))
	h.start()
	h.settle()
	from, to := at(t, "2026-10-12 00:00", berlin), at(t, "2026-11-24 00:00", berlin)
	const history = "Mon 12 Oct alice, Mon 19 Oct bob, Mon 26 Oct carol, Mon 2 Nov dave, Mon 9 Nov alice, Mon 16 Nov bob, Mon 23 Nov carol"
	if got := h.pastShifts(from, to); got != history {
		t.Fatalf("after the restart the past shifts read\n%s\nwant\n%s", got, history)
	}

	// The lead adds her again: from the handoff of 30 November.
	j, err := h.m.RotationJoiner().JoinRotation(h.ctx(), "payments", "U0NIA", "U0LEAD", h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := at(t, "2026-11-30 10:00", berlin); !j.From.Equal(want) {
		t.Errorf("she joins again from %s, want %s", j.From, want)
	}
	h.settle()
	if got := h.pastShifts(from, to); got != history {
		t.Errorf("adding her again rewrote the past shifts:\n%s\nwant\n%s", got, history)
	}
	if got, want := scheduleOrder(h.onCallNow("U0LEAD", "schedule payments 4")), []string{"carol", "dave", "nia", "alice"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("/oncall schedule lists %v, want %v", got, want)
	}
	wantIn(t, "validate", h.validateOut(), "rotation with the stored additions: U0ALICE, U0BOB, U0CAROL, U0DAVE, then U0NIA",
		"stored addition, taken out: U0NIA takes shifts from the handoff of Mon 2026-10-26 10:00 CET until the handoff of Mon 2026-11-09 10:00 CET",
		"stored addition: U0NIA takes shifts from the handoff of Mon 2026-11-30 10:00 CET (added 2026-11-25 by U0LEAD)")
	h.restart()
	if got := h.pastShifts(from, to); got != history {
		t.Errorf("after another restart the past shifts read\n%s\nwant\n%s", got, history)
	}
	if got, want := scheduleOrder(h.onCallNow("U0LEAD", "schedule payments 4")), []string{"carol", "dave", "nia", "alice"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after another restart /oncall schedule lists %v, want %v", got, want)
	}
}

// validateOut is `ritualbot validate` beside the running bot.
func (h *harness) validateOut() string {
	h.t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--config", h.cfg}, &out, &errOut, func(string) string { return "" }); code != 0 {
		h.t.Fatalf("validate: %d %s", code, errOut.String())
	}
	return out.String()
}

// Nia, taken out from the handoff of 9 November 2026, shapes the shifts
// up to that handoff's record: the daily retention keeps her addition a
// year (the `oncall` default) from then and lets it go the day after,
// and the shifts she had stay as they were.
func TestOnCallRetentionPrunesMembersTakenOut(t *testing.T) {
	h := newOnCallJoinHarness(t)
	wantIn(t, "the removal", h.niaAddedThenTakenOut(), "from the handoff of Mon 9 Nov 10:00 CET")
	h.runUntil(at(t, "2026-11-10 12:00", berlin))
	h.settle()
	from, to := at(t, "2026-10-12 00:00", berlin), at(t, "2026-11-17 00:00", berlin)
	const history = "Mon 12 Oct alice, Mon 19 Oct bob, Mon 26 Oct carol, Mon 2 Nov dave, Mon 9 Nov alice, Mon 16 Nov bob"
	if got := h.pastShifts(from, to); got != history {
		t.Fatalf("the shifts read\n%s\nwant\n%s", got, history)
	}
	const stored = "stored addition, taken out: U0NIA"
	wantIn(t, "validate after the removal", h.validateOut(), stored)

	// Down for a year; the retention runs each night at 04:15.
	h.stop()
	h.clock.Set(at(t, "2027-11-08 12:00", berlin))
	h.start()
	h.runUntil(at(t, "2027-11-09 05:00", berlin))
	h.settle()
	wantIn(t, "validate on 9 November 2027", h.validateOut(), stored)
	h.runUntil(at(t, "2027-11-10 05:00", berlin))
	h.settle()
	if out := h.validateOut(); strings.Contains(out, "U0NIA") {
		t.Errorf("a year and a day after the handoff she left at, validate still shows her addition:\n%s", grepLines(out, "U0NIA"))
	}
	if got := h.pastShifts(from, to); got != history {
		t.Errorf("after the prune the shifts read\n%s\nwant\n%s", got, history)
	}
	h.restart()
	if got := h.pastShifts(from, to); got != history {
		t.Errorf("after the prune and a restart the shifts read\n%s\nwant\n%s", got, history)
	}
	if got, want := scheduleOrder(h.onCallNow("U0LEAD", "schedule payments 4")), "alice bob carol dave"; !strings.Contains(strings.Join(got, " ")+" "+strings.Join(got, " "), want) {
		t.Errorf("/oncall schedule lists %v, want the four in turn", got)
	}
}
