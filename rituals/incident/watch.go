package incident

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// Watch is the loop that acts on incidents over time, outside any
// request: update nudges when a silence reaches its cadence, incident
// channels made and archived. It keeps when each watched incident next
// needs it, looks at an incident again when it is saved (Incidents.Poke),
// and sleeps on the clock until the earliest: a save costs one read of
// that incident, however many are open. At start it scans once.
type Watch struct {
	Rituals Set
	Clock   rituals.Clock
	Log     zerolog.Logger

	once    sync.Once
	wake    chan struct{}
	loop    rituals.LoopState
	mu      sync.Mutex
	dirty   map[int]bool      // saved since the last pass
	due     map[int]time.Time // when each incident next needs the Watch
	scanned bool
}

// watchRetry is how long the Watch waits after a failed read or action.
const watchRetry = time.Minute

// archiveHorizon bounds how long after its resolve an incident's channel
// is looked at by the start-up scan.
const archiveHorizon = 90 * 24 * time.Hour

func (w *Watch) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		w.dirty, w.due = map[int]bool{}, map[int]time.Time{}
	})
}

// watched reports whether x has anything for the Watch to do.
func (x *Incidents) watched() bool {
	c := x.Settings.Comms
	return len(c.Updates) > 0 || len(c.ChannelPerIncident) > 0 && x.Rooms != nil
}

// Poke tells the Watch that incident n changed.
func (w *Watch) Poke(n int) {
	w.init()
	w.mu.Lock()
	w.dirty[n] = true
	w.mu.Unlock()
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

// pass looks at the incidents saved since the last pass and those due by
// now, and returns when the next is due.
func (w *Watch) pass(ctx context.Context, now time.Time) time.Time {
	w.mu.Lock()
	if !w.scanned {
		w.scanned = true
		for _, x := range w.Rituals {
			nums, err := x.watchCandidates(now)
			if err != nil {
				w.Log.Error().Err(err).Str("ritual", x.Name()).Msg("incident watch: scan")
				w.scanned = false
			}
			for _, n := range nums {
				w.dirty[n] = true
			}
		}
	}
	work := w.dirty
	w.dirty = map[int]bool{}
	for n, at := range w.due {
		if !at.After(now) {
			work[n] = true
		}
	}
	w.mu.Unlock()

	for n := range work {
		if ctx.Err() != nil {
			return time.Time{}
		}
		next, err := w.visit(ctx, n, now)
		if err != nil {
			w.Log.Error().Err(err).Int("incident", n).Msg("incident watch: update nudge or incident channel; where Slack refused, the thread stays the home")
		}
		w.mu.Lock()
		if next.IsZero() {
			delete(w.due, n)
		} else {
			w.due[n] = next
		}
		w.mu.Unlock()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var next time.Time
	for _, at := range w.due {
		next = earliest(next, at)
	}
	if !w.scanned {
		next = earliest(next, now.Add(watchRetry))
	}
	return next
}

// visit does what incident n needs at now and returns when it next needs
// the Watch (zero: not until it changes).
func (w *Watch) visit(ctx context.Context, n int, now time.Time) (time.Time, error) {
	for _, x := range w.Rituals {
		if !x.watched() {
			continue
		}
		inc, ok, err := x.Store.ReadIncident(n)
		if err != nil {
			return now.Add(watchRetry), fmt.Errorf("read incident %d: %w", n, err)
		}
		if !ok || inc.Ritual != x.Config.Name {
			continue
		}
		var next time.Time
		var errs []error
		if at, ok := x.nudgeAt(inc); ok {
			if !at.After(now) {
				if err := x.nudge(ctx, n, now); err != nil {
					errs = append(errs, err)
					at = now.Add(watchRetry)
				} else {
					at = time.Time{} // once per silence: the next update sets the next
				}
			}
			next = earliest(next, at)
		}
		at, err := x.roomDue(ctx, inc, now)
		if err != nil {
			errs = append(errs, err)
		}
		return earliest(next, at), errors.Join(errs...)
	}
	return time.Time{}, nil
}

// watchCandidates are the incidents the Watch looks at when it starts:
// the open ones, and those resolved within archiveHorizon whose retro is
// done (their channel may be due for archiving).
func (x *Incidents) watchCandidates(now time.Time) ([]int, error) {
	if !x.watched() {
		return nil, nil
	}
	briefs, err := x.Store.IncidentBriefs(x.Config.Name)
	if err != nil {
		return nil, fmt.Errorf("incidents %s: read briefs: %w", x.Config.Name, err)
	}
	var out []int
	for _, b := range briefs {
		retroDone := !b.RetroPublished.IsZero() || b.RetroDue.IsZero()
		if b.Resolved.IsZero() || b.Resolved.After(now.Add(-archiveHorizon)) && retroDone && len(x.Settings.Comms.ChannelPerIncident) > 0 {
			out = append(out, b.Number)
		}
	}
	return out, nil
}

// WaitSettled blocks until the Watch has handled everything due at or
// before t (tests use it after moving a fake clock).
func (w *Watch) WaitSettled(ctx context.Context, t time.Time) error {
	if err := w.loop.Wait(ctx, t); err != nil {
		return fmt.Errorf("incident watch did not reach %s: %w", t, err)
	}
	return nil
}
