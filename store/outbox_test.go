package store

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

func post(key, text string) rituals.Message {
	return rituals.Message{Key: key, To: "C1", Text: text}
}

func update(key, text string) rituals.Message {
	return rituals.Message{Key: key, To: "C1", Text: text, Update: true}
}

// pendingTexts returns the keys and texts of the pending items, in order.
func pendingTexts(t *testing.T, db *DB) []string {
	t.Helper()
	items, err := db.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, it := range items {
		if i > 0 && it.Seq <= items[i-1].Seq {
			t.Errorf("Pending out of order: seq %d after %d", it.Seq, items[i-1].Seq)
		}
		s := it.Message.Key + "=" + it.Message.Text
		if it.Message.Update {
			s += " (update)"
		}
		out = append(out, s)
	}
	return out
}

func wantPending(t *testing.T, db *DB, want ...string) {
	t.Helper()
	if got := pendingTexts(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("pending = %q\nwant      %q", got, want)
	}
}

func TestEnqueueOrder(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2")); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0.Add(time.Second), post("c", "3")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "a=1", "b=2", "c=3")

	items, err := db.Pending(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Message.Key != "a" || items[1].Message.Key != "b" {
		t.Errorf("Pending(2) = %+v", items)
	}
	if !items[0].Enqueued.Equal(t0) || items[0].Attempts != 0 || items[0].Message.To != "C1" {
		t.Errorf("item = %+v", items[0])
	}
}

func TestEnqueueSkipsPendingKey(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), post("a", "again, same call")); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, post("a", "again, after a restart")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "a=1")
}

func TestEnqueueSkipsSentKey(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	if err := db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, post("a", "again")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db)
}

func TestEnqueueUpdates(t *testing.T) {
	db := MustOpen(t)
	err := db.Enqueue(t0,
		post("summary", "v1"),
		update("summary", "v2"), // waits behind its post
		post("other", "x"),
		update("summary", "v3"), // replaces v2 in place, before "other"
	)
	if err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "summary=v1", "summary=v3 (update)", "other=x")

	// Deliver the post and the update: a later update is queued anew.
	items, _ := db.Pending(0)
	landed := rituals.SentMessage{Channel: "C1", TS: "100.1", Sent: t0}
	if err := db.Delivered(items[0].Seq, landed); err != nil {
		t.Fatal(err)
	}
	edited := rituals.SentMessage{Channel: "C1", TS: "999.9", Sent: t0.Add(time.Minute)}
	if err := db.Delivered(items[1].Seq, edited); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, update("summary", "v4"), post("summary", "not again")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "other=x", "summary=v4 (update)")

	// The update kept the record of where the original landed.
	sm, ok, err := db.Sent("summary")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	landed.Key = "summary"
	if sm != landed {
		t.Errorf("Sent(summary) = %+v, want %+v", sm, landed)
	}
}

func TestEnqueueUpdateNeedsKey(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), update("", "x")); err == nil {
		t.Error("Enqueue of an update without key succeeded")
	}
	wantPending(t, db) // nothing of the failed call was kept
}

func TestEnqueueAutoKeys(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("", "1"), post("", "2")); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, post("", "3")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "auto/1=1", "auto/2=2", "auto/3=3")
}

func TestRetry(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	later := t0.Add(30 * time.Second)
	for range 2 {
		if err := db.Retry(items[0].Seq, later, "ratelimited", false); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := db.Pending(0)
	if len(got) != 2 {
		t.Fatalf("%d pending after Retry, want 2", len(got))
	}
	// Held items still come back, first: the caller decides what is due.
	it := got[0]
	if it.Message.Key != "a" || it.Attempts != 2 || !it.NotBefore.Equal(later) || it.LastError != "ratelimited" {
		t.Errorf("retried item = %+v", it)
	}
	// Still pending, so still idempotent.
	if err := db.Enqueue(t0, post("a", "again")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "a=1", "b=2")
}

func TestAttemptMarksInFlightUntilTheOutcomeIsKnown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ritualbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, post("a", "1")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	seq := items[0].Seq
	if !items[0].InFlight.IsZero() {
		t.Fatal("a new item is in flight")
	}
	if err := db.Attempt(seq, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The store is what survives a crash: reopening keeps the mark.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, path)
	inFlight := func() time.Time {
		t.Helper()
		got, err := db.Pending(0)
		if err != nil || len(got) != 1 {
			t.Fatalf("pending: %v %v", got, err)
		}
		return got[0].InFlight
	}
	if got := inFlight(); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("in flight since %v after reopening, want the attempt's start", got)
	}
	// A later attempt keeps the earliest start: the search must reach it.
	if err := db.Attempt(seq, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.Retry(seq, t0.Add(3*time.Minute), "timeout", true); err != nil {
		t.Fatal(err)
	}
	if got := inFlight(); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("in flight since %v after an unknown outcome, want the first attempt's start", got)
	}
	// An answer that says Slack did not post it clears the mark.
	if err := db.Retry(seq, t0.Add(4*time.Minute), "ratelimited", false); err != nil {
		t.Fatal(err)
	}
	if !inFlight().IsZero() {
		t.Error("still in flight after Slack refused the attempt")
	}
}

func TestDrop(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	if err := db.Drop(items[0].Seq, "channel_not_found"); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "b=2")
	if _, ok, _ := db.Sent("a"); ok {
		t.Error("a dropped message was recorded as sent")
	}
	// A dropped key is no longer pending: it may be enqueued again.
	if err := db.Enqueue(t0, post("a", "retry by hand")); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "b=2", "a=retry by hand")
}

func TestUnknownSeq(t *testing.T) {
	db := MustOpen(t)
	for name, err := range map[string]error{
		"Delivered": db.Delivered(42, rituals.SentMessage{}),
		"Retry":     db.Retry(42, t0, "x", false),
		"Attempt":   db.Attempt(42, t0),
		"Drop":      db.Drop(42, "x"),
	} {
		if rituals.ErrorCode(err) != rituals.ENOTFOUND {
			t.Errorf("%s of an unknown item: err = %v, want ENOTFOUND", name, err)
		}
	}
}

func TestSent(t *testing.T) {
	db := MustOpen(t)
	if _, ok, err := db.Sent("nope"); ok || err != nil {
		t.Errorf("Sent(nope) = %v, %v", ok, err)
	}
	if err := db.Enqueue(t0, rituals.Message{Key: "dm/U1", To: "U1", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	// The store keys the record by the item's key whatever the caller says.
	if err := db.Delivered(items[0].Seq, rituals.SentMessage{Key: "wrong", Channel: "D9", TS: "1.2", Sent: t0}); err != nil {
		t.Fatal(err)
	}
	sm, ok, err := db.Sent("dm/U1")
	want := rituals.SentMessage{Key: "dm/U1", Channel: "D9", TS: "1.2", Sent: t0}
	if err != nil || !ok || sm != want {
		t.Errorf("Sent(dm/U1) = %+v, %v, %v; want %+v", sm, ok, err, want)
	}
	if err := db.Delivered(items[0].Seq, want); rituals.ErrorCode(err) != rituals.ENOTFOUND {
		t.Errorf("second Delivered: err = %v, want ENOTFOUND", err)
	}
}

func TestPruneSent(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	for i, age := range []time.Duration{100, 91, 89, 1} {
		key := fmt.Sprintf("m%d", i)
		if err := db.Enqueue(t0, post(key, "x")); err != nil {
			t.Fatal(err)
		}
		items, _ := db.Pending(0)
		sent := t0.Add(-age * 24 * time.Hour)
		if err := db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: key, Sent: sent}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Enqueue(t0, post("gone", "x")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	if err := db.Drop(items[0].Seq, "x"); err != nil {
		t.Fatal(err)
	}

	n, err := db.PruneSent(t0.Add(-90 * 24 * time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneSent = %d, %v; want 2", n, err)
	}
	for key, want := range map[string]bool{"m0": false, "m1": false, "m2": true, "m3": true} {
		if _, ok, _ := db.Sent(key); ok != want {
			t.Errorf("after pruning Sent(%s) ok = %v, want %v", key, ok, want)
		}
	}
	// Dropped records go too once old enough.
	if n, err := db.PruneSent(t0.Add(time.Second)); err != nil || n != 3 {
		t.Errorf("second PruneSent = %d, %v; want 3 (two sent, one dropped)", n, err)
	}
}

func BenchmarkEnqueue1000(b *testing.B) {
	db := MustOpen(b)
	msgs := make([]rituals.Message, 1000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range msgs {
			msgs[j] = rituals.Message{
				Key:  fmt.Sprintf("standup/%d/prompt/U%06d", i, j),
				To:   fmt.Sprintf("U%06d", j),
				Text: "Time for the payments standup",
				Blocks: []rituals.Block{
					rituals.Section("Good morning! Time for the *payments* standup."),
					rituals.Actions(
						rituals.Button{Text: "Answer", ActionID: "standup.answer", Value: "payments", Style: "primary"},
						rituals.Button{Text: "Skip today", ActionID: "standup.skip", Value: "payments"},
					),
				},
			}
		}
		if err := db.Enqueue(t0, msgs...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPending(b *testing.B) {
	db := MustOpen(b)
	msgs := make([]rituals.Message, 1000)
	for j := range msgs {
		msgs[j] = rituals.Message{
			Key:    fmt.Sprintf("standup/prompt/U%06d", j),
			To:     fmt.Sprintf("U%06d", j),
			Text:   "Time for the payments standup",
			Blocks: []rituals.Block{rituals.Section("Good morning! Time for the *payments* standup.")},
		}
	}
	if err := db.Enqueue(t0, msgs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		items, err := db.Pending(100)
		if err != nil || len(items) != 100 {
			b.Fatal(len(items), err)
		}
	}
}

func TestPendingAfterAndItem(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2"), update("b", "2'"), post("c", "3")); err != nil {
		t.Fatal(err)
	}
	all, err := db.Pending(0)
	if err != nil || len(all) != 4 {
		t.Fatalf("Pending = %+v, %v", all, err)
	}
	keys := func(items []rituals.OutboxItem) (out []string) {
		for _, it := range items {
			out = append(out, it.Message.Key+"="+it.Message.Text)
		}
		return out
	}
	for _, tc := range []struct {
		after uint64
		limit int
		want  []string
	}{
		{0, 0, []string{"a=1", "b=2", "b=2'", "c=3"}},
		{all[0].Seq, 0, []string{"b=2", "b=2'", "c=3"}},
		{all[1].Seq, 1, []string{"b=2'"}},
		{all[3].Seq, 0, nil},
	} {
		got, err := db.PendingAfter(tc.after, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(keys(got), tc.want) {
			t.Errorf("PendingAfter(%d, %d) = %q, want %q", tc.after, tc.limit, keys(got), tc.want)
		}
	}

	// A newer update replaces the pending one in place: Item reads it.
	if err := db.Enqueue(t0, update("b", "2''")); err != nil {
		t.Fatal(err)
	}
	it, ok, err := db.Item(all[2].Seq)
	if err != nil || !ok || it.Message.Text != "2''" {
		t.Errorf("Item(%d) = %+v %v %v, want the newer update", all[2].Seq, it, ok, err)
	}
	if err := db.Delivered(all[0].Seq, rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Item(all[0].Seq); ok || err != nil {
		t.Errorf("Item of a delivered message: ok=%v err=%v, want not found", ok, err)
	}
}

// LastSeq is the newest item ever enqueued, delivered or not: the sender
// tells by it what a former run left.
func TestLastSeq(t *testing.T) {
	db := MustOpen(t)
	if seq, err := db.LastSeq(); seq != 0 || err != nil {
		t.Errorf("LastSeq of an empty outbox = %d, %v; want 0", seq, err)
	}
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2")); err != nil {
		t.Fatal(err)
	}
	all, err := db.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range all {
		if err := db.Delivered(it.Seq, rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if seq, err := db.LastSeq(); seq != all[1].Seq || err != nil {
		t.Errorf("LastSeq after both were delivered = %d, %v; want %d", seq, err, all[1].Seq)
	}
}

// A sender records a delivery with its next attempt: one transaction does
// both, and a delivery already recorded is passed over.
func TestAttemptRecordsDeliveriesWithIt(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("a", "1"), post("b", "2"), post("c", "3")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	a := rituals.Delivery{Seq: items[0].Seq, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}}
	if err := db.Attempt(items[1].Seq, t0.Add(time.Second), a); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "b=2", "c=3")
	if sm, ok, _ := db.Sent("a"); !ok || sm.TS != "1.1" || sm.Key != "a" {
		t.Errorf("Sent(a) = %+v %v", sm, ok)
	}
	if it, _, _ := db.Item(items[1].Seq); !it.InFlight.Equal(t0.Add(time.Second)) {
		t.Errorf("b not in flight: %+v", it)
	}
	// a again (recorded already) and b: b is recorded, a passed over.
	b := rituals.Delivery{Seq: items[1].Seq, Sent: rituals.SentMessage{Channel: "C1", TS: "2.2", Sent: t0}}
	if err := db.DeliveredAll([]rituals.Delivery{a, b}); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "c=3")
	if sm, ok, _ := db.Sent("b"); !ok || sm.TS != "2.2" {
		t.Errorf("Sent(b) = %+v %v", sm, ok)
	}
}

// A newer edit that replaces a queued one while the sender is sending it
// must not be removed by the record of the older one: it goes next.
func TestAnEditReplacedWhileBeingSentStaysPending(t *testing.T) {
	db := MustOpen(t)
	if err := db.Enqueue(t0, post("brief", "declared")); err != nil {
		t.Fatal(err)
	}
	items, _ := db.Pending(0)
	if err := db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, update("brief", "A")); err != nil {
		t.Fatal(err)
	}
	items, _ = db.Pending(0)
	sending, _, err := db.Item(items[0].Seq) // what the sender sends
	if err != nil || sending.Message.Text != "A" {
		t.Fatalf("Item = %+v, %v", sending, err)
	}
	if err := db.Enqueue(t0, update("brief", "B")); err != nil {
		t.Fatal(err)
	}
	a := rituals.Delivery{Seq: sending.Seq, Revision: sending.Revision, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1", Sent: t0}}
	if err := db.DeliveredAll([]rituals.Delivery{a}); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "brief=B (update)")
	next, _, _ := db.Item(sending.Seq)
	if next.Revision == sending.Revision {
		t.Fatalf("revision not bumped by the replacing edit: %d", next.Revision)
	}
	// Recorded with the next attempt of another message, as the sender does.
	if err := db.Enqueue(t0, post("other", "x")); err != nil {
		t.Fatal(err)
	}
	other, _ := db.Pending(0)
	b := rituals.Delivery{Seq: next.Seq, Revision: next.Revision, Sent: a.Sent}
	if err := db.Attempt(other[len(other)-1].Seq, t0, b); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db, "other=x")
	if sm, ok, _ := db.Sent("brief"); !ok || sm.TS != "1.1" {
		t.Errorf("Sent(brief) = %+v %v, want the post's record kept", sm, ok)
	}
}

// An item stored before revisions existed has none in its JSON: it reads
// as revision 0, and a delivery of it removes it.
func TestAnItemWithoutARevisionDecodes(t *testing.T) {
	db := MustOpen(t)
	old := `{"Seq":7,"Message":{"Key":"brief","To":"C1","Text":"old","Update":true},"Enqueued":"2026-01-05T09:00:00Z","Attempts":0,"NotBefore":"0001-01-01T00:00:00Z"}`
	err := db.update("seed", func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketOutbox).Put(seqKey(7), []byte(old)); err != nil {
			return err
		}
		return tx.Bucket(bucketOutboxKeys).Put([]byte("brief"+updateSuffix), seqKey(7))
	})
	if err != nil {
		t.Fatal(err)
	}
	it, ok, err := db.Item(7)
	if err != nil || !ok || it.Revision != 0 || it.Message.Text != "old" {
		t.Fatalf("Item(7) = %+v %v %v", it, ok, err)
	}
	if err := db.DeliveredAll([]rituals.Delivery{{Seq: 7, Sent: rituals.SentMessage{Channel: "C1", TS: "1.1"}}}); err != nil {
		t.Fatal(err)
	}
	wantPending(t, db)
}
