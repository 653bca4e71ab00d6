package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A refusal of the whole answer (here: an edit once the summary is out and
// the member's day is over) keeps the modal open with the reason on the
// first question on screen, "yesterday", not on the alphabetically first
// block ("blockers", last on screen, where nobody looks).
func TestStandupRefusalShowsOnTheFirstQuestion(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", false)
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0ALICE", answers{"yesterday": "Ledger rounding", "today": "Refunds"})

	// She opens her answer to edit it, and the summary goes out meanwhile.
	h.runUntil(at(t, "2026-11-23 10:30", berlin))
	h.command("U0ALICE", payments, "/standup", "")
	h.runUntil(at(t, "2026-11-24 00:05", berlin))
	if n := len(h.fake.ChannelMessages(payments)); n != 1 {
		t.Fatalf("%d channel messages, want the summary", n)
	}

	// Slack sends every input's state, in no order.
	ack := h.submit("U0ALICE", answers{"yesterday": "Ledger rounding", "today": "Refunds, then payouts", "notes": "", "blockers": ""})
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(ack), &resp); err != nil || resp.ResponseAction != "errors" {
		t.Fatalf("an edit after the summary and the end of her day acked %q, want response_action errors", ack)
	}
	if len(resp.Errors) != 1 || resp.Errors["yesterday"] == "" {
		t.Errorf("the refusal is on %v, want it on the first question, yesterday", resp.Errors)
	}
	if len(h.fake.OpenViews("U0ALICE")) != 1 {
		t.Error("the modal closed on a refusal; what she typed is lost")
	}
}

// The modal's metadata names its day: a modal opened from Monday's prompt
// and sent Monday evening, when /standup answers Tuesday, is Monday's
// answer (late), not Tuesday's.
func TestStandupAnswerIsForTheDayItsModalNames(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", false)
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.click("U0CAROL", "standup:answer")
	h.runUntil(at(t, "2026-11-23 20:00", berlin))
	if ack := h.submit("U0CAROL", answers{"yesterday": "Chargebacks", "today": "Disputes"}); ack != "" {
		t.Fatalf("Monday's late answer acked %q", ack)
	}
	h.runUntil(at(t, "2026-11-24 11:05", berlin))
	summaries := h.fake.ChannelMessages(payments)
	if len(summaries) != 2 {
		t.Fatalf("%d channel messages, want Monday's and Tuesday's summaries", len(summaries))
	}
	wantIn(t, "Monday's summary", blockText(t, summaries[0]), "Disputes", "(late)")
	if text := blockText(t, summaries[1]); strings.Contains(text, "Disputes") {
		t.Errorf("Monday's answer shows in Tuesday's summary: %q", text)
	}
}
