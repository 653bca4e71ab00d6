package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Webhook deliveries taken: source/key → when, and the same by age (when
// + source/key → nothing) so the oldest are forgotten first.
var (
	bucketDeliveries      = registerBucket("webhook_deliveries")
	bucketDeliveriesByAge = registerBucket("webhook_deliveries_by_age")
)

// maxDeliveryKey keeps keys short: a longer one is stored as its digest.
const maxDeliveryKey = 100

// forgetPerRecord bounds the old deliveries one RecordDelivery forgets,
// so a write after a long quiet spell stays small.
const forgetPerRecord = 64

func deliveryKey(source, key string) []byte {
	if len(key) > maxDeliveryKey {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return []byte(source + "/" + key)
}

// DeliverySeen reports whether the delivery key of source was recorded
// at or after since.
func (db *DB) DeliverySeen(source, key string, since time.Time) (bool, error) {
	var seen bool
	err := db.view("delivery_seen", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil // a store from before deliveries were kept
		}
		v := b.Get(deliveryKey(source, key))
		if v == nil {
			return nil
		}
		at, err := parseTimeKey(v)
		if err != nil {
			return fmt.Errorf("delivery %s/%s: %w", source, key, err)
		}
		seen = !at.Before(since)
		return nil
	})
	return seen, err
}

// RecordDelivery records that the delivery key of source was taken at
// `at`, and forgets (a few of) those taken before forgetBefore: the record
// stays bounded by how many deliveries arrive in the time kept.
func (db *DB) RecordDelivery(source, key string, at, forgetBefore time.Time) error {
	return db.update("record_delivery", func(tx *bolt.Tx) error {
		byKey, byAge := tx.Bucket(bucketDeliveries), tx.Bucket(bucketDeliveriesByAge)
		c := byAge.Cursor()
		for i, k := 0, firstKey(c); i < forgetPerRecord && len(k) > timeKeyLen; i, k = i+1, firstKey(c) {
			if t, _ := parseTimeKey(k[:timeKeyLen]); !t.Before(forgetBefore) {
				break
			}
			old := k[timeKeyLen:]
			if v := byKey.Get(old); v != nil && string(v) == string(k[:timeKeyLen]) {
				if err := byKey.Delete(old); err != nil {
					return err
				}
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		dk := deliveryKey(source, key)
		if prev := byKey.Get(dk); prev != nil {
			if err := byAge.Delete(append(append([]byte(nil), prev...), dk...)); err != nil {
				return err
			}
		}
		tk := timeKey(at)
		if err := byKey.Put(dk, tk); err != nil {
			return fmt.Errorf("record delivery %s: %w", dk, err)
		}
		return byAge.Put(append(tk, dk...), []byte{})
	})
}

func firstKey(c *bolt.Cursor) []byte {
	k, _ := c.First()
	return k
}
