// Package store keeps ritualbot's state in one bbolt file: the schema
// version and its migrations, the occurrence records that make each ritual
// run exactly once, the durable outbox of messages to Slack and the record of
// where they landed, hot backups and the JSON export. It implements the
// store interfaces declared in package rituals and in each kind's package
// (rituals/standup, rituals/oncall, rituals/incident, rituals/digest),
// whose buckets are here in files of their own.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// lockTimeout bounds the wait for the file lock: a second process must fail
// fast with a clear message rather than hang.
const lockTimeout = time.Second

// fileMode keeps the store private: it holds people's standup answers.
const fileMode os.FileMode = 0o600

// DB is ritualbot's store: one bbolt file. It is safe for concurrent use.
type DB struct {
	bolt     *bolt.DB
	path     string
	commits  atomic.Uint64
	now      func() time.Time
	observe  func(op string, d time.Duration)
	readOnly bool
	// commitFault, if set, is asked before each commit; an error fails the
	// commit as a full disk would (fault tests).
	commitFault func() error
	health      commitHealth
	// rider hands each write transaction deliveries to record with it
	// (outbox_ride.go).
	rider riders

	// migrations is the package's list; tests substitute their own.
	migrations []migration

	// Decoded buckets the digest and the incident commands read whole.
	briefs  decodedCache[briefRecord]
	actions decodedCache[incident.ActionItem]
	// The recent deploys, which /digest preview and /release notes read.
	deploys recentDeploys
}

var (
	_ rituals.OccurrenceStore = (*DB)(nil)
	_ rituals.OutboxStore     = (*DB)(nil)
)

// Option configures Open.
type Option func(*DB)

// WithObserver has observe called after every transaction with the name of
// the operation and how long it took, so that the caller can export store
// latency without the store knowing how.
func WithObserver(observe func(op string, d time.Duration)) Option {
	return func(db *DB) { db.observe = observe }
}

// WithClock sets the clock used for the times the store stamps itself
// (such as when an outbox item was dropped).
func WithClock(c rituals.Clock) Option {
	return func(db *DB) { db.now = c.Now }
}

// ReadOnly opens the store for reading only: the file is neither created
// nor migrated, and the bot may not hold it. Backup, export and preview of a
// stopped bot's store use it, so that a backup taken before an upgrade
// keeps the schema the old version reads.
func ReadOnly() Option {
	return func(db *DB) { db.readOnly = true }
}

// WithCommitFault has fault asked before every commit; an error it returns
// fails that commit as a full disk would. For fault tests.
func WithCommitFault(fault func() error) Option {
	return func(db *DB) { db.commitFault = fault }
}

// withMigrations replaces the migration list; the schema version becomes
// len(migs)+1.
func withMigrations(migs ...migration) Option {
	return func(db *DB) { db.migrations = migs }
}

// Open opens the store at path, creating the file if it does not exist (but
// not its directory), and brings its schema up to date; with ReadOnly it
// does neither. A damaged file (truncated, a page that is not what the
// file's structure says) is refused with ErrDamaged and how to restore it.
func Open(path string, opts ...Option) (*DB, error) {
	db := &DB{path: path, now: time.Now, migrations: migrations}
	for _, opt := range opts {
		opt(db)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("open store %s: directory %s does not exist", path, dir)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("open store %s: %s is not a directory", path, dir)
	}

	if err := checkFile(path); err != nil {
		return nil, err
	}
	bdb, err := openBolt(path, db.readOnly)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: the file is in use by another ritualbot process "+
			"(its lock was not released within %s: %w); stop that process or set a different store.path",
			path, lockTimeout, err)
	}
	if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) {
		return nil, damaged(path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.bolt = bdb
	if err := db.Check(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if db.readOnly {
		if err := db.checkSchema(); err != nil {
			_ = bdb.Close()
			return nil, err
		}
		return db, nil
	}
	if err := db.init(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the store, waiting for running transactions to finish.
// Closing a closed store does nothing.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", db.path, err)
	}
	return nil
}

// Path returns the path of the store file.
func (db *DB) Path() string { return db.path }

// view runs fn in a read transaction and reports its duration as op.
func (db *DB) view(op string, fn func(tx *bolt.Tx) error) error {
	defer db.observed(op, time.Now())
	return db.bolt.View(fn)
}

// update runs fn in a write transaction and reports its duration as op.
// The transaction also records the deliveries a rider has waiting
// (RecordDeliveriesWithWrites).
// A transaction that fn itself refuses is no failed commit; one that fails
// after fn succeeded is, and counts against readiness (Healthy).
func (db *DB) update(op string, fn func(tx *bolt.Tx) error) error {
	defer db.observed(op, time.Now())
	var fnErr error
	var rd ride
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if fnErr = fn(tx); fnErr != nil {
			return fnErr
		}
		var err error
		if rd, err = db.rideAlong(tx); err != nil {
			return err
		}
		if db.commitFault != nil {
			return db.commitFault()
		}
		return nil
	})
	rd.settle(err)
	if err == nil {
		db.commits.Add(1)
	}
	if fnErr == nil {
		db.health.record(err, db.now())
	}
	return err
}

// Commits counts the write transactions committed since the store was
// opened: each waits for the disk (benchmarks report them per request).
func (db *DB) Commits() uint64 { return db.commits.Load() }

func (db *DB) observed(op string, start time.Time) {
	if db.observe != nil {
		db.observe(op, time.Since(start))
	}
}

// Buckets.

var (
	bucketMeta = []byte("meta")
	keySchema  = []byte("schema")
)

// buckets are the top-level buckets created at open. A file that keeps
// state of its own adds its bucket with registerBucket from an init func;
// adding a bucket needs no schema version, moving data between buckets does.
var buckets = [][]byte{bucketMeta}

// registerBucket adds a top-level bucket to those created at open. It panics
// on a name registered twice: two files would be sharing a bucket.
func registerBucket(name string) []byte {
	if slices.ContainsFunc(buckets, func(b []byte) bool { return string(b) == name }) {
		panic("store: bucket " + name + " registered twice")
	}
	b := []byte(name)
	buckets = append(buckets, b)
	return b
}

// Schema.

// migration upgrades a store by one schema version, inside the transaction
// that runs every pending migration and then records the new version.
type migration func(tx *bolt.Tx) error

func (db *DB) schemaVersion() uint32 { return uint32(len(db.migrations)) + 1 }

// init creates the buckets of an empty store, migrates an older one, and
// refuses a newer one, all in one transaction: a failed migration leaves the
// file as it was.
func (db *DB) init() error {
	want := db.schemaVersion()
	return db.update("open", func(tx *bolt.Tx) error {
		have, err := readSchema(tx)
		if err != nil {
			return fmt.Errorf("open store %s: %w", db.path, err)
		}
		switch {
		case have == 0:
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("open store %s: the file has no ritualbot schema version; it is not a ritualbot store", db.path)
			}
		case have > want:
			return fmt.Errorf("store %s has schema version %d, newer than this ritualbot understands (%d); "+
				"upgrade ritualbot or restore a backup", db.path, have, want)
		default:
			for v := have; v < want; v++ {
				if err := db.migrations[v-1](tx); err != nil {
					return fmt.Errorf("open store %s: migrate schema %d to %d: %w", db.path, v, v+1, err)
				}
			}
		}
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("open store %s: create bucket %s: %w", db.path, name, err)
			}
		}
		if have == want {
			return nil
		}
		v := make([]byte, 4)
		binary.BigEndian.PutUint32(v, want)
		if err := tx.Bucket(bucketMeta).Put(keySchema, v); err != nil {
			return fmt.Errorf("open store %s: write schema version: %w", db.path, err)
		}
		return nil
	})
}

// readSchema returns the schema version recorded in tx, 0 if none.
func readSchema(tx *bolt.Tx) (uint32, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	if len(v) != 4 {
		return 0, fmt.Errorf("schema version is %d bytes long, want 4", len(v))
	}
	return binary.BigEndian.Uint32(v), nil
}

// Ping checks the store answers a read transaction and takes writes: after
// failedCommitsUnready commits in a row failed, it fails until one succeeds
// (for /readyz).
func (db *DB) Ping() error {
	if err := db.health.err(); err != nil {
		return fmt.Errorf("store %s: %w", db.path, err)
	}
	return db.view("ping", func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return fmt.Errorf("store %s has no meta bucket", db.path)
		}
		return nil
	})
}

// checkSchema refuses a store newer than this ritualbot, for a read-only
// open; an older one is read as it is.
func (db *DB) checkSchema() error {
	return db.view("open", func(tx *bolt.Tx) error {
		have, err := readSchema(tx)
		if err != nil {
			return fmt.Errorf("open store %s: %w", db.path, err)
		}
		if want := db.schemaVersion(); have > want {
			return fmt.Errorf("store %s has schema version %d, newer than this ritualbot understands (%d); "+
				"use the ritualbot that wrote it", db.path, have, want)
		}
		return nil
	})
}

// Schema returns the schema version recorded in the file and the one this
// ritualbot writes: they differ only for a store opened ReadOnly.
func (db *DB) Schema() (have, want uint32, err error) {
	err = db.view("schema", func(tx *bolt.Tx) error {
		have, err = readSchema(tx)
		return err
	})
	return have, db.schemaVersion(), err
}

// IsLocked reports whether err from Open means another process holds the
// store file.
func IsLocked(err error) bool { return errors.Is(err, bolterrors.ErrTimeout) }
