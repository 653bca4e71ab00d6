package store

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

// The sender records the messages it delivered in a commit of its own
// unless another comes first (bot/sender_record.go). bbolt has one
// writer: a command whose commit began while the sender's ran waited for
// it and its fsyncs, and back-to-back commands did so about once in
// twenty, which set their p99 (docs/BENCHMARKS.md). With a rider, every
// write transaction also records the deliveries waiting when it is about
// to commit, in its own fsync, so that while commands run the sender
// needs no commit of its own.
//
// The deliveries are recorded after the transaction's own work, so that
// work is what it would have been without them; an item they cannot
// decode is left for the sender's own commit (which reports it) rather
// than failing a person's command.

// deliveryRider is what RecordDeliveriesWithWrites was given.
type deliveryRider struct {
	take func() []rituals.Delivery
	done func(ds []rituals.Delivery, pending []uint64, err error)
}

// RecordDeliveriesWithWrites has each later write transaction record,
// with its own writes, the deliveries take hands it (as DeliveredAll).
// take is called inside the transaction, holding bbolt's writer lock; it
// must not wait for the store. done is told, once the transaction is
// over, which deliveries it took: recorded if err is nil (pending lists
// the seqs left in the outbox as a newer update replaced their content),
// not recorded otherwise. nil, nil stops it.
func (db *DB) RecordDeliveriesWithWrites(take func() []rituals.Delivery, done func(ds []rituals.Delivery, pending []uint64, err error)) {
	if take == nil {
		db.rider.Store(nil)
		return
	}
	db.rider.Store(&deliveryRider{take: take, done: done})
}

// riders holds the rider (atomic: set by the sender while commands
// commit).
type riders = atomic.Pointer[deliveryRider]

// ride is what one transaction took from the rider.
type ride struct {
	rider   *deliveryRider
	ds      []rituals.Delivery
	pending []uint64
	err     error // the deliveries were not recorded, whatever the commit did
}

// rideAlong records in tx the deliveries the rider has waiting. An error
// it returns fails tx: a write failed after some deliveries were written.
func (db *DB) rideAlong(tx *bolt.Tx) (ride, error) {
	r := db.rider.Load()
	if r == nil {
		return ride{}, nil
	}
	ds := r.take()
	if len(ds) == 0 {
		return ride{}, nil
	}
	rd := ride{rider: r, ds: ds}
	outbox := tx.Bucket(bucketOutbox)
	for _, d := range ds {
		if v := outbox.Get(seqKey(d.Seq)); v != nil {
			if err := json.Unmarshal(v, new(rituals.OutboxItem)); err != nil {
				rd.err = fmt.Errorf("record %d deliveries with a write: decode item %d: %w", len(ds), d.Seq, err)
				return rd, nil
			}
		}
	}
	if err := db.deliveredAll(tx, ds); err != nil {
		return rd, fmt.Errorf("record %d deliveries with a write: %w", len(ds), err)
	}
	for _, d := range ds {
		if outbox.Get(seqKey(d.Seq)) != nil {
			rd.pending = append(rd.pending, d.Seq)
		}
	}
	return rd, nil
}

// settle tells the rider what became of the deliveries tx took, once tx
// committed (err nil) or failed.
func (rd ride) settle(err error) {
	if rd.rider == nil {
		return
	}
	if rd.err != nil {
		err = rd.err
	}
	if err != nil {
		rd.pending = nil
	}
	rd.rider.done(rd.ds, rd.pending, err)
}
