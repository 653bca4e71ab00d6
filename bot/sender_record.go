package bot

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// A delivery is recorded in the store with the next commit: any write
// transaction of the store's (a command's included, sender_ride.go), the
// attempt of the sender's next message (Attempt records both in one
// transaction), or, if none comes within recordAfter, a commit of the
// sender's own with whatever else was delivered by then (at once if
// WaitIdle waits). A sender working through a queue then makes one commit
// per message instead of two, and a run of commands' replies (which go
// unmarked, sender_mark.go) no commit of its own: people's commands do
// not wait behind the sender for the store's single writer and its
// fsyncs (docs/BENCHMARKS.md). Until then the delivery is known here
// (sentOf), and the item stays in the outbox: if the process dies first,
// the next start finds the message in Slack by its metadata instead of
// posting it again, as for any attempt whose answer was lost.
const recordAfter = 100 * time.Millisecond

// recordAfter is Sender.RecordAfter, or the package's default.
func (s *Sender) recordAfter() time.Duration {
	if s.RecordAfter > 0 {
		return s.RecordAfter
	}
	return recordAfter
}

// unrecorded holds the deliveries not yet recorded in the store.
type unrecorded struct {
	mu    sync.Mutex
	list  []rituals.Delivery
	seqs  map[uint64]bool
	keys  map[string]rituals.SentMessage // where posts landed, for threads and edits
	edits map[uint64]bool                // the seqs in list that are edits
	since time.Time                      // when the oldest was added
	// recorded holds the deliveries whose record was committed, with the
	// count of outbox reads begun by then (reads): a read that began
	// before the commit may still hold the item, and must pass it over as
	// well (unless a newer edit replaced it: that is still to go).
	recorded map[uint64]recorded
	reads    uint64
	// riding counts the write transactions of others that took deliveries
	// from list to record with their own writes (sender_ride.go), and have
	// not said yet whether they committed.
	riding int
	// superseded: an edit recorded as delivered stayed in the outbox, as a
	// newer edit replaced its content while it was sent; Run reads the
	// outbox again for it (the batch forgot the item).
	superseded atomic.Bool
}

// delivered notes that item it landed; it reports true: the item has
// left the sender's queue.
func (s *Sender) delivered(it rituals.OutboxItem, landed rituals.SentMessage, _ zerolog.Logger) bool {
	u := &s.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	u.init()
	if len(u.list) == 0 {
		u.since = time.Now()
	}
	landed.Key = it.Message.Key
	// The revision sent: the store keeps the item if a newer edit has
	// replaced it since.
	u.list = append(u.list, rituals.Delivery{Seq: it.Seq, Revision: it.Revision, Sent: landed})
	u.seqs[it.Seq] = true
	if it.Message.Update {
		u.edits[it.Seq] = true
	} else { // an edit keeps the record of what it edited
		u.keys[landed.Key] = landed
	}
	return true
}

func (u *unrecorded) init() {
	if u.seqs == nil {
		u.seqs, u.keys, u.edits, u.recorded = map[uint64]bool{}, map[string]rituals.SentMessage{}, map[uint64]bool{}, map[uint64]recorded{}
	}
}

// recorded is a delivery committed after outbox read number reads began.
type recorded struct {
	revision int
	reads    uint64
}

// landed is delivered, and tells Landed of a post.
func (s *Sender) landed(it rituals.OutboxItem, sent rituals.SentMessage, log zerolog.Logger) bool {
	done := s.delivered(it, sent, log)
	if s.Landed != nil && !it.Message.Update && it.Message.Upload == nil {
		sent.Key = it.Message.Key
		s.Landed(it.Message, sent)
	}
	return done
}

// takeDeliveries hands the unrecorded deliveries to a commit, which must
// report back with recordedDeliveries.
func (s *Sender) takeDeliveries() []rituals.Delivery {
	u := &s.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	ds := u.list
	u.list = nil
	return ds
}

// recordedDeliveries settles deliveries a commit took: forgotten here once
// in the store, kept for the next commit if it failed.
func (s *Sender) recordedDeliveries(ds []rituals.Delivery, err error) {
	if len(ds) == 0 {
		return
	}
	u := &s.unrecorded
	u.mu.Lock()
	if err != nil {
		if len(u.list) == 0 {
			u.since = time.Now()
		}
		u.list = append(ds, u.list...)
		u.mu.Unlock()
		return
	}
	edits := u.forget(ds)
	u.mu.Unlock()
	for _, seq := range edits {
		if _, pending, err := s.Store.Item(seq); err != nil || pending {
			// Replaced while it was sent (or unknown): the newer content
			// is still to go.
			u.superseded.Store(true)
			s.Wake()
			return
		}
	}
}

// forget drops the deliveries ds, now recorded in the store, from those
// awaiting their record, and returns the seqs of the edits among them.
// The caller holds u.mu.
func (u *unrecorded) forget(ds []rituals.Delivery) (edits []uint64) {
	for _, d := range ds {
		delete(u.seqs, d.Seq)
		u.recorded[d.Seq] = recorded{revision: d.Revision, reads: u.reads}
		if u.keys[d.Sent.Key] == d.Sent {
			delete(u.keys, d.Sent.Key)
		}
		if u.edits[d.Seq] {
			delete(u.edits, d.Seq)
			edits = append(edits, d.Seq)
		}
	}
	return edits
}

// recordDeliveries commits the unrecorded deliveries on their own.
func (s *Sender) recordDeliveries() {
	ds := s.takeDeliveries()
	if len(ds) == 0 {
		return
	}
	err := s.Store.DeliveredAll(ds)
	if err != nil {
		s.Log.Error().Err(err).Int("messages", len(ds)).Msg("record delivered messages")
	}
	s.recordedDeliveries(ds, err)
}

// unrecordedLeft reports whether deliveries await their record, here or
// in a commit under way.
func (s *Sender) unrecordedLeft() bool {
	u := &s.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.list) > 0 || u.riding > 0
}

// deliveriesDue says how long until the unrecorded deliveries should be
// committed on their own; ok is false if there are none.
func (s *Sender) deliveriesDue() (time.Duration, bool) {
	u := &s.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.list) == 0 {
		return 0, false
	}
	return max(0, time.Until(u.since.Add(s.recordAfter()))), true
}

// readOutbox reads the outbox with read and passes over the items
// delivered that the read may still find: those awaiting their record,
// and those recorded since the read began (its transaction may predate
// the commit). Posting such an item again would post it twice.
func (s *Sender) readOutbox(read func() ([]rituals.OutboxItem, error)) ([]rituals.OutboxItem, error) {
	u := &s.unrecorded
	u.mu.Lock()
	u.init()
	u.reads++
	began := u.reads
	u.mu.Unlock()
	items, err := read()
	u.mu.Lock()
	defer u.mu.Unlock()
	items = slices.DeleteFunc(items, func(it rituals.OutboxItem) bool {
		r, ok := u.recorded[it.Seq]
		return u.seqs[it.Seq] || ok && r.revision == it.Revision
	})
	for seq, r := range u.recorded {
		if r.reads < began { // committed before this read began: it cannot see the item
			delete(u.recorded, seq)
		}
	}
	return items, err
}

// sentOf returns where the message with key landed: delivered and not yet
// recorded, or as the store has it.
func (s *Sender) sentOf(key string) (rituals.SentMessage, bool, error) {
	u := &s.unrecorded
	u.mu.Lock()
	sm, ok := u.keys[key]
	u.mu.Unlock()
	if ok {
		return sm, true, nil
	}
	return s.Store.Sent(key)
}
