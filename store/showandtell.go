package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals/showandtell"
)

// Show-and-tell buckets:
//
//	showandtell_signups     ritual 0 timeKey(demo day) seq  → SignUp
//	showandtell_recordings  ritual 0 timeKey(demo day)      → Recording
//
// A ritual's demo days sort by time, so a day or a digest's window is one
// cursor walk. A sign-up names its speaker in its value only (the key has
// a sequence number, not the member's ID), so an erasure rewrites it to
// rituals.FormerMember like the other records that stay.
var (
	bucketSignUps    = registerBucket("showandtell_signups")
	bucketRecordings = registerBucket("showandtell_recordings")
)

var _ showandtell.Store = (*DB)(nil)

// signUpOf finds the user's sign-up for the day: its key, nil if none.
func signUpOf(b *bolt.Bucket, ritual string, demoAt time.Time, user string) ([]byte, error) {
	day := underKey(ritual, timeKey(demoAt))
	c := b.Cursor()
	for k, v := c.Seek(day); k != nil && bytes.HasPrefix(k, day); k, v = c.Next() {
		var s showandtell.SignUp
		if err := decode(v, &s); err != nil {
			return nil, err
		}
		if s.User == user {
			return append([]byte(nil), k...), nil
		}
	}
	return nil, nil
}

// PutSignUp stores s, replacing the user's sign-up for the same day.
func (db *DB) PutSignUp(s showandtell.SignUp) error {
	if s.Ritual == "" || s.User == "" || s.DemoAt.IsZero() {
		return fmt.Errorf("put sign-up: empty ritual, user or day")
	}
	return db.update("put_signup", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSignUps)
		k, err := signUpOf(b, s.Ritual, s.DemoAt, s.User)
		if err != nil {
			return err
		}
		if k == nil {
			seq, err := b.NextSequence()
			if err != nil {
				return err
			}
			k = underKey(s.Ritual, timeKey(s.DemoAt), seqKey(seq))
		}
		return putJSON(b, k, s)
	})
}

// SignUps returns the sign-ups of the ritual's demo days in [from, to].
func (db *DB) SignUps(ritual string, from, to time.Time) (out []showandtell.SignUp, err error) {
	err = db.view("signups", func(tx *bolt.Tx) (err error) {
		out, err = decodeRange[showandtell.SignUp](tx.Bucket(bucketSignUps),
			underKey(ritual, timeKey(from)), underKey(ritual, timeKey(to.Add(time.Nanosecond))))
		return err
	})
	return out, err
}

// RemoveSignUp drops the user's sign-up for the day; false if none.
func (db *DB) RemoveSignUp(ritual string, demoAt time.Time, user string) (removed bool, err error) {
	err = db.update("remove_signup", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSignUps)
		k, err := signUpOf(b, ritual, demoAt, user)
		if err != nil || k == nil {
			return err
		}
		removed = true
		return b.Delete(k)
	})
	return removed, err
}

// PutRecording keeps a demo day's recording link, replacing an earlier one.
func (db *DB) PutRecording(r showandtell.Recording) error {
	if r.Ritual == "" || r.DemoAt.IsZero() {
		return fmt.Errorf("put recording: empty ritual or day")
	}
	return db.update("put_recording", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketRecordings), underKey(r.Ritual, timeKey(r.DemoAt)), r)
	})
}

// Recording returns the day's recording; ok is false if none is kept.
func (db *DB) Recording(ritual string, demoAt time.Time) (r showandtell.Recording, ok bool, err error) {
	err = db.view("recording", func(tx *bolt.Tx) (err error) {
		ok, err = getJSON(tx.Bucket(bucketRecordings), underKey(ritual, timeKey(demoAt)), &r)
		return err
	})
	return r, ok, err
}
