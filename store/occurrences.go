package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

// bucketOccurrences holds one record per job and scheduled instant, under
// occurrenceKey, so that a job's records are contiguous and in time order.
var bucketOccurrences = registerBucket("occurrences")

func init() {
	registerFormat("occurrences", format{Key: formatOccurrenceKey})
}

// occurrenceKey is job, 0x00, timeKey(at). Job names never contain 0x00, so
// the separator keeps job "a" apart from job "ab".
func occurrenceKey(job string, at time.Time) []byte { return underKey(job, timeKey(at)) }

func checkJob(job string) error {
	switch {
	case job == "":
		return errors.New("job name is empty")
	case strings.IndexByte(job, 0) >= 0:
		return fmt.Errorf("job name %q contains a NUL byte", job)
	}
	return nil
}

// LastOccurrence returns the record of job with the latest At.
func (db *DB) LastOccurrence(job string) (o rituals.Occurrence, ok bool, err error) {
	if err := checkJob(job); err != nil {
		return o, false, fmt.Errorf("last occurrence: %w", err)
	}
	prefix := prefixKey(job)
	// The greatest possible key of job: seek there, and the last record of
	// job is that key or the one before whatever follows it.
	end := append(append([]byte(nil), prefix...), bytes.Repeat([]byte{0xff}, timeKeyLen)...)
	err = db.view("last_occurrence", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOccurrences).Cursor()
		k, v := c.Seek(end)
		switch {
		case k == nil:
			k, v = c.Last()
		case !bytes.Equal(k, end):
			k, v = c.Prev()
		}
		if k == nil || len(k) != len(prefix)+timeKeyLen || !bytes.HasPrefix(k, prefix) {
			return nil
		}
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("decode %q: %w", k, err)
		}
		// The key is exact where JSON is not: it would turn a name that
		// is not UTF-8 into replacement characters.
		o.Job, ok = job, true
		return nil
	})
	if err != nil {
		return rituals.Occurrence{}, false, fmt.Errorf("last occurrence of %s: %w", job, err)
	}
	return o, ok, nil
}

// PutOccurrence writes the record of o.Job at o.At, replacing any.
func (db *DB) PutOccurrence(o rituals.Occurrence) error {
	if err := checkJob(o.Job); err != nil {
		return fmt.Errorf("put occurrence: %w", err)
	}
	if o.At.IsZero() {
		return fmt.Errorf("put occurrence of %s: time is zero", o.Job)
	}
	err := db.update("put_occurrence", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketOccurrences), occurrenceKey(o.Job, o.At), o)
	})
	if err != nil {
		return fmt.Errorf("put occurrence of %s at %s: %w", o.Job, o.At.Format(time.RFC3339), err)
	}
	return nil
}

// formatOccurrenceKey renders an occurrence key as job@RFC3339Nano (UTC).
func formatOccurrenceKey(k []byte) (string, bool) {
	i := len(k) - timeKeyLen - 1
	if i < 0 || k[i] != 0 {
		return "", false
	}
	at, err := parseTimeKey(k[i+1:])
	if err != nil {
		return "", false
	}
	return string(k[:i]) + "@" + at.Format(time.RFC3339Nano), true
}
