package bot

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"github.com/ritualbot/ritualbot/slacktier"
)

// Limit is an allowance of calls per minute with a burst.
type Limit struct {
	PerMinute int
	Burst     int
}

// clientLimit is how fast the bot calls a method of tier t: Slack's rate
// with small bursts, so calls spread over the minute. chat.postMessage's
// workspace-wide ceiling is one Slack does not publish; a few hundred a
// minute is what it tolerates in practice, and what the fake Slack enforces
// (300 a minute, bursts of 30). We stay a little under, so that a
// 1,000-member fan-out runs at the limit without running into 429s, whose
// Retry-After stalls every post.
func clientLimit(t slacktier.Tier) Limit {
	switch t {
	case slacktier.Tier1:
		return Limit{PerMinute: 1, Burst: 1}
	case slacktier.Tier2:
		return Limit{PerMinute: 20, Burst: 3}
	case slacktier.Tier3:
		return Limit{PerMinute: 50, Burst: 5}
	case slacktier.Tier4:
		return Limit{PerMinute: 100, Burst: 10}
	case slacktier.PostMessage:
		return Limit{PerMinute: 295, Burst: 28}
	case slacktier.PostMessageChannel:
		return Limit{PerMinute: 60, Burst: 3}
	}
	return Limit{}
}

// DefaultLimits are the client-side limits, per method, after Slack's
// tiers; slacktier.PostMessagePerChannel is chat.postMessage's per channel.
func DefaultLimits() map[string]Limit {
	out := map[string]Limit{}
	for _, m := range slacktier.Methods() {
		t, _ := slacktier.Of(m)
		out[m] = clientLimit(t)
	}
	return out
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
	maps.Copy(limits, overrides)
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
		l = newLimiter(r.limits[slacktier.PostMessagePerChannel])
		r.channels[channel] = l
	}
	return l
}

// call makes one call f to a Slack method at r's pace: a 429 pauses the
// method for as long as Slack asks, observe (if set) hears the outcome,
// and a failure, first made the caller's own by translate (rl is set
// when it was a 429), names the method.
func (r *RateLimiter) call(ctx context.Context, method string, observe func(method, outcome string), f func() error, translate func(err error, rl *slack.RateLimitedError) error) error {
	if err := r.Wait(ctx, method, ""); err != nil {
		return err
	}
	err := f()
	outcome := "ok"
	var rl *slack.RateLimitedError
	switch {
	case errors.As(err, &rl):
		outcome = "ratelimited"
		r.Pause(method, rl.RetryAfter)
	case err != nil:
		outcome = "error"
	}
	if observe != nil {
		observe(method, outcome)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", method, translate(err, rl))
	}
	return nil
}
