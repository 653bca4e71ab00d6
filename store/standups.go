package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

// Standup buckets:
//
//	standup_answers  ritual 0 date 0 user → StandupAnswer
//	standup_days     ritual 0 date        → StandupDay
//	away             user 0 from-date     → Away
//	blockers         id                   → Blocker
//
// Dates are YYYY-MM-DD, which sorts as time does.
var (
	bucketAnswers  = registerBucket("standup_answers")
	bucketDays     = registerBucket("standup_days")
	bucketAway     = registerBucket("away")
	bucketBlockers = registerBucket("blockers")
)

var _ rituals.StandupStore = (*DB)(nil)

func joinKey(parts ...string) []byte {
	return []byte(joinParts(parts))
}

func joinParts(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.String()
}

// PutAnswer stores a member's answer for a day, replacing an earlier one.
func (db *DB) PutAnswer(a rituals.StandupAnswer) error {
	return db.update("put_answer", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAnswers), joinKey(a.Ritual, a.Date.String(), a.User), a)
	})
}

// Answer returns a member's answer for a day.
func (db *DB) Answer(ritual string, d rituals.Date, user string) (a rituals.StandupAnswer, ok bool, err error) {
	err = db.view("answer", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketAnswers), joinKey(ritual, d.String(), user), &a)
		return err
	})
	return a, ok, err
}

// Answers returns every answer of a day.
func (db *DB) Answers(ritual string, d rituals.Date) ([]rituals.StandupAnswer, error) {
	var out []rituals.StandupAnswer
	prefix := append(joinKey(ritual, d.String()), 0)
	err := db.view("answers", func(tx *bolt.Tx) error {
		return scanPrefix(tx.Bucket(bucketAnswers), prefix, func(v []byte) error {
			var a rituals.StandupAnswer
			if err := decode(v, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// UserAnswers returns a member's latest answers (skips excluded), newest
// first. It walks the ritual's days backwards, which stays cheap because
// it stops after limit.
func (db *DB) UserAnswers(ritual, user string, limit int) ([]rituals.StandupAnswer, error) {
	var out []rituals.StandupAnswer
	prefix := append([]byte(ritual), 0)
	err := db.view("user_answers", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAnswers).Cursor()
		k, v := c.Seek(append(append([]byte(nil), prefix...), 0xff))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Prev() {
			if !bytes.HasSuffix(k, append([]byte{0}, user...)) {
				continue
			}
			var a rituals.StandupAnswer
			if err := decode(v, &a); err != nil {
				return err
			}
			if a.User == user && !a.Skipped {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// PutDay stores a standup day.
func (db *DB) PutDay(day rituals.StandupDay) error {
	return db.update("put_day", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketDays), joinKey(day.Ritual, day.Date.String()), day)
	})
}

// Day returns a standup day.
func (db *DB) Day(ritual string, d rituals.Date) (day rituals.StandupDay, ok bool, err error) {
	err = db.view("day", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketDays), joinKey(ritual, d.String()), &day)
		return err
	})
	return day, ok, err
}

// Days returns a ritual's days from..to inclusive, oldest first.
func (db *DB) Days(ritual string, from, to rituals.Date) ([]rituals.StandupDay, error) {
	var out []rituals.StandupDay
	err := db.view("days", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDays).Cursor()
		end := joinKey(ritual, to.String())
		for k, v := c.Seek(joinKey(ritual, from.String())); k != nil && bytes.Compare(k, end) <= 0; k, v = c.Next() {
			var d rituals.StandupDay
			if err := decode(v, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// PutAway stores an away stretch (one per user and start date).
func (db *DB) PutAway(a rituals.Away) error {
	return db.update("put_away", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAway), joinKey(a.User, a.From.String()), a)
	})
}

// Aways returns every away stretch that ends on or after from.
func (db *DB) Aways(from rituals.Date) ([]rituals.Away, error) {
	var out []rituals.Away
	err := db.view("aways", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAway).ForEach(func(_, v []byte) error {
			var a rituals.Away
			if err := decode(v, &a); err != nil {
				return err
			}
			if !a.To.Before(from) {
				out = append(out, a)
			}
			return nil
		})
	})
	return out, err
}

// DeleteAways ends a user's away stretches as of from: stretches starting
// on or after it go, one under way is cut to the day before.
func (db *DB) DeleteAways(user string, from rituals.Date) error {
	return db.update("delete_aways", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAway)
		prefix := append([]byte(user), 0)
		var cut []rituals.Away
		var drop [][]byte
		err := scanPrefixKV(b, prefix, func(k, v []byte) error {
			var a rituals.Away
			if err := decode(v, &a); err != nil {
				return err
			}
			switch {
			case a.To.Before(from):
			case !a.From.Before(from):
				drop = append(drop, append([]byte(nil), k...))
			default:
				a.To = from.AddDays(-1)
				cut = append(cut, a)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for _, a := range cut {
			if err := putJSON(b, joinKey(a.User, a.From.String()), a); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutBlocker stores a blocker.
func (db *DB) PutBlocker(bl rituals.Blocker) error {
	return db.update("put_blocker", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketBlockers), []byte(bl.ID), bl)
	})
}

// Blocker returns a blocker by ID.
func (db *DB) Blocker(id string) (bl rituals.Blocker, ok bool, err error) {
	err = db.view("blocker", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketBlockers), []byte(id), &bl)
		return err
	})
	return bl, ok, err
}

// Blockers returns a ritual's blockers ("" for every ritual).
func (db *DB) Blockers(ritual string, openOnly bool) ([]rituals.Blocker, error) {
	var out []rituals.Blocker
	err := db.view("blockers", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlockers).ForEach(func(_, v []byte) error {
			var bl rituals.Blocker
			if err := decode(v, &bl); err != nil {
				return err
			}
			if (ritual == "" || bl.Ritual == ritual) && (!openOnly || bl.Open()) {
				out = append(out, bl)
			}
			return nil
		})
	})
	return out, err
}

// scanPrefix calls f with each value whose key starts with prefix.
func scanPrefix(b *bolt.Bucket, prefix []byte, f func(v []byte) error) error {
	return scanPrefixKV(b, prefix, func(_, v []byte) error { return f(v) })
}

func scanPrefixKV(b *bolt.Bucket, prefix []byte, f func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

func decode(v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("decode %T: %w", into, err)
	}
	return nil
}
