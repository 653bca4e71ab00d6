package httplimit

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// maxLogged is the most of one outside value (a header, a field of a
// body) that goes into a log line.
const maxLogged = 100

// Clip bounds a value from outside for a log line: at most 100 bytes of
// valid UTF-8, with "…" where it was cut.
func Clip(s string) string {
	if len(s) <= maxLogged {
		return strings.ToValidUTF8(s, "?")
	}
	cut := maxLogged
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "?") + "…"
}

// Refusals rate-limits the log lines of refused requests, one token
// bucket per endpoint: a flood of forged requests costs a few lines a
// second, and the lines left out are counted. A nil *Refusals lets every
// line through.
type Refusals struct {
	Every time.Duration // one line per Every after the burst
	Burst int
	// Suppressed, if set, counts the lines left out, by endpoint.
	Suppressed func(endpoint string)

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// Allow says whether a refusal on endpoint may be logged now.
func (l *Refusals) Allow(endpoint string) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	b := l.buckets[endpoint]
	if b == nil {
		if l.buckets == nil {
			l.buckets = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(rate.Every(l.Every), l.Burst)
		l.buckets[endpoint] = b
	}
	l.mu.Unlock()
	if b.Allow() {
		return true
	}
	if l.Suppressed != nil {
		l.Suppressed(endpoint)
	}
	return false
}
