package oncall_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// periodOwners is who is on call at the end of each of the n handoff
// periods from the one in force at from: one name per shift.
func periodOwners(t testing.TB, r *oncall.Rotation, from time.Time, n int) []string {
	t.Helper()
	var out []string
	at := from
	for range n {
		s, ok, err := r.At(at)
		if err != nil || !ok {
			t.Fatalf("at %v: %v %v", at, ok, err)
		}
		end, ok, err := r.At(s.HandoffEnd.Add(-time.Nanosecond))
		if err != nil || !ok {
			t.Fatal(err)
		}
		out = append(out, end.Primary)
		at = s.HandoffEnd
	}
	return out
}

func acceptLast(t *testing.T, r *oncall.Rotation, store *memOnCallStore, other string) {
	t.Helper()
	store.mu.Lock()
	id := store.seq
	store.mu.Unlock()
	if _, err := r.AnswerSwap(context.Background(), id, other, true); err != nil {
		t.Fatal(err)
	}
}

// Two successive swaps trade one shift for one shift each: everyone keeps
// as many shifts as before, and nobody ends up with a run of them. (The
// swap used to trade whole runs of back-to-back shifts: Carol's "Mon 6
// Apr → Mon 20 Apr" for Alice's one week, leaving Alice on call three
// weeks in a row.)
func TestTwoSwapsLeaveEveryoneTheirNumberOfShifts(t *testing.T) {
	store := &memOnCallStore{}
	r, _, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store,
		rotation: []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"}})
	clock.Set(tm(t, "2026-03-03 12:00")) // Alice's week
	ctx := context.Background()
	from := tm(t, "2026-03-02 10:00")
	before := periodOwners(t, r, from, 8)

	if _, err := r.RequestSwap(ctx, "U0CAROL", "U0BOB"); err != nil {
		t.Fatal(err)
	}
	acceptLast(t, r, store, "U0BOB")
	if _, err := r.RequestSwap(ctx, "U0ALICE", "U0CAROL"); err != nil {
		t.Fatal(err)
	}
	acceptLast(t, r, store, "U0CAROL")

	after := periodOwners(t, r, from, 8)
	count := func(owners []string) map[string]int {
		n := map[string]int{}
		for _, o := range owners {
			n[o]++
		}
		return n
	}
	nb, na := count(before), count(after)
	for _, who := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"} {
		if nb[who] != na[who] {
			t.Errorf("%s had %d shifts in 8 weeks before the swaps and %d after: %v → %v", who, nb[who], na[who], before, after)
		}
	}
	for i := 2; i < len(after); i++ {
		if after[i] == after[i-1] && after[i] == after[i-2] {
			t.Errorf("%s is on call three weeks in a row: %v", after[i], after)
		}
	}
	if want := "U0CAROL U0ALICE U0BOB U0DAVE U0ALICE U0BOB U0CAROL U0DAVE"; strings.Join(after, " ") != want {
		t.Errorf("after the swaps: %v, want %s", after, want)
	}
}

// A swap that would put the requester on call two shifts in a row is
// refused unless they confirm; the other is warned in the request.
func TestSwapBackToBackNeedsConfirmation(t *testing.T) {
	store := &memOnCallStore{}
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store,
		rotation: []string{"U0A", "U0B", "U0C"}})
	clock.Set(tm(t, "2026-03-04 12:00")) // A's week; B 9 Mar, C 16 Mar, A 23 Mar
	ctx := context.Background()
	before := primaries(t, r, clock.Now(), 6)
	// A taking C's 16 Mar lands right before A's own 23 Mar.
	_, err := r.RequestSwap(ctx, "U0A", "U0C")
	if rituals.ErrorCode(err) != rituals.ECONFLICT || !strings.Contains(rituals.ErrorMessage(err), "two shifts in a row") || !strings.Contains(rituals.ErrorMessage(err), "confirm") {
		t.Fatalf("a back-to-back swap: %v", err)
	}
	if len(out.msgs) != 0 || store.seq != 0 {
		t.Fatalf("a refused swap sent %d messages and stored %d requests", len(out.msgs), store.seq)
	}
	if _, err := r.AskSwap(ctx, oncall.SwapAsk{Requester: "U0A", Other: "U0C", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	acceptLast(t, r, store, "U0C")
	if got := primaries(t, r, clock.Now(), 6); strings.Join(got, " ") == strings.Join(before, " ") {
		t.Errorf("the confirmed swap changed nothing: %v", got)
	}
	// B's 30 Mar week for A's 16 Mar: A would get 30 Mar right after
	// their 23 Mar week; A is warned in the request.
	day := func(s string) *rituals.Date { d, _ := rituals.ParseDate(s); return &d }
	if _, err := r.AskSwap(ctx, oncall.SwapAsk{Requester: "U0B", Other: "U0A", Mine: day("2026-03-31"), Theirs: day("2026-03-17"), Confirm: true}); err != nil {
		t.Fatal(err)
	}
	if ask := out.to("U0A"); len(ask) == 0 || !strings.Contains(ask[len(ask)-1], "two shifts in a row; accepting confirms that") {
		t.Errorf("A was not warned: %q", ask)
	}
}

func TestSwapPicksShiftsByDay(t *testing.T) {
	store := &memOnCallStore{}
	r, out, clock := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", store: store,
		rotation: []string{"U0A", "U0B", "U0C", "U0D"}})
	clock.Set(tm(t, "2026-03-04 12:00"))
	ctx := context.Background()
	day := func(s string) *rituals.Date { d, _ := rituals.ParseDate(s); return &d }
	if _, err := r.AskSwap(ctx, oncall.SwapAsk{Requester: "U0A", Other: "U0A"}); rituals.ErrorCode(err) != rituals.EINVALID || !strings.Contains(rituals.ErrorMessage(err), "cannot swap with yourself") {
		t.Errorf("a swap with yourself: %v", err)
	}
	if _, err := r.AskSwap(ctx, oncall.SwapAsk{Requester: "U0A", Other: "U0C", Mine: day("2026-03-12")}); rituals.ErrorCode(err) != rituals.EINVALID {
		t.Errorf("a day A is not on call: %v", err)
	}
	// A's 30 Mar week for C's 13 Apr week (A 2 Mar, 30 Mar; C 16 Mar, 13 Apr).
	if _, err := r.AskSwap(ctx, oncall.SwapAsk{Requester: "U0A", Other: "U0C", Mine: day("2026-04-01"), Theirs: day("2026-04-14")}); err != nil {
		t.Fatal(err)
	}
	if ask := fallbackDates(out.to("U0C")[0]); !strings.Contains(ask, "Mon 30 Mar 10:00 CEST to Mon 6 Apr 10:00 CEST") || !strings.Contains(ask, "Mon 13 Apr 10:00 CEST to Mon 20 Apr 10:00 CEST") {
		t.Errorf("the request: %s", ask)
	}
}
