package bot

import (
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// A command's commit that began while the sender recorded its deliveries
// waited for that commit and its fsyncs (bbolt has one writer): at one
// record per recordAfter, back-to-back commands did so about once in
// twenty, which set their p99 (docs/BENCHMARKS.md). A store that can
// (writeRider) records the deliveries waiting here with whatever write
// transaction comes next, a command's included, in that transaction's
// own fsync; while commands run, the sender then commits nothing of its
// own for them. If none comes within recordAfter, the sender commits them
// itself as before.
//
// The record is no later than before, so what a restart finds is the
// same: an item delivered but not yet recorded is still in the outbox,
// and a restart looks for it in Slack before posting it (sender_mark.go).

// writeRider is a store whose write transactions can record deliveries
// along with their own writes (store.DB).
type writeRider interface {
	// RecordDeliveriesWithWrites has each later write transaction take
	// the deliveries take hands it (called under the store's writer lock)
	// and report with done whether they were recorded; pending lists the
	// seqs a newer edit kept in the outbox. nil, nil stops it.
	RecordDeliveriesWithWrites(take func() []rituals.Delivery, done func(ds []rituals.Delivery, pending []uint64, err error))
}

// rideWrites has the store's writes record the deliveries, if it can; the
// returned func stops it.
func (s *Sender) rideWrites() (stop func()) {
	w, ok := s.Store.(writeRider)
	if !ok {
		return func() {}
	}
	w.RecordDeliveriesWithWrites(s.takeRiding, s.rode)
	return func() { w.RecordDeliveriesWithWrites(nil, nil) }
}

// takeRiding hands the deliveries awaiting their record to a write
// transaction, which reports back with rode.
func (s *Sender) takeRiding() []rituals.Delivery {
	u := &s.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	ds := u.list
	if len(ds) == 0 {
		return nil
	}
	u.list = nil
	u.riding++
	return ds
}

// rode settles the deliveries a write transaction took: forgotten here
// once recorded, kept for the next commit otherwise. It wakes Run, which
// may be waiting for them to declare itself idle.
func (s *Sender) rode(ds []rituals.Delivery, pending []uint64, err error) {
	u := &s.unrecorded
	u.mu.Lock()
	u.riding--
	if err != nil {
		s.Log.Warn().Err(err).Int("messages", len(ds)).Msg("record deliveries with a write; keeping them for the next")
		if len(u.list) == 0 {
			u.since = time.Now()
		}
		u.list = append(ds, u.list...)
	} else {
		u.forget(ds)
	}
	u.mu.Unlock()
	if err == nil && len(pending) > 0 {
		// An edit replaced while it was sent: the newer content is still
		// to go, and the batch forgot the item.
		u.superseded.Store(true)
		s.Wake()
	}
	select {
	case s.flush <- struct{}{}:
	default:
	}
}

// riding reports whether a write transaction holds deliveries it has not
// reported on yet.
func (s *Sender) riding() bool {
	u := &s.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.riding > 0
}
