package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// Members added to rotations from Slack:
//
//	oncall_additions  ritual 0 user → Addition
//
// A member still in is live config: retention leaves them alone. One
// taken out (with the earlier additions of a member added again, kept in
// Earlier) shapes the shifts up to the first handoff recorded after they
// left, and goes once that handoff is older than the `oncall` retention
// (pruneAdditions). EraseUser removes the erased person's.
var bucketAdditions = registerBucket("oncall_additions")

var _ oncall.AdditionStore = (*DB)(nil)

func init() {
	registerFormat("oncall_additions", format{Key: func(k []byte) (string, bool) {
		return strings.ReplaceAll(string(k), "\x00", " / "), true
	}})
}

// Additions returns a rotation's additions, in no particular order.
func (db *DB) Additions(ritual string) ([]oncall.Addition, error) {
	var out []oncall.Addition
	err := db.view("oncall_additions", func(tx *bolt.Tx) (err error) {
		b := tx.Bucket(bucketAdditions)
		if b == nil {
			return nil // a store from before additions, opened read-only
		}
		out, err = decodePrefix[oncall.Addition](b, prefixKey(ritual), nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("rotation additions of %s: %w", ritual, err)
	}
	return out, nil
}

// SaveAddition stores a, unless its user was added to its ritual already
// and not taken out, and enqueues the messages telling of it, in one
// transaction.
func (db *DB) SaveAddition(a oncall.Addition, now time.Time, messages []rituals.Message) (bool, error) {
	if err := checkJob(a.Ritual); err != nil {
		return false, fmt.Errorf("save rotation addition: %w", err)
	}
	if a.User == "" || strings.IndexByte(a.User, 0) >= 0 {
		return false, fmt.Errorf("save rotation addition to %s: bad user %q", a.Ritual, a.User)
	}
	stored := false
	err := db.update("save_oncall_addition", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAdditions)
		k := joinKey(a.Ritual, a.User)
		var old oncall.Addition
		if ok, err := getJSON(b, k, &old); err != nil || ok && old.Until.IsZero() {
			return err // added already, and not taken out
		}
		if err := putJSON(b, k, a); err != nil {
			return err
		}
		stored = true
		return enqueueTx(tx, now, messages)
	})
	if err != nil {
		return false, fmt.Errorf("save rotation addition of %s to %s: %w", a.User, a.Ritual, err)
	}
	return stored, nil
}

// EndAddition stores from when a's user, taken out, leaves the rotation
// (a.Until, a.RemovedBy, a.Removed) and enqueues the messages telling of
// it, in one transaction; false if there is no such addition or it has
// an Until already.
func (db *DB) EndAddition(a oncall.Addition, now time.Time, messages []rituals.Message) (bool, error) {
	ended := false
	err := db.update("end_oncall_addition", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAdditions)
		k := joinKey(a.Ritual, a.User)
		var stored oncall.Addition
		if ok, err := getJSON(b, k, &stored); err != nil || !ok || !stored.Until.IsZero() {
			return err
		}
		stored.Until, stored.RemovedBy, stored.Removed = a.Until, a.RemovedBy, a.Removed
		if err := putJSON(b, k, stored); err != nil {
			return err
		}
		ended = true
		return enqueueTx(tx, now, messages)
	})
	if err != nil {
		return false, fmt.Errorf("take %s out of %s: %w", a.User, a.Ritual, err)
	}
	return ended, nil
}

// DropAddition removes user's addition to ritual, if any.
func (db *DB) DropAddition(ritual, user string) error {
	err := db.update("drop_oncall_addition", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAdditions).Delete(joinKey(ritual, user))
	})
	if err != nil {
		return fmt.Errorf("drop rotation addition of %s to %s: %w", user, ritual, err)
	}
	return nil
}

// pruneAdditions deletes the additions taken out whose last shift they
// could shape is older than cut: the first handoff recorded at or after
// their Until is before it. Shifts from that record on are walked from
// it, which lists who was in, so they do not change; older ones do not
// count any more. A member still in keeps the record, less its earlier
// additions that have gone.
func (db *DB) pruneAdditions(cut time.Time, rep *PruneReport) error {
	removed := 0
	_, err := db.pruneWalk("prune_oncall_additions", bucketAdditions, prunePerTx, func(tx *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var a oncall.Addition
		if err := decode(v, &a); err != nil {
			return nil, false, err
		}
		gone := func(x oncall.Addition) (bool, error) {
			if x.Until.IsZero() {
				return false, nil
			}
			at, ok, err := handoffFrom(tx, a.Ritual, x.Until)
			return ok && at.Before(cut), err
		}
		if ok, err := gone(a); err != nil || ok {
			if ok {
				removed += 1 + len(a.Earlier)
				return []doomed{doom(bucketAdditions, k)}, false, nil
			}
			return nil, false, err
		}
		var kept []oncall.Addition
		for _, e := range a.Earlier {
			ok, err := gone(e)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				kept = append(kept, e)
			}
		}
		if len(kept) == len(a.Earlier) {
			return nil, false, nil
		}
		removed += len(a.Earlier) - len(kept)
		a.Earlier = kept
		data, err := encodeJSON(a)
		if err != nil {
			return nil, false, err
		}
		return []doomed{rewrite(bucketAdditions, k, data)}, false, nil
	})
	rep.RotationAdditions += removed
	return err
}

// handoffFrom is the time of ritual's first handoff record at or after t.
func handoffFrom(tx *bolt.Tx, ritual string, t time.Time) (time.Time, bool, error) {
	prefix := prefixKey(ritual)
	k, _ := tx.Bucket(bucketHandoffs).Cursor().Seek(underKey(ritual, timeKey(t)))
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+timeKeyLen {
		return time.Time{}, false, nil
	}
	at, err := parseTimeKey(k[len(prefix):])
	return at, err == nil, err
}
