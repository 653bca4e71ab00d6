package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ritualbot/ritualbot/rituals"
)

// MustOpen opens a new store in a temporary directory, closed at the end of
// the test.
func MustOpen(tb testing.TB, opts ...Option) *DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "ritualbot.db"), opts...)
}

// mustOpenPath opens the store at path, closed at the end of the test.
func mustOpenPath(tb testing.TB, path string, opts ...Option) *DB {
	tb.Helper()
	db, err := Open(path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestOpenReopenKeepsData(t *testing.T) {
	db := MustOpen(t)
	o := rituals.Occurrence{Job: "standup", At: t0, Status: rituals.OccurrenceDone, Updated: t0}
	if err := db.PutOccurrence(o); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, db.Path())
	got, ok, err := db.LastOccurrence("standup")
	if err != nil || !ok {
		t.Fatalf("LastOccurrence after reopen = %v, %v, %v", got, ok, err)
	}
	if got.Status != rituals.OccurrenceDone || !got.At.Equal(t0) {
		t.Errorf("LastOccurrence after reopen = %+v, want %+v", got, o)
	}
}

func TestOpenInUse(t *testing.T) {
	db := MustOpen(t)
	start := time.Now()
	db2, err := Open(db.Path())
	if err == nil {
		db2.Close()
		t.Fatal("second Open of an open store succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %s to fail, want about 1s", d)
	}
	if !errors.Is(err, bolterrors.ErrTimeout) {
		t.Errorf("error %v does not wrap bbolt's ErrTimeout", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "in use by another ritualbot process") || !strings.Contains(msg, db.Path()) {
		t.Errorf("error %q should say the store file %s is in use by another process", msg, db.Path())
	}
}

func TestOpenFileMode(t *testing.T) {
	db := MustOpen(t)
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("store file mode = %v, want 0600", perm)
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	path := filepath.Join(dir, "ritualbot.db")
	_, err := Open(path)
	if err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
	if !strings.Contains(err.Error(), "directory "+dir+" does not exist") {
		t.Errorf("error %q should name the missing directory", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created the directory: %v", err)
	}
}

func TestOpenWritesSchemaAndBuckets(t *testing.T) {
	db := MustOpen(t)
	if got, want := schemaOf(t, db), uint32(len(migrations)+1); got != want {
		t.Errorf("schema version = %d, want %d", got, want)
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range buckets {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s not created", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	db := MustOpen(t)
	setSchema(t, db, 7)
	path := db.Path()
	db.Close()

	_, err := Open(path)
	if err == nil {
		t.Fatal("Open of a store with a newer schema succeeded")
	}
	want := fmt.Sprintf("store %s has schema version 7, newer than this ritualbot understands (%d); upgrade ritualbot or restore a backup", path, len(migrations)+1)
	if err.Error() != want {
		t.Errorf("error = %q\nwant %q", err, want)
	}
}

func TestOpenRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("somebody-elses"))
		return err
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "not a ritualbot store") {
		t.Errorf("Open of a foreign bbolt file: err = %v, want 'not a ritualbot store'", err)
	}
}

func TestOpenMigrates(t *testing.T) {
	db := MustOpen(t)
	setSchema(t, db, 1)
	path := db.Path()
	db.Close()

	// Two migrations, 1→2 and 2→3, must run in the same transaction.
	var txs []*bolt.Tx
	mig := func(key string) migration {
		return func(tx *bolt.Tx) error {
			txs = append(txs, tx)
			return tx.Bucket(bucketMeta).Put([]byte(key), []byte("done"))
		}
	}
	db = mustOpenPath(t, path, withMigrations(mig("m2"), mig("m3")))
	if got := schemaOf(t, db); got != 3 {
		t.Errorf("schema after migrating = %d, want 3", got)
	}
	if len(txs) != 2 || txs[0] != txs[1] {
		t.Errorf("migrations ran in transactions %p, want both in one", txs)
	}
	for _, k := range []string{"m2", "m3"} {
		if metaValue(t, db, k) != "done" {
			t.Errorf("migration %s did not write its key", k)
		}
	}
	db.Close()

	// Opening again at the same version runs nothing.
	txs = nil
	db = mustOpenPath(t, path, withMigrations(mig("m2"), mig("m3")))
	if len(txs) != 0 {
		t.Errorf("%d migrations ran on an up-to-date store", len(txs))
	}
}

func TestOpenFailedMigrationChangesNothing(t *testing.T) {
	db := MustOpen(t)
	setSchema(t, db, 1)
	path := db.Path()
	db.Close()

	ok := func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("m2"), []byte("done")) }
	bad := func(tx *bolt.Tx) error { return errors.New("boom") }
	_, err := Open(path, withMigrations(ok, bad))
	if err == nil || !strings.Contains(err.Error(), "migrate schema 2 to 3: boom") {
		t.Fatalf("Open with a failing migration: err = %v", err)
	}

	// Look at the file as it is, without migrating it.
	raw, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	err = raw.View(func(tx *bolt.Tx) error {
		if v, _ := readSchema(tx); v != 1 {
			t.Errorf("schema after a failed migration = %d, want 1", v)
		}
		if v := tx.Bucket(bucketMeta).Get([]byte("m2")); v != nil {
			t.Errorf("the first migration's write survived the failed transaction: %q", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestObserver(t *testing.T) {
	var mu sync.Mutex
	ops := map[string]int{}
	db := MustOpen(t, WithObserver(func(op string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		ops[op]++
		if d < 0 {
			t.Errorf("op %s took %s", op, d)
		}
	}))
	if err := db.Enqueue(t0, rituals.Message{Key: "k", To: "C1", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pending(10); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, op := range []string{"open", "enqueue", "pending"} {
		if ops[op] != 1 {
			t.Errorf("observer saw %q %d times, want 1 (all: %v)", op, ops[op], ops)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	db := MustOpen(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func schemaOf(t *testing.T, db *DB) uint32 {
	t.Helper()
	var v uint32
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		v, err = readSchema(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func setSchema(t *testing.T, db *DB, v uint32) {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, v))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func metaValue(t *testing.T, db *DB, key string) string {
	t.Helper()
	var v string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketMeta).Get([]byte(key)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
