package oncall_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// "Covering" names one person everywhere: whoever would be on call without
// the override in force. With Carol on call by a lead's override, Dan's
// override covers Carol (not Alice, whom the rotation has on call) in the
// answer, in who is on call, and in the handoff announcement.
func TestCoveringIsTheSameEverywhere(t *testing.T) {
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0ALICE", "U0BOB", "U0CAROL"},
		members: []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN"}, leads: []string{"U0LEAD"}})
	clock.Set(tm(t, "2026-03-08 12:00")) // Sunday of Alice's week
	ctx := context.Background()
	if _, err := r.Override(ctx, "U0LEAD", "U0CAROL", tm(t, "2026-03-09 18:00")); err != nil {
		t.Fatal(err)
	}
	o, _, err := r.SetOverride(ctx, oncall.OverrideRequest{By: "U0LEAD", User: "U0DAN", Span: oncall.Span{From: tm(t, "2026-03-08 20:00"), To: tm(t, "2026-03-09 12:00")}, Planned: true})
	if rituals.ErrorCode(err) != rituals.ECONFLICT {
		t.Fatalf("a planned override over Carol's: %v %+v", err, o)
	}
	// Taking over now may overlap: the newest wins.
	o, _, err = r.SetOverride(ctx, oncall.OverrideRequest{By: "U0LEAD", User: "U0DAN", Span: oncall.Span{From: clock.Now(), To: tm(t, "2026-03-09 12:00")}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Covering != "U0CAROL" {
		t.Errorf("the override records covering %s, want Carol", o.Covering)
	}
	if s, _, _ := r.At(clock.Now()); s.Primary != "U0DAN" || s.Covering != "U0CAROL" {
		t.Errorf("now: %s on call covering %s, want Dan covering Carol", s.Primary, s.Covering)
	}
	if err := r.Handoff(ctx, tm(t, "2026-03-09 10:00")); err != nil {
		t.Fatal(err)
	}
	var handoff string
	for _, m := range out.to("C0PAYMENTS") {
		if strings.Contains(m, "is now on call") {
			handoff = m
		}
	}
	if !strings.Contains(handoff, "_Override: <@U0DAN> covers <@U0CAROL>._") {
		t.Errorf("handoff announcement:\n%s", handoff)
	}
	if dm := out.to("U0CAROL"); len(dm) == 0 || !strings.Contains(dm[len(dm)-1], "<@U0DAN> covers your on-call shift for *Payments*, Sun 8 Mar 12:00 CET to Mon 9 Mar 12:00 CET") {
		t.Errorf("Carol was told %q", dm)
	}
	if dm := out.to("U0DAN"); len(dm) == 0 || !strings.Contains(dm[0], "You cover <@U0CAROL> (Sun 8 Mar 12:00 CET to Mon 9 Mar 12:00 CET)") {
		t.Errorf("Dan was told %q", dm)
	}
	if dm := out.to("U0ALICE"); len(dm) != 1 {
		// Alice was relieved by Carol's override, not Dan's.
		t.Errorf("Alice got %d DMs, want the one for Carol's override: %q", len(dm), dm)
	}
}
