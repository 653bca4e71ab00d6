package benchtest

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Floor is a bare bbolt file for timing what the disk alone makes a write
// cost: one 100-byte record in each of six buckets, committed with
// bbolt's two fsyncs and none of our encoding or logic (as store's
// BenchmarkCommit/6-buckets). A latency benchmark commits to it between
// its own requests, so that it and its floor see the same disk at the same
// moments: on a busy machine, runs taken one after the other do not.
type Floor struct {
	db    *bolt.DB
	n     uint64
	value []byte
	// Lat holds each commit's time.
	Lat []time.Duration
}

var floorBuckets = [][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("d"), []byte("e"), []byte("f")}

// NewFloor opens a floor file in dir, closed when tb ends.
func NewFloor(tb testing.TB, dir string) *Floor {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(dir, "floor.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range floorBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &Floor{db: db, value: make([]byte, 100)}
}

// Commit times one commit of a record in each bucket.
func (f *Floor) Commit(tb testing.TB) {
	f.n++
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], f.n)
	start := time.Now()
	err := f.db.Update(func(tx *bolt.Tx) error {
		for _, name := range floorBuckets {
			if err := tx.Bucket(name).Put(key[:], f.value); err != nil {
				return err
			}
		}
		return nil
	})
	f.Lat = append(f.Lat, time.Since(start))
	if err != nil {
		tb.Fatal(err)
	}
}
