package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestBackupWhileWriting(t *testing.T) {
	db := MustOpen(t)
	for i := range 200 {
		o := rituals.Occurrence{Job: "standup", At: t0.Add(time.Duration(i) * time.Hour), Status: rituals.OccurrenceDone}
		if err := db.PutOccurrence(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Enqueue(t0, post("before", "x")); err != nil {
		t.Fatal(err)
	}

	// A writer keeps committing while the backups are taken.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := db.Enqueue(t0, post(fmt.Sprintf("during/%d", i), "x")); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	out := filepath.Join(t.TempDir(), "backup.db")
	var buf bytes.Buffer
	for range 5 {
		if err := db.BackupFile(out); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if _, err := db.Backup(&buf); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup file mode = %v, want 0600", perm)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}

	// Both copies are sound bbolt files holding the data written before.
	streamed := filepath.Join(t.TempDir(), "streamed.db")
	if err := os.WriteFile(streamed, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{out, streamed} {
		bak := mustOpenPath(t, path)
		if err := bak.bolt.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		}); err != nil {
			t.Errorf("%s: consistency check: %v", path, err)
		}
		o, ok, err := bak.LastOccurrence("standup")
		if err != nil || !ok || !o.At.Equal(t0.Add(199*time.Hour)) {
			t.Errorf("%s: LastOccurrence = %v, %v, %v", path, o.At, ok, err)
		}
		items, err := bak.Pending(1)
		if err != nil || len(items) != 1 || items[0].Message.Key != "before" {
			t.Errorf("%s: first pending = %+v, %v", path, items, err)
		}
	}
}

func TestBackupFileRefusesStoreItself(t *testing.T) {
	db := MustOpen(t)
	if err := db.BackupFile(db.Path()); err == nil {
		t.Fatal("BackupFile over the store file succeeded")
	}
	if _, _, err := db.LastOccurrence("x"); err != nil {
		t.Errorf("store unusable after refused backup: %v", err)
	}
}

func TestBackupFileMissingDirectory(t *testing.T) {
	db := MustOpen(t)
	if err := db.BackupFile(filepath.Join(t.TempDir(), "nope", "b.db")); err == nil {
		t.Error("BackupFile into a missing directory succeeded")
	}
}
