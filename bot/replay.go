package bot

import (
	"crypto/sha256"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxReplayEntries bounds the signatures remembered. A signature is kept
// until its timestamp leaves the replay window (at most replayWindow +
// futureSkew), so this is room for 50,000 signed requests in about five
// minutes, some 160 a second, far beyond one workspace's slash commands
// and clicks; about 5 MB when full (BenchmarkReplayGuardFull). Past it the
// oldest is forgotten first.
const maxReplayEntries = 50_000

// replayGuard remembers the signatures of the requests taken while they
// are inside the replay window, so that a captured request posted again
// is refused: a signature names one body at one timestamp, and Slack never
// sends the same command or click twice (only events are retried, and
// those are signed anew and deduplicated by event_id).
type replayGuard struct {
	mu      sync.Mutex
	max     int
	expires map[[32]byte]int64 // signature digest → unix second it leaves the window
	order   [][32]byte         // insertion order, for pruning; order[head:] is live
	head    int
}

func newReplayGuard(max int) *replayGuard {
	return &replayGuard{max: max, expires: map[[32]byte]int64{}}
}

// first records the signature of a verified request stamped ts and
// reports whether it was not seen before.
func (g *replayGuard) first(sig string, ts, now time.Time) bool {
	key := sha256.Sum256([]byte(sig))
	g.mu.Lock()
	defer g.mu.Unlock()
	g.prune(now.Unix())
	if exp, ok := g.expires[key]; ok && exp >= now.Unix() {
		return false
	}
	g.expires[key] = ts.Add(replayWindow).Unix()
	g.order = append(g.order, key)
	for len(g.expires) > g.max && g.head < len(g.order) {
		delete(g.expires, g.order[g.head])
		g.head++
	}
	return true
}

// prune forgets the signatures at the front of the order whose timestamp
// has left the window (the request would be refused as stale anyway).
func (g *replayGuard) prune(now int64) {
	for g.head < len(g.order) {
		k := g.order[g.head]
		if exp, ok := g.expires[k]; ok && exp >= now {
			break
		}
		delete(g.expires, k)
		g.head++
	}
	// Reuse the slice's front once half of it is dead.
	if g.head > 1024 && g.head*2 > len(g.order) {
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
}

// len is how many signatures are remembered.
func (g *replayGuard) len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.expires)
}

// once refuses a verified request whose signature was taken before.
func (h *HTTPMode) once(next func(http.ResponseWriter, *http.Request, []byte)) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		ts, _ := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
		if !h.replays().first(r.Header.Get("X-Slack-Signature"), time.Unix(ts, 0), h.now()) {
			h.Log.Warn().Str("path", r.URL.Path).Msg("refused a replayed Slack request (its signature was taken before)")
			http.Error(w, "this request was already taken (replayed)", http.StatusConflict)
			return
		}
		next(w, r, body)
	}
}

func (h *HTTPMode) replays() *replayGuard {
	h.guardOnce.Do(func() { h.guard = newReplayGuard(maxReplayEntries) })
	return h.guard
}

func (h *HTTPMode) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
