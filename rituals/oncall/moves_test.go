package oncall_test

import (
	"slices"
	"strings"
	"testing"
)

// A config change found at start-up tells each person whose shifts in the
// next plan_ahead moved, once, listing old → new; nobody else.
func TestConfigChangeTellsWhoseShiftsMoved(t *testing.T) {
	store := &memOnCallStore{}
	r, out, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store,
		rotation: []string{"U0A", "U0B", "U0C", "U0D", "U0E"}, now: tm(t, "2026-03-02 12:00")})
	if err := r.Open(tm(t, "2026-03-02 12:00")); err != nil {
		t.Fatal(err)
	}
	if len(out.msgs) != 0 {
		t.Fatalf("a first start told %d people of moves", len(out.msgs))
	}
	// C leaves while the bot is down: D and E move up a week, A's second
	// week comes sooner; B's week stays.
	r2, out2, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store,
		rotation: []string{"U0A", "U0B", "U0D", "U0E"}, now: tm(t, "2026-03-03 12:00")})
	if err := r2.Open(tm(t, "2026-03-03 12:00")); err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, m := range out2.msgs {
		told = append(told, m.To)
	}
	slices.Sort(told)
	if want := []string{"U0A", "U0C", "U0D", "U0E"}; !slices.Equal(told, want) {
		t.Fatalf("told %v, want %v (B's week did not move)", told, want)
	}
	c := fallbackDates(out2.to("U0C")[0])
	if !strings.Contains(c, "*Before*\n• Mon 16 Mar 10:00 CET → Mon 23 Mar 10:00 CET") || !strings.Contains(c, "*Now*\nnone") {
		t.Errorf("C was told:\n%s", c)
	}
	d := fallbackDates(out2.to("U0D")[0])
	if !strings.Contains(d, "Before*\n• Mon 23 Mar 10:00 CET → Mon 30 Mar 10:00 CEST") || !strings.Contains(d, "Now*\n• Mon 16 Mar 10:00 CET → Mon 23 Mar 10:00 CET") {
		t.Errorf("D was told:\n%s", d)
	}
	// Starting again with the same config tells under the same keys: the
	// outbox sends each once.
	r3, out3, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store,
		rotation: []string{"U0A", "U0B", "U0D", "U0E"}, now: tm(t, "2026-03-03 13:00")})
	if err := r3.Open(tm(t, "2026-03-03 13:00")); err != nil {
		t.Fatal(err)
	}
	for i, m := range out3.msgs {
		if i >= len(out2.msgs) || m.Key != out2.msgs[i].Key {
			t.Errorf("second start: message %d keyed %q, not as the first (%d messages then)", i, m.Key, len(out2.msgs))
		}
	}
}
