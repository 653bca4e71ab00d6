package config

import (
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Floors of the retention keys. A delivery record is what keeps a
// message from being posted twice and lets a later edit find it, so it
// stays a month at least; the rest stays a week at least, since the
// rituals read the last days' records (today's answers, this week's
// deploys).
const (
	minRetention       = 7 * 24 * time.Hour
	minOutboxRetention = 30 * 24 * time.Hour
)

// retention reads the top-level `retention:` mapping: per kind of record,
// a duration such as 90d or `forever`; a kind left out keeps its default.
func (p *parser) retention(top *mapping) rituals.Retention {
	m := p.d.mapping(top.get("retention"), "retention")
	r := rituals.DefaultRetention
	r.Standup = retentionOf(m, "standup", r.Standup, minRetention)
	r.Incidents = retentionOf(m, "incidents", r.Incidents, minRetention)
	r.Deploys = retentionOf(m, "deploys", r.Deploys, minRetention)
	r.Outbox = retentionOf(m, "outbox", r.Outbox, minOutboxRetention)
	r.Onboarding = retentionOf(m, "onboarding", r.Onboarding, minRetention)
	r.OnCall = retentionOf(m, "oncall", r.OnCall, minRetention)
	m.finish()
	return r
}

func retentionOf(m *mapping, key string, def, floor time.Duration) time.Duration {
	n, ok := m.scalar(key)
	if !ok {
		return def
	}
	v := strings.TrimSpace(n.Value)
	if v == "forever" {
		return rituals.Forever
	}
	d, err := rituals.ParseDuration(v)
	if err != nil {
		m.errorf(key, "want a duration such as 90d or 365d, or forever; got %q", n.Value)
		return def
	}
	if d < floor {
		m.errorf(key, "%s is too short: keep these records at least %dd (or forever)", v, int(floor.Hours()/24))
		return def
	}
	return d
}
