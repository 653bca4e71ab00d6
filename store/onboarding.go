package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// Onboarding buckets:
//
//	onboardings          ritual 0 newcomer              → onboarding.Onboarding
//	onboarding_feedback  ritual 0 timeKey(at) newcomer  → onboarding.Feedback
//
// One record per newcomer holds the whole onboarding (each step's state,
// the rotation, the feedback's dates), so a click reads and writes one
// key. The feedback's text is apart: it is the newcomer's words, kept as
// long as `retention: onboarding` says and removed when they are erased,
// while the onboarding record keeps its place with their ID replaced.
var (
	bucketOnboardings        = registerBucket("onboardings")
	bucketOnboardingFeedback = registerBucket("onboarding_feedback")
)

var _ onboarding.Store = (*DB)(nil)

// PutOnboarding stores o, replacing the newcomer's record.
func (db *DB) PutOnboarding(o onboarding.Onboarding) error {
	if o.Ritual == "" || o.Newcomer == "" {
		return fmt.Errorf("put onboarding: empty ritual or newcomer")
	}
	return db.update("put_onboarding", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketOnboardings), joinKey(o.Ritual, o.Newcomer), o)
	})
}

// Onboarding reads the newcomer's record.
func (db *DB) Onboarding(ritual, newcomer string) (o onboarding.Onboarding, ok bool, err error) {
	err = db.view("onboarding", func(tx *bolt.Tx) (err error) {
		ok, err = getJSON(tx.Bucket(bucketOnboardings), joinKey(ritual, newcomer), &o)
		return err
	})
	return o, ok, err
}

// Onboardings returns the ritual's records, by newcomer.
func (db *DB) Onboardings(ritual string) (out []onboarding.Onboarding, err error) {
	err = db.view("onboardings", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[onboarding.Onboarding](tx.Bucket(bucketOnboardings), prefixKey(ritual), nil)
		return err
	})
	return out, err
}

// UpdateOnboarding applies f to the newcomer's record (a zero one if
// none) in one transaction; a record f leaves without a ritual is not
// stored, and an error from f stores nothing.
func (db *DB) UpdateOnboarding(ritual, newcomer string, f func(o *onboarding.Onboarding) error) (o onboarding.Onboarding, err error) {
	err = db.update("update_onboarding", func(tx *bolt.Tx) error {
		b, k := tx.Bucket(bucketOnboardings), joinKey(ritual, newcomer)
		if _, err := getJSON(b, k, &o); err != nil {
			return err
		}
		if err := f(&o); err != nil {
			return err
		}
		if o.Ritual == "" {
			return nil
		}
		return putJSON(b, k, o)
	})
	return o, err
}

// PutOnboardingFeedback keeps a newcomer's feedback.
func (db *DB) PutOnboardingFeedback(f onboarding.Feedback) error {
	return db.update("put_onboarding_feedback", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketOnboardingFeedback), underKey(f.Ritual, timeKey(f.At), []byte(f.Newcomer)), f)
	})
}

// OnboardingFeedback returns the ritual's feedback, oldest first.
func (db *DB) OnboardingFeedback(ritual string) (out []onboarding.Feedback, err error) {
	err = db.view("onboarding_feedback", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[onboarding.Feedback](tx.Bucket(bucketOnboardingFeedback), prefixKey(ritual), nil)
		return err
	})
	return out, err
}

// pruneOnboardings lets go of onboardings completed (or ignored) before
// cut and of feedback given before it; one under way stays.
func (db *DB) pruneOnboardings(cut time.Time, rep *PruneReport) error {
	var err error
	rep.Onboardings, err = db.pruneWalk("prune_onboardings", bucketOnboardings, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var o onboarding.Onboarding
		if err := decode(v, &o); err != nil {
			return nil, false, err
		}
		ended := o.Completed
		if o.Status == onboarding.StatusIgnored || o.Status == onboarding.StatusAsked {
			ended = o.Asked
		}
		if ended.IsZero() || !ended.Before(cut) || o.Status == onboarding.StatusActive {
			return nil, false, nil
		}
		return []doomed{doom(bucketOnboardings, k)}, false, nil
	})
	if err != nil {
		return err
	}
	rep.OnboardingFeedback, err = db.pruneWalk("prune_onboarding_feedback", bucketOnboardingFeedback, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var f onboarding.Feedback
		if err := decode(v, &f); err != nil {
			return nil, false, err
		}
		if !f.At.Before(cut) {
			return nil, false, nil
		}
		return []doomed{doom(bucketOnboardingFeedback, k)}, false, nil
	})
	return err
}

// eraseOnboardingFeedback removes the feedback userID gave: their words.
func (db *DB) eraseOnboardingFeedback(userID string) (int, error) {
	id := []byte(userID)
	return db.pruneWalk("erase_onboarding_feedback", bucketOnboardingFeedback, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		if !bytes.Contains(v, id) {
			return nil, false, nil
		}
		var f onboarding.Feedback
		if err := decode(v, &f); err != nil {
			return nil, false, err
		}
		if f.Newcomer != userID {
			return nil, false, nil
		}
		return []doomed{doom(bucketOnboardingFeedback, k)}, false, nil
	})
}
