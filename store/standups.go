package store

import (
	"bytes"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// Standup buckets (parts of a key are joined by a 0 byte):
//
//	standup_answers          ritual date user     → StandupAnswer
//	standup_answers_by_user  ritual user date     → 1, the index of /standup history
//	standup_days             ritual date          → StandupDay
//	away                     user from-date       → Away
//	blockers                 id                   → Blocker
//	blockers_open            ritual id            → 1, the index of open blockers
//	standup_tallies          team date ritual     → TallyCounts, a day's participation
//	standup_member_days      team user date ritual → the member's Outcome that day
//
// Dates are YYYY-MM-DD, which sorts as time does, so a range of days is one
// cursor walk: a year of a team's tallies is some 260 small records, and a
// member's year as many one-word values.
var (
	bucketAnswers       = registerBucket("standup_answers")
	bucketAnswersByUser = registerBucket("standup_answers_by_user")
	bucketDays          = registerBucket("standup_days")
	bucketAway          = registerBucket("away")
	bucketBlockers      = registerBucket("blockers")
	bucketBlockersOpen  = registerBucket("blockers_open")
	bucketTallies       = registerBucket("standup_tallies")
	bucketMemberDays    = registerBucket("standup_member_days")
)

var _ standup.StandupStore = (*DB)(nil)

func init() {
	// Show the 0-joined keys as "a / b / c" in the export.
	joined := format{Key: func(k []byte) (string, bool) {
		return strings.ReplaceAll(string(k), "\x00", " / "), true
	}}
	for _, b := range [][]byte{bucketAnswers, bucketAnswersByUser, bucketDays, bucketAway, bucketBlockersOpen, bucketTallies, bucketMemberDays} {
		registerFormat(string(b), joined)
	}
}

// PutAnswer stores a member's answer for a day, replacing an earlier one.
func (db *DB) PutAnswer(a standup.StandupAnswer) error {
	return db.update("put_answer", func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketAnswers), joinKey(a.Ritual, a.Date.String(), a.User), a); err != nil {
			return err
		}
		return tx.Bucket(bucketAnswersByUser).Put(joinKey(a.Ritual, a.User, a.Date.String()), present)
	})
}

// Answer returns a member's answer for a day.
func (db *DB) Answer(ritual string, d rituals.Date, user string) (a standup.StandupAnswer, ok bool, err error) {
	err = db.view("answer", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketAnswers), joinKey(ritual, d.String(), user), &a)
		return err
	})
	return a, ok, err
}

// Answers returns every answer of a day.
func (db *DB) Answers(ritual string, d rituals.Date) (out []standup.StandupAnswer, err error) {
	err = db.view("answers", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[standup.StandupAnswer](tx.Bucket(bucketAnswers), prefixKey(ritual, d.String()), nil)
		return err
	})
	return out, err
}

// UserAnswers returns a member's latest answers (skips left out), newest
// first, walking the member's index backwards: the cost is the answers
// read, not the ritual's history.
func (db *DB) UserAnswers(ritual, user string, limit int) ([]standup.StandupAnswer, error) {
	var out []standup.StandupAnswer
	prefix := prefixKey(ritual, user)
	err := db.view("user_answers", func(tx *bolt.Tx) error {
		answers := tx.Bucket(bucketAnswers)
		c := tx.Bucket(bucketAnswersByUser).Cursor()
		k, _ := c.Seek(append(append([]byte(nil), prefix...), 0xff))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Prev() {
			date := string(k[len(prefix):])
			var a standup.StandupAnswer
			ok, err := getJSON(answers, joinKey(ritual, date, user), &a)
			if err != nil {
				return err
			}
			if ok && !a.Skipped {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// PutDay stores a standup day.
func (db *DB) PutDay(day standup.StandupDay) error {
	return db.update("put_day", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketDays), joinKey(day.Ritual, day.Date.String()), day)
	})
}

// Day returns a standup day.
func (db *DB) Day(ritual string, d rituals.Date) (day standup.StandupDay, ok bool, err error) {
	err = db.view("day", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketDays), joinKey(ritual, d.String()), &day)
		return err
	})
	return day, ok, err
}

// Days returns a ritual's days from..to inclusive, oldest first.
func (db *DB) Days(ritual string, from, to rituals.Date) (out []standup.StandupDay, err error) {
	err = db.view("days", func(tx *bolt.Tx) (err error) {
		out, err = decodeRange[standup.StandupDay](tx.Bucket(bucketDays), joinKey(ritual, from.String()), joinKey(ritual, to.AddDays(1).String()))
		return err
	})
	return out, err
}

// PutAway stores an away stretch (one per user and start date).
func (db *DB) PutAway(a standup.Away) error {
	return db.update("put_away", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAway), joinKey(a.User, a.From.String()), a)
	})
}

// Aways returns every away stretch that ends on or after from.
func (db *DB) Aways(from rituals.Date) (out []standup.Away, err error) {
	err = db.view("aways", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix(tx.Bucket(bucketAway), nil, func(a standup.Away) bool { return !a.To.Before(from) })
		return err
	})
	return out, err
}

// DeleteAways ends a user's away stretches as of from: stretches starting
// on or after it go, one under way is cut to the day before.
func (db *DB) DeleteAways(user string, from rituals.Date) error {
	return db.update("delete_aways", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAway)
		var cut []standup.Away
		var drop [][]byte
		err := scanPrefix(b, prefixKey(user), func(k, v []byte) error {
			var a standup.Away
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

// PutBlocker stores a blocker and keeps the open index in step.
func (db *DB) PutBlocker(bl rituals.Blocker) error {
	return db.update("put_blocker", func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketBlockers), []byte(bl.ID), bl); err != nil {
			return err
		}
		open := tx.Bucket(bucketBlockersOpen)
		if bl.Open() {
			return open.Put(joinKey(bl.Ritual, bl.ID), present)
		}
		return open.Delete(joinKey(bl.Ritual, bl.ID))
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

// Blockers returns a ritual's blockers ("" for every ritual). Open ones
// come from the index, so a long history of cleared blockers costs the
// summary nothing.
func (db *DB) Blockers(ritual string, openOnly bool) ([]rituals.Blocker, error) {
	var out []rituals.Blocker
	err := db.view("blockers", func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketBlockers)
		if !openOnly {
			var err error
			out, err = decodePrefix(all, nil, func(bl rituals.Blocker) bool { return ritual == "" || bl.Ritual == ritual })
			return err
		}
		var prefix []byte
		if ritual != "" {
			prefix = prefixKey(ritual)
		}
		return scanPrefix(tx.Bucket(bucketBlockersOpen), prefix, func(k, _ []byte) error {
			id := k[bytes.IndexByte(k, 0)+1:]
			var bl rituals.Blocker
			ok, err := getJSON(all, id, &bl)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, bl)
			}
			return nil
		})
	})
	return out, err
}

// PutTally files a day's participation: its counts, and each member's
// outcome, replacing an earlier tally of the ritual and day.
func (db *DB) PutTally(t standup.StandupTally) error {
	counts := standup.TallyCounts{Ritual: t.Ritual, Team: t.Team, Date: t.Date, At: t.At, Counts: t.Counts()}
	return db.update("put_tally", func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketTallies), joinKey(t.Team, t.Date.String(), t.Ritual), counts); err != nil {
			return err
		}
		members := tx.Bucket(bucketMemberDays)
		for user, o := range t.Outcomes {
			if err := members.Put(joinKey(t.Team, user, t.Date.String(), t.Ritual), []byte(o)); err != nil {
				return fmt.Errorf("put outcome of %s: %w", user, err)
			}
		}
		return nil
	})
}

// Tallies returns the team's day counts dated from..to inclusive, oldest
// first.
func (db *DB) Tallies(team string, from, to rituals.Date) (out []standup.TallyCounts, err error) {
	err = db.view("tallies", func(tx *bolt.Tx) (err error) {
		out, err = decodeRange[standup.TallyCounts](tx.Bucket(bucketTallies), joinKey(team, from.String()), joinKey(team, to.AddDays(1).String()))
		return err
	})
	return out, err
}

// MemberParticipation sums a member's outcomes in the team's standups
// dated from..to inclusive.
func (db *DB) MemberParticipation(team, user string, from, to rituals.Date) (rituals.Participation, error) {
	var p rituals.Participation
	days := map[string]bool{}
	err := db.view("member_participation", func(tx *bolt.Tx) error {
		prefix := prefixKey(team, user)
		c := tx.Bucket(bucketMemberDays).Cursor()
		last := to.String()
		for k, v := c.Seek(append(append([]byte(nil), prefix...), from.String()...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			date, _, _ := strings.Cut(string(k[len(prefix):]), "\x00")
			if date > last {
				break
			}
			days[date] = true
			standup.CountOutcome(&p, standup.Outcome(v))
		}
		return nil
	})
	p.Days = len(days)
	return p, err
}
