package store

import (
	"errors"
	"slices"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

// rider hands the store deliveries as the sender does, and keeps what it
// was told of them.
type rider struct {
	mu      sync.Mutex
	list    []rituals.Delivery
	took    int // transactions that took deliveries
	settled []riderOutcome
}

type riderOutcome struct {
	ds      []rituals.Delivery
	pending []uint64
	err     error
}

func (r *rider) add(ds ...rituals.Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, ds...)
}

func (r *rider) take() []rituals.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	ds := r.list
	r.list = nil
	if len(ds) > 0 {
		r.took++
	}
	return ds
}

func (r *rider) done(ds []rituals.Delivery, pending []uint64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settled = append(r.settled, riderOutcome{ds, pending, err})
}

func (r *rider) last(t *testing.T) riderOutcome {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.settled) == 0 {
		t.Fatal("the rider was never told of its deliveries")
	}
	return r.settled[len(r.settled)-1]
}

// The sender's deliveries are recorded by the next write, whatever it
// writes, in its one commit: a person's command then never waits for a
// commit of the sender's.
func TestAWriteRecordsTheDeliveriesWaitingWithIt(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	r := &rider{}
	db.RecordDeliveriesWithWrites(r.take, r.done)
	r.add(rituals.Delivery{Seq: items[0].Seq, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}})
	before := db.Commits()
	if err := db.Enqueue(t0, post("c", "3")); err != nil { // any write
		t.Fatal(err)
	}
	if n := db.Commits() - before; n != 1 {
		t.Errorf("the write and the delivery took %d commits, want 1", n)
	}
	wantPending(t, db, "b=2", "c=3")
	if sm, ok, _ := db.Sent("a"); !ok || sm.TS != "1.1" || sm.Key != "a" {
		t.Errorf("Sent(a) = %+v %v", sm, ok)
	}
	if got := r.last(t); got.err != nil || len(got.ds) != 1 || len(got.pending) != 0 {
		t.Errorf("the rider was told %+v, want its one delivery recorded", got)
	}
	// A write with nothing waiting tells the rider nothing.
	if err := db.Enqueue(t0, post("d", "4")); err != nil {
		t.Fatal(err)
	}
	if n := len(r.settled); n != 1 {
		t.Errorf("the rider was told %d times, want once", n)
	}
	db.RecordDeliveriesWithWrites(nil, nil)
	r.add(rituals.Delivery{Seq: items[1].Seq, Sent: rituals.SentMessage{Channel: "C1", TS: "2.2", Sent: t0}})
	if err := db.Enqueue(t0, post("e", "5")); err != nil {
		t.Fatal(err)
	}
	if r.took != 1 {
		t.Errorf("a write after the rider stopped took its deliveries")
	}
}

// A write that fails, or that the write itself refuses, records nothing:
// the rider is told so and keeps its deliveries for the next commit. A
// refused write does not even take them.
func TestAFailedWriteLeavesTheDeliveriesToTheNext(t *testing.T) {
	full := errors.New("no space left on device")
	var fail bool
	db := MustOpen(t, WithCommitFault(func() error {
		if fail {
			return full
		}
		return nil
	}))
	if err := db.Enqueue(t0, post("a", "1")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	r := &rider{}
	db.RecordDeliveriesWithWrites(r.take, r.done)
	a := rituals.Delivery{Seq: items[0].Seq, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}}
	r.add(a)
	refused := errors.New("refused")
	if err := db.update("refused", func(*bolt.Tx) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("update = %v", err)
	}
	if r.took != 0 {
		t.Errorf("a write its own work refused took the deliveries")
	}
	fail = true
	if err := db.Enqueue(t0, post("b", "2")); err == nil {
		t.Fatal("the write succeeded on a full disk")
	}
	fail = false
	if got := r.last(t); !errors.Is(got.err, full) || len(got.ds) != 1 {
		t.Errorf("the rider was told %+v, want its delivery not recorded (%v)", got, full)
	}
	wantPending(t, db, "a=1")
	if _, ok, _ := db.Sent("a"); ok {
		t.Error("a recorded as sent by a failed commit")
	}
}

// An item the store cannot decode fails the record of the deliveries, not
// the write that carried them: a person's command goes through.
func TestAnUndecodableItemDoesNotFailTheWriteThatCarriesIt(t *testing.T) {
	db := MustOpen(t)
	err := db.update("seed", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).Put(seqKey(7), []byte("{not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &rider{}
	db.RecordDeliveriesWithWrites(r.take, r.done)
	r.add(rituals.Delivery{Seq: 7, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1"}})
	if err := db.Enqueue(t0, post("b", "2")); err != nil {
		t.Fatalf("the write failed with the deliveries it carried: %v", err)
	}
	if got := r.last(t); got.err == nil {
		t.Errorf("the rider was told its delivery of an undecodable item was recorded")
	}
	if _, _, err := db.Item(7); err == nil {
		t.Error("the undecodable item was removed by the write")
	}
}

// An edit replaced while it was sent stays pending, and the rider is told
// which, so that the newer content goes next.
func TestAWriteTellsTheRiderOfAnEditReplacedWhileSent(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, update("brief", "A")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	sending := items[0]
	r := &rider{}
	db.RecordDeliveriesWithWrites(r.take, r.done)
	r.add(rituals.Delivery{Seq: sending.Seq, Revision: sending.Revision, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1"}})
	// The write replacing it carries the record of the older revision.
	if err := db.Enqueue(t0, update("brief", "B")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "brief=B (update)")
	if got := r.last(t); got.err != nil || !slices.Equal(got.pending, []uint64{sending.Seq}) {
		t.Errorf("the rider was told %+v, want item %d pending", got, sending.Seq)
	}
}
