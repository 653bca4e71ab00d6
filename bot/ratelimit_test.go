package bot

import (
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/slacktier"
)

// The bot paces itself by the same table the fake enforces, and never
// faster: a limit the bot exceeded would stall every call in 429s.
func TestClientLimitsStayUnderTheFakes(t *testing.T) {
	client := DefaultLimits()
	for _, m := range slacktier.Methods() {
		c, ok := client[m]
		if !ok {
			t.Errorf("%s: no client limit", m)
			continue
		}
		f, ok := slackfake.DefaultLimit(m)
		if !ok {
			t.Errorf("%s: the fake has no limit", m)
			continue
		}
		if c.PerMinute <= 0 || c.PerMinute > f.PerMinute || c.Burst < 1 || c.Burst > f.Burst {
			t.Errorf("%s: client %+v, fake %+v: want the client within the fake's limit", m, c, f)
		}
	}
	if len(client) != len(slacktier.Methods()) {
		t.Errorf("client limits for %d methods, the table has %d", len(client), len(slacktier.Methods()))
	}
	if _, ok := client[slacktier.PostMessagePerChannel]; !ok {
		t.Errorf("no per-channel limit under %q", slacktier.PostMessagePerChannel)
	}
}
