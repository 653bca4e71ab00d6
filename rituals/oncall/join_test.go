package oncall_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// memAdditions is an AdditionStore in memory; the messages saved with an
// addition go to outbox.
type memAdditions struct {
	mu     sync.Mutex
	adds   []oncall.Addition
	outbox rituals.Outbox
}

func (s *memAdditions) Additions(ritual string) ([]oncall.Addition, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return where(s.adds, func(a oncall.Addition) bool { return a.Ritual == ritual }), nil
}

func (s *memAdditions) SaveAddition(a oncall.Addition, _ time.Time, msgs []rituals.Message) (bool, error) {
	s.mu.Lock()
	for i, x := range s.adds {
		if x.Ritual == a.Ritual && x.User == a.User {
			if x.Until.IsZero() {
				s.mu.Unlock()
				return false, nil
			}
			s.adds = slices.Delete(s.adds, i, i+1) // taken out: added anew
			break
		}
	}
	s.adds = append(s.adds, a)
	s.mu.Unlock()
	return true, s.outbox.Send(context.Background(), msgs...)
}

func (s *memAdditions) EndAddition(a oncall.Addition, _ time.Time, msgs []rituals.Message) (bool, error) {
	s.mu.Lock()
	i := slices.IndexFunc(s.adds, func(x oncall.Addition) bool { return x.Ritual == a.Ritual && x.User == a.User && x.Until.IsZero() })
	if i < 0 {
		s.mu.Unlock()
		return false, nil
	}
	s.adds[i].Until, s.adds[i].RemovedBy, s.adds[i].Removed = a.Until, a.RemovedBy, a.Removed
	s.mu.Unlock()
	return true, s.outbox.Send(context.Background(), msgs...)
}

func (s *memAdditions) DropAddition(ritual, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adds = slices.DeleteFunc(s.adds, func(a oncall.Addition) bool { return a.Ritual == ritual && a.User == user })
	return nil
}

var abcd = []string{"U0A", "U0B", "U0C", "U0D"}

// joined is a rotation of abcd that ran (recording its handoffs) until at,
// with stores to start it again from.
func joined(t *testing.T, spec string, at time.Time) (*oncall.Rotation, *recordingOutbox, *memOnCallStore, *memAdditions) {
	t.Helper()
	store := &memOnCallStore{}
	r, out, _ := newRotation(t, rotationOpts{spec: spec, start: "2026-03-02", rotation: abcd, store: store, now: at})
	adds := &memAdditions{outbox: out}
	r.Additions = adds
	if err := r.Open(at); err != nil {
		t.Fatal(err)
	}
	if first := r.First(); first.Before(at) {
		recordEvery(t, r, first, at)
	}
	out.msgs = nil
	return r, out, store, adds
}

// keptBefore checks that the shifts of before starting before the handoff
// at until (named handoff) are in after as they were: same primary, start
// and end.
func keptBefore(t *testing.T, before, after []oncall.Shift, until time.Time, handoff string) {
	t.Helper()
	for i, s := range before {
		if !s.Start.Before(until) {
			break
		}
		if after[i].Primary != s.Primary || !after[i].Start.Equal(s.Start) || !after[i].End.Equal(s.End) {
			t.Errorf("shift %d before %s changed: %s %s → %s %s", i, handoff, s.Start.In(berlin), s.Primary, after[i].Start.In(berlin), after[i].Primary)
		}
	}
}

// A member joins from the next handoff after the join, after everyone the
// config lists: shifts before it do not change.
func TestJoinRotationFromTheNextHandoff(t *testing.T) {
	for _, tc := range []struct {
		name, spec, at string
		from           string
		// want: the primaries from the shift under way at the join on.
		want []string
	}{
		{"weekly, first week", "0 10 * * MON", "2026-03-02 12:00", "2026-03-09 10:00", []string{"U0A", "U0B", "U0C", "U0D", "U0N", "U0A", "U0B"}},
		{"weekly, last of the cycle on call", "0 10 * * MON", "2026-03-23 12:00", "2026-03-30 10:00", []string{"U0D", "U0N", "U0A", "U0B", "U0C", "U0D", "U0N"}},
		{"weekly, the one before the end on call", "0 10 * * MON", "2026-03-16 09:00", "2026-03-16 10:00", []string{"U0B", "U0C", "U0D", "U0N", "U0A"}},
		{"weekdays", "0 9 * * MON-FRI", "2026-03-05 10:00", "2026-03-06 09:00", []string{"U0D", "U0N", "U0A", "U0B", "U0C", "U0D", "U0N"}},
		{"before the rotation starts", "0 10 * * MON", "2026-02-20 12:00", "2026-03-02 10:00", []string{"U0A", "U0B", "U0C", "U0D", "U0N", "U0A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := tm(t, tc.at)
			r, _, _, _ := joined(t, tc.spec, at)
			before, err := r.Upcoming(at, 12)
			if err != nil {
				t.Fatal(err)
			}
			j, err := r.Join(context.Background(), "U0N", "U0LEAD", at)
			if err != nil {
				t.Fatal(err)
			}
			if from := tm(t, tc.from); !j.From.Equal(from) {
				t.Errorf("joins from %s, want %s", j.From.In(berlin), from.In(berlin))
			}
			if got := primaries(t, r, at, len(tc.want)); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("from the join on\n got %v\nwant %v", got, tc.want)
			}
			after, _ := r.Upcoming(at, 12)
			keptBefore(t, before, after, j.From, "the join's handoff")
			if !r.InRotation("U0N") {
				t.Error("InRotation is false for the member added")
			}
			// Before the rotation starts, their turn is beyond plan_ahead.
			if j.HasFirstShift != (tc.name != "before the rotation starts") || j.HasFirstShift && (j.FirstShift.User != "U0N" || j.FirstShift.Start.Before(j.From)) {
				t.Errorf("first shift %+v", j.FirstShift)
			}
		})
	}
}

// Everyone whose shifts within plan_ahead move is told old → new, the
// newcomer their first shifts; nobody else.
func TestJoinRotationTellsWhoseShiftsMoved(t *testing.T) {
	at := tm(t, "2026-03-16 12:00") // C on call
	r, out, _, _ := joined(t, "0 10 * * MON", at)
	j, err := r.Join(context.Background(), "U0N", "U0LEAD", at)
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, m := range out.msgs {
		told = append(told, m.To)
	}
	slices.Sort(told)
	// D keeps their week; A's moves from 30 Mar to 6 Apr, B's from 6 to
	// 13 Apr, C loses the start of the 13 Apr shift (the 4 weeks end an
	// hour into it), N gets 30 Mar.
	if want := []string{"U0A", "U0B", "U0C", "U0N"}; !slices.Equal(told, want) {
		t.Fatalf("told %v, want %v", told, want)
	}
	if fmt.Sprint(j.Told) != fmt.Sprint([]string{"U0A", "U0B", "U0C", "U0N"}) {
		t.Errorf("RotationJoin.Told = %v", j.Told)
	}
	a := out.to("U0A")[0]
	for _, want := range []string{"<@U0N> joins the rotation from the handoff of Mon 23 Mar 10:00 CET",
		"*Before*\n• Mon 30 Mar 10:00 CEST → Mon 6 Apr 10:00 CEST", "*Now*\n• Mon 6 Apr 10:00 CEST → Mon 13 Apr 10:00 CEST"} {
		if !strings.Contains(a, want) {
			t.Errorf("A was told, without %q:\n%s", want, a)
		}
	}
	n := out.to("U0N")[0]
	for _, want := range []string{"<@U0LEAD> added you to the on-call rotation for *Payments*", "Your shifts in the next 4 weeks*\n• Mon 30 Mar 10:00 CEST → Mon 6 Apr 10:00 CEST"} {
		if !strings.Contains(n, want) {
			t.Errorf("N was told, without %q:\n%s", want, n)
		}
	}
	if !j.FirstShift.Start.Equal(tm(t, "2026-03-30 10:00")) {
		t.Errorf("first shift starts %s", j.FirstShift.Start.In(berlin))
	}
}

func TestJoinRotationRefusals(t *testing.T) {
	at := tm(t, "2026-03-16 12:00")
	r, out, _, _ := joined(t, "0 10 * * MON", at)
	rots := &oncall.Rotations{List: []*oncall.Rotation{r}}
	ctx := context.Background()
	if _, err := rots.JoinRotation(ctx, "payments", "U0B", "U0LEAD", at); rituals.ErrorCode(err) != rituals.ECONFLICT || !strings.Contains(err.Error(), "payments-oncall") {
		t.Errorf("a member the config lists: %v", err)
	}
	if _, err := rots.JoinRotation(ctx, "search", "U0N", "U0LEAD", at); rituals.ErrorCode(err) != rituals.ENOTFOUND {
		t.Errorf("a team without a rotation: %v", err)
	}
	if _, err := rots.JoinRotation(ctx, "payments", "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	n := len(out.msgs)
	if _, err := rots.JoinRotation(ctx, "payments", "U0N", "U0LEAD", at.Add(time.Hour)); rituals.ErrorCode(err) != rituals.ECONFLICT {
		t.Errorf("joining twice: %v", err)
	}
	if len(out.msgs) != n || !rots.InRotation("payments", "U0N") || rots.InRotation("search", "U0N") {
		t.Errorf("joining twice sent %d more messages", len(out.msgs)-n)
	}
}

// The addition is kept: a restart walks the same shifts and tells nobody
// again, also when it was down over the handoff the member joined at; once
// the config lists the member, the addition is dropped and the config
// takes over.
func TestJoinRotationSurvivesRestarts(t *testing.T) {
	at := tm(t, "2026-03-16 12:00")
	r, _, store, adds := joined(t, "0 10 * * MON", at)
	if _, err := r.Join(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	want := primaries(t, r, at, 8)
	for _, restart := range []string{"2026-03-16 13:00", "2026-04-02 12:00"} { // the second after being down over 23 and 30 Mar
		now := tm(t, restart)
		r2, out2, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: abcd, store: store, now: now})
		adds.outbox = out2
		r2.Additions = adds
		if err := r2.Open(now); err != nil {
			t.Fatal(err)
		}
		if len(out2.msgs) != 0 {
			t.Errorf("restart at %s told %d people", restart, len(out2.msgs))
		}
		if got := primaries(t, r2, at, 8); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("after a restart at %s\n got %v\nwant %v", restart, got, want)
		}
	}
	hs, _ := store.Handoffs("payments-oncall")
	if last := hs[len(hs)-1]; !slices.Contains(last.Rotation, "U0N") {
		t.Errorf("the handoff recorded after the join has the rotation %v", last.Rotation)
	}
	// The config lists N (where the addition had them): nobody is told,
	// nothing moves, the addition goes.
	now := tm(t, "2026-04-02 13:00")
	r3, out3, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: append(slices.Clone(abcd), "U0N"), store: store, now: now})
	r3.Additions = adds
	if err := r3.Open(now); err != nil {
		t.Fatal(err)
	}
	if len(out3.msgs) != 0 || len(adds.adds) != 0 {
		t.Errorf("the config taking over told %d people and kept %v", len(out3.msgs), adds.adds)
	}
	if got := primaries(t, r3, at, 8); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("with the config listing them\n got %v\nwant %v", got, want)
	}
}

// Additions follow the config's members in the order they were added,
// each from their own handoff.
func TestJoinRotationOrderOfAdditions(t *testing.T) {
	at := tm(t, "2026-03-02 12:00") // A on call
	r, _, _, _ := joined(t, "0 10 * * MON", at)
	if _, err := r.Join(context.Background(), "U0N", "U0LEAD", at); err != nil {
		t.Fatal(err)
	}
	later := tm(t, "2026-03-10 12:00") // B on call, N joined from 9 Mar
	if _, err := r.Join(context.Background(), "U0M", "U0LEAD", later); err != nil {
		t.Fatal(err)
	}
	want := []string{"U0A", "U0B", "U0C", "U0D", "U0N", "U0M", "U0A", "U0B", "U0C", "U0D", "U0N", "U0M"}
	if got := primaries(t, r, at, len(want)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
	adds, err := r.StoredAdditions()
	if err != nil || len(adds) != 2 || adds[0].User != "U0N" || adds[1].User != "U0M" || !adds[1].From.Equal(tm(t, "2026-03-16 10:00")) {
		t.Errorf("stored additions %+v %v", adds, err)
	}
}
