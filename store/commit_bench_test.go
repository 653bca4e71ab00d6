package store

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/internal/benchtest"
)

// BenchmarkCommit is what the disk alone makes a write cost: a commit of
// one small record in each of n buckets, with bbolt's two fsyncs and no
// encoding or logic of ours. A webhook or slash command that writes
// cannot answer faster than this on the same disk; the Alertmanager
// webhook's benchmark is read against it (docs/BENCHMARKS.md).
// "1-bucket" is the least write there is; "6-buckets" touches as many
// buckets as opening an incident does (the incident, its brief, the open
// index, the source index, the outbox and its index).
func BenchmarkCommit(b *testing.B) {
	for _, shape := range []struct {
		name    string
		buckets int
	}{{"1-bucket", 1}, {"6-buckets", 6}} {
		b.Run(shape.name, func(b *testing.B) {
			db, err := Open(filepath.Join(benchtest.Dir(b), "commit.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			value := make([]byte, 100)
			lat := make([]time.Duration, 0, b.N)
			before := db.bolt.Stats()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				err := db.update("bench_commit", func(tx *bolt.Tx) error {
					for _, name := range buckets[:shape.buckets] {
						if err := tx.Bucket(name).Put(seqKey(uint64(i)), value); err != nil {
							return err
						}
					}
					return nil
				})
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			after := db.bolt.Stats()
			written := after.TxStats.GetWrite() - before.TxStats.GetWrite()
			b.ReportMetric(float64(written)/float64(len(lat)), "pages/op")
			benchtest.ReportLatency(b, lat)
		})
	}
}
