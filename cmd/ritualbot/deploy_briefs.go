package main

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"
	"unsafe"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

// deployBriefs reads the stored deploys as the release notes tell them,
// and keeps the briefs of the recent ones between writes to the deploys:
// /release notes reads a week of them on every call, and making 500
// deploys' briefs again each time was most of what it allocated. The
// briefs kept are those of every deploy finished at or after from; the
// store's count of writes to the deploys (read before the deploys were)
// says whether they are current.
type deployBriefs struct {
	db *store.DB

	mu     sync.Mutex
	from   int64 // UnixNano
	briefs []rituals.DeployBrief
	writes uint64
	ok     bool
}

// maxBriefBytes bounds the briefs kept (their strings are the store's).
const maxBriefBytes = 1 << 20

// endOfKeys is past every deploy's finish, as the store's keys compare.
var endOfKeys = time.Unix(0, math.MaxInt64)

// between returns the deploys finished in [from, to), shared.
func (c *deployBriefs) between(from, to time.Time) ([]rituals.DeployBrief, error) {
	f, t := from.UnixNano(), to.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	writes := c.db.DeployWrites()
	if !c.ok || c.writes != writes || f < c.from {
		deploys, err := c.db.DeploysBetween(from, endOfKeys)
		if err != nil {
			return nil, err
		}
		briefs := make([]rituals.DeployBrief, len(deploys))
		size := len(briefs) * int(unsafe.Sizeof(rituals.DeployBrief{}))
		for i, d := range deploys {
			briefs[i] = deployBrief(d)
			size += len(d.Commits) * int(unsafe.Sizeof(rituals.CommitBrief{}))
		}
		if size > maxBriefBytes {
			c.ok, c.briefs = false, nil
			return slices.Clip(briefs[:finishedBefore(briefs, t)]), nil
		}
		c.from, c.briefs, c.writes, c.ok = f, briefs, writes, true
	}
	lo := finishedBefore(c.briefs, f)
	hi := lo + finishedBefore(c.briefs[lo:], t)
	return c.briefs[lo:hi:hi], nil
}

// finishedBefore counts the briefs (in order of finishing) that finished
// before t, in UnixNano as the store's keys compare.
func finishedBefore(briefs []rituals.DeployBrief, t int64) int {
	return sort.Search(len(briefs), func(i int) bool { return briefs[i].Finished.UnixNano() >= t })
}
