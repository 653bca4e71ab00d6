package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/store"
)

// BenchmarkStoreCheckYear measures the two checks of a store file on a
// year of the workspace's data: the one Open makes at every start (meta
// pages against the file's size), and the page-by-page walk of
// `ritualbot check` (bbolt's Tx.Check).
func BenchmarkStoreCheckYear(b *testing.B) {
	path := filepath.Join(benchtest.Dir(b), "ritualbot.db")
	seedWorkspaceYear(b, path)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("year store: %.1f MB", float64(fi.Size())/(1<<20))
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			db, err := store.Open(path, store.ReadOnly())
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("check", func(b *testing.B) {
		db, err := store.Open(path, store.ReadOnly())
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			if err := db.Check(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
