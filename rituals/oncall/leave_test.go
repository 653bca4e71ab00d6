package oncall_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// joinedWithN is a rotation of abcd run until joinAt, where the lead
// added U0N at joinAt; the clock is at joinAt.
func joinedWithN(t *testing.T, spec, joinAt string) (*oncall.Rotation, *recordingOutbox, *memOnCallStore, *memAdditions) {
	t.Helper()
	at := tm(t, joinAt)
	r, out, store, adds := joined(t, spec, at)
	r.Team.Leads = []string{"U0LEAD"}
	if _, err := r.Join(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	out.msgs = nil
	return r, out, store, adds
}

// runTo records the handoffs up to t and sets the clock there.
func runTo(t *testing.T, r *oncall.Rotation, from, to time.Time) {
	t.Helper()
	recordEvery(t, r, from.Add(time.Nanosecond), to.Add(time.Nanosecond))
	r.Clock.(*rituals.FakeClock).Set(to)
}

// A member added from Slack leaves from the next handoff after the
// removal: the shift under way, theirs or not, stays, and the turns go on
// from whoever is on call without them.
func TestRemoveFromRotationFromTheNextHandoff(t *testing.T) {
	for _, tc := range []struct {
		name, spec, join, remove string
		until                    string
		// want: the primaries from the shift under way at the removal on.
		want []string
	}{
		{"weekly, on call themselves", "0 10 * * MON", "2026-03-16 12:00", "2026-03-31 12:00", "2026-04-06 10:00", []string{"U0N", "U0A", "U0B", "U0C", "U0D", "U0A"}},
		{"weekly, next after the one on call", "0 10 * * MON", "2026-03-16 12:00", "2026-03-24 12:00", "2026-03-30 10:00", []string{"U0D", "U0A", "U0B", "U0C", "U0D", "U0A"}},
		{"weekly, before their first handoff", "0 10 * * MON", "2026-03-16 12:00", "2026-03-18 12:00", "2026-03-23 10:00", []string{"U0C", "U0D", "U0A", "U0B", "U0C", "U0D"}},
		{"weekly, joined a cycle earlier", "0 10 * * MON", "2026-03-02 12:00", "2026-03-31 12:00", "2026-04-06 10:00", []string{"U0N", "U0A", "U0B", "U0C", "U0D", "U0A"}},
		{"weekdays, on call themselves", "0 9 * * MON-FRI", "2026-03-05 10:00", "2026-03-06 12:00", "2026-03-09 09:00", []string{"U0N", "U0A", "U0B", "U0C", "U0D", "U0A"}},
		{"before the rotation starts", "0 10 * * MON", "2026-02-20 12:00", "2026-02-25 12:00", "2026-03-02 10:00", []string{"U0A", "U0B", "U0C", "U0D", "U0A", "U0B"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _, _, adds := joinedWithN(t, tc.spec, tc.join)
			at := tm(t, tc.remove)
			if at.After(r.First()) {
				runTo(t, r, tm(t, tc.join), at)
			} else {
				r.Clock.(*rituals.FakeClock).Set(at)
			}
			before, err := r.Upcoming(at, 12)
			if err != nil {
				t.Fatal(err)
			}
			pastBefore, _ := r.Shifts(r.First(), at)
			l, err := r.Remove(context.Background(), "U0N", "U0LEAD", at)
			if err != nil {
				t.Fatal(err)
			}
			if until := tm(t, tc.until); !l.Until.Equal(until) {
				t.Errorf("leaves from %s, want %s", l.Until.In(berlin), until.In(berlin))
			}
			if got := primaries(t, r, at, len(tc.want)); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("from the removal on\n got %v\nwant %v", got, tc.want)
			}
			after, _ := r.Upcoming(at, 12)
			keptBefore(t, before, after, l.Until, "the handoff they leave at")
			if pastAfter, _ := r.Shifts(r.First(), at); fmt.Sprint(briefs(pastAfter)) != fmt.Sprint(briefs(pastBefore)) {
				t.Errorf("past shifts changed:\n%v\n%v", briefs(pastBefore), briefs(pastAfter))
			}
			// The addition stays, with its span, and tells they leave.
			if len(adds.adds) != 1 || !adds.adds[0].Until.Equal(l.Until) || adds.adds[0].RemovedBy != "U0LEAD" {
				t.Errorf("stored %+v", adds.adds)
			}
			r.Clock.(*rituals.FakeClock).Set(l.Until)
			if r.InRotation("U0N") {
				t.Error("InRotation is true once they have left")
			}
			if ms, _ := r.Members(); len(ms) != 4 {
				t.Errorf("members once they have left: %+v", ms)
			}
		})
	}
}

func briefs(shifts []oncall.Shift) []string {
	var out []string
	for _, s := range shifts {
		out = append(out, s.Start.In(berlin).Format("Jan 2 15:04")+" "+s.Primary)
	}
	return out
}

// Everyone whose shifts within plan_ahead move is told old → new, the
// member taken out that they leave and the shifts they no longer have.
func TestRemoveFromRotationTellsWhoseShiftsMoved(t *testing.T) {
	r, out, _, _ := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	at := tm(t, "2026-03-24 12:00") // D on call, N next from 30 Mar
	runTo(t, r, tm(t, "2026-03-16 12:00"), at)
	out.msgs = nil
	l, err := r.Remove(context.Background(), "U0N", "U0LEAD", at)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, m := range out.msgs {
		told = append(told, m.To)
	}
	slices.Sort(told)
	// A, B and C move a week earlier; D gains the start of the 20 Apr
	// shift (the 4 weeks end a day into it).
	if want := []string{"U0A", "U0B", "U0C", "U0D", "U0N"}; !slices.Equal(told, want) || fmt.Sprint(l.Told) != fmt.Sprint(want) {
		t.Fatalf("told %v (Leave.Told %v), want %v", told, l.Told, want)
	}
	a := out.to("U0A")[0]
	for _, want := range []string{"<@U0N> leaves the rotation from the handoff of Mon 30 Mar 10:00 CEST",
		"*Before*\n• Mon 6 Apr 10:00 CEST → Mon 13 Apr 10:00 CEST", "*Now*\n• Mon 30 Mar 10:00 CEST → Mon 6 Apr 10:00 CEST"} {
		if !strings.Contains(a, want) {
			t.Errorf("A was told, without %q:\n%s", want, a)
		}
	}
	n := out.to("U0N")[0]
	for _, want := range []string{"<@U0LEAD> took you out of the on-call rotation for *Payments*: you leave the rotation from the handoff of Mon 30 Mar 10:00 CEST",
		"Shifts you no longer have in the next 4 weeks*\n• Mon 30 Mar 10:00 CEST → Mon 6 Apr 10:00 CEST"} {
		if !strings.Contains(n, want) {
			t.Errorf("N was told, without %q:\n%s", want, n)
		}
	}
}

func TestRemoveFromRotationRefusals(t *testing.T) {
	r, out, _, adds := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	at := tm(t, "2026-03-17 12:00")
	ctx := context.Background()
	for _, tc := range []struct {
		name, user, by string
		code           string
		says           string
	}{
		{"by a member", "U0N", "U0A", rituals.EFORBIDDEN, "Only a lead of Payments (<@U0LEAD>) or an admin"},
		{"by the member themselves", "U0N", "U0N", rituals.EFORBIDDEN, "Only a lead"},
		{"a member the config lists", "U0B", "U0LEAD", rituals.EINVALID, "the `rotation:` of the `payments-oncall` ritual lists them"},
		{"someone not in it", "U0X", "U0LEAD", rituals.ENOTFOUND, "<@U0X> is not in the Payments on-call rotation"},
	} {
		_, err := r.Remove(ctx, tc.user, tc.by, at)
		if rituals.ErrorCode(err) != tc.code || !strings.Contains(rituals.ErrorMessage(err), tc.says) {
			t.Errorf("%s: %v, want %s saying %q", tc.name, err, tc.code, tc.says)
		}
	}
	r.Settings.RotationFromTeam = true
	if _, err := r.Remove(ctx, "U0B", "U0LEAD", at); !strings.Contains(rituals.ErrorMessage(err), "takes the `members:` of the team `payments`") {
		t.Errorf("a member of the team's members: %v", err)
	}
	if len(out.msgs) != 0 || !adds.adds[0].Until.IsZero() {
		t.Fatalf("a refusal sent %d messages, stored %+v", len(out.msgs), adds.adds)
	}
	r.IsAdmin = func(u string) bool { return u == "U0ADMIN" }
	if _, err := r.Remove(ctx, "U0N", "U0ADMIN", at); err != nil {
		t.Fatalf("an admin: %v", err)
	}
	n := len(out.msgs)
	if _, err := r.Remove(ctx, "U0N", "U0LEAD", at.Add(time.Hour)); rituals.ErrorCode(err) != rituals.ECONFLICT || !strings.Contains(err.Error(), "already") {
		t.Errorf("removing twice: %v", err)
	}
	if len(out.msgs) != n {
		t.Errorf("removing twice sent %d more messages", len(out.msgs)-n)
	}
}

// The removal is kept: a restart, before the handoff they leave at or
// after being down over it, walks the same shifts and tells nobody.
func TestRemoveFromRotationSurvivesRestarts(t *testing.T) {
	join, at := tm(t, "2026-03-16 12:00"), tm(t, "2026-03-31 12:00") // N on call
	r, _, store, adds := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	runTo(t, r, join, at)
	if _, err := r.Remove(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	want := primaries(t, r, join, 10)
	for _, restart := range []string{"2026-03-31 13:00", "2026-04-15 12:00"} { // the second after being down over 6 and 13 Apr
		now := tm(t, restart)
		r2, out2, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: abcd, store: store, now: now})
		adds.outbox = out2
		r2.Additions = adds
		if err := r2.Open(now); err != nil {
			t.Fatal(err)
		}
		if len(out2.msgs) != 0 {
			t.Errorf("restart at %s told %d people: %v", restart, len(out2.msgs), out2.msgs[0].To)
		}
		if got := primaries(t, r2, join, 10); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after a restart at %s\n got %v\nwant %v", restart, got, want)
		}
	}
	hs, _ := store.Handoffs("payments-oncall")
	if last := hs[len(hs)-1]; slices.Contains(last.Rotation, "U0N") {
		t.Errorf("the handoff recorded after they left has the rotation %v", last.Rotation)
	}
}

// Overrides stay: one planned for the member taken out still puts them on
// call.
func TestRemoveFromRotationKeepsOverrides(t *testing.T) {
	r, _, _, _ := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	at := tm(t, "2026-03-17 12:00")
	r.Clock.(*rituals.FakeClock).Set(at)
	span := oncall.Span{From: tm(t, "2026-04-08 18:00"), To: tm(t, "2026-04-09 09:00")}
	if _, _, err := r.SetOverride(context.Background(), oncall.OverrideRequest{By: "U0LEAD", User: "U0N", Span: span, Planned: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Remove(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	s, ok, err := r.At(span.From)
	if err != nil || !ok || s.Primary != "U0N" || s.Override == nil {
		t.Errorf("at the override: %+v %v %v", s, ok, err)
	}
}

// Added again after being taken out: before the handoff they leave at,
// it undoes the removal; after it, they join anew, last.
func TestRejoinAfterRemoval(t *testing.T) {
	join := tm(t, "2026-03-16 12:00")
	r, _, _, adds := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	withN := primaries(t, r, join, 8)
	at := tm(t, "2026-03-17 12:00")
	r.Clock.(*rituals.FakeClock).Set(at)
	if _, err := r.Remove(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Join(context.Background(), "U0N", "U0LEAD", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := primaries(t, r, join, 8); fmt.Sprint(got) != fmt.Sprint(withN) {
		t.Errorf("removal undone\n got %v\nwant %v", got, withN)
	}
	at = tm(t, "2026-03-18 12:00")
	r.Clock.(*rituals.FakeClock).Set(at)
	if _, err := r.Remove(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	later := tm(t, "2026-03-31 12:00") // A on call
	runTo(t, r, at, later)
	j, err := r.Join(context.Background(), "U0N", "U0LEAD", later)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"U0A", "U0B", "U0C", "U0D", "U0N"}; !j.From.Equal(tm(t, "2026-04-06 10:00")) || fmt.Sprint(primaries(t, r, later, 5)) != fmt.Sprint(want) {
		t.Errorf("joined anew from %s: %v, want %v", j.From.In(berlin), primaries(t, r, later, 5), want)
	}
	if len(adds.adds) != 1 || !adds.adds[0].Until.IsZero() {
		t.Errorf("stored %+v", adds.adds)
	}
}

// Added again after the bot was down over the handoff they left at (and
// the next): the shifts before the new addition's handoff, recorded or
// not, stay as they were, in the rotation and after a restart; the
// earlier addition is stored with the new one.
func TestRejoinAfterDowntimeKeepsPastShifts(t *testing.T) {
	join := tm(t, "2026-03-16 12:00")
	r, _, store, adds := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	at := tm(t, "2026-03-24 12:00") // D on call, N next; she leaves from 30 Mar
	runTo(t, r, join, at)
	if _, err := r.Remove(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	past := primaries(t, r, join, 6) // to the shift of 20 Apr
	if fmt.Sprint(past) != "[U0C U0D U0A U0B U0C U0D]" {
		t.Fatalf("the shifts from 16 Mar: %v", past)
	}
	down := tm(t, "2026-04-22 12:00")
	start := func() *oncall.Rotation {
		r2, out2, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: abcd, store: store, now: down})
		r2.Team.Leads = []string{"U0LEAD"}
		adds.outbox = out2
		r2.Additions = adds
		if err := r2.Open(down); err != nil {
			t.Fatal(err)
		}
		return r2
	}
	r2 := start() // nothing recorded 30 Mar, 6 and 13 Apr
	if got := primaries(t, r2, join, 6); fmt.Sprint(got) != fmt.Sprint(past) {
		t.Fatalf("after the downtime\n got %v\nwant %v", got, past)
	}
	j, err := r2.Join(context.Background(), "U0N", "U0LEAD", down)
	if err != nil || !j.From.Equal(tm(t, "2026-04-27 10:00")) {
		t.Fatalf("join again: %+v %v", j, err)
	}
	for i, rot := range []*oncall.Rotation{r2, start()} {
		if got := primaries(t, rot, join, 6); fmt.Sprint(got) != fmt.Sprint(past) {
			t.Errorf("run %d: the past shifts changed\n got %v\nwant %v", i, got, past)
		}
		if got := primaries(t, rot, tm(t, "2026-04-27 12:00"), 2); fmt.Sprint(got) != "[U0N U0A]" {
			t.Errorf("run %d: the shifts of 27 Apr and 4 May are %v's, want N's then A's (joined anew, after D)", i, got)
		}
	}
	if len(adds.adds) != 1 || len(adds.adds[0].Earlier) != 1 || !adds.adds[0].Earlier[0].Until.Equal(tm(t, "2026-03-30 10:00")) {
		t.Errorf("stored %+v", adds.adds)
	}
}

// A member added again keeps their place among later additions: their
// earlier addition, taken out, does not take them out of a handoff
// record that lists them (in force again by the later one), so a shift's
// secondary stays what it was once later handoffs are recorded.
func TestRejoinKeepsPlaceAmongLaterAdditions(t *testing.T) {
	join := tm(t, "2026-03-16 12:00")
	r, _, _, _ := joinedWithN(t, "0 10 * * MON", "2026-03-16 12:00")
	r.Settings.Secondary = true
	ctx := context.Background()
	at := tm(t, "2026-03-24 12:00")
	runTo(t, r, join, at)
	if _, err := r.Remove(ctx, "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	again := tm(t, "2026-04-07 12:00")
	runTo(t, r, at, again)
	if _, err := r.Join(ctx, "U0N", "U0LEAD", again); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Join(ctx, "U0X", "U0LEAD", again.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	shiftAt := func(s string) oncall.Shift {
		t.Helper()
		sh, ok, err := r.At(tm(t, s))
		if err != nil || !ok {
			t.Fatalf("at %s: %v %v", s, ok, err)
		}
		return sh
	}
	runTo(t, r, again, tm(t, "2026-04-21 12:00"))
	live := shiftAt("2026-04-21 12:00") // D, N next: the rotation is A B C D N X
	if live.Primary != "U0D" || live.Secondary != "U0N" {
		t.Fatalf("the shift of 20 Apr: %s, secondary %s", live.Primary, live.Secondary)
	}
	runTo(t, r, tm(t, "2026-04-21 12:00"), tm(t, "2026-04-28 12:00"))
	if got := shiftAt("2026-04-21 12:00"); got.Primary != live.Primary || got.Secondary != live.Secondary {
		t.Errorf("once 27 Apr is recorded the shift of 20 Apr reads %s, secondary %s; was %s, secondary %s", got.Primary, got.Secondary, live.Primary, live.Secondary)
	}
}
