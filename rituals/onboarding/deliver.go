package onboarding

import (
	"context"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// deliveryOn is the day something due on d reaches its reader: d itself on
// a working day, else the Monday after. d is a date in the reader's zone,
// so a reader in Tokyo and one in Berlin each wait out their own weekend.
// Only delivery moves: `after` still counts calendar days.
func deliveryOn(d rituals.Date) rituals.Date {
	switch d.Time().Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

// weekend reports whether d is a Saturday or a Sunday.
func weekend(d rituals.Date) bool { return deliveryOn(d) != d }

// nudgeDue is the week whose list of open steps is due to role's holder
// on day (a date in their zone now): the latest week begun by day that
// they have not had yet, 0 if none. Not "the week that ends on day": a
// move ahead (Berlin to Tokyo) can jump over the 10:00 of that day, and
// a weekend over all of it.
func nudgeDue(o Onboarding, role Role, day rituals.Date) int {
	if weekend(day) {
		return 0
	}
	if week := o.DayOn(day) / 7; week > 0 && week > o.Nudged[role] {
		return week
	}
	return 0
}

// zones is each member's Slack zone now, by ID, read from the directory
// (cached by the adapter); nil when there is none or it cannot be read:
// then the zones stored at the start apply.
type zones map[string]string

func (r *Ritual) readZones(ctx context.Context) zones {
	if r.Directory == nil {
		return nil
	}
	users, err := r.Directory.Users(ctx)
	if err != nil {
		return nil
	}
	out := make(zones, len(users))
	for id, u := range users {
		if u.TZ != "" {
			out[id] = u.TZ
		}
	}
	return out
}

// zoneNow is role's zone in o as Slack has it now (someone who moved from
// Tokyo to New York gets their steps at 10:00 New York), else the one
// stored when the onboarding started, else the ritual's.
func (r *Ritual) zoneNow(zs zones, o Onboarding, role Role) *time.Location {
	if tz, ok := zs[o.Of(role)]; ok {
		if loc, err := rituals.LoadZone(tz); err == nil {
			return loc
		}
	}
	return r.zoneOf(o, role)
}
