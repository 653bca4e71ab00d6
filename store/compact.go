package store

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/internal/atomicfile"
)

// compactTxSize bounds the bytes copied per transaction of a compaction,
// so a large store is not held in memory whole.
const compactTxSize = 64 << 20

// CompactReport says what a compaction did.
type CompactReport struct {
	Before, After int64 // file sizes in bytes
}

// Compact writes a compacted copy of the store file src to dst: a bbolt
// file never gives back the pages its deletions freed, a copy holds only
// what is live, its pages full. src is opened read-only, so it is neither
// migrated nor written, and it must not be in use by a running bot (bbolt
// would not see that bot's later writes). dst must not exist: it is
// created readable by its owner only, and never written through.
func Compact(src, dst string) (rep CompactReport, err error) {
	fail := func(err error) (CompactReport, error) {
		return rep, fmt.Errorf("compact store %s to %s: %w", src, dst, err)
	}
	fi, err := os.Stat(src)
	if err != nil {
		return fail(err)
	}
	rep.Before = fi.Size()
	// Read-only: the file is checked (a damaged one refused), never
	// migrated nor written.
	from, err := Open(src, ReadOnly())
	if err != nil {
		if IsLocked(err) {
			return fail(fmt.Errorf("the store is in use by a running ritualbot; stop it first (see docs/OPERATIONS.md): %w", err))
		}
		return fail(err)
	}
	defer from.Close()

	// O_EXCL: never through an existing file or a symlink planted there.
	f, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(dst)
		}
	}()
	to, err := bolt.Open(dst, fileMode, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return fail(err)
	}
	if err := bolt.Compact(to, from.bolt, compactTxSize); err != nil {
		_ = to.Close()
		return fail(err)
	}
	if err := to.Close(); err != nil {
		return fail(err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(dst)); err != nil {
		return fail(err)
	}
	fi, err = os.Stat(dst)
	if err != nil {
		return fail(err)
	}
	rep.After = fi.Size()
	return rep, nil
}
