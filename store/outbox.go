package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

// The outbox is three buckets kept in step by each transaction:
//
//	outbox       seqKey(seq) → OutboxItem, in the order messages were enqueued
//	outbox_keys  pending key → seqKey(seq), the index that makes enqueueing idempotent
//	sent         message key → SentMessage, where delivered messages landed
//
// A pending post is indexed under its message key, a pending update under
// the key plus updateSuffix, so that an update can wait behind its post.
// Dropped items are kept in dropped, seqKey(seq) → droppedItem, for the
// record. outbox_urgent indexes the pending Urgent items, seqKey(seq) →
// empty, so Pending finds them ahead of thousands of routine ones.
var (
	bucketOutbox       = registerBucket("outbox")
	bucketOutboxKeys   = registerBucket("outbox_keys")
	bucketSent         = registerBucket("sent")
	bucketDropped      = registerBucket("dropped")
	bucketOutboxUrgent = registerBucket("outbox_urgent")
)

const updateSuffix = "\x00update"

func init() {
	seqFormat := format{Key: formatSeqKey}
	registerFormat("outbox", seqFormat)
	registerFormat("dropped", seqFormat)
	registerFormat("outbox_urgent", seqFormat)
	registerFormat("outbox_keys", format{
		Key: func(k []byte) (string, bool) {
			s := string(k)
			if base, ok := strings.CutSuffix(s, updateSuffix); ok {
				return base + " (update)", true
			}
			return s, true
		},
		Value: func(_, v []byte) (json.RawMessage, bool) {
			seq, err := parseSeqKey(v)
			if err != nil {
				return nil, false
			}
			return json.RawMessage(strconv.FormatUint(seq, 10)), true
		},
	})
}

// droppedItem is an outbox item given up on.
type droppedItem struct {
	Item    rituals.OutboxItem
	Reason  string
	Dropped time.Time
}

// pendingKey is the outbox_keys entry of m.
func pendingKey(m rituals.Message) []byte {
	if m.Update {
		return []byte(m.Key + updateSuffix)
	}
	return []byte(m.Key)
}

// Enqueue appends msgs to the outbox in one transaction. A post whose key is
// pending or already sent is skipped, so a ritual that runs again after a
// crash says nothing twice. An update replaces the content of a pending
// update of the same key in place, keeping its place in the queue and
// bumping its Revision, or else is queued. A message without a key gets "auto/SEQ".
func (db *DB) Enqueue(now time.Time, msgs ...rituals.Message) error {
	err := db.update("enqueue", func(tx *bolt.Tx) error { return enqueueTx(tx, now, msgs) })
	if err != nil {
		return fmt.Errorf("enqueue %d messages: %w", len(msgs), err)
	}
	return nil
}

// enqueueTx is Enqueue within tx, so that a ritual's own state and the
// messages announcing it can be made durable together.
func enqueueTx(tx *bolt.Tx, now time.Time, msgs []rituals.Message) error {
	for _, m := range msgs {
		if m.Update && m.Key == "" {
			return fmt.Errorf("enqueue: an update needs the key of the message it edits")
		}
	}
	outbox := tx.Bucket(bucketOutbox)
	index := tx.Bucket(bucketOutboxKeys)
	sent := tx.Bucket(bucketSent)
	for _, m := range msgs {
		if m.To == rituals.FormerMember {
			continue // an erased person: no one to send it to
		}
		if m.Key != "" {
			pk := pendingKey(m)
			if v := index.Get(pk); v != nil {
				if !m.Update {
					continue
				}
				seq, err := parseSeqKey(v)
				if err != nil {
					return fmt.Errorf("index of %s: %w", m.Key, err)
				}
				item, err := getItem(outbox, seq)
				if err != nil {
					return fmt.Errorf("pending update of %s: %w", m.Key, err)
				}
				m.Urgent = m.Urgent || item.Message.Urgent
				item.Message = m
				// The sender may be sending the old content: its delivery
				// must not remove the new one (deliveredAll).
				item.Revision++
				if err := putJSON(outbox, seqKey(seq), item); err != nil {
					return err
				}
				if m.Urgent {
					if err := promote(tx, m, seq); err != nil {
						return err
					}
				}
				continue
			}
			if !m.Update && sent.Get(pk) != nil {
				continue
			}
		}
		seq, err := outbox.NextSequence()
		if err != nil {
			return err
		}
		if m.Key == "" {
			m.Key = "auto/" + strconv.FormatUint(seq, 10)
		}
		item := rituals.OutboxItem{Seq: seq, Message: m, Enqueued: now}
		if err := putJSON(outbox, seqKey(seq), item); err != nil {
			return err
		}
		if err := index.Put(pendingKey(m), seqKey(seq)); err != nil {
			return err
		}
		if m.Urgent {
			if err := promote(tx, m, seq); err != nil {
				return err
			}
		}
	}
	return nil
}

// promote indexes pending item seq (message m) as urgent, and with it the
// pending post m threads under or edits, and so on up: an urgent reply
// must not overtake its parent, nor an urgent edit its post.
func promote(tx *bolt.Tx, m rituals.Message, seq uint64) error {
	outbox := tx.Bucket(bucketOutbox)
	index := tx.Bucket(bucketOutboxKeys)
	urgent := tx.Bucket(bucketOutboxUrgent)
	for range 8 { // a thread is one level deep; the bound only guards a cycle
		if err := urgent.Put(seqKey(seq), nil); err != nil {
			return err
		}
		parent := m.ParentKey()
		v := index.Get([]byte(parent))
		if parent == "" || v == nil {
			return nil
		}
		var err error
		if seq, err = parseSeqKey(v); err != nil {
			return fmt.Errorf("index of %s: %w", parent, err)
		}
		if urgent.Get(v) != nil {
			return nil
		}
		item, err := getItem(outbox, seq)
		if err != nil {
			return fmt.Errorf("pending %s: %w", parent, err)
		}
		item.Message.Urgent = true
		if err := putJSON(outbox, v, item); err != nil {
			return err
		}
		m = item.Message
	}
	return nil
}

// Pending returns up to limit items, the urgent ones first, each kind
// oldest first, whether or not they are held back by NotBefore; limit <= 0
// means all.
func (db *DB) Pending(limit int) ([]rituals.OutboxItem, error) {
	var items []rituals.OutboxItem
	full := func() bool { return limit > 0 && len(items) >= limit }
	err := db.view("pending", func(tx *bolt.Tx) error {
		outbox, urgent := tx.Bucket(bucketOutbox), tx.Bucket(bucketOutboxUrgent)
		c := urgent.Cursor()
		for k, _ := c.First(); k != nil && !full(); k, _ = c.Next() {
			v := outbox.Get(k)
			if v == nil {
				continue
			}
			var item rituals.OutboxItem
			if err := json.Unmarshal(v, &item); err != nil {
				return fmt.Errorf("decode item %x: %w", k, err)
			}
			items = append(items, item)
		}
		c = outbox.Cursor()
		for k, v := c.First(); k != nil && !full(); k, v = c.Next() {
			if urgent.Get(k) != nil {
				continue
			}
			var item rituals.OutboxItem
			if err := json.Unmarshal(v, &item); err != nil {
				return fmt.Errorf("decode item %x: %w", k, err)
			}
			items = append(items, item)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pending outbox: %w", err)
	}
	return items, nil
}

// OutboxLen counts the pending items without decoding them: what the
// outbox gauge shows at start-up, before the sender's first read.
func (db *DB) OutboxLen() (int, error) {
	var n int
	err := db.view("outbox_len", func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}

// LastSeq returns the sequence number of the newest item ever enqueued,
// delivered or not (0 if none).
func (db *DB) LastSeq() (uint64, error) {
	var seq uint64
	err := db.view("outbox_seq", func(tx *bolt.Tx) error {
		seq = tx.Bucket(bucketOutbox).Sequence()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox sequence: %w", err)
	}
	return seq, nil
}

// PendingAfter returns up to limit items enqueued after item seq, oldest
// first, urgent or not.
func (db *DB) PendingAfter(seq uint64, limit int) ([]rituals.OutboxItem, error) {
	items, err := db.pendingFrom(seq+1, limit)
	if err != nil {
		return nil, fmt.Errorf("pending outbox after %d: %w", seq, err)
	}
	return items, nil
}

func (db *DB) pendingFrom(seq uint64, limit int) ([]rituals.OutboxItem, error) {
	var items []rituals.OutboxItem
	err := db.view("pending", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(seqKey(seq)); k != nil && (limit <= 0 || len(items) < limit); k, v = c.Next() {
			var item rituals.OutboxItem
			if err := json.Unmarshal(v, &item); err != nil {
				return fmt.Errorf("decode item %x: %w", k, err)
			}
			items = append(items, item)
		}
		return nil
	})
	return items, err
}

// UrgentSeqs returns the sequence numbers of the pending urgent items,
// oldest first. It reads outbox_urgent's keys only, decoding no item, so
// the sender can afford it on each wake during a backlog.
func (db *DB) UrgentSeqs() ([]uint64, error) {
	var seqs []uint64
	err := db.view("outbox_urgent_seqs", func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		c := tx.Bucket(bucketOutboxUrgent).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if outbox.Get(k) == nil {
				continue // delivered or dropped (as Pending skips it)
			}
			seq, err := parseSeqKey(k)
			if err != nil {
				return fmt.Errorf("urgent index: %w", err)
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("urgent outbox items: %w", err)
	}
	return seqs, nil
}

// Item returns pending item seq.
func (db *DB) Item(seq uint64) (item rituals.OutboxItem, ok bool, err error) {
	err = db.view("outbox_item", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketOutbox), seqKey(seq), &item)
		return err
	})
	if err != nil {
		return item, false, fmt.Errorf("outbox item %d: %w", seq, err)
	}
	return item, ok, nil
}

// Delivered removes item seq from the outbox and records where it landed.
// An update keeps the record of the message it edited.
func (db *DB) Delivered(seq uint64, landed rituals.SentMessage) error {
	err := db.update("delivered", func(tx *bolt.Tx) error { return db.delivered(tx, seq, landed) })
	if err != nil {
		return fmt.Errorf("outbox delivered %d: %w", seq, err)
	}
	return nil
}

// DeliveredAll records several deliveries in one transaction, passing
// over items no longer in the outbox, and leaving pending an item whose
// content a newer update replaced after the delivered revision was read.
func (db *DB) DeliveredAll(ds []rituals.Delivery) error {
	err := db.update("delivered", func(tx *bolt.Tx) error { return db.deliveredAll(tx, ds) })
	if err != nil {
		return fmt.Errorf("outbox delivered %d messages: %w", len(ds), err)
	}
	return nil
}

func (db *DB) deliveredAll(tx *bolt.Tx, ds []rituals.Delivery) error {
	outbox := tx.Bucket(bucketOutbox)
	for _, d := range ds {
		v := outbox.Get(seqKey(d.Seq))
		if v == nil {
			continue // recorded already, or dropped
		}
		var item rituals.OutboxItem
		if err := json.Unmarshal(v, &item); err != nil {
			return fmt.Errorf("decode item %d: %w", d.Seq, err)
		}
		if item.Revision != d.Revision {
			continue // superseded while it was sent: the newer content goes next
		}
		if err := db.delivered(tx, d.Seq, d.Sent); err != nil {
			return fmt.Errorf("item %d: %w", d.Seq, err)
		}
	}
	return nil
}

func (db *DB) delivered(tx *bolt.Tx, seq uint64, landed rituals.SentMessage) error {
	item, err := db.removePending(tx, seq)
	if err != nil {
		return err
	}
	sent := tx.Bucket(bucketSent)
	key := []byte(item.Message.Key)
	if item.Message.Update && sent.Get(key) != nil {
		return nil
	}
	landed.Key = item.Message.Key
	return putJSON(sent, key, landed)
}

// Attempt marks item seq in flight from at: until Delivered, or a Retry
// that knows Slack did not post it, a restart looks for the message in
// Slack before posting it again. The deliveries given are recorded in
// the same transaction (as DeliveredAll): a sender working through a
// queue makes one commit per message, not two.
func (db *DB) Attempt(seq uint64, at time.Time, delivered ...rituals.Delivery) error {
	err := db.update("attempt", func(tx *bolt.Tx) error {
		if err := db.deliveredAll(tx, delivered); err != nil {
			return err
		}
		outbox := tx.Bucket(bucketOutbox)
		item, err := getItem(outbox, seq)
		if err != nil {
			return err
		}
		if item.InFlight.IsZero() {
			item.InFlight = at // the earliest attempt bounds the search
		}
		return putJSON(outbox, seqKey(seq), item)
	})
	if err != nil {
		return fmt.Errorf("outbox attempt %d: %w", seq, err)
	}
	return nil
}

// Retry counts a failed attempt at item seq and holds it until notBefore.
// Unless maybeSent, Slack is known not to have posted it: it is no longer
// in flight.
func (db *DB) Retry(seq uint64, notBefore time.Time, reason string, maybeSent bool) error {
	err := db.update("retry", func(tx *bolt.Tx) error {
		outbox := tx.Bucket(bucketOutbox)
		item, err := getItem(outbox, seq)
		if err != nil {
			return err
		}
		item.Attempts++
		item.NotBefore = notBefore
		item.LastError = reason
		if !maybeSent {
			item.InFlight = time.Time{}
		}
		return putJSON(outbox, seqKey(seq), item)
	})
	if err != nil {
		return fmt.Errorf("outbox retry %d: %w", seq, err)
	}
	return nil
}

// Drop removes item seq without delivering it and keeps it, with reason,
// in the dropped bucket.
func (db *DB) Drop(seq uint64, reason string) error {
	err := db.update("drop", func(tx *bolt.Tx) error {
		item, err := db.removePending(tx, seq)
		if err != nil {
			return err
		}
		d := droppedItem{Item: item, Reason: reason, Dropped: db.now()}
		return putJSON(tx.Bucket(bucketDropped), seqKey(seq), d)
	})
	if err != nil {
		return fmt.Errorf("outbox drop %d: %w", seq, err)
	}
	return nil
}

// Sent returns where the message with key landed.
func (db *DB) Sent(key string) (sm rituals.SentMessage, ok bool, err error) {
	err = db.view("sent", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketSent), []byte(key), &sm)
		return err
	})
	if err != nil {
		return rituals.SentMessage{}, false, fmt.Errorf("sent %s: %w", key, err)
	}
	return sm, ok, nil
}

// PruneSent forgets delivered messages sent before before, and dropped
// items dropped before it, and returns how many records it removed. A
// pruned key can be posted again, so before should be well past the time
// any ritual could re-send it (90 days). It runs in small transactions
// (Prune).
func (db *DB) PruneSent(before time.Time) (int, error) {
	var rep PruneReport
	if err := db.pruneOutbox(before, &rep); err != nil {
		return rep.Sent + rep.Dropped, fmt.Errorf("prune sent before %s: %w", before.Format(time.RFC3339), err)
	}
	return rep.Sent + rep.Dropped, nil
}

// removePending deletes item seq and its index entry, and returns it.
func (db *DB) removePending(tx *bolt.Tx, seq uint64) (rituals.OutboxItem, error) {
	outbox := tx.Bucket(bucketOutbox)
	item, err := getItem(outbox, seq)
	if err != nil {
		return item, err
	}
	if err := outbox.Delete(seqKey(seq)); err != nil {
		return item, err
	}
	if err := tx.Bucket(bucketOutboxUrgent).Delete(seqKey(seq)); err != nil {
		return item, err
	}
	index := tx.Bucket(bucketOutboxKeys)
	pk := pendingKey(item.Message)
	if s, err := parseSeqKey(index.Get(pk)); err == nil && s == seq {
		if err := index.Delete(pk); err != nil {
			return item, err
		}
	}
	return item, nil
}

func getItem(outbox *bolt.Bucket, seq uint64) (rituals.OutboxItem, error) {
	var item rituals.OutboxItem
	ok, err := getJSON(outbox, seqKey(seq), &item)
	if err != nil {
		return item, err
	}
	if !ok {
		return item, rituals.Errorf(rituals.ENOTFOUND, "outbox item %d not found", seq)
	}
	return item, nil
}

// formatSeqKey renders a seqKey in decimal.
func formatSeqKey(k []byte) (string, bool) {
	seq, err := parseSeqKey(k)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(seq, 10), true
}
