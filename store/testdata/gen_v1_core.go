//go:build ignore

// gen_v1_core writes v1-3ee8239.db: a store as the first commit of
// ritualbot (3ee8239, schema 1) left it after a few days of reminders: the
// occurrence records and the outbox (pending, retried, delivered and
// dropped messages). It compiles against that commit only:
//
//	mkdir /tmp/rb-v1 && git archive 3ee8239 | tar -x -C /tmp/rb-v1
//	cp store/testdata/gen_v1_core.go /tmp/rb-v1/
//	out=$PWD/store/testdata/v1-3ee8239.db; rm -f "$out"
//	(cd /tmp/rb-v1 && go run gen_v1_core.go "$out")
package main

import (
	"log"
	"os"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run gen_v1_core.go OUT.db")
	}
	db, err := store.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	day := time.Date(2026, 11, 16, 8, 30, 0, 0, time.UTC) // Monday 09:30 in Berlin
	for i := 0; i < 5; i++ {
		at := day.AddDate(0, 0, i)
		must(db.PutOccurrence(rituals.Occurrence{Job: "coffee", At: at, Status: rituals.OccurrenceDone, Updated: at.Add(time.Second)}))
	}
	must(db.PutOccurrence(rituals.Occurrence{Job: "lunch", At: day.Add(2 * time.Hour), Status: rituals.OccurrenceFailed, Updated: day.Add(2 * time.Hour), Error: "chat.postMessage: channel_not_found"}))
	must(db.PutOccurrence(rituals.Occurrence{Job: "lunch", At: day.AddDate(0, 0, 7).Add(2 * time.Hour), Status: rituals.OccurrenceRunning, Updated: day.AddDate(0, 0, 7).Add(2 * time.Hour)}))

	msg := func(key, text string) rituals.Message {
		return rituals.Message{Key: key, To: "C0PAYMENTS", Text: text, Blocks: []rituals.Block{rituals.Section(text)}}
	}
	now := day.AddDate(0, 0, 4)
	must(db.Enqueue(now,
		msg("coffee@2026-11-16T08:30:00Z", "Coffee & <standup> in 5"),
		msg("coffee@2026-11-17T08:30:00Z", "Coffee in 5"),
		msg("coffee@2026-11-18T08:30:00Z", "Coffee in 5"),
		msg("lunch@2026-11-20T10:30:00Z", "Team lunch!"),
		rituals.Message{Key: "coffee@2026-11-17T08:30:00Z", To: "C0PAYMENTS", Update: true, Text: "Coffee in 5 (moved)"},
	))
	items, err := db.Pending(10)
	must(err)
	must(db.Delivered(items[0].Seq, rituals.SentMessage{Key: items[0].Message.Key, Channel: "C0PAYMENTS", TS: "1763281800.000100", Sent: now}))
	must(db.Delivered(items[1].Seq, rituals.SentMessage{Key: items[1].Message.Key, Channel: "C0PAYMENTS", TS: "1763368200.000100", Sent: now}))
	must(db.Drop(items[2].Seq, "chat.postMessage: invalid_blocks"))
	must(db.Retry(items[3].Seq, now.Add(time.Minute), "chat.postMessage: HTTP 503"))
}
