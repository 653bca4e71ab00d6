package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

// copyFixture copies a store file from testdata to a temporary directory
// without opening it.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ritualbot.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A store of an older schema opened ReadOnly is read as it is: not
// migrated, and a backup of it keeps the old schema, so that a backup taken
// before an upgrade still opens in the version it came from.
func TestReadOnlyNeverMigrates(t *testing.T) {
	path := copyFixture(t, "v1-3ee8239.db")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	have, want, err := db.Schema()
	if err != nil || have != 1 || want <= 1 {
		t.Errorf("Schema() = %d, %d, %v; want 1 (the fixture's) and a newer one", have, want, err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := db.BackupFile(out); err != nil {
		t.Fatal(err)
	}
	var export bytes.Buffer
	if err := db.Export(&export); err != nil {
		t.Fatal(err)
	}
	if err := db.PutOccurrence(rituals.Occurrence{Job: "x", At: t0}); err == nil {
		t.Error("a read-only store took a write")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("opening read-only changed the store file")
	}
	bk, err := Open(out, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer bk.Close()
	if have, _, _ := bk.Schema(); have != 1 {
		t.Errorf("the backup's schema = %d, want 1 (the store's)", have)
	}
}

func TestReadOnlyDoesNotCreateTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ritualbot.db")
	if db, err := Open(path, ReadOnly()); err == nil {
		db.Close()
		t.Fatal("Open(ReadOnly) of a missing store succeeded")
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap os.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(ReadOnly) created the store: %v", err)
	}
}

// writeOutbox fills a store with enough messages for a few dozen pages and
// returns the closed file's bytes.
func writeOutbox(t *testing.T) []byte {
	t.Helper()
	db := MustOpen(t)
	for i := range 300 {
		if err := db.Enqueue(t0, rituals.Message{To: "C1", Text: fmt.Sprintf("message %d %0200d", i, i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A truncated store, or one with a page zeroed, is refused at open with an
// error that names the file and says how to restore it; before, bbolt
// panicked at open (truncated: the freelist) or at the first read of the
// page (the sender's outbox scan).
func TestOpenRefusesADamagedStore(t *testing.T) {
	data := writeOutbox(t)
	const page = 4096
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
		says   string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		{"truncated to a page", func(b []byte) []byte { return b[:page] }, ""},
		{"page zeroed", func(b []byte) []byte { clear(b[4*page : 5*page]); return b }, "page"},
		{"meta pages zeroed", func(b []byte) []byte { clear(b[:2*page]); return b }, ""},
		{"freelist page zeroed", func(b []byte) []byte {
			m0, m1 := b[16:], b[page+16:]
			m := m0
			if binary.NativeEndian.Uint64(m1[48:]) > binary.NativeEndian.Uint64(m0[48:]) {
				m = m1 // the newer meta page: higher txid
			}
			free := int(binary.NativeEndian.Uint64(m[32:]))
			clear(b[free*page : (free+1)*page])
			return b
		}, "freelist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ritualbot.db")
			if err := os.WriteFile(path, tc.damage(bytes.Clone(data)), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, opts := range [][]Option{nil, {ReadOnly()}} {
				db, err := Open(path, opts...)
				if err == nil {
					db.Close()
					t.Fatalf("Open(%d options) of a damaged store succeeded", len(opts))
				}
				msg := err.Error()
				if !strings.Contains(msg, path) || !strings.Contains(msg, "ritualbot backup") || !strings.Contains(msg, tc.says) {
					t.Errorf("error %q should name %s, say what is wrong (%q) and point at restoring a backup", msg, path, tc.says)
				}
			}
		})
	}
}

// Ping fails once commits fail in a row, and passes again after one
// succeeds: /readyz reflects a disk that takes no writes.
func TestPingReflectsFailingCommits(t *testing.T) {
	full := errors.New("no space left on device")
	var failing bool
	db := MustOpen(t, WithCommitFault(func() error {
		if failing {
			return full
		}
		return nil
	}))
	put := func(i int) error {
		return db.PutOccurrence(rituals.Occurrence{Job: "j", At: t0.AddDate(0, 0, i), Status: rituals.OccurrenceDone})
	}
	failing = true
	for i := range failedCommitsUnready {
		if err := db.Ping(); err != nil {
			t.Fatalf("Ping after %d failed commits: %v", i, err)
		}
		if err := put(i); !errors.Is(err, full) {
			t.Fatalf("write %d: %v, want the injected fault", i, err)
		}
	}
	if err := db.Ping(); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("Ping after %d failed commits = %v, want the commit error", failedCommitsUnready, err)
	}
	failing = false
	if err := put(10); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("Ping after a good commit: %v", err)
	}
}
