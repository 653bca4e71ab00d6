package oncall_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// A planned override can be cancelled before it starts: whoever it puts
// on call, or a lead, may; the channel and each person whose shifts move
// are told; the rotation, and a rotation read back from the store, no
// longer have it.
func TestCancelPlannedOverride(t *testing.T) {
	store := &memOnCallStore{}
	opts := rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store, rotation: []string{"U0A", "U0B", "U0C"},
		leads: []string{"U0LEAD"}, now: tm(t, "2026-03-03 12:00")}
	r, out, _ := newRotation(t, opts)
	ctx := context.Background()
	// B takes A's Thursday; the lead puts C on B's Saturday.
	thu, _, err := r.SetOverride(ctx, oncall.OverrideRequest{By: "U0B", User: "U0B", Planned: true, Span: oncall.Span{From: tm(t, "2026-03-05 09:00"), To: tm(t, "2026-03-05 18:00")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.SetOverride(ctx, oncall.OverrideRequest{By: "U0LEAD", User: "U0C", Planned: true, Span: oncall.Span{From: tm(t, "2026-03-14 09:00"), To: tm(t, "2026-03-14 18:00")}}); err != nil {
		t.Fatal(err)
	}
	sent := len(out.msgs)

	// C may not cancel B's; C's own next is the lead's override of her.
	if _, _, err := r.CancelPlanned(ctx, oncall.CancelRequest{By: "U0C", Starts: oncall.Span{From: tm(t, "2026-03-05 09:00"), To: tm(t, "2026-03-05 09:01")}}); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Fatalf("C cancelling B's override: %v", err)
	}
	if _, _, err := r.CancelPlanned(ctx, oncall.CancelRequest{By: "U0A"}); rituals.ErrorCode(err) != rituals.ENOTFOUND ||
		!strings.Contains(err.Error(), "`/oncall override cancel 2026-03-05 09:00 payments`") {
		t.Fatalf("A has none planned: %v", err)
	}
	if len(out.msgs) != sent {
		t.Fatal("a refused cancel sent messages")
	}

	o, after, err := r.CancelPlanned(ctx, oncall.CancelRequest{By: "U0B"})
	if err != nil || o.ID != thu.ID {
		t.Fatalf("B cancels his next: %+v %v", o, err)
	}
	if len(after) != 1 || after[0].User != "U0A" {
		t.Errorf("on call over the span after: %+v", after)
	}
	if s, _, _ := r.At(tm(t, "2026-03-05 12:00")); s.Primary != "U0A" || s.Override != nil {
		t.Errorf("Thursday noon: %s (override %v), want A as scheduled", s.Primary, s.Override)
	}
	ann := fallbackDates(strings.Join(out.to("C0PAYMENTS"), "\n"))
	if !strings.Contains(ann, "<@U0B> cancelled their on-call override for Payments, Thu 5 Mar 09:00 CET to Thu 5 Mar 18:00 CET. <@U0A> is on call then.") {
		t.Errorf("the channel was told:\n%s", ann)
	}
	a := fallbackDates(strings.Join(out.to("U0A"), "\n"))
	if !strings.Contains(a, "moved: <@U0B> cancelled their override") || !strings.Contains(a, "*Now*\n• Tue 3 Mar 12:00 CET → Mon 9 Mar 10:00 CET\n") {
		t.Errorf("A was told:\n%s", a)
	}
	if b := fallbackDates(strings.Join(out.to("U0B"), "\n")); !strings.Contains(b, "*Before*\n• Thu 5 Mar 09:00 CET → Thu 5 Mar 18:00 CET\n• Mon 9 Mar 10:00 CET") || !strings.Contains(b, "*Now*\n• Mon 9 Mar 10:00 CET") {
		t.Errorf("B was told:\n%s", b)
	}

	// Read back from the store, the cancelled override puts nobody on call
	// and overlaps nothing: the same span can be planned again.
	r2, _, _ := newRotation(t, opts)
	if s, _, _ := r2.At(tm(t, "2026-03-05 12:00")); s.Primary != "U0A" || s.Override != nil {
		t.Errorf("after a restart, Thursday noon: %s (override %v)", s.Primary, s.Override)
	}
	if _, _, err := r2.SetOverride(ctx, oncall.OverrideRequest{By: "U0C", User: "U0C", Planned: true, Span: oncall.Span{From: tm(t, "2026-03-05 08:00"), To: tm(t, "2026-03-05 20:00")}}); err != nil {
		t.Errorf("planning over a cancelled override: %v", err)
	}
	// The lead cancels C's Saturday by its day.
	if o, _, err := r2.CancelPlanned(ctx, oncall.CancelRequest{By: "U0LEAD", Starts: oncall.Span{From: tm(t, "2026-03-14 00:00"), To: tm(t, "2026-03-15 00:00")}}); err != nil || o.User != "U0C" || !o.From.Equal(tm(t, "2026-03-14 09:00")) {
		t.Errorf("the lead cancelling Saturday's: %+v %v", o, err)
	}
}

// A planned override that overlaps another is refused with the command that
// cancels the other: by its start while it is planned, by the team alone
// once it is in force.
func TestOverlapNamesTheCancelThatWorks(t *testing.T) {
	opts := rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: &memOnCallStore{}, rotation: []string{"U0A", "U0B", "U0C"},
		leads: []string{"U0LEAD"}, now: tm(t, "2026-03-03 12:00")}
	r, _, _ := newRotation(t, opts)
	ctx := context.Background()
	for _, span := range []oncall.Span{
		{From: tm(t, "2026-03-05 09:00"), To: tm(t, "2026-03-05 18:00")},
		{From: tm(t, "2026-03-03 12:00"), To: tm(t, "2026-03-03 18:00")},
	} {
		if _, _, err := r.SetOverride(ctx, oncall.OverrideRequest{By: "U0LEAD", User: "U0B", Planned: true, Span: span}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		span oncall.Span
		want string
	}{
		{oncall.Span{From: tm(t, "2026-03-05 10:00"), To: tm(t, "2026-03-05 12:00")}, "cancel that one first (`/oncall override cancel 2026-03-05 09:00 payments`)"},
		{oncall.Span{From: tm(t, "2026-03-03 14:00"), To: tm(t, "2026-03-03 16:00")}, "cancel that one first (`/oncall override cancel payments`)"},
	} {
		_, _, err := r.SetOverride(ctx, oncall.OverrideRequest{By: "U0LEAD", User: "U0C", Planned: true, Span: tc.span})
		if rituals.ErrorCode(err) != rituals.ECONFLICT || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("overlapping %v: %v\nwant %q", tc.span, err, tc.want)
		}
	}
}
