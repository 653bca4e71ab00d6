package store

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

func urgent(m rituals.Message) rituals.Message { m.Urgent = true; return m }

func reply(key, thread, text string) rituals.Message {
	return rituals.Message{Key: key, To: "C1", ThreadKey: thread, Text: text}
}

// pendingOrder returns the pending items as key=text, urgent ones marked
// "!", in the order Pending gives them.
func pendingOrder(t *testing.T, db *DB, limit int) []string {
	t.Helper()
	items, err := db.Pending(limit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		s := it.Message.Key + "=" + it.Message.Text
		if it.Message.Update {
			s += " (update)"
		}
		if it.Message.Urgent {
			s += "!"
		}
		out = append(out, s)
	}
	return out
}

func TestUrgentMessagesGoFirstAndTakeTheirParentsAlong(t *testing.T) {
	db := MustOpen(t)
	must := func(msgs ...rituals.Message) {
		t.Helper()
		if err := db.Enqueue(t0, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	must(post("storm/1", "a"), post("storm/2", "b"), reply("storm/2/e1", "storm/2", "c"), post("storm/3", "d"))
	must(urgent(post("declared/4", "e")))
	// A person updates storm incident 2: the reply needs its parent
	// posted first, the edit needs its post.
	must(urgent(reply("storm/2/e2", "storm/2", "f")), urgent(update("storm/2", "g")))
	want := []string{"storm/2=b!", "declared/4=e!", "storm/2/e2=f!", "storm/2=g (update)!",
		"storm/1=a", "storm/2/e1=c", "storm/3=d"}
	if got := pendingOrder(t, db, 0); !reflect.DeepEqual(got, want) {
		t.Errorf("pending:\n got %q\nwant %q", got, want)
	}
	if got := pendingOrder(t, db, 3); !reflect.DeepEqual(got, want[:3]) {
		t.Errorf("first 3: %q", got)
	}
	// A routine update replacing an urgent one keeps it urgent, in place.
	must(update("storm/2", "h"))
	want[3] = "storm/2=h (update)!"
	if got := pendingOrder(t, db, 0); !reflect.DeepEqual(got, want) {
		t.Errorf("after a routine update:\n got %q\nwant %q", got, want)
	}
	// Delivered or dropped, an item leaves the urgent index with it.
	items, err := db.Pending(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: "1.0"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Drop(items[1].Seq, "test"); err != nil {
		t.Fatal(err)
	}
	if got := pendingOrder(t, db, 0); !reflect.DeepEqual(got, want[2:]) {
		t.Errorf("after delivering two:\n got %q\nwant %q", got, want[2:])
	}
	// PendingAfter stays in enqueue order.
	after, err := db.PendingAfter(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(after); i++ {
		if after[i].Seq <= after[i-1].Seq {
			t.Errorf("PendingAfter out of order: %d after %d", after[i].Seq, after[i-1].Seq)
		}
	}
}

// An urgent edit that replaces a routine one in place is no new item: a
// reader of what came since finds it, and the post it made urgent, only
// in UrgentSeqs, which drops each as it is delivered.
func TestUrgentSeqsTellOfAnEditMadeUrgentInPlace(t *testing.T) {
	db := MustOpen(t)
	post := rituals.Message{Key: "poll", To: "C1", Text: "0 votes"}
	edit := rituals.Message{Key: "poll", To: "C1", Update: true, Text: "1 vote"}
	if err := db.Enqueue(t0, rituals.Message{Key: "a", To: "C1", Text: "a"}, post, edit); err != nil {
		t.Fatal(err)
	}
	seqs, err := db.UrgentSeqs()
	if err != nil || len(seqs) != 0 {
		t.Fatalf("UrgentSeqs = %v, %v before any urgent message; want none", seqs, err)
	}
	edit.Text = "2 votes"
	if err := db.Enqueue(t0, urgent(edit)); err != nil {
		t.Fatal(err)
	}
	if last, err := db.LastSeq(); err != nil || last != 3 {
		t.Fatalf("LastSeq = %d, %v; want 3: the edit replaced in place", last, err)
	}
	if seqs, err = db.UrgentSeqs(); err != nil || !reflect.DeepEqual(seqs, []uint64{2, 3}) {
		t.Fatalf("UrgentSeqs = %v, %v; want the post and its edit, [2 3]", seqs, err)
	}
	if err := db.Delivered(2, rituals.SentMessage{Key: "poll", Channel: "C1", TS: "1.1", Sent: t0}); err != nil {
		t.Fatal(err)
	}
	if seqs, err = db.UrgentSeqs(); err != nil || !reflect.DeepEqual(seqs, []uint64{3}) {
		t.Fatalf("UrgentSeqs = %v, %v after the post was delivered; want [3]", seqs, err)
	}
}

// BenchmarkWakeDuringABacklog is what a wake costs the sender during a
// 1,000-message backlog with 10 urgent items pending: PendingAfter finding
// nothing new, and UrgentSeqs, which the sender adds while its batch
// holds a routine edit.
func BenchmarkWakeDuringABacklog(b *testing.B) {
	db := MustOpen(b)
	msgs := make([]rituals.Message, 1000)
	for j := range msgs {
		msgs[j] = rituals.Message{Key: fmt.Sprintf("backlog/%d", j), To: "C1", Text: "Time for the payments standup"}
		if j%100 == 0 {
			msgs[j].Urgent = true
		}
	}
	if err := db.Enqueue(t0, msgs...); err != nil {
		b.Fatal(err)
	}
	b.Run("PendingAfter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if items, err := db.PendingAfter(1000, 1000); err != nil || len(items) != 0 {
				b.Fatal(len(items), err)
			}
		}
	})
	b.Run("UrgentSeqs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if seqs, err := db.UrgentSeqs(); err != nil || len(seqs) != 10 {
				b.Fatal(len(seqs), err)
			}
		}
	})
}
