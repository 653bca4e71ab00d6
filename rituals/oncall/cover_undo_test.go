package oncall_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// A request escalated, taken, then open again as its override is
// cancelled before it starts is raised to the leads again, under a key
// of its own (the first raise's key would make it a duplicate); the
// override's cancel names it.
func TestCoverOpenAgainIsEscalatedAgain(t *testing.T) {
	r, out, clock, ps := planned(t, "2026-11-05 12:00")
	ctx := context.Background()
	c, err := r.RequestCover(ctx, oncall.CoverAsk{By: "C", Span: oncall.Span{From: tm(t, "2026-11-18 00:00"), To: tm(t, "2026-11-19 00:00")}})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(tm(t, "2026-11-16 00:00"))
	if err := r.PlanPass(ctx); err != nil || len(out.to("L")) != 1 {
		t.Fatalf("escalation: %q %v", out.to("L"), err)
	}
	if _, err := r.TakeCover(ctx, c.ID, "A"); err != nil {
		t.Fatal(err)
	}
	o, _, err := r.CancelPlanned(ctx, oncall.CancelRequest{By: "L", Starts: oncall.Span{From: c.Span.From, To: c.Span.From.AddDate(0, 0, 1)}})
	if err != nil || o.Cover != c.ID {
		t.Fatalf("cancel: %+v %v, want it to name cover request #%d", o, err, c.ID)
	}
	if got, _, _ := ps.Cover("", c.ID); got.TakenBy != "" || got.Override != 0 || got.Reopened != 1 || !got.Escalated.IsZero() {
		t.Fatalf("the request after the cancel: %+v", got)
	}
	if err := r.PlanPass(ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range out.msgs {
		if m.To == "L" && strings.Contains(m.Text, "Nobody has taken cover request #1") {
			keys = append(keys, m.Key)
		}
	}
	if len(keys) != 2 || keys[0] == keys[1] {
		t.Errorf("the lead's escalations have keys %q, want two, each its own", keys)
	}
	// Taken again: not open, not raised.
	if _, err := r.TakeCover(ctx, c.ID, "B"); err != nil {
		t.Fatalf("B takes it once open again: %v", err)
	}
}
