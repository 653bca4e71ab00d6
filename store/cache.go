package store

import (
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// decodedCache keeps what the reads of a whole bucket decode (every
// incident's brief, every action item), for reads that come far more often
// than the bucket changes: the digest reads them once per team, and
// /incident list, /incident actions and the App Home on every call. A
// write to the bucket makes it stale once the write is committed (see
// stale), and the next read decodes the bucket again.
//
// What get returns is shared: callers copy before they change it.
type decodedCache[T any] struct {
	writes atomic.Uint64 // committed writes to the bucket

	mu    sync.Mutex
	items []T
	at    uint64 // writes when items were read
	ok    bool
}

// get returns the cached items, reading them with read if a write was
// committed since they were.
func (c *decodedCache[T]) get(read func() ([]T, error)) ([]T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Count the writes before reading: a write committed during the read
	// leaves the count behind, so the next get reads again.
	writes := c.writes.Load()
	if c.ok && c.at == writes {
		return c.items, nil
	}
	items, err := read()
	if err != nil {
		return nil, err
	}
	c.items, c.at, c.ok = items, writes, true
	return items, nil
}

// stale marks the cache stale once tx, which writes to its bucket,
// commits. bbolt runs commit handlers after the new data is visible to new
// read transactions, so a get after that reads it.
func (c *decodedCache[T]) stale(tx *bolt.Tx) {
	tx.OnCommit(func() { c.writes.Add(1) })
}
