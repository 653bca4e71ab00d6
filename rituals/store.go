package rituals

import (
	"context"
	"iter"
	"time"
)

// OccurrenceStatus is the state of one occurrence of a scheduled job.
type OccurrenceStatus string

const (
	// OccurrenceSeen marks the instant the scheduler first saw a job; nothing
	// before it is due. It stops a newly configured ritual from firing for
	// the past.
	OccurrenceSeen    OccurrenceStatus = "seen"
	OccurrenceRunning OccurrenceStatus = "running"
	OccurrenceDone    OccurrenceStatus = "done"
	OccurrenceFailed  OccurrenceStatus = "failed"
	OccurrenceMissed  OccurrenceStatus = "missed"
)

// Occurrence is the record of one scheduled instant of a job.
type Occurrence struct {
	Job    string
	At     time.Time
	Status OccurrenceStatus
	// Updated is when the status was last written.
	Updated time.Time
	Error   string `json:",omitempty"`
}

// OccurrenceStore keeps the occurrence records that make each occurrence of
// a job run exactly once across restarts.
type OccurrenceStore interface {
	// LastOccurrence returns the latest record of job, ok=false if none.
	LastOccurrence(job string) (o Occurrence, ok bool, err error)
	// PutOccurrence writes (or overwrites) the record of o.Job at o.At.
	PutOccurrence(o Occurrence) error
}

// OutboxItem is a message waiting in the durable outbox.
type OutboxItem struct {
	Seq      uint64 // order of enqueueing
	Message  Message
	Enqueued time.Time
	Attempts int
	// NotBefore holds the item back until then (backoff after a failure).
	NotBefore time.Time
	LastError string `json:",omitempty"`
	// InFlight, if set, is when an attempt began whose outcome is unknown:
	// the process died during it, or Slack's answer was lost (a timeout, a
	// dropped connection). Slack may have posted the message, so the next
	// attempt looks for it before posting again.
	InFlight time.Time `json:",omitzero"`
	// Revision counts the newer updates that replaced this one's content
	// in place. A delivery of an older revision does not remove the item:
	// the newer content has still to go.
	Revision int `json:",omitzero"`
}

// SentMessage is where a delivered message landed, so later messages can
// thread under it or edit it.
type SentMessage struct {
	Key     string
	Channel string // the conversation ID Slack returned (D… for a DM)
	TS      string
	Sent    time.Time
}

// Delivery is where outbox item Seq, at Revision, landed.
type Delivery struct {
	Seq      uint64
	Revision int
	Sent     SentMessage
}

// OutboxStore persists outgoing messages until they are delivered.
type OutboxStore interface {
	// Enqueue appends msgs in one transaction. A message whose key is
	// pending or already sent is skipped, unless it is an Update, which
	// replaces a pending update of the same key or queues a new one.
	Enqueue(now time.Time, msgs ...Message) error
	// Pending returns up to limit items: the Urgent ones oldest first,
	// then the others oldest first. Enqueueing an Urgent message makes
	// urgent the pending post it threads under or edits, so a
	// conversation's parents still go before their replies.
	Pending(limit int) ([]OutboxItem, error)
	// PendingAfter returns up to limit items enqueued after item seq,
	// oldest first: what is new since a read that ended at seq.
	PendingAfter(seq uint64, limit int) ([]OutboxItem, error)
	// UrgentSeqs returns the sequence numbers of the pending Urgent items,
	// oldest first, without their content: what a holder of an earlier
	// read checks for items made urgent in place since (an urgent update
	// replacing a routine one, and the parents that made urgent), which
	// PendingAfter does not return.
	UrgentSeqs() ([]uint64, error)
	// Item returns pending item seq as it is now (a pending update's
	// content is replaced by a newer update of the same key).
	Item(seq uint64) (OutboxItem, bool, error)
	// Delivered removes item seq from the outbox and records where it landed.
	Delivered(seq uint64, sent SentMessage) error
	// DeliveredAll records several deliveries in one transaction; an item
	// no longer in the outbox is passed over, and one whose content a newer
	// update replaced since (its Revision moved on) stays pending.
	DeliveredAll(ds []Delivery) error
	// Attempt records, durably, that an attempt at item seq is about to
	// reach Slack (it sets InFlight to at), and in the same transaction
	// the deliveries given (as DeliveredAll).
	Attempt(seq uint64, at time.Time, delivered ...Delivery) error
	// Retry records a failed attempt and holds the item until notBefore.
	// maybeSent says Slack may have carried it out (the answer was lost):
	// the item stays in flight; otherwise InFlight is cleared.
	Retry(seq uint64, notBefore time.Time, reason string, maybeSent bool) error
	// Drop removes item seq without delivering it, recording why.
	Drop(seq uint64, reason string) error
	// Sent returns where the message with key landed.
	Sent(key string) (SentMessage, bool, error)
	// LastSeq returns the sequence number of the newest item ever
	// enqueued (0 if none): items after it were enqueued since.
	LastSeq() (uint64, error)
}

// DurableOutbox is the Outbox the rituals use: it writes to the store and
// wakes whoever delivers.
type DurableOutbox struct {
	Store OutboxStore
	Clock Clock
	Wake  func() // may be nil
}

// Send stores msgs durably, then wakes the sender.
func (o *DurableOutbox) Send(ctx context.Context, msgs ...Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := o.Store.Enqueue(o.Clock.Now(), UrgentFor(ctx, msgs)...); err != nil {
		return err
	}
	if o.Wake != nil {
		o.Wake()
	}
	return nil
}

// BatchOutbox is an Outbox that takes one fan-out as a sequence of
// batches, each stored on its own as it comes, and starts delivering once
// the last is in. A ritual messaging thousands of people builds each
// batch only when it is asked for, so neither the messages nor one huge
// transaction's records are in memory at once.
type BatchOutbox interface {
	SendBatches(ctx context.Context, batches iter.Seq[[]Message]) error
}

// SendBatches sends batches through out: as one fan-out if out is a
// BatchOutbox, else with a Send per batch.
func SendBatches(ctx context.Context, out Outbox, batches iter.Seq[[]Message]) error {
	if b, ok := out.(BatchOutbox); ok {
		return b.SendBatches(ctx, batches)
	}
	for msgs := range batches {
		if err := out.Send(ctx, msgs...); err != nil {
			return err
		}
	}
	return nil
}

// SendBatches stores each batch in a transaction of its own, and wakes
// the sender once, after the last (or after a failure, for the batches
// stored before it). Woken at the first batch, the sender's commits (one
// per message it posts) and the next batches' would take turns at the
// store's single writer, and the posts held up behind them would then
// leave all at once, into Slack's rate limit.
func (o *DurableOutbox) SendBatches(ctx context.Context, batches iter.Seq[[]Message]) error {
	stored := false
	defer func() {
		if stored && o.Wake != nil {
			o.Wake()
		}
	}()
	for msgs := range batches {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := o.Store.Enqueue(o.Clock.Now(), UrgentFor(ctx, msgs)...); err != nil {
			return err
		}
		stored = true
	}
	return nil
}
