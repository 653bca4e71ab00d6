package store

import (
	"fmt"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// ReleasePages drops the store file's pages from the process's resident
// memory: bbolt reads the file through a shared, read-only mapping, and
// start-up (the page walk of Check, the rituals' first reads) leaves much
// of the file mapped in, 6 MB of a year's 8 MB store, counted as the idle
// bot's RSS. The pages stay in the kernel's page cache and are mapped
// again, without I/O, when a read needs them; nothing is written through
// the mapping, so nothing is lost. Done inside a read transaction, which
// bbolt holds its remapping off for.
func (db *DB) ReleasePages() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		size := tx.Size()
		if size <= 0 {
			return nil
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, db.bolt.Info().Data, uintptr(size), syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("release the pages of store %s: %w", db.path, errno)
		}
		return nil
	})
}
