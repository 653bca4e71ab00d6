package slacktier

import (
	"regexp"
	"testing"
)

func TestTiers(t *testing.T) {
	for _, tc := range []struct {
		method string
		want   Tier
		rate   int
	}{
		{"apps.connections.open", Tier1, 1},
		{"users.list", Tier2, 20},
		{"chat.update", Tier3, 50},
		{"views.open", Tier4, 100},
		{"chat.postMessage", PostMessage, 300},
		{PostMessagePerChannel, PostMessageChannel, 60},
	} {
		got, ok := Of(tc.method)
		if !ok || got != tc.want || got.PerMinute() != tc.rate {
			t.Errorf("Of(%q) = %v, %v (%d a minute), want %v (%d a minute)", tc.method, got, ok, got.PerMinute(), tc.want, tc.rate)
		}
	}
	if _, ok := Of("chat.postMessage:channel"); ok {
		t.Error("the per-channel key has one spelling only")
	}
}

func TestEveryMethodHasARate(t *testing.T) {
	name := regexp.MustCompile(`^[a-z]+(\.[a-zA-Z]+)+$`)
	ms := Methods()
	if len(ms) < 20 {
		t.Fatalf("only %d methods", len(ms))
	}
	for i, m := range ms {
		tier, _ := Of(m)
		if tier.PerMinute() <= 0 {
			t.Errorf("%s: tier %v has no rate", m, tier)
		}
		if m != PostMessagePerChannel && !name.MatchString(m) {
			t.Errorf("%q is not a Web API method name", m)
		}
		if i > 0 && ms[i-1] >= m {
			t.Errorf("Methods() not sorted at %q", m)
		}
	}
}
