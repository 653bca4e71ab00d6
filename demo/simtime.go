package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake/web"
)

// SimTime is the demo's simulated time: a rituals.FakeClock that runs at
// real speed between jumps, and that jumps to the next ritual or plays the
// rest of the week on request, moving timer by timer and letting the bot
// settle at each step, as the end-to-end tests' harness does.
type SimTime struct {
	clock *rituals.FakeClock
	bot   Bot
	cfg   *rituals.Config
	// stepPause is how long "run the week" lingers on each ritual so a
	// person sees it happen; weekBudget caps the whole run's pauses.
	stepPause  time.Duration
	weekBudget time.Duration
	// tick is how often the clock catches up with the wall clock.
	tick time.Duration

	move sync.Mutex // one mover of the clock at a time: ticks, jumps, runs

	mu   sync.Mutex
	busy string // "", "next" or "week"
	// weekSteps counts the rituals the last run of the week stopped on.
	weekSteps int
	paused    bool
	lastErr   string
	minute    time.Time // the minute last announced
	changed   chan struct{}
	settleTO  time.Duration

	// ctx ends with close: the ticking and a run of the week stop.
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

var _ web.Clock = (*SimTime)(nil)

// The defaults of a SimTime's pacing.
const (
	// DefaultStepPause is how long "run the week" lingers on each ritual.
	DefaultStepPause = 400 * time.Millisecond
	// Tick is how often the clock catches up with the wall clock.
	Tick = 250 * time.Millisecond
)

func newSimTime(b Bot, cfg *rituals.Config, clock *rituals.FakeClock) *SimTime {
	t := &SimTime{
		clock: clock, bot: b, cfg: cfg, changed: make(chan struct{}),
		stepPause: DefaultStepPause, weekBudget: 40 * time.Second,
		tick: Tick, settleTO: 30 * time.Second,
	}
	t.ctx, t.stop = context.WithCancel(context.Background())
	return t
}

// start runs the clock at real speed until close.
func (t *SimTime) start() {
	ctx := t.ctx
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		last := time.Now()
		tk := time.NewTicker(t.tick)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tk.C:
				elapsed := now.Sub(last)
				last = now
				if t.isPaused() || !t.move.TryLock() {
					// A jump or a run owns the clock; real time does not
					// add to it meanwhile.
					continue
				}
				t.clock.Advance(elapsed)
				t.move.Unlock()
				t.announceMinute()
			}
		}
	}()
}

// close stops the ticking and a run of the week, and waits for both.
func (t *SimTime) close() {
	t.stop()
	t.wg.Wait()
}

func (t *SimTime) isPaused() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.paused || t.busy != ""
}

// notify wakes the page's event streams.
func (t *SimTime) notify() {
	t.mu.Lock()
	defer t.mu.Unlock()
	close(t.changed)
	t.changed = make(chan struct{})
}

// announceMinute notifies when the clock has entered a new minute: the
// page shows hours and minutes.
func (t *SimTime) announceMinute() {
	m := t.clock.Now().Truncate(time.Minute)
	t.mu.Lock()
	same := m.Equal(t.minute)
	t.minute = m
	t.mu.Unlock()
	if !same {
		t.notify()
	}
}

func (t *SimTime) Changed() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

func (t *SimTime) SetPaused(p bool) {
	t.mu.Lock()
	t.paused = p
	t.mu.Unlock()
	t.notify()
}

func (t *SimTime) Status() web.ClockStatus {
	now := t.clock.Now()
	t.mu.Lock()
	st := web.ClockStatus{Now: now, Zone: t.cfg.Timezone.String(), Busy: t.busy, Paused: t.paused, Error: t.lastErr}
	t.mu.Unlock()
	st.Upcoming = t.upcoming(now, 6)
	return st
}

// upcoming lists the next n ritual occurrences after now; the bot's own
// housekeeping jobs are left out.
func (t *SimTime) upcoming(now time.Time, n int) []web.Upcoming {
	var out []web.Upcoming
	for _, job := range t.bot.Jobs() {
		if job.Ritual == "ritualbot" {
			continue
		}
		at := now
		for range n {
			at = job.Schedule.Next(at)
			if at.IsZero() {
				break
			}
			out = append(out, web.Upcoming{At: at, Ritual: job.Ritual, Kind: t.kindOf(job.Ritual), What: t.what(job)})
		}
	}
	slices.SortStableFunc(out, func(a, b web.Upcoming) int { return a.At.Compare(b.At) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func (t *SimTime) kindOf(ritual string) string {
	if rc := t.cfg.Ritual(ritual); rc != nil {
		return rc.Kind
	}
	return ""
}

// what names a job within its ritual: "prompt (Europe/London)" for
// "payments-standup/prompt@Europe/London", the kind for a one-job ritual.
func (t *SimTime) what(job rituals.Job) string {
	rest, ok := strings.CutPrefix(job.Name, job.Ritual+"/")
	if !ok || rest == "" {
		return t.kindOf(job.Ritual)
	}
	part, zone, hasZone := strings.Cut(rest, "@")
	if hasZone {
		return part + " (" + zone + ")"
	}
	return part
}

// isRitualAt reports whether some ritual has an occurrence exactly at at.
func (t *SimTime) isRitualAt(at time.Time) bool {
	for _, job := range t.bot.Jobs() {
		if job.Ritual != "ritualbot" && job.Schedule.Next(at.Add(-time.Nanosecond)).Equal(at) {
			return true
		}
	}
	return false
}

// claim marks the clock busy with what, or says it already is.
func (t *SimTime) claim(what string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy != "" {
		return web.ErrBusy
	}
	t.busy, t.lastErr = what, ""
	return nil
}

func (t *SimTime) release(err error) {
	t.mu.Lock()
	t.busy = ""
	if err != nil {
		t.lastErr = err.Error()
	}
	t.mu.Unlock()
	t.announceMinute()
	t.notify()
}

// Next moves the clock to the next ritual occurrence, through every timer
// before it, and returns once the bot has acted on it.
func (t *SimTime) Next(ctx context.Context) error {
	if err := t.claim("next"); err != nil {
		return err
	}
	t.notify()
	t.move.Lock()
	err := t.next(ctx)
	t.move.Unlock()
	t.release(err)
	return err
}

func (t *SimTime) next(ctx context.Context) error {
	up := t.upcoming(t.clock.Now(), 1)
	if len(up) == 0 {
		return errors.New("no ritual is scheduled")
	}
	return t.runUntil(ctx, up[0].At)
}

// runUntil moves the clock to each pending timer up to at in turn,
// letting the bot act at each, then to at.
func (t *SimTime) runUntil(ctx context.Context, at time.Time) error {
	return RunClockUntil(ctx, t.bot, t.clock, at, t.cfg.Timezone, t.settleTO)
}

// step sets the clock and waits until the bot has handled everything due
// and delivered what it had to say.
func (t *SimTime) step(ctx context.Context, at time.Time) error {
	return settleAt(ctx, t.bot, t.clock, at, t.cfg.Timezone, t.settleTO)
}

// Settler is a bot that can be waited for until it is idle.
type Settler interface {
	Settle(ctx context.Context) error
}

// RunClockUntil is how simulated time is played, by the demo and by the
// end-to-end tests alike: the clock moves to each pending timer up to at in
// turn, the bot settling at each, then to at. Moving straight to at would
// fire every timer at once, and the bot would act on all of them as if it
// were at.
func RunClockUntil(ctx context.Context, s Settler, clock *rituals.FakeClock, at time.Time, loc *time.Location, limit time.Duration) error {
	for {
		next, ok := clock.NextTimer()
		if !ok || next.After(at) {
			break
		}
		if err := settleAt(ctx, s, clock, next, loc, limit); err != nil {
			return err
		}
	}
	return settleAt(ctx, s, clock, at, loc, limit)
}

// settleAt sets the clock to at and waits, up to limit, until the bot has
// handled everything due by then and its outbox is drained.
func settleAt(ctx context.Context, s Settler, clock *rituals.FakeClock, at time.Time, loc *time.Location, limit time.Duration) error {
	clock.Set(at)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := s.Settle(ctx); err != nil {
		return fmt.Errorf("the bot did not settle at %s: %w", at.In(loc).Format("Mon 02 Jan 15:04"), err)
	}
	return nil
}

// weekEnd is the Saturday 00:00 that ends the working week of now, in the
// config's zone.
func weekEnd(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	days := (int(time.Saturday) - int(local.Weekday()) + 7) % 7
	if days == 0 {
		days = 7
	}
	d := local.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// RunWeek plays the rest of the working week, or the next one if this
// one has no ritual left, ritual by ritual, in the background.
func (t *SimTime) RunWeek() error {
	if err := t.claim("week"); err != nil {
		return err
	}
	t.notify()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		t.move.Lock()
		err := t.runWeek(t.ctx)
		t.move.Unlock()
		t.release(err)
	}()
	return nil
}

// WeekSteps counts the rituals the last run of the week stopped on.
func (t *SimTime) WeekSteps() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.weekSteps
}

func (t *SimTime) runWeek(ctx context.Context) error {
	loc := t.cfg.Timezone
	now := t.clock.Now()
	end := weekEnd(now, loc)
	if up := t.upcoming(now, 1); len(up) == 0 || !up[0].At.Before(end) {
		end = weekEnd(end, loc)
	}
	started := time.Now()
	t.mu.Lock()
	t.weekSteps = 0
	t.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return nil
		}
		next, ok := t.clock.NextTimer()
		if !ok || !next.Before(end) {
			return nil
		}
		if err := t.step(ctx, next); err != nil {
			return err
		}
		if !t.isRitualAt(next) {
			continue
		}
		t.mu.Lock()
		t.weekSteps++
		t.mu.Unlock()
		t.announceMinute()
		t.notify()
		if time.Since(started) < t.weekBudget {
			pause := time.NewTimer(t.stepPause)
			select {
			case <-pause.C:
			case <-ctx.Done():
				pause.Stop()
				return nil
			}
		}
	}
}
