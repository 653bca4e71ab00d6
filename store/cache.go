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
	writes commitCount // committed writes to the bucket

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
// commits.
func (c *decodedCache[T]) stale(tx *bolt.Tx) { c.writes.after(tx) }

// commitCount counts the committed transactions that wrote to what a cache
// holds. A cache notes the count before it reads and is stale once the
// count has moved: a write committed during the read leaves it behind, so
// the next call reads again.
type commitCount struct{ n atomic.Uint64 }

// after counts tx once it commits. bbolt runs commit handlers after the
// new data is visible to new read transactions, so a read after the count
// moved sees it.
func (c *commitCount) after(tx *bolt.Tx) { tx.OnCommit(func() { c.n.Add(1) }) }

// Load is the count now.
func (c *commitCount) Load() uint64 { return c.n.Load() }
