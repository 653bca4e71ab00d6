package incident

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Action items are reminded at actions_remind's local time in each
// owner's own zone (their Slack time zone), never at night for them:
// there is a reminder job per zone of the owners of open items, and one
// in the ritual's zone for everyone else (an owner whose zone Slack does
// not give, or whose first item came after the jobs were made: the jobs
// are remade at start-up and daily). An "@every" schedule has no local
// time, and keeps one job for everyone.

// actionJobs are the action item reminders.
func (x *Incidents) actionJobs() []rituals.Job {
	s := x.Settings.ActionsRemind
	if s == nil {
		return nil
	}
	job := rituals.Job{Name: x.Config.Name + "/actions", Ritual: x.Config.Name, Schedule: s, Run: x.RemindActions}
	if !s.Local() || x.Directory == nil {
		return []rituals.Job{job}
	}
	owners := x.openOwners()
	if len(owners) == 0 {
		// Nobody to remind yet: no need to ask Slack for zones.
		return []rituals.Job{job}
	}
	users := x.userZones(context.Background())
	zones := map[string]*time.Location{x.location().String(): x.location()}
	for _, o := range owners {
		if loc := users[o]; loc != nil {
			zones[loc.String()] = loc
		}
	}
	home := x.location().String()
	job.Run = func(ctx context.Context, at time.Time) error {
		return x.remindInZone(ctx, at, home, users, zones)
	}
	jobs := []rituals.Job{job}
	for _, name := range slices.Sorted(maps.Keys(zones)) {
		if name == home {
			continue
		}
		loc := zones[name]
		jobs = append(jobs, rituals.Job{
			Name: x.Config.Name + "/actions@" + name, Ritual: x.Config.Name, Schedule: s.In(loc),
			Run: func(ctx context.Context, at time.Time) error { return x.remindInZone(ctx, at, name, users, zones) },
		})
	}
	return jobs
}

// remindInZone reminds the owners whose zone is zone, at its local time;
// the ritual's zone also takes the owners of no job's zone. The zones are
// those read when the jobs were made, so a reminder asks Slack nothing.
func (x *Incidents) remindInZone(ctx context.Context, at time.Time, zone string, users, jobZones map[string]*time.Location) error {
	home := x.location()
	return x.remindOwners(ctx, at, func(owner string) (*time.Location, bool) {
		loc := users[owner]
		if loc == nil || jobZones[loc.String()] == nil {
			loc = home
		}
		return loc, loc.String() == zone
	})
}

// openOwners are the owners of the ritual's open items.
func (x *Incidents) openOwners() []string {
	items, err := x.Store.ActionItems(x.Config.Name)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range items {
		if a.Open() {
			out = rituals.AddUnique(out, a.Owner)
		}
	}
	return out
}

// userZones are the workspace members' own time zones, by user ID; empty
// when the directory cannot be read.
func (x *Incidents) userZones(ctx context.Context) map[string]*time.Location {
	out := map[string]*time.Location{}
	if x.Directory == nil {
		return out
	}
	users, err := x.Directory.Users(ctx)
	if err != nil {
		return out
	}
	for id, u := range users {
		if u.TZ == "" {
			continue
		}
		if loc, err := rituals.LoadZone(u.TZ); err == nil {
			out[id] = loc
		}
	}
	return out
}
