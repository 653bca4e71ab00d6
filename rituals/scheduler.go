package rituals

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Job is one scheduled piece of a ritual: a reminder has one, a standup
// has a prompt, a reminder and a summary (and a prompt per time zone).
type Job struct {
	// Name is unique and stable: occurrence records are keyed by it.
	Name     string
	Ritual   string
	Schedule *Schedule
	// Run does the occurrence at `at`. It must be idempotent for the same
	// `at`, since a crash mid-run makes the scheduler run it again; message
	// keys derived from the job and `at` give that for free.
	Run func(ctx context.Context, at time.Time) error
}

// Scheduler runs jobs at their occurrences, each exactly once across
// restarts. Occurrences missed while the bot was down run at start-up if
// younger than CatchUp, and are recorded as missed otherwise.
type Scheduler struct {
	Clock   Clock
	Store   OccurrenceStore
	CatchUp time.Duration
	Log     zerolog.Logger
	// Fired, if set, is told about each occurrence's outcome (metrics).
	Fired func(job Job, status OccurrenceStatus)

	mu     sync.Mutex
	jobs   []Job
	reload chan struct{}
	loop   LoopState
}

// maxMissedLogged caps how many missed occurrences are logged one by one
// after a long outage (an @every 10s job down for a week).
const maxMissedLogged = 20

// SetJobs replaces the set of jobs; the loop picks it up at once.
func (s *Scheduler) SetJobs(jobs []Job) {
	s.mu.Lock()
	s.jobs = append([]Job(nil), jobs...)
	s.loop.Poke()
	s.init()
	s.mu.Unlock()
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

func (s *Scheduler) init() {
	if s.reload == nil {
		s.reload = make(chan struct{}, 1)
	}
}

// Jobs returns the current jobs.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Job(nil), s.jobs...)
}

// Run handles due occurrences and sleeps on the clock until the next one,
// until ctx ends. A job still running when ctx ends is finished first.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	s.init()
	s.mu.Unlock()
	for {
		now := s.Clock.Now()
		next, err := s.runDue(ctx, now)
		if err != nil {
			return err
		}
		if !Sleep(ctx, s.Clock, next, s.reload, func() { s.markSettled(now, next) }) {
			return nil
		}
	}
}

// RunDue handles every occurrence due at or before now, in time order, and
// returns the next instant at which something is due (zero if nothing is).
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) (time.Time, error) {
	next, err := s.runDue(ctx, now)
	if err == nil {
		s.markSettled(now, next)
	}
	return next, err
}

func (s *Scheduler) runDue(ctx context.Context, now time.Time) (time.Time, error) {
	type due struct {
		job Job
		at  time.Time
	}
	var pending []due
	var next time.Time
	for _, job := range s.Jobs() {
		ats, after, err := s.dueOccurrences(job, now)
		if err != nil {
			return time.Time{}, err
		}
		for _, at := range ats {
			pending = append(pending, due{job, at})
		}
		if !after.IsZero() && (next.IsZero() || after.Before(next)) {
			next = after
		}
	}
	sort.SliceStable(pending, func(i, j int) bool { return pending[i].at.Before(pending[j].at) })
	for _, d := range pending {
		if ctx.Err() != nil {
			return time.Time{}, nil
		}
		if err := s.runOccurrence(ctx, d.job, d.at, now); err != nil {
			return time.Time{}, err
		}
	}
	return next, nil
}

// dueOccurrences lists job's occurrences that are due by now and not yet
// handled, recording the older-than-CatchUp ones as missed, and returns the
// first occurrence after now.
func (s *Scheduler) dueOccurrences(job Job, now time.Time) ([]time.Time, time.Time, error) {
	last, ok, err := s.Store.LastOccurrence(job.Name)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("scheduler: last occurrence of %s: %w", job.Name, err)
	}
	if !ok {
		// First sight: nothing before now is due.
		last = Occurrence{Job: job.Name, At: now, Status: OccurrenceSeen, Updated: now}
		if err := s.Store.PutOccurrence(last); err != nil {
			return nil, time.Time{}, fmt.Errorf("scheduler: record %s: %w", job.Name, err)
		}
		return nil, job.Schedule.Next(now), nil
	}
	var ats []time.Time
	if last.Status == OccurrenceRunning {
		// The bot stopped in the middle of this one: run it again (its
		// messages are keyed, so nothing already sent is sent twice).
		ats = append(ats, last.At)
	}
	from := last.At
	missed := 0
	var firstMissed, lastMissed time.Time
	for {
		at := job.Schedule.Next(from)
		if at.IsZero() || at.After(now) {
			return ats, at, s.logMissed(job, missed, firstMissed, lastMissed, now)
		}
		from = at
		if now.Sub(at) <= s.CatchUp {
			ats = append(ats, at)
			continue
		}
		if missed == 0 {
			firstMissed = at
		}
		missed++
		lastMissed = at
		if missed <= maxMissedLogged {
			s.Log.Warn().Str("job", job.Name).Time("at", at).Dur("catch_up", s.CatchUp).
				Msg("missed occurrence: the bot was down and it is older than catch_up; not running it late")
			continue
		}
		// After a long outage, jump to the catch-up window instead of
		// walking every missed instant of a frequent job.
		from = now.Add(-s.CatchUp).Add(-time.Nanosecond)
		if from.After(lastMissed) {
			lastMissed = from
		}
	}
}

func (s *Scheduler) logMissed(job Job, n int, first, last, now time.Time) error {
	if n == 0 {
		return nil
	}
	if n > maxMissedLogged {
		s.Log.Warn().Str("job", job.Name).Int("missed", n).Time("from", first).Time("to", last).
			Msg("missed occurrences while the bot was down")
	}
	o := Occurrence{Job: job.Name, At: last, Status: OccurrenceMissed, Updated: now}
	if err := s.Store.PutOccurrence(o); err != nil {
		return fmt.Errorf("scheduler: record missed %s: %w", job.Name, err)
	}
	if s.Fired != nil {
		s.Fired(job, OccurrenceMissed)
	}
	return nil
}

func (s *Scheduler) runOccurrence(ctx context.Context, job Job, at, now time.Time) error {
	o := Occurrence{Job: job.Name, At: at, Status: OccurrenceRunning, Updated: now}
	if err := s.Store.PutOccurrence(o); err != nil {
		return fmt.Errorf("scheduler: claim %s at %s: %w", job.Name, at, err)
	}
	log := s.Log.With().Str("job", job.Name).Time("at", at).Logger()
	err := runJob(ctx, job, at)
	o.Status, o.Updated = OccurrenceDone, s.Clock.Now()
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down: leave it running so the next start redoes it.
			return nil
		}
		o.Status, o.Error = OccurrenceFailed, err.Error()
		log.Error().Err(err).Msg("ritual occurrence failed")
	} else {
		log.Info().Msg("ritual occurrence done")
	}
	if s.Fired != nil {
		s.Fired(job, o.Status)
	}
	if err := s.Store.PutOccurrence(o); err != nil {
		return fmt.Errorf("scheduler: finish %s at %s: %w", job.Name, at, err)
	}
	return nil
}

// runJob runs one occurrence, turning a panic into an error so one bad
// ritual cannot stop the others.
func runJob(ctx context.Context, job Job, at time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return job.Run(ctx, at)
}

func (s *Scheduler) markSettled(now, next time.Time) {
	s.mu.Lock()
	s.init()
	s.mu.Unlock()
	// A reload still queued (SetJobs from inside a job) means another
	// pass is coming: not settled yet.
	s.loop.Passed(now, next, len(s.reload) > 0)
}

// WaitSettled blocks until every occurrence due at or before t has been
// handled, or ctx ends. Tests use it after moving a fake clock.
func (s *Scheduler) WaitSettled(ctx context.Context, t time.Time) error {
	if err := s.loop.Wait(ctx, t); err != nil {
		return fmt.Errorf("scheduler did not reach %s: %w", t, err)
	}
	return nil
}

// OccurrenceKey is the message key of the one message a job sends for an
// occurrence; parts distinguish several messages of one occurrence.
func OccurrenceKey(job string, at time.Time, parts ...string) string {
	k := job + "@" + at.UTC().Format(time.RFC3339)
	for _, p := range parts {
		k += "/" + p
	}
	return k
}
