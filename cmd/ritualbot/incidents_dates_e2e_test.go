package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Where /incident shows when a retro prompt goes out, each reader sees
// their own zone (<!date^…>) and a client that cannot shows the fallback
// in the ritual's zone: the resolve reply and /incident list alike.
func TestIncidentRetroPromptTimesAreInTheRitualsZone(t *testing.T) {
	h := newIncidentHarness(t, at(t, "2026-11-24 14:00", berlin)) // a Tuesday
	h.start()
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s"); !strings.Contains(ack, "Declared *#1") {
		t.Fatalf("declare answered %s", ack)
	}
	h.clock.Advance(time.Hour)
	due := at(t, "2026-11-25 10:00", berlin) // the first retro slot 12 h on
	want := fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|Wed 25 Nov 10:00 CET>", due.Unix())
	if ack := decoded(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1 rolled back")); !strings.Contains(ack, want) {
		t.Errorf("resolve answered %s\nwant the prompt's time as %s", ack, want)
	}
	if ack := decoded(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list")); !strings.Contains(ack, "prompt "+want) {
		t.Errorf("/incident list answered %s\nwant the prompt's time as %s", ack, want)
	}
}

// decoded is an ack's JSON as its strings read, unescaped.
func decoded(t *testing.T, ack string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(ack), &v); err != nil {
		t.Fatalf("ack %q: %v", ack, err)
	}
	return fmt.Sprint(v)
}
