package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Digest buckets:
//
//	digest_notes     team 0 timeKey(created) id → DigestNote
//	digest_note_ids  id                         → its key in digest_notes
//
// A team's notes sort by when they were written, so a digest reads its
// window with one cursor walk.
var (
	bucketNotes   = registerBucket("digest_notes")
	bucketNoteIDs = registerBucket("digest_note_ids")
)

var _ digest.DigestStore = (*DB)(nil)

func init() {
	registerFormat("digest_notes", format{Key: func(k []byte) (string, bool) {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			return "", false
		}
		rest, ok := formatTimePrefixedKey(k[i+1:])
		return string(k[:i]) + " " + rest, ok
	}})
}

func noteKey(n digest.DigestNote) []byte {
	return underKey(n.Team, timeKey(n.Created), []byte(n.ID))
}

// PutNote stores a highlight or risk, replacing one with the same ID.
func (db *DB) PutNote(n digest.DigestNote) error {
	if n.ID == "" || n.Team == "" {
		return fmt.Errorf("put note: empty ID or team")
	}
	return db.update("put_note", func(tx *bolt.Tx) error {
		ids, notes := tx.Bucket(bucketNoteIDs), tx.Bucket(bucketNotes)
		if old := ids.Get([]byte(n.ID)); old != nil {
			if err := notes.Delete(append([]byte(nil), old...)); err != nil {
				return err
			}
		}
		k := noteKey(n)
		if err := putJSON(notes, k, n); err != nil {
			return err
		}
		return ids.Put([]byte(n.ID), k)
	})
}

// Notes returns the team's notes created in [from, to), oldest first.
func (db *DB) Notes(team string, from, to time.Time) (out []digest.DigestNote, err error) {
	err = db.view("notes", func(tx *bolt.Tx) (err error) {
		out, err = decodeRange[digest.DigestNote](tx.Bucket(bucketNotes), underKey(team, timeKey(from)), underKey(team, timeKey(to)))
		return err
	})
	return out, err
}

// ArchiveNotes marks notes as shown by the digest message `by` at `at`;
// a note already archived keeps the first digest that showed it.
func (db *DB) ArchiveNotes(ids []string, by string, at time.Time) error {
	return db.update("archive_notes", func(tx *bolt.Tx) error {
		idx, notes := tx.Bucket(bucketNoteIDs), tx.Bucket(bucketNotes)
		for _, id := range ids {
			k := idx.Get([]byte(id))
			if k == nil {
				continue
			}
			k = append([]byte(nil), k...)
			var n digest.DigestNote
			if ok, err := getJSON(notes, k, &n); err != nil || !ok {
				return err
			}
			if !n.Archived.IsZero() {
				continue
			}
			n.Archived, n.ArchivedBy = at, by
			if err := putJSON(notes, k, n); err != nil {
				return err
			}
		}
		return nil
	})
}
