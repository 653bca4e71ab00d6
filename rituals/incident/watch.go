package incident

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// Watch is the loop that acts on open incidents over time, outside any
// request: update nudges when a silence reaches its cadence, incident
// channels made and archived. It sleeps on the clock until the next of
// those is due, and every saved incident wakes it (Incidents.Poke).
type Watch struct {
	Rituals Set
	Clock   rituals.Clock
	Log     zerolog.Logger

	once sync.Once
	wake chan struct{}
	loop rituals.LoopState
}

// watchRetry is how long the Watch waits after a failed pass.
const watchRetry = time.Minute

func (w *Watch) init() { w.once.Do(func() { w.wake = make(chan struct{}, 1) }) }

// Needed reports whether any ritual has something for the Watch to do.
func (w *Watch) Needed() bool {
	for _, x := range w.Rituals {
		c := x.Settings.Comms
		if len(c.Updates) > 0 || len(c.ChannelPerIncident) > 0 && x.Rooms != nil {
			return true
		}
	}
	return false
}

// Poke makes the Watch look again now.
func (w *Watch) Poke() {
	w.init()
	w.loop.Poke()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run runs the loop until ctx ends.
func (w *Watch) Run(ctx context.Context) error {
	w.init()
	for {
		now := w.Clock.Now()
		next := w.pass(ctx, now)
		if ctx.Err() != nil {
			return nil
		}
		if !rituals.Sleep(ctx, w.Clock, next, w.wake, func() { w.loop.Passed(now, next, len(w.wake) > 0) }) {
			return nil
		}
	}
}

// pass does what is due at now and returns when the next thing is.
func (w *Watch) pass(ctx context.Context, now time.Time) time.Time {
	var next time.Time
	for _, x := range w.Rituals {
		n1, err := x.nudgeDue(ctx, now)
		if err != nil {
			w.Log.Error().Err(err).Str("ritual", x.Name()).Msg("incident update nudges")
			n1 = now.Add(watchRetry)
		}
		n2, err := x.roomsDue(ctx, now)
		if err != nil {
			w.Log.Error().Err(err).Str("ritual", x.Name()).Msg("incident channels: falling back to the thread where Slack refused")
		}
		next = earliest(earliest(next, n1), n2)
	}
	return next
}

// WaitSettled blocks until the Watch has handled everything due at or
// before t (tests use it after moving a fake clock).
func (w *Watch) WaitSettled(ctx context.Context, t time.Time) error {
	if err := w.loop.Wait(ctx, t); err != nil {
		return fmt.Errorf("incident watch did not reach %s: %w", t, err)
	}
	return nil
}
