package rituals

import (
	"fmt"
	"sync"
	"time"
)

// zones holds one *time.Location per zone name for the process:
// time.LoadLocation reads and parses the zone file on every call, and a
// fan-out looks up a zone per member.
var zones sync.Map // string → *time.Location

// LoadZone is time.LoadLocation, cached. Failures are not cached: they are
// rare (a zone Slack knows but this host's tzdata does not) and cheap to retry.
func LoadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", name, err)
	}
	actual, _ := zones.LoadOrStore(name, l)
	return actual.(*time.Location), nil
}
