package slackfake

import (
	"fmt"
	"maps"
	"math"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/slacktier"
)

// Limit is a token bucket: PerMinute tokens refill per minute, up to Burst.
// PerMinute <= 0 means unlimited. Burst <= 0 means one second's worth of
// requests, at least 1.
type Limit struct {
	PerMinute int
	Burst     int
}

// fakeLimit is the limit the fake applies to a method of tier t, per
// method per workspace. Slack gives only the per-minute floor ("20+ per
// minute"); the bursts are our choice: a full minute's worth, except Tier 1,
// which allows a handful so an app can open its Socket Mode connections and
// reconnect a few times, and chat.postMessage, whose workspace-wide limit
// Slack does not publish: 300 a minute with a burst of 30, so an app that
// fans out hundreds of DMs at once has to handle 429s.
func fakeLimit(t slacktier.Tier) Limit {
	switch t {
	case slacktier.Tier1:
		return Limit{PerMinute: t.PerMinute(), Burst: 5}
	case slacktier.PostMessage:
		return Limit{PerMinute: t.PerMinute(), Burst: 30}
	case slacktier.PostMessageChannel:
		return Limit{PerMinute: t.PerMinute(), Burst: 3}
	}
	return Limit{PerMinute: t.PerMinute(), Burst: t.PerMinute()}
}

// DefaultLimit returns the limit the fake applies to a Web API method when
// Options.RateLimits does not override it. The key
// slacktier.PostMessagePerChannel is chat.postMessage's per-channel limit.
func DefaultLimit(method string) (Limit, bool) {
	t, ok := slacktier.Of(method)
	if !ok {
		return Limit{}, false
	}
	return fakeLimit(t), true
}

type bucket struct {
	tokens float64
	last   time.Time
}

type limiter struct {
	mu        sync.Mutex
	overrides map[string]Limit
	disabled  bool
	buckets   map[string]*bucket
	now       func() time.Time
}

func newLimiter(overrides map[string]Limit, disabled bool) *limiter {
	o := maps.Clone(overrides)
	if o == nil {
		o = map[string]Limit{}
	}
	for k := range o {
		if _, ok := slacktier.Of(k); !ok {
			// A misspelt key would leave the default in force unnoticed.
			panic(fmt.Sprintf("slackfake: RateLimits key %q is no Web API method with a tier (chat.postMessage's per channel is %q)", k, slacktier.PostMessagePerChannel))
		}
	}
	if l, ok := o["chat.postMessage"]; ok {
		if _, ok := o[slacktier.PostMessagePerChannel]; !ok {
			o[slacktier.PostMessagePerChannel] = l
		}
	}
	return &limiter{overrides: o, disabled: disabled, buckets: map[string]*bucket{}, now: time.Now}
}

func (l *limiter) limitFor(name string) (Limit, bool) {
	if lim, ok := l.overrides[name]; ok {
		return lim, true
	}
	return DefaultLimit(name)
}

// take spends one token from each named bucket (all or none). bucketKey
// distinguishes buckets sharing a limit, e.g. one per channel. It returns
// the whole seconds to wait when a bucket is empty.
func (l *limiter) take(limits ...[2]string) (ok bool, retryAfter int) {
	if l.disabled {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var spends []*bucket
	wait := 0.0
	for _, nk := range limits {
		lim, ok := l.limitFor(nk[0])
		if !ok || lim.PerMinute <= 0 {
			continue
		}
		rate := float64(lim.PerMinute) / 60
		burst := float64(lim.Burst)
		if lim.Burst <= 0 {
			burst = math.Max(1, rate)
		}
		key := nk[0] + "\x00" + nk[1]
		b, ok := l.buckets[key]
		if !ok {
			b = &bucket{tokens: burst, last: now}
			l.buckets[key] = b
		}
		b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
		b.last = now
		if b.tokens < 1 {
			wait = math.Max(wait, (1-b.tokens)/rate)
		}
		spends = append(spends, b)
	}
	if wait > 0 {
		return false, max(1, int(math.Ceil(wait)))
	}
	for _, b := range spends {
		b.tokens--
	}
	return true, 0
}
