package store

import (
	"github.com/ritualbot/ritualbot/rituals"

	"bytes"
	"slices"
	"sort"
	"sync"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// recentDeploys keeps the deploys DeploysBetween decoded last: every
// deploy that finished at or after from, the latest included, so that a
// later read of a range that starts no earlier (the same "last 7 days" a
// minute on) is answered from memory. Reads of the recent deploys come
// far more often than deploys do: /digest preview reads 13 weeks of them,
// /release notes a week, on every call, and decoding them was most of
// what those calls allocated. It is the one cache of deploys: the
// digest, the release notes, the changelog page and feed all read
// through DeploysBetween. A committed write to the deploys (writes)
// makes the cache stale (a commitCount, as for decodedCache).
//
// It holds at most maxRecentDeployBytes: a range over that (50 teams'
// quarter) is decoded for the call and not kept.
type recentDeploys struct {
	writes commitCount // committed writes to the deploys

	mu    sync.Mutex
	from  int64            // UnixNano: the deploys kept finished at or after it
	items []rituals.Deploy // in key order: by finish, then ID
	at    uint64           // writes when items were read
	ok    bool
}

// maxRecentDeployBytes bounds the decoded deploys kept: a year of the
// release notes' 500 deploys a day would not fit, the week or the
// quarter of a few teams does. It is the 2 MB this cache and the 1 MB
// the release notes' own cache of deploys took before they were one: a
// week of 1,800 deploys of five commits (1.5 KB each, counted as here)
// fits again, as it did in the release notes' cache.
const maxRecentDeployBytes = 3 << 20

// stale marks the cache stale once tx, which writes to the deploys,
// commits (bbolt runs commit handlers once the new data is visible).
func (c *recentDeploys) stale(tx *bolt.Tx) { c.writes.after(tx) }

// between returns the deploys finished in [from, to), from the cache if
// it holds them, else decoded by read (which also refills the cache when
// they fit). What it returns is shared: callers do not change it.
func (c *recentDeploys) between(from, to time.Time, read func(from, to []byte) (all []rituals.Deploy, n int, fits bool, err error)) ([]rituals.Deploy, error) {
	f, t := from.UnixNano(), to.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Count the writes before reading: a write committed during the read
	// leaves the count behind, so the next call reads again.
	writes := c.writes.Load()
	if c.ok && c.at == writes && f >= c.from {
		return inRange(c.items, f, t), nil
	}
	all, n, fits, err := read(timeKey(from), timeKey(to))
	if err != nil {
		return nil, err
	}
	if fits {
		c.from, c.items, c.at, c.ok = f, all, writes, true
	}
	return slices.Clip(all[:n]), nil
}

// inRange is the part of items (in key order) finished in [from, to),
// in UnixNano as the keys compare; its appends copy.
func inRange(items []rituals.Deploy, from, to int64) []rituals.Deploy {
	lo := sort.Search(len(items), func(i int) bool { return items[i].Finished.UnixNano() >= from })
	hi := lo + sort.Search(len(items)-lo, func(i int) bool { return items[lo+i].Finished.UnixNano() >= to })
	return items[lo:hi:hi]
}

// decodeDeploysFrom decodes the deploys of b from key from on: all those
// before key to, and after them the rest while everything decoded fits in
// maxRecentDeployBytes. n counts those before to; fits says all the rest
// was decoded too. A range that cannot fit (a past quarter of a large
// store) costs what decoding [from, to) alone does.
func decodeDeploysFrom(b *bolt.Bucket, from, to []byte) (all []rituals.Deploy, n int, fits bool, err error) {
	const deploySize, commitSize = int(unsafe.Sizeof(rituals.Deploy{})), int(unsafe.Sizeof(rituals.Commit{}))
	maxCount := maxRecentDeployBytes / deploySize
	c := b.Cursor()
	count := 0
	fits = true
	for k, _ := c.Seek(from); k != nil; k, _ = c.Next() {
		if bytes.Compare(k, to) < 0 {
			n++
		} else if count >= maxCount {
			fits = false // the rest cannot all be kept: [from, to) alone is read
			break
		}
		count++
	}
	if fits = fits && count <= maxCount; !fits {
		count = n
	}
	all = make([]rituals.Deploy, 0, count)
	size := 0
	for k, v := c.Seek(from); k != nil && len(all) < count; k, v = c.Next() {
		if len(all) >= n && size > maxRecentDeployBytes {
			return all, n, false, nil
		}
		d, err := decodeDeploy(v)
		if err != nil {
			return nil, 0, false, err
		}
		all = append(all, d)
		// The decoded strings share one copy of the record.
		size += len(v) + deploySize + commitSize*len(d.Commits)
	}
	return all, n, fits && size <= maxRecentDeployBytes, nil
}
