package store

import (
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/internal/atomicfile"
)

// Backup writes a consistent copy of the store to w while the bot keeps
// running: a read transaction sees one snapshot and does not block writers.
// The copy is a bbolt file that Open accepts as it is.
func (db *DB) Backup(w io.Writer) (int64, error) {
	n, err := db.writeTo(w)
	if err != nil {
		return n, fmt.Errorf("backup store %s: %w", db.path, err)
	}
	return n, nil
}

func (db *DB) writeTo(w io.Writer) (n int64, err error) {
	err = db.view("backup", func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a backup of the store to path, readable by its owner
// only. The backup appears whole or not at all: it is written to a temporary
// file in the same directory, synced, and renamed over path.
func (db *DB) BackupFile(path string) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("backup store %s to %s: %w", db.path, path, err)
		}
	}()
	if same, err := atomicfile.Same(db.path, path); err != nil {
		return err
	} else if same {
		return errors.New("that is the store file itself")
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := db.writeTo(w)
		return err
	})
}
