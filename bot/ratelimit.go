package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is an allowance of calls per minute with a burst.
type Limit struct {
	PerMinute int
	Burst     int
}

// Slack's documented tiers: limits are per method, per app, per workspace.
var (
	tier1 = Limit{PerMinute: 1, Burst: 1}
	tier2 = Limit{PerMinute: 20, Burst: 3}
	tier3 = Limit{PerMinute: 50, Burst: 5}
	tier4 = Limit{PerMinute: 100, Burst: 10}
	// chat.postMessage is "special": about one message a second per
	// channel with short bursts, and a workspace-wide ceiling Slack does not
	// publish; a few hundred a minute is what it tolerates in practice, and
	// what the fake Slack enforces (300 a minute, bursts of 30). We stay a
	// little under both, so that a 1,000-member fan-out runs at the limit
	// without running into 429s, whose Retry-After stalls every post.
	postPerChannel   = Limit{PerMinute: 60, Burst: 3}
	postPerWorkspace = Limit{PerMinute: 295, Burst: 28}
)

// DefaultLimits are the client-side limits, per method, after Slack's tiers.
func DefaultLimits() map[string]Limit {
	return map[string]Limit{
		"apps.connections.open":        tier1,
		"conversations.setTopic":       tier2,
		"conversations.create":         tier2,
		"conversations.archive":        tier2,
		"conversations.invite":         tier3,
		"usergroups.users.update":      tier2,
		"conversations.list":           tier2,
		"users.list":                   tier2,
		"conversations.open":           tier3,
		"conversations.history":        tier3,
		"conversations.replies":        tier3,
		"chat.update":                  tier3,
		"chat.delete":                  tier3,
		"views.open":                   tier4,
		"views.update":                 tier4,
		"views.push":                   tier4,
		"views.publish":                tier4,
		"chat.postEphemeral":           tier4,
		"users.info":                   tier4,
		"users.lookupByEmail":          tier3,
		"files.getUploadURLExternal":   tier4,
		"files.completeUploadExternal": tier4,
		"chat.postMessage":             postPerWorkspace,
		"chat.postMessage/channel":     postPerChannel,
		"usergroups.list":              tier2,
		"usergroups.users.list":        tier2,
		"reactions.add":                tier3,
		"chat.getPermalink":            tier4,
		"conversations.info":           tier3,
		"auth.test":                    tier4,
	}
}

// RateLimiter paces Slack calls per method (and chat.postMessage per
// channel), and holds a method back after a 429 for as long as Slack asked.
type RateLimiter struct {
	mu       sync.Mutex
	limits   map[string]Limit
	methods  map[string]*rate.Limiter
	paused   map[string]time.Time
	channels map[string]*rate.Limiter
	// Waited, if set, is told how long a call waited (metrics).
	Waited func(method string, d time.Duration)
}

// NewRateLimiter returns a limiter with limits over DefaultLimits; a
// method with no limit is not paced (but still obeys 429s).
func NewRateLimiter(overrides map[string]Limit) *RateLimiter {
	limits := DefaultLimits()
	for m, l := range overrides {
		limits[m] = l
	}
	return &RateLimiter{
		limits:   limits,
		methods:  map[string]*rate.Limiter{},
		paused:   map[string]time.Time{},
		channels: map[string]*rate.Limiter{},
	}
}

func newLimiter(l Limit) *rate.Limiter {
	if l.PerMinute <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	burst := l.Burst
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(float64(l.PerMinute)/60), burst)
}

// Wait blocks until a call to method (for channel, if not "") may go.
func (r *RateLimiter) Wait(ctx context.Context, method, channel string) error {
	start := time.Now()
	for {
		r.mu.Lock()
		until := r.paused[method]
		r.mu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			break
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if err := r.limiter(method).Wait(ctx); err != nil {
		return err
	}
	if channel != "" && method == "chat.postMessage" {
		if err := r.channelLimiter(channel).Wait(ctx); err != nil {
			return err
		}
	}
	if waited := time.Since(start); waited > time.Millisecond && r.Waited != nil {
		r.Waited(method, waited)
	}
	return nil
}

// Pause holds method back for d (after a 429 with Retry-After: d).
func (r *RateLimiter) Pause(method string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if until := time.Now().Add(d); until.After(r.paused[method]) {
		r.paused[method] = until
	}
}

func (r *RateLimiter) limiter(method string) *rate.Limiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.methods[method]
	if !ok {
		l = newLimiter(r.limits[method])
		r.methods[method] = l
	}
	return l
}

func (r *RateLimiter) channelLimiter(channel string) *rate.Limiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.channels[channel]
	if !ok {
		l = newLimiter(r.limits["chat.postMessage/channel"])
		r.channels[channel] = l
	}
	return l
}
