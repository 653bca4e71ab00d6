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

// nudgeWeek is the week whose nudge reaches its reader on day: the week
// that ends on day, or, on a Monday, on the weekend before it. 0: none.
func nudgeWeek(o Onboarding, day rituals.Date) int {
	if weekend(day) {
		return 0
	}
	for d := day; d == day || weekend(d); d = d.AddDays(-1) {
		if n := o.DayOn(d); n > 0 && n%7 == 0 {
			return n / 7
		}
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
