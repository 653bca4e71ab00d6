package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// Pulse buckets:
//
//	pulse_rounds    ritual 0 round                        → pulse.Round
//	pulse_answered  ritual 0 round 0 answeredTag(member)  → present
//	pulse_answers   ritual 0 round 0 random               → pulse.Response
//
// Who answered and what was answered never share a record, a key or a
// bucket: a response's key is random, so the order of a round's
// responses in the file says nothing of the order they came in, and it
// holds no member, ts or time. The answered record holds a hash of the
// member, not their ID (see answeredTag), so no member ID lies in the
// file anywhere near the answers.
var (
	bucketPulseRounds   = registerBucket("pulse_rounds")
	bucketPulseAnswered = registerBucket("pulse_answered")
	bucketPulseAnswers  = registerBucket("pulse_answers")
)

var _ pulse.Store = (*DB)(nil)

// answeredTag stands for a member in a round's answered record: a hash of
// the round and the member. It is not a secret (anyone who knows the
// member list can recompute it, as the bot does to remind and to refuse a
// second answer); it keeps member IDs out of the pulse's buckets.
func answeredTag(ritual, round, user string) string {
	sum := sha256.Sum256(joinKey("ritualbot pulse answered", ritual, round, user))
	return hex.EncodeToString(sum[:16])
}

// PutPulseRound records a round unless it exists.
func (db *DB) PutPulseRound(r pulse.Round) error {
	return db.update("put_pulse_round", func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bucketPulseRounds), joinKey(r.Ritual, r.ID)
		if b.Get(k) != nil {
			return nil
		}
		return putJSON(b, k, r)
	})
}

// PulseRound reads a round.
func (db *DB) PulseRound(ritual, id string) (r pulse.Round, ok bool, err error) {
	err = db.view("pulse_round", func(tx *bolt.Tx) (err error) {
		ok, err = getJSON(tx.Bucket(bucketPulseRounds), joinKey(ritual, id), &r)
		return err
	})
	return r, ok, err
}

// PulseRounds returns the ritual's last n rounds, oldest first (round IDs
// sort by time).
func (db *DB) PulseRounds(ritual string, n int) (out []pulse.Round, err error) {
	err = db.view("pulse_rounds", func(tx *bolt.Tx) error {
		all, err := decodePrefix[pulse.Round](tx.Bucket(bucketPulseRounds), prefixKey(ritual), nil)
		if len(all) > n {
			all = all[len(all)-n:]
		}
		out = all
		return err
	})
	return out, err
}

// SubmitPulse records that user answered and, apart, the response.
func (db *DB) SubmitPulse(ritual, round, user string, r pulse.Response) (already bool, err error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return false, fmt.Errorf("submit pulse: %w", err)
	}
	err = db.update("submit_pulse", func(tx *bolt.Tx) error {
		answered := tx.Bucket(bucketPulseAnswered)
		ak := joinKey(ritual, round, answeredTag(ritual, round, user))
		if answered.Get(ak) != nil {
			already = true
			return nil
		}
		if err := answered.Put(ak, present); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketPulseAnswers), joinKey(ritual, round, hex.EncodeToString(random[:])), r)
	})
	return already, err
}

// PulseAnswered reports whether user answered the round.
func (db *DB) PulseAnswered(ritual, round, user string) (ok bool, err error) {
	err = db.view("pulse_answered", func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketPulseAnswered).Get(joinKey(ritual, round, answeredTag(ritual, round, user))) != nil
		return nil
	})
	return ok, err
}

// PulseResponses returns a round's responses in the order of their random
// keys.
func (db *DB) PulseResponses(ritual, round string) (out []pulse.Response, err error) {
	err = db.view("pulse_responses", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[pulse.Response](tx.Bucket(bucketPulseAnswers), prefixKey(ritual, round), nil)
		return err
	})
	return out, err
}

// ClosePulseRound stores the closed round, and deletes its responses if
// dropResponses.
func (db *DB) ClosePulseRound(r pulse.Round, dropResponses bool) error {
	return db.update("close_pulse_round", func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketPulseRounds), joinKey(r.Ritual, r.ID), r); err != nil {
			return err
		}
		if !dropResponses {
			return nil
		}
		var doomed [][]byte
		answers := tx.Bucket(bucketPulseAnswers)
		if err := scanPrefix(answers, prefixKey(r.Ritual, r.ID), func(k, _ []byte) error {
			doomed = append(doomed, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range doomed {
			if err := answers.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
