package main

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

// benchGovernance runs op on a fresh copy of the year of the workspace
// (seedWorkspaceYear) per iteration, and reports its time, the longest of
// its transactions (what a write of the bot waits for at most behind it)
// and how many it made.
func benchGovernance(b *testing.B, op func(db *store.DB) (int, error)) {
	dir := benchtest.Dir(b)
	var worst time.Duration
	var txs, records int
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		path := filepath.Join(dir, "year.db")
		seedWorkspaceYear(b, path)
		var mu sync.Mutex
		db, err := store.Open(path, store.WithObserver(func(name string, d time.Duration) {
			if strings.HasPrefix(name, "prune_") || strings.HasPrefix(name, "erase_") {
				mu.Lock()
				txs++
				worst = max(worst, d)
				mu.Unlock()
			}
		}))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := op(db)
		total += time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		records += n
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-tx-ms")
	b.ReportMetric(float64(txs)/float64(b.N), "txs/op")
	b.ReportMetric(float64(records)/float64(b.N), "records/op")
}

// BenchmarkRetentionYear prunes a year of the workspace to 90 days.
func BenchmarkRetentionYear(b *testing.B) {
	r := rituals.Retention{Standup: 90 * 24 * time.Hour, Incidents: 90 * 24 * time.Hour, Deploys: 90 * 24 * time.Hour, Outbox: 90 * 24 * time.Hour}
	benchGovernance(b, func(db *store.DB) (int, error) {
		rep, err := db.Prune(r, yearEnd)
		return rep.Total(), err
	})
}

// BenchmarkEraseYear erases a member with a year of history.
func BenchmarkEraseYear(b *testing.B) {
	benchGovernance(b, func(db *store.DB) (int, error) {
		rep, err := db.EraseUser("U0BOB")
		n := rep.Answers + rep.Blockers + rep.Aways + rep.MemberDays + rep.Messages
		for _, c := range rep.Replaced {
			n += c
		}
		return n, err
	})
}
