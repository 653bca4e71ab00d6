package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// Cover requests and drills:
//
//	oncall_covers  ritual 0 seqKey(id) → CoverRequest
//	oncall_drills  ritual 0 seqKey(id) → Drill
//
// Both take IDs from their own bucket's sequence: the numbers people see
// (cover request #3, drill #2) count up from 1 per store.
var (
	bucketCovers = registerBucket("oncall_covers")
	bucketDrills = registerBucket("oncall_drills")
)

var (
	_ oncall.CoverStore = (*DB)(nil)
	_ oncall.DrillStore = (*DB)(nil)
)

func init() {
	registerFormat("oncall_covers", format{Key: formatRitualSeqKey})
	registerFormat("oncall_drills", format{Key: formatRitualSeqKey})
}

// PutCover stores a cover request, giving it an ID if it has none.
func (db *DB) PutCover(c oncall.CoverRequest) (oncall.CoverRequest, error) {
	err := db.update("put_oncall_cover", func(tx *bolt.Tx) error {
		if err := checkJob(c.Ritual); err != nil {
			return err
		}
		return putNumbered(tx.Bucket(bucketCovers), c.Ritual, &c.ID, &c)
	})
	if err != nil {
		return oncall.CoverRequest{}, fmt.Errorf("put cover request of %s: %w", c.Ritual, err)
	}
	return c, nil
}

// SaveTakenCover stores override o under a new ID (as SaveOverride),
// cover request c, taken by it (its Override set to that ID), and
// enqueues the messages built for o, in one transaction: a crash cannot
// leave an override in force for a request that still offers "Take it",
// nor a request taken by an override that was never stored. It returns o
// as stored.
func (db *DB) SaveTakenCover(o oncall.Override, c oncall.CoverRequest, now time.Time, messages func(oncall.Override) []rituals.Message) (oncall.Override, error) {
	err := db.update("take_oncall_cover", func(tx *bolt.Tx) error {
		stored, err := addOverride(tx, o)
		if err != nil {
			return err
		}
		c.Override = stored.ID
		if err := putCoverTx(tx, c); err != nil {
			return err
		}
		o = stored
		return enqueueTx(tx, now, messages(stored))
	})
	if err != nil {
		return oncall.Override{}, fmt.Errorf("add override to %s taking cover request %d: %w", o.Ritual, c.ID, err)
	}
	return o, nil
}

// EndCoveredOverride stores the new end of override o (as EndOverride),
// cover request c, which o took, as it follows that end (open again for
// a cancel, released for an early end), and enqueues messages, in one
// transaction: a crash cannot leave a request that reads taken by an
// override that was cancelled, nor one whose cover ended unsaid.
func (db *DB) EndCoveredOverride(o oncall.Override, c oncall.CoverRequest, now time.Time, messages []rituals.Message) error {
	err := db.update("end_oncall_covered_override", func(tx *bolt.Tx) error {
		if _, err := endOverride(tx, o); err != nil {
			return err
		}
		if err := putCoverTx(tx, c); err != nil {
			return err
		}
		return enqueueTx(tx, now, messages)
	})
	if err != nil {
		return fmt.Errorf("end override %d of %s and its cover request %d: %w", o.ID, o.Ritual, c.ID, err)
	}
	return nil
}

// putCoverTx stores c, a request stored before (it has its ID), as it
// changes with its override.
func putCoverTx(tx *bolt.Tx, c oncall.CoverRequest) error {
	if err := checkJob(c.Ritual); err != nil {
		return err
	}
	if c.ID == 0 {
		return fmt.Errorf("cover request has no ID")
	}
	return putNumbered(tx.Bucket(bucketCovers), c.Ritual, &c.ID, &c)
}

// putNumbered stores v in b under ritual and *id, first giving *id (v's
// own ID) the bucket's next number when it has none.
func putNumbered(b *bolt.Bucket, ritual string, id *uint64, v any) error {
	if *id == 0 {
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		*id = n
	}
	return putJSON(b, underKey(ritual, seqKey(*id)), v)
}

// Cover returns a cover request.
func (db *DB) Cover(ritual string, id uint64) (c oncall.CoverRequest, ok bool, err error) {
	err = db.view("oncall_cover", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketCovers), underKey(ritual, seqKey(id)), &c)
		return err
	})
	if err != nil {
		return c, false, fmt.Errorf("cover request %d of %s: %w", id, ritual, err)
	}
	return c, ok, nil
}

// Covers returns a rotation's cover requests whose span ends after from.
func (db *DB) Covers(ritual string, from time.Time) (out []oncall.CoverRequest, err error) {
	err = db.view("oncall_covers", func(tx *bolt.Tx) error {
		out, err = decodePrefix(tx.Bucket(bucketCovers), prefixKey(ritual), func(c oncall.CoverRequest) bool { return c.Span.To.After(from) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cover requests of %s: %w", ritual, err)
	}
	return out, nil
}

// PutDrill stores a drill, giving it an ID if it has none.
func (db *DB) PutDrill(d oncall.Drill) (oncall.Drill, error) {
	err := db.update("put_oncall_drill", func(tx *bolt.Tx) error {
		if err := checkJob(d.Ritual); err != nil {
			return err
		}
		return putNumbered(tx.Bucket(bucketDrills), d.Ritual, &d.ID, &d)
	})
	if err != nil {
		return oncall.Drill{}, fmt.Errorf("put drill of %s: %w", d.Ritual, err)
	}
	return d, nil
}

// Drills returns a rotation's drills paged at or after from.
func (db *DB) Drills(ritual string, from time.Time) (out []oncall.Drill, err error) {
	err = db.view("oncall_drills", func(tx *bolt.Tx) error {
		out, err = decodePrefix(tx.Bucket(bucketDrills), prefixKey(ritual), func(d oncall.Drill) bool { return !d.Paged.Before(from) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("drills of %s: %w", ritual, err)
	}
	return out, nil
}
