package slackfake

import (
	"math"
	"sync"
	"time"
)

// Limit is a token bucket: PerMinute tokens refill per minute, up to Burst.
// PerMinute <= 0 means unlimited. Burst <= 0 means one second's worth of
// requests, at least 1.
type Limit struct {
	PerMinute int
	Burst     int
}

// Slack's documented tiers, applied per method per workspace. Slack gives
// only the per-minute floor ("20+ per minute"); the bursts are our choice:
// a full minute's worth, except Tier 1, which allows a handful so an app
// can open its Socket Mode connections and reconnect a few times.
var (
	tier1 = Limit{PerMinute: 1, Burst: 5}
	tier2 = Limit{PerMinute: 20, Burst: 20}
	tier3 = Limit{PerMinute: 50, Burst: 50}
	tier4 = Limit{PerMinute: 100, Burst: 100}

	// chat.postMessage is "special": about one message per second per
	// channel with short bursts, plus a workspace-wide limit that Slack
	// does not publish. We choose 300 per minute with a burst of 30, so an
	// app that fans out hundreds of DMs at once has to handle 429s.
	postMessagePerChannel = Limit{PerMinute: 60, Burst: 3}
	postMessageWorkspace  = Limit{PerMinute: 300, Burst: 30}
)

// defaultLimits follows the tiers on each method's page in Slack's docs.
var defaultLimits = map[string]Limit{
	"auth.test":                    tier4, // "special"; generous in practice
	"apps.connections.open":        tier1,
	"chat.postMessage":             postMessageWorkspace,
	"chat.postMessage:channel":     postMessagePerChannel,
	"chat.update":                  tier3,
	"chat.delete":                  tier3,
	"chat.postEphemeral":           tier4,
	"chat.getPermalink":            tier4, // "special"
	"conversations.open":           tier3,
	"conversations.list":           tier2,
	"conversations.info":           tier3,
	"conversations.setTopic":       tier2,
	"conversations.history":        tier3,
	"conversations.replies":        tier3,
	"conversations.members":        tier4,
	"conversations.create":         tier2,
	"conversations.invite":         tier3,
	"conversations.archive":        tier2,
	"users.info":                   tier4,
	"users.list":                   tier2,
	"users.lookupByEmail":          tier3,
	"usergroups.list":              tier2,
	"usergroups.users.list":        tier2,
	"usergroups.users.update":      tier2,
	"views.open":                   tier4,
	"views.update":                 tier4,
	"views.push":                   tier4,
	"views.publish":                tier4,
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
	"reactions.add":                tier3,
}

// DefaultLimit returns the limit the fake applies to a Web API method when
// Options.RateLimits does not override it. The key
// "chat.postMessage:channel" is chat.postMessage's per-channel limit.
func DefaultLimit(method string) (Limit, bool) {
	l, ok := defaultLimits[method]
	return l, ok
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
	o := map[string]Limit{}
	for k, v := range overrides {
		o[k] = v
	}
	if l, ok := o["chat.postMessage"]; ok {
		if _, ok := o["chat.postMessage:channel"]; !ok {
			o["chat.postMessage:channel"] = l
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
