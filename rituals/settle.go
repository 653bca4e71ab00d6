package rituals

import (
	"context"
	"sync"
	"time"
)

// LoopState is what a loop that sleeps on the Clock (the scheduler, the
// on-call keeper) tells whoever waits for it to catch up, as a test does
// after moving a fake clock: how far it has handled time, when it next
// wakes, and whether a pass is pending. A pass counts only once it is over
// and its next timer is set, so the waiter finds that timer afterwards.
type LoopState struct {
	mu       sync.Mutex
	settled  time.Time // everything due up to here is handled
	next     time.Time // the loop's next wake-up, zero if none
	pending  bool      // woken with work, pass not yet over
	progress chan struct{}
}

func (l *LoopState) initLocked() {
	if l.progress == nil {
		l.progress = make(chan struct{})
	}
}

// Poke records that the loop has been given work: not settled until its
// next pass is over.
func (l *LoopState) Poke() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = true
}

// Passed records a pass over at now, with the loop's timer set for next;
// more says another pass is already queued.
func (l *LoopState) Passed(now, next time.Time, more bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.initLocked()
	if now.After(l.settled) {
		l.settled = now
	}
	l.next, l.pending = next, more
	close(l.progress)
	l.progress = make(chan struct{})
}

// Wait blocks until the loop has handled everything due at or before t:
// it has passed t, or it has settled with nothing due until after t (it
// will not wake before then).
func (l *LoopState) Wait(ctx context.Context, t time.Time) error {
	for {
		l.mu.Lock()
		l.initLocked()
		nothingDue := !l.settled.IsZero() && (l.next.IsZero() || l.next.After(t))
		done, progress := !l.pending && (!l.settled.Before(t) || nothingDue), l.progress
		l.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Sleep waits on clock until next (never, if it is zero), a wake, or the
// end of ctx, which it reports as false. It calls settled once its timer
// is set: a test that moves a fake clock after the loop says it has
// settled must find the loop's next wake-up.
func Sleep(ctx context.Context, clock Clock, next time.Time, wake <-chan struct{}, settled func()) bool {
	var fire <-chan time.Time
	if !next.IsZero() {
		timer := clock.NewTimer(next.Sub(clock.Now()))
		defer timer.Stop()
		fire = timer.C()
	}
	settled()
	select {
	case <-ctx.Done():
		return false
	case <-fire:
	case <-wake:
	}
	return true
}
