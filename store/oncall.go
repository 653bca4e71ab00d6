package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// On-call buckets:
//
//	oncall_handoffs   ritual 0 timeKey(at) → HandoffRecord
//	oncall_overrides  ritual 0 seqKey(id)  → Override
//	oncall_swaps      ritual 0 seqKey(id)  → SwapRequest
//
// Overrides and swaps share one ID sequence (the overrides bucket's), so an
// override's ID also orders it among those set at the same instant.
var (
	bucketHandoffs  = registerBucket("oncall_handoffs")
	bucketOverrides = registerBucket("oncall_overrides")
	bucketSwaps     = registerBucket("oncall_swaps")
)

var _ oncall.OnCallStore = (*DB)(nil)

func init() {
	registerFormat("oncall_handoffs", format{Key: formatRitualTimeKey})
	registerFormat("oncall_overrides", format{Key: formatRitualSeqKey})
	registerFormat("oncall_swaps", format{Key: formatRitualSeqKey})
}

// Handoffs returns a rotation's handoff records, oldest first.
func (db *DB) Handoffs(ritual string) ([]oncall.HandoffRecord, error) {
	var out []oncall.HandoffRecord
	err := db.view("oncall_handoffs", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[oncall.HandoffRecord](tx.Bucket(bucketHandoffs), prefixKey(ritual), nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("handoffs of %s: %w", ritual, err)
	}
	return out, nil
}

// PutHandoff stores h unless a record at h.At exists.
func (db *DB) PutHandoff(h oncall.HandoffRecord) (bool, error) {
	if err := checkJob(h.Ritual); err != nil {
		return false, fmt.Errorf("put handoff: %w", err)
	}
	stored := false
	err := db.update("put_oncall_handoff", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketHandoffs)
		k := underKey(h.Ritual, timeKey(h.At))
		if b.Get(k) != nil {
			return nil
		}
		stored = true
		return putJSON(b, k, h)
	})
	if err != nil {
		return false, fmt.Errorf("put handoff of %s: %w", h.Ritual, err)
	}
	return stored, nil
}

// Overrides returns a rotation's overrides in the order they were set.
func (db *DB) Overrides(ritual string) ([]oncall.Override, error) {
	var out []oncall.Override
	err := db.view("oncall_overrides", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[oncall.Override](tx.Bucket(bucketOverrides), prefixKey(ritual), nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("overrides of %s: %w", ritual, err)
	}
	return out, nil
}

// AddOverride stores o under a new ID.
func (db *DB) AddOverride(o oncall.Override) (oncall.Override, error) {
	return db.SaveOverride(o, time.Time{}, nil)
}

// SaveOverride stores o under a new ID and enqueues the messages built for
// it, in one transaction: an override is never in force unannounced, and
// setting one costs one commit.
func (db *DB) SaveOverride(o oncall.Override, now time.Time, messages func(oncall.Override) []rituals.Message) (oncall.Override, error) {
	err := db.update("add_oncall_override", func(tx *bolt.Tx) error {
		stored, err := addOverride(tx, o)
		if err != nil {
			return err
		}
		if messages != nil {
			if err := enqueueTx(tx, now, messages(stored)); err != nil {
				return err
			}
		}
		o = stored
		return nil
	})
	if err != nil {
		return oncall.Override{}, fmt.Errorf("add override to %s: %w", o.Ritual, err)
	}
	return o, nil
}

func addOverride(tx *bolt.Tx, o oncall.Override) (oncall.Override, error) {
	if err := checkJob(o.Ritual); err != nil {
		return o, err
	}
	b := tx.Bucket(bucketOverrides)
	id, err := b.NextSequence()
	if err != nil {
		return o, err
	}
	o.ID = id
	return o, putJSON(b, underKey(o.Ritual, seqKey(id)), o)
}

// EndOverride stores the new end of override o (stored before, under its
// ID) and enqueues the messages built for it, in one transaction.
func (db *DB) EndOverride(o oncall.Override, now time.Time, messages func(oncall.Override) []rituals.Message) error {
	err := db.update("end_oncall_override", func(tx *bolt.Tx) error {
		stored, err := endOverride(tx, o)
		if err != nil || messages == nil {
			return err
		}
		return enqueueTx(tx, now, messages(stored))
	})
	if err != nil {
		return fmt.Errorf("end override %d of %s: %w", o.ID, o.Ritual, err)
	}
	return nil
}

// endOverride sets the end of the stored override o.ID to o.To and
// returns it as stored.
func endOverride(tx *bolt.Tx, o oncall.Override) (oncall.Override, error) {
	if err := checkJob(o.Ritual); err != nil {
		return o, err
	}
	b := tx.Bucket(bucketOverrides)
	k := underKey(o.Ritual, seqKey(o.ID))
	var stored oncall.Override
	if ok, err := getJSON(b, k, &stored); err != nil {
		return o, err
	} else if !ok {
		return o, fmt.Errorf("no override %d", o.ID)
	}
	stored.To = o.To
	return stored, putJSON(b, k, stored)
}

// PutSwap stores a swap request, giving it an ID if it has none.
func (db *DB) PutSwap(s oncall.SwapRequest) (oncall.SwapRequest, error) {
	err := db.update("put_oncall_swap", func(tx *bolt.Tx) error {
		var err error
		s, err = putSwap(tx, s)
		return err
	})
	if err != nil {
		return oncall.SwapRequest{}, fmt.Errorf("put swap request of %s: %w", s.Ritual, err)
	}
	return s, nil
}

func putSwap(tx *bolt.Tx, s oncall.SwapRequest) (oncall.SwapRequest, error) {
	if err := checkJob(s.Ritual); err != nil {
		return s, err
	}
	if s.ID == 0 {
		id, err := tx.Bucket(bucketOverrides).NextSequence()
		if err != nil {
			return s, err
		}
		s.ID = id
	}
	return s, putJSON(tx.Bucket(bucketSwaps), underKey(s.Ritual, seqKey(s.ID)), s)
}

// Swap returns a swap request.
func (db *DB) Swap(ritual string, id uint64) (s oncall.SwapRequest, ok bool, err error) {
	err = db.view("oncall_swap", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketSwaps), underKey(ritual, seqKey(id)), &s)
		return err
	})
	if err != nil {
		return s, false, fmt.Errorf("swap request %d of %s: %w", id, ritual, err)
	}
	return s, ok, nil
}

// AcceptSwap stores the answered request and its overrides in one
// transaction: a swap is never half done.
func (db *DB) AcceptSwap(s oncall.SwapRequest, overrides []oncall.Override) ([]oncall.Override, error) {
	var out []oncall.Override
	err := db.update("accept_oncall_swap", func(tx *bolt.Tx) error {
		if _, err := putSwap(tx, s); err != nil {
			return err
		}
		for _, o := range overrides {
			o, err := addOverride(tx, o)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("accept swap %d of %s: %w", s.ID, s.Ritual, err)
	}
	return out, nil
}

// formatRitualTimeKey renders ritual 0 timeKey as ritual@RFC3339.
func formatRitualTimeKey(k []byte) (string, bool) {
	return formatOccurrenceKey(k)
}

// formatRitualSeqKey renders ritual 0 seqKey as ritual#id.
func formatRitualSeqKey(k []byte) (string, bool) {
	i := len(k) - 8 - 1
	if i < 0 || k[i] != 0 || bytes.IndexByte(k[:i], 0) >= 0 {
		return "", false
	}
	return string(k[:i]) + "#" + strconv.FormatUint(binary.BigEndian.Uint64(k[i+1:]), 10), true
}
