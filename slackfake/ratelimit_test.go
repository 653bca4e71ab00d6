package slackfake_test

import (
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/slacktier"
)

// A limit under a key the table does not have would leave the default in
// force unnoticed: the old "chat.postMessage:channel" spelling is refused.
func TestRateLimitsRefuseAKeyWithNoTier(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), slacktier.PostMessagePerChannel) {
			t.Errorf("recover() = %v, want a panic naming %q", r, slacktier.PostMessagePerChannel)
		}
	}()
	slackfake.New(slackfake.Options{RateLimits: map[string]slackfake.Limit{"chat.postMessage:channel": {PerMinute: 1}}}).Close()
}

func TestDefaultLimitsFollowTheTiers(t *testing.T) {
	for _, m := range slacktier.Methods() {
		l, ok := slackfake.DefaultLimit(m)
		tier, _ := slacktier.Of(m)
		if !ok || l.PerMinute != tier.PerMinute() || l.Burst < 1 {
			t.Errorf("DefaultLimit(%q) = %+v, %v; want %d a minute", m, l, ok, tier.PerMinute())
		}
	}
}
