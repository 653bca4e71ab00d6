package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
)

// BenchmarkWriteCarryingADelivery is what a command's commit pays for
// recording the delivery of the reply before it (outbox_ride.go): a
// write that enqueues a reply, on a store that has sent 20,000 messages,
// alone (alone-*) and carrying the record of the previous reply
// (carrying-*), in turn, so that the disk and the machine's load weigh
// on both alike. RITUALBOT_BENCH_DIR puts the store elsewhere.
func BenchmarkWriteCarryingADelivery(b *testing.B) {
	db := mustOpenPath(b, benchtest.Dir(b)+"/ritualbot.db")
	err := db.update("seed", func(tx *bolt.Tx) error {
		sent := tx.Bucket(bucketSent)
		for i := range 20000 {
			if err := putJSON(sent, []byte(fmt.Sprintf("incidents/%06d/update", i)), rituals.SentMessage{Channel: "C0INCIDENTS", TS: "1700000000.000100", Sent: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var waiting []rituals.Delivery
	db.RecordDeliveriesWithWrites(func() []rituals.Delivery { ds := waiting; waiting = nil; return ds },
		func(_ []rituals.Delivery, _ []uint64, err error) {
			if err != nil {
				b.Error(err)
			}
		})
	var alone, carrying []time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 1 {
			items, err := db.Pending(0)
			if err != nil {
				b.Fatal(err)
			}
			for _, it := range items {
				waiting = append(waiting, rituals.Delivery{Seq: it.Seq, Sent: rituals.SentMessage{Channel: "C0INCIDENTS", TS: fmt.Sprintf("1800000000.%06d", i)}})
			}
		}
		m := rituals.Message{Key: fmt.Sprintf("incidents/x%06d/update", i), To: "C0INCIDENTS", Urgent: true,
			Text: "Update on #42: Rolled back the deploy; error rate back to normal, watching for an hour."}
		start := time.Now()
		if err := db.Enqueue(t0, m); err != nil {
			b.Fatal(err)
		}
		if d := time.Since(start); i%2 == 1 {
			carrying = append(carrying, d)
		} else {
			alone = append(alone, d)
		}
	}
	b.ReportMetric(benchtest.QuantileMS(alone, 0.5), "alone-p50-ms")
	b.ReportMetric(benchtest.QuantileMS(alone, 0.99), "alone-p99-ms")
	b.ReportMetric(benchtest.QuantileMS(carrying, 0.5), "carrying-p50-ms")
	b.ReportMetric(benchtest.QuantileMS(carrying, 0.99), "carrying-p99-ms")
}
