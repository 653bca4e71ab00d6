package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Digest feedback bucket:
//
//	digest_feedback  ritual 0 occurrence (RFC 3339, UTC) 0 user → Feedback
//
// One record per reader and digest occurrence; a digest's feedback is one
// cursor walk, and the text key keeps the export readable.
var bucketFeedback = registerBucket("digest_feedback")

var _ digest.FeedbackStore = (*DB)(nil)

func feedbackKey(ritual string, at time.Time, user string) []byte {
	return joinKey(ritual, feedbackTime(at), user)
}

func feedbackTime(at time.Time) string { return at.UTC().Format(time.RFC3339) }

// UpdateFeedback applies change to the reader's record for the occurrence
// in one transaction, so two clicks at once both land.
func (db *DB) UpdateFeedback(ritual string, at time.Time, user string, change func(*digest.Feedback)) error {
	if ritual == "" || user == "" {
		return fmt.Errorf("update feedback: empty ritual or user")
	}
	return db.update("update_feedback", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFeedback)
		k := feedbackKey(ritual, at, user)
		f := digest.Feedback{Ritual: ritual, At: at.UTC(), User: user}
		if _, err := getJSON(b, k, &f); err != nil {
			return err
		}
		change(&f)
		return putJSON(b, k, f)
	})
}

// FeedbackBetween returns the feedback on the ritual's occurrences in
// [from, to), by occurrence, then reader.
func (db *DB) FeedbackBetween(ritual string, from, to time.Time) (out []digest.Feedback, err error) {
	err = db.view("feedback_between", func(tx *bolt.Tx) (err error) {
		out, err = decodeRange[digest.Feedback](tx.Bucket(bucketFeedback), joinKey(ritual, feedbackTime(from)), joinKey(ritual, feedbackTime(to)))
		return err
	})
	return out, err
}
