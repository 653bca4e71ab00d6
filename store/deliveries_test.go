package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestDeliveriesAreKeptForTheWindowAndForgottenAfter: a recorded delivery
// is seen while kept, and is forgotten once older than
// the window, a few at a time, so the buckets stay bounded by the
// deliveries of one window.
func TestDeliveriesAreKeptForTheWindowAndForgottenAfter(t *testing.T) {
	db := MustOpen(t)
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	keep := 7 * 24 * time.Hour
	if err := db.RecordDelivery("pagerduty", "01EV", t0, t0.Add(-keep)); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 500)
	if err := db.RecordDelivery("github", long, t0, t0.Add(-keep)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		source, key string
		since       time.Time
		want        bool
	}{
		{"pagerduty", "01EV", t0.Add(-keep), true},
		{"pagerduty", "01EV", t0.Add(time.Second), false}, // recorded before since
		{"github", "01EV", t0.Add(-keep), false},          // another source
		{"pagerduty", "01EW", t0.Add(-keep), false},
		{"github", long, t0.Add(-keep), true},
	} {
		if got, err := db.DeliverySeen(tc.source, tc.key, tc.since); err != nil || got != tc.want {
			t.Errorf("DeliverySeen(%s, %.10s, %s) = %v %v", tc.source, tc.key, tc.since, got, err)
		}
	}
	// 200 more, one a minute, 8 days later: the old ones are forgotten
	// as new ones come in, and never more than forgetPerRecord at once.
	later := t0.Add(8 * 24 * time.Hour)
	for i := 0; i < 200; i++ {
		at := later.Add(time.Duration(i) * time.Minute)
		if err := db.RecordDelivery("pagerduty", fmt.Sprint("ev-", i), at, at.Add(-keep)); err != nil {
			t.Fatal(err)
		}
	}
	if seen, _ := db.DeliverySeen("pagerduty", "01EV", time.Time{}); seen {
		t.Error("a delivery older than the window is still kept")
	}
	var byKey, byAge int
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		byKey, byAge = tx.Bucket(bucketDeliveries).Stats().KeyN, tx.Bucket(bucketDeliveriesByAge).Stats().KeyN
		return nil
	})
	if byKey != 200 || byAge != 200 {
		t.Errorf("kept %d by key, %d by age; want the 200 of the window", byKey, byAge)
	}
	// Recording the same key again moves it, leaving no stale age entry.
	if err := db.RecordDelivery("pagerduty", "ev-1", later.Add(time.Hour), later.Add(-keep)); err != nil {
		t.Fatal(err)
	}
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		byAge = tx.Bucket(bucketDeliveriesByAge).Stats().KeyN
		return nil
	})
	if byAge != 200 {
		t.Errorf("%d by age after a re-record, want 200", byAge)
	}
}
