package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// messageAPI is what the sender needs from Slack: posting, and reading a
// conversation back to tell whether a post whose answer was lost landed.
type messageAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
}

// Sender delivers the outbox to Slack: oldest first, one message at a time
// per conversation (so a thread's parent goes before its replies), several
// conversations at once, within the rate limits. Urgent messages (a
// person waits for them) come first in the store's order, so one queued
// behind a storm of routine ones is the next to go in its conversation;
// the store makes urgent the parents they depend on. A failed send is retried
// with backoff; a message Slack refuses for good is dropped and logged.
//
// Every post carries its key as message metadata, and is marked in flight
// in the store before it goes. If the answer never comes back (a timeout,
// a dropped connection, the process killed), the next attempt first reads
// the conversation back and, if the message is there, records it instead
// of posting it twice (see find).
type Sender struct {
	API     messageAPI
	Store   rituals.OutboxStore
	Limiter *RateLimiter
	Log     zerolog.Logger
	// Observe, if set, is told the outcome of each Slack call (metrics).
	Observe func(method, outcome string)
	// Workers is how many conversations are served at once (default 8).
	Workers int
	// MaxAttempts before a message that keeps failing is given up (default 12).
	MaxAttempts int
	// MaxAge: a message that keeps failing is given up only once it is
	// this old as well (default 24h), so that a Slack outage of an hour
	// delays messages instead of losing them.
	MaxAge time.Duration
	// Backoff is the first retry delay, doubled per attempt up to 5 minutes
	// (default 1s).
	Backoff time.Duration
	// Now is the clock of the records (when a message went, its age);
	// default time.Now. Waits always use the wall clock.
	Now func() time.Time
	// Dropped, if set, is told of a message Slack refused for good, after
	// it left the outbox (the incidents tell a commander of a stakeholder
	// channel they cannot reach).
	Dropped func(m rituals.Message, reason string)
	// Landed, if set, is told of each post Slack took (not edits), with
	// where it landed, before the sender moves on in that conversation
	// (the incidents learn their thread's permalink from it).
	Landed func(m rituals.Message, sent rituals.SentMessage)
	// Health, if set, is told when Slack refuses the token and when it
	// takes it again, for /readyz.
	Health *Health
	// Queued, if set, is told how many messages wait in the outbox (up
	// to the 1,000 a batch reads), each time that changes (metrics).
	Queued func(n int)
	// LookAfter is how long after an attempt whose answer was lost the
	// sender waits before it looks for the message (default 30 s, the
	// bot's HTTP timeout): a request Slack still holds may land until
	// then, and a look-up before that would miss it and post it twice.
	LookAfter time.Duration
	// Grace is how long calls already made to Slack may take to finish
	// once Run's context ends (default 5 s); then they are cancelled and
	// stay in the outbox, in flight, for the next start to look for.
	Grace time.Duration
	// RecordAfter is how long a delivery may wait for another commit to
	// record it with before the sender commits it on its own (default
	// 100 ms; tests lengthen it to see who records it).
	RecordAfter time.Duration

	stopping context.Context // Run's context: once done, no new call starts

	unrecorded unrecorded // deliveries awaiting the next commit (sender_record.go)
	marks      marks      // which posts are marked in flight before they go (sender_mark.go)

	once sync.Once
	wake chan struct{}
	// waiters counts the WaitIdle calls waiting: while there are any,
	// deliveries are recorded as soon as nothing is in flight (flush
	// wakes Run for it), since idle means recorded.
	waiters atomic.Int32
	flush   chan struct{}
	mu      sync.Mutex
	idle    bool
	wakes   uint64 // counts Wake calls, so a pass that read the outbox before one cannot declare it empty
	changed chan struct{}
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.flush = make(chan struct{}, 1)
		s.changed = make(chan struct{})
		if s.Workers <= 0 {
			s.Workers = 8
		}
		if s.MaxAttempts <= 0 {
			s.MaxAttempts = 12
		}
		if s.Backoff <= 0 {
			s.Backoff = time.Second
		}
		if s.MaxAge == 0 {
			s.MaxAge = 24 * time.Hour
		}
		if s.Now == nil {
			s.Now = time.Now
		}
		if s.Observe == nil {
			s.Observe = func(string, string) {}
		}
		if s.Queued == nil {
			s.Queued = func(int) {}
		}
		if s.Grace <= 0 {
			s.Grace = 5 * time.Second
		}
		if s.LookAfter <= 0 {
			s.LookAfter = 30 * time.Second
		}
	})
}

// Wake tells the sender new messages are waiting.
//
// It is no longer idle first; then the wake is counted and signalled at
// once, so that a pass of Run that counted it finds its signal (woken).
func (s *Sender) Wake() {
	s.init()
	s.setIdle(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wakes++
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sender) setIdle(idle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle != idle {
		s.idle = idle
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

func (s *Sender) generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wakes
}

// setIdleUnless marks the sender idle, unless Wake was called since gen.
func (s *Sender) setIdleUnless(gen uint64) {
	s.mu.Lock()
	woken := s.wakes != gen
	s.mu.Unlock()
	if !woken {
		s.setIdle(true)
	}
}

// WaitIdle blocks until the outbox is empty, nothing is in flight and
// every delivery is recorded.
func (s *Sender) WaitIdle(ctx context.Context) error {
	s.init()
	s.waiters.Add(1)
	defer s.waiters.Add(-1)
	select {
	case s.flush <- struct{}{}:
	default:
	}
	for {
		s.mu.Lock()
		idle, changed := s.idle, s.changed
		s.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return errors.New("outbox not drained: " + ctx.Err().Error())
		}
	}
}

type result struct {
	seq  uint64
	to   string
	done bool // delivered or dropped; false: held back for a retry
}

// Run delivers until ctx ends; messages in flight then are finished (or
// left in the outbox for the next start).
//
// It works through a batch read from the store, and reads again only when
// something changed that the batch does not show: new messages (Wake), a
// failed attempt (its retry time), or the batch running dry. Reading the
// outbox after every delivery would decode a 1,000-message fan-out a
// thousand times over.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	s.stopping = ctx
	s.startMarks()
	defer s.rideWrites()()
	// Calls run on their own context: when ctx ends no new call starts,
	// and those in flight get Grace to finish (deferred wg.Wait).
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	inflight := map[uint64]bool{}
	busy := map[string]bool{} // conversations with a send in flight
	done := make(chan result, s.Workers)
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		s.recordDeliveries()
	}()
	var batch []rituals.OutboxItem
	// stale: read the outbox from its start. fresh: messages were enqueued
	// since the batch was read; if the batch held all that was pending
	// (complete), only those after the last item read (last) are new.
	stale, fresh, complete := true, false, false
	var last uint64
	var err error
	woken := func() {
		fresh = true
		stale = stale || !complete || s.unrecorded.superseded.Swap(false)
	}
	for {
		gen := s.generation()
		// A wake counted in gen is acted on in this pass: had its signal
		// waited behind another (a timer, a flush), the pass would find
		// nothing new and declare idle with messages waiting.
		select {
		case <-s.wake:
			woken()
		default:
		}
		switch {
		case stale:
			batch, err = s.readOutbox(func() ([]rituals.OutboxItem, error) {
				items, err := s.Store.Pending(batchSize)
				complete, last = len(items) < batchSize, lastSeq(items, 0)
				return items, err
			})
			if err != nil {
				s.Log.Error().Err(err).Msg("read outbox")
			}
			stale, fresh = false, false
		case fresh && complete:
			room := batchSize - len(batch)
			var more []rituals.OutboxItem
			complete = false
			if room > 0 {
				more, err = s.readOutbox(func() ([]rituals.OutboxItem, error) {
					items, err := s.Store.PendingAfter(last, room)
					complete, last = len(items) < room, lastSeq(items, last)
					return items, err
				})
			}
			if err != nil {
				s.Log.Error().Err(err).Msg("read outbox")
				stale = true
			}
			// Only a routine edit the batch holds can have been made
			// urgent in place since it was read (sender_batch.go).
			inPlace := err == nil && slices.ContainsFunc(batch, routineEdit)
			batch = append(batch, more...)
			fresh = false
			if slices.ContainsFunc(more, func(it rituals.OutboxItem) bool { return it.Message.Urgent }) {
				// It goes ahead of the routine ones, and may have made
				// urgent a parent the batch holds as routine
				// (sender_batch.go).
				mergeUrgent(batch, more)
			}
			if inPlace {
				var urgent []uint64
				if urgent, err = s.Store.UrgentSeqs(); err != nil {
					s.Log.Error().Err(err).Msg("read outbox")
					stale = true
				}
				promoteInPlace(batch, urgent)
			}
		}
		now := time.Now()
		var nextRetry time.Time
		seen := map[string]bool{}
		for _, it := range batch {
			to := it.Message.To
			if inflight[it.Seq] || busy[to] || seen[to] {
				seen[to] = true
				continue
			}
			seen[to] = true
			if it.NotBefore.After(now) {
				if nextRetry.IsZero() || it.NotBefore.Before(nextRetry) {
					nextRetry = it.NotBefore
				}
				continue
			}
			if len(inflight) >= s.Workers {
				break
			}
			inflight[it.Seq], busy[to] = true, true
			wg.Add(1)
			go func(it rituals.OutboxItem) {
				defer wg.Done()
				done <- result{it.Seq, it.Message.To, s.deliver(work, it)}
			}(it)
		}
		s.Queued(len(batch))
		// Deliveries wait up to recordAfter for others to join their
		// commit, or for a write of someone else's to record them
		// (sender_ride.go), unless someone waits for the sender to be
		// idle (a failed record is kept for later, and does not hold
		// that up; a write recording them does, until it says so).
		waited := len(inflight) == 0 && s.waiters.Load() > 0
		if waited {
			s.recordDeliveries()
		}
		if len(batch) == 0 && len(inflight) == 0 && err == nil && (waited && !s.riding() || !s.unrecordedLeft()) {
			s.setIdleUnless(gen)
		}
		var retry, record <-chan time.Time
		var timer, recordTimer *time.Timer
		if !nextRetry.IsZero() {
			timer = time.NewTimer(time.Until(nextRetry))
			retry = timer.C
		}
		if d, ok := s.deliveriesDue(); ok {
			recordTimer = time.NewTimer(d)
			record = recordTimer.C
		}
		select {
		case <-ctx.Done():
			if len(inflight) > 0 {
				s.Log.Info().Int("in_flight", len(inflight)).Dur("grace", s.Grace).Msg("stopping: letting the calls in flight finish")
			}
			time.AfterFunc(s.Grace, cancelWork)
			return nil
		case r := <-done:
			delete(inflight, r.seq)
			delete(busy, r.to)
			if r.done {
				batch = without(batch, r.seq)
				s.settled(r.seq)
			}
			// A failure changed the item's retry time; an empty batch
			// may hide more of the outbox than it read, unless it read
			// all there was (what came since is read when woken).
			stale = stale || !r.done || len(batch) == 0 && !complete || err != nil
		case <-s.wake:
			woken()
		case <-retry:
		case <-s.flush:
		case <-record:
			s.recordDeliveries()
		}
		if timer != nil {
			timer.Stop()
		}
		if recordTimer != nil {
			recordTimer.Stop()
		}
	}
}

// batchSize is how many items the sender reads from the outbox at once.
const batchSize = 1000

// lastSeq is the highest sequence number of items (urgent ones come
// first, out of sequence), else seq.
func lastSeq(items []rituals.OutboxItem, seq uint64) uint64 {
	for _, it := range items {
		seq = max(seq, it.Seq)
	}
	return seq
}

func without(items []rituals.OutboxItem, seq uint64) []rituals.OutboxItem {
	for i, it := range items {
		if it.Seq == seq {
			return append(items[:i], items[i+1:]...)
		}
	}
	return items
}

// deliver makes one attempt at one item and records the outcome. It
// reports whether the item left the outbox (delivered or dropped).
func (s *Sender) deliver(ctx context.Context, it rituals.OutboxItem) bool {
	if it.Message.Update {
		// A newer update of the same message replaces a pending one's
		// content in place, and the batch is not read again for it: send
		// what the outbox holds now.
		cur, ok, err := s.Store.Item(it.Seq)
		switch {
		case err != nil:
			s.retry(it, s.nextTry(it, err), err, false, false)
			return false
		case !ok:
			return true
		}
		it = cur
	}
	m := it.Message
	log := s.Log.With().Str("key", m.Key).Str("to", m.To).Int("attempt", it.Attempts+1).Logger()
	method := "chat.postMessage"
	switch {
	case m.Upload != nil:
		method = "files.completeUploadExternal"
	case m.Update:
		method = "chat.update"
	}
	// An edit is idempotent; a post or an upload whose earlier attempt may
	// have landed is looked for first.
	if since, ok := s.mayHaveLanded(it); ok {
		landed, found, err := s.find(ctx, it, since)
		var ns errNotSent
		switch {
		case ctx.Err() != nil, errors.As(err, &ns) && s.stopped():
			return false
		case err != nil && !unreadable(err):
			s.Observe("conversations.history", "retry")
			s.retry(it, s.nextTry(it, err), err, true, true)
			return false
		case err != nil:
			log.Warn().Err(err).Msg("cannot read the conversation to tell whether an earlier attempt landed; sending again")
		case found:
			s.Observe(method, "recovered")
			log.Info().Str("ts", landed.TS).Msg("an earlier attempt had landed; recorded it instead of sending again")
			return s.landed(it, landed, log)
		}
	}
	var began time.Time
	mark := func() error {
		began = s.Now()
		if m.Update || !s.marksFirst(it) {
			return nil
		}
		ds := s.takeDeliveries()
		err := s.Store.Attempt(it.Seq, s.Now(), ds...)
		s.recordedDeliveries(ds, err)
		return err
	}
	sent, err := s.send(ctx, method, m, mark)
	var ns errNotSent
	if ctx.Err() != nil || errors.As(err, &ns) && s.stopped() {
		// Shutting down: the item stays in the outbox, and in flight if it
		// went, for the next start to look for.
		return false
	}
	var rl *slack.RateLimitedError
	switch {
	case err == nil:
		s.Observe(method, "ok")
		s.authAccepted()
		return s.landed(it, sent, log)
	case errors.As(err, &rl):
		s.Observe(method, "ratelimited")
		s.Limiter.Pause(method, rl.RetryAfter)
		log.Warn().Dur("retry_after", rl.RetryAfter).Msg("rate limited by Slack; waiting as asked")
		s.retry(it, time.Now().Add(rl.RetryAfter), err, false, false)
	case authRefused(err):
		// An outage of ours (a revoked or rotated token), not of the
		// message: keep it, however long, until the token works again.
		s.Observe(method, "retry")
		if s.Health != nil {
			s.Health.SetAuthRefused(err.Error())
		}
		log.Error().Err(err).Msg("Slack refused the token; keeping the message until it accepts it again")
		s.retry(it, s.nextTry(it, err), err, false, false)
	case permanent(err) && s.superseded(it):
		// Slack refused content a newer edit has replaced since: the
		// newer one goes next instead of being dropped with it.
		s.Observe(method, "error")
		log.Warn().Err(err).Msg("Slack refused an edit already replaced by a newer one; sending the newer one")
		s.retry(it, time.Now(), err, false, false)
	case permanent(err):
		s.Observe(method, "error")
		log.Error().Err(err).Msg("Slack refused the message; dropping it")
		if err := s.Store.Drop(it.Seq, err.Error()); err != nil {
			log.Error().Err(err).Msg("drop message")
			return false
		}
		if s.Dropped != nil {
			s.Dropped(m, err.Error())
		}
		return true
	default:
		s.Observe(method, "retry")
		next, maybe := s.nextTry(it, err), !m.Update && maybeSent(err)
		if late := time.Now().Add(s.LookAfter); maybe && next.Before(late) {
			next = late
		}
		if maybe {
			s.lostAnswer(it, began)
		}
		s.retry(it, next, err, true, maybe)
	}
	return false
}

// stopped reports whether Run's context has ended.
func (s *Sender) stopped() bool { return s.stopping != nil && s.stopping.Err() != nil }

// waitTurn waits until the rate limiter lets a call to method go. It gives
// up when the sender stops: a call not yet made is not in flight, and
// waits for the next start.
func (s *Sender) waitTurn(ctx context.Context, method, channel string) error {
	if s.stopping != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(s.stopping, cancel)()
	}
	if err := s.Limiter.Wait(ctx, method, channel); err != nil {
		return errNotSent{err}
	}
	if s.stopped() {
		return errNotSent{s.stopping.Err()}
	}
	return nil
}

func (s *Sender) authAccepted() {
	if s.Health != nil {
		s.Health.SetAuthRefused("")
	}
}

// nextTry is when a failed item is due again: after the backoff of its
// attempts so far.
func (s *Sender) nextTry(it rituals.OutboxItem, _ error) time.Time {
	return time.Now().Add(s.backoff(it.Attempts))
}

// retry records a failed attempt. A counted failure past MaxAttempts, of a
// message older than MaxAge, gives the message up with a logged error.
func (s *Sender) retry(it rituals.OutboxItem, at time.Time, cause error, counts, maybeSent bool) {
	log := s.Log.With().Str("key", it.Message.Key).Str("to", it.Message.To).Logger()
	if counts && it.Attempts+1 >= s.MaxAttempts && s.Now().Sub(it.Enqueued) >= s.MaxAge && !s.superseded(it) {
		log.Error().Err(cause).Int("attempts", it.Attempts+1).Msg("giving up on a message after repeated failures")
		if err := s.Store.Drop(it.Seq, "gave up: "+cause.Error()); err != nil {
			log.Error().Err(err).Msg("drop message")
		}
		return
	}
	if counts {
		log.Warn().Err(cause).Time("next", at).Bool("maybe_sent", maybeSent).Msg("send failed; will retry")
	}
	if err := s.Store.Retry(it.Seq, at, cause.Error(), maybeSent); err != nil {
		log.Error().Err(err).Msg("record retry")
	}
}

// superseded reports whether a newer edit replaced the content of item it
// since it was read: what failed is not what the outbox holds.
func (s *Sender) superseded(it rituals.OutboxItem) bool {
	if !it.Message.Update {
		return false
	}
	cur, ok, err := s.Store.Item(it.Seq)
	return err == nil && ok && cur.Revision != it.Revision
}

func (s *Sender) backoff(attempts int) time.Duration {
	d := s.Backoff << attempts
	if d > 5*time.Minute || d <= 0 {
		d = 5 * time.Minute
	}
	return d
}
