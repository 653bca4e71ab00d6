package oncall

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// planner is the state of the loop that looks ahead: absences over
// shifts (daily, and when one is entered), cover requests to escalate,
// drills to page and escalate.
type planner struct {
	wake chan struct{}
	loop rituals.LoopState
	// nextCheck is when absences are next looked for.
	nextCheck time.Time
	// nextDrill is the drill schedule's next slot.
	nextDrill time.Time
}

// checkHour is when, in the rotation's zone, the daily look for absences
// over shifts runs.
const checkHour = 9

func (r *Rotation) pokePlanner() {
	p := &r.planner
	r.mu.Lock()
	if p.wake == nil {
		p.wake = make(chan struct{}, 1)
	}
	r.mu.Unlock()
	p.loop.Poke()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Plan runs the look-ahead until ctx ends: at start-up and daily at 09:00
// it tells of absences over shifts within plan_ahead, and it wakes when a
// cover request is due for escalation or a drill for its page or its
// escalation.
func (r *Rotation) Plan(ctx context.Context) error {
	p := &r.planner
	r.mu.Lock()
	if p.wake == nil {
		p.wake = make(chan struct{}, 1)
	}
	wake := p.wake
	r.mu.Unlock()
	for {
		now := r.Clock.Now()
		next, err := r.planPass(ctx, now)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.Log.Error().Err(err).Msg("on-call look-ahead failed; trying again in a minute")
			if retry := now.Add(time.Minute); next.IsZero() || retry.Before(next) {
				next = retry
			}
		}
		if !rituals.Sleep(ctx, r.Clock, next, wake, func() { p.loop.Passed(now, next, len(wake) > 0) }) {
			return nil
		}
	}
}

// WaitPlanned blocks until the look-ahead has run for everything due at
// or before t.
func (r *Rotation) WaitPlanned(ctx context.Context, t time.Time) error {
	if err := r.planner.loop.Wait(ctx, t); err != nil {
		return fmt.Errorf("oncall %s look-ahead did not reach %s: %w", r.Config.Name, t, err)
	}
	return nil
}

// planPass does what is due at now and returns when to look again.
func (r *Rotation) planPass(ctx context.Context, now time.Time) (time.Time, error) {
	p := &r.planner
	var next time.Time
	soonest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if r.Availability != nil {
		if !now.Before(p.nextCheck) {
			msgs, err := r.AbsenceWarnings(ctx, now)
			if err != nil {
				return time.Time{}, err
			}
			if len(msgs) > 0 {
				if err := r.Outbox.Send(ctx, msgs...); err != nil {
					return time.Time{}, fmt.Errorf("oncall %s: queue absence warnings: %w", r.Config.Name, err)
				}
			}
			p.nextCheck = nextDaily(now, r.loc())
		}
		soonest(p.nextCheck)
	}
	t, err := r.escalations(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	soonest(t)
	t, err = r.drills(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	soonest(t)
	return next, nil
}

// nextDaily is the next checkHour after now in loc (DST-safe: a wall
// time, not 24 hours).
func nextDaily(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), checkHour, 0, 0, 0, loc)
	if !t.After(now) {
		t = time.Date(l.Year(), l.Month(), l.Day()+1, checkHour, 0, 0, 0, loc)
	}
	return t
}
