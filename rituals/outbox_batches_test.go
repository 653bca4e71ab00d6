package rituals_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

// batchesOf yields n batches (keys starting with prefix) of size messages, counting the batches asked for.
func batchesOf(prefix string, n, size int, asked *int) func(yield func([]rituals.Message) bool) {
	return func(yield func([]rituals.Message) bool) {
		for b := range n {
			*asked++
			msgs := make([]rituals.Message, size)
			for i := range msgs {
				msgs[i] = rituals.Message{Key: fmt.Sprintf("%s%d-%d", prefix, b, i), To: fmt.Sprintf("U%d", b*size+i), Text: "hi"}
			}
			if !yield(msgs) {
				return
			}
		}
	}
}

func TestAFanOutIsStoredBatchByBatchAndWakesTheSenderOnce(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wakes, pendingAtWake int
	out := &rituals.DurableOutbox{Store: db, Clock: rituals.NewFakeClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))}
	out.Wake = func() {
		wakes++
		n, _ := db.OutboxLen()
		pendingAtWake = n
	}
	commits, asked := db.Commits(), 0
	if err := rituals.SendBatches(context.Background(), out, batchesOf("a", 3, 4, &asked)); err != nil {
		t.Fatal(err)
	}
	if got := db.Commits() - commits; got != 3 || asked != 3 {
		t.Errorf("3 batches asked for %d times, stored in %d commits; want 3 and 3", asked, got)
	}
	if wakes != 1 || pendingAtWake != 12 {
		t.Errorf("the sender was woken %d times, with %d messages pending; want once, with all 12", wakes, pendingAtWake)
	}

	// Stopped between batches: what was stored goes, the rest waits for
	// the occurrence to run again.
	ctx, cancel := context.WithCancel(context.Background())
	wakes, asked = 0, 0
	stopAfterFirst := func(yield func([]rituals.Message) bool) {
		for msgs := range batchesOf("b", 3, 4, &asked) {
			if !yield(msgs) {
				return
			}
			cancel()
		}
	}
	if err := out.SendBatches(ctx, stopAfterFirst); err == nil {
		t.Error("a fan-out stopped half-way reported no error")
	}
	if n, _ := db.OutboxLen(); wakes != 1 || n != 12+4 || asked != 2 {
		t.Errorf("stopped after the first batch: %d wakes, %d pending, %d batches built; want 1, 16, 2", wakes, n, asked)
	}
}
