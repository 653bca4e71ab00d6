package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// openBolt opens the bbolt file. Read-only takes a shared lock and never
// writes: bbolt then neither creates a missing file nor grows it. A damaged
// page that bbolt reads while opening makes it panic (or fault): that is an
// error here, not a crash. checkFile has already refused a bad freelist, the
// page a writable open reads; after a panic the file's lock stays held
// until the process exits, as bbolt's mapping of it does.
func openBolt(path string, readOnly bool) (bdb *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			bdb, err = nil, fmt.Errorf("%w: %v", bolterrors.ErrInvalid, r)
		}
	}()
	// NoFreelistSync (and the map freelist) were measured for the webhooks
	// (docs/BENCHMARKS.md): no gain in latency that stood out of the noise
	// of fsync, and opening then scans every page to rebuild the freelist
	// (2 MB more resident memory for a year's store). So: bbolt's defaults,
	// every commit synced.
	return bolt.Open(path, fileMode, &bolt.Options{Timeout: lockTimeout, ReadOnly: readOnly})
}

// restoreHint is what an operator does with a damaged store.
const restoreHint = "stop ritualbot, keep the damaged file aside, and restore the last good `ritualbot backup` " +
	"(docs/OPERATIONS.md, \"Restoring a backup\")"

// ErrDamaged marks a store file that is not whole: truncated, or with a page
// that is not what the file's own structure says.
var ErrDamaged = errors.New("store file is damaged")

func damaged(path string, cause error) error {
	return fmt.Errorf("open store %s: %w: %w; %s", path, ErrDamaged, cause, restoreHint)
}

// checkFile refuses a file shorter than its newest valid meta page says (a
// truncated copy, a disk that filled during a copy) before bbolt maps it:
// bbolt would panic or fault on the first missing page it reads, at open
// (the freelist) or later. It reads two pages; the page-by-page walk is
// Check. A missing or empty file is left to bbolt.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if fi.Size() == 0 {
		return nil
	}
	m0, ok0 := readMeta(f, 0)
	off1 := int64(os.Getpagesize())
	if ok0 {
		off1 = int64(m0.pageSize)
	}
	m1, ok1 := readMeta(f, off1)
	m := m0
	switch {
	case !ok0 && !ok1:
		return damaged(path, errors.New("neither of its two meta pages is valid"))
	case !ok0 || (ok1 && m1.txid > m0.txid):
		m = m1
	}
	if want := int64(m.pgid) * int64(m.pageSize); fi.Size() < want {
		return damaged(path, fmt.Errorf("it is truncated: %d bytes where its pages reach %d", fi.Size(), want))
	}
	// A writable open reads the freelist page first thing, and bbolt panics
	// on a bad one while it holds the file's lock.
	const noFreelist, freelistFlag = ^uint64(0), 0x10
	if m.freelist != noFreelist {
		var h [16]byte
		_, err := f.ReadAt(h[:], int64(m.freelist)*int64(m.pageSize))
		if le := binary.NativeEndian; err != nil || le.Uint64(h[0:]) != m.freelist || le.Uint16(h[8:])&freelistFlag == 0 {
			return damaged(path, fmt.Errorf("its freelist page %d is not a freelist page", m.freelist))
		}
	}
	return nil
}

// boltMeta is what checkFile reads of a bbolt meta page.
type boltMeta struct {
	pageSize uint32
	freelist uint64 // its page
	pgid     uint64 // high water mark: the pages the file must hold
	txid     uint64
}

// readMeta reads the bbolt meta page at off: a 16-byte page header, then
// magic, version, page size, flags, root bucket (16 bytes), freelist, high
// water mark, txid, and an FNV-64a checksum of the fields before it.
func readMeta(f *os.File, off int64) (boltMeta, bool) {
	var b [80]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		return boltMeta{}, false
	}
	le := binary.NativeEndian
	const magic, version = 0xED0CDAED, 2
	if le.Uint32(b[16:]) != magic || le.Uint32(b[20:]) != version {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(b[16:72])
	if h.Sum64() != le.Uint64(b[72:]) {
		return boltMeta{}, false
	}
	m := boltMeta{pageSize: le.Uint32(b[24:]), freelist: le.Uint64(b[48:]), pgid: le.Uint64(b[56:]), txid: le.Uint64(b[64:])}
	return m, m.pageSize >= 1024
}

// Check walks every page of the store (bbolt's consistency check) and
// returns the first problems it finds, wrapped in ErrDamaged. Open runs it:
// on a year's store it costs about a millisecond and no resident memory
// that shows (docs/BENCHMARKS.md), and a damaged page found at start-up is
// a clear exit instead of a panic in whichever goroutine reads it first.
func (db *DB) Check() error {
	var errs []error
	err := db.view("check", func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			if len(errs) < 10 {
				errs = append(errs, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("store %s: %w: %w; %s", db.path, ErrDamaged, errors.Join(errs...), restoreHint)
	}
	return nil
}

// failedCommitsUnready is how many commits in a row must fail before the
// store says it is not ready: one may be a passing fault, three in a row
// is a disk that takes no writes.
const failedCommitsUnready = 3

// commitHealth remembers whether the last commits went through.
type commitHealth struct {
	mu       sync.Mutex
	failures int
	lastErr  error
	since    time.Time
}

func (h *commitHealth) record(err error, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.failures, h.lastErr = 0, nil
		return
	}
	if h.failures == 0 {
		h.since = now
	}
	h.failures++
	h.lastErr = err
}

func (h *commitHealth) err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures < failedCommitsUnready {
		return nil
	}
	return fmt.Errorf("the last %d commits failed (since %s): %w", h.failures, h.since.UTC().Format(time.RFC3339), h.lastErr)
}
