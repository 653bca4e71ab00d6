package incident

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Retro prompts and reminders reach each participant at retro.schedule's
// local time in their own Slack zone: the ritual's slot posts the prompt
// in the thread and DMs the participants of its zone; each other zone of a
// participant of a retro under way has a job at the same local slots that
// DMs that zone's participants, once the retro is due (its first local
// slot at or after the ritual's), and reminds them at its later slots
// while a required retro is unpublished. The zones are read when the jobs
// are made (at start-up and daily); a participant of a zone without a job
// is DMed at the ritual's slot.

// retroJobs are the retro slots: the ritual's, and one per other zone.
func (x *Incidents) retroJobs() []rituals.Job {
	s := x.Settings.Retro.Schedule
	if s == nil {
		return nil
	}
	job := rituals.Job{Name: x.Config.Name + "/retro", Ritual: x.Config.Name, Schedule: s, Run: x.RetroSlot}
	if !s.Local() || x.Directory == nil {
		return []rituals.Job{job}
	}
	people := x.retroParticipants()
	if len(people) == 0 {
		return []rituals.Job{job}
	}
	users := x.userZones(context.Background())
	home := x.location().String()
	zones := map[string]*time.Location{}
	for _, p := range people {
		if loc := users[p]; loc != nil && loc.String() != home {
			zones[loc.String()] = loc
		}
	}
	zoneOf := func(user string) string {
		if loc := users[user]; loc != nil && zones[loc.String()] != nil {
			return loc.String()
		}
		return home
	}
	job.Run = func(ctx context.Context, at time.Time) error {
		return x.retroSlot(ctx, at, func(u string) bool { return zoneOf(u) == home })
	}
	jobs := []rituals.Job{job}
	for _, name := range slices.Sorted(maps.Keys(zones)) {
		jobs = append(jobs, rituals.Job{
			Name: x.Config.Name + "/retro@" + name, Ritual: x.Config.Name, Schedule: s.In(zones[name]),
			Run: func(ctx context.Context, at time.Time) error {
				return x.zoneRetroSlot(ctx, at, name, func(u string) bool { return zoneOf(u) == name })
			},
		})
	}
	return jobs
}

// retroParticipants are the participants of the ritual's retros under way.
func (x *Incidents) retroParticipants() []string {
	all, err := x.Store.Incidents(x.Config.Name)
	if err != nil {
		return nil
	}
	var out []string
	for _, inc := range all {
		if !inc.IsOpen() && !inc.Retro.Done() && !inc.Retro.Due.IsZero() {
			for _, p := range inc.Participants {
				out = rituals.AddUnique(out, p)
			}
		}
	}
	return out
}

// zoneRetroSlot runs at a slot of zone: it DMs the prompt to the zone's
// participants of the retros due by now, and reminds them of the required
// ones prompted at an earlier slot and not yet published.
func (x *Incidents) zoneRetroSlot(ctx context.Context, at time.Time, zone string, inZone func(user string) bool) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	all, err := x.retroCandidates(ctx)
	if err != nil {
		return err
	}
	for _, inc := range all {
		r := inc.Retro
		if inc.IsOpen() || r.Done() || r.Due.IsZero() || r.Due.After(at) || !slices.ContainsFunc(inc.Participants, inZone) {
			continue
		}
		z := r.Zones[zone]
		var msgs []rituals.Message
		switch {
		case z.Prompted.IsZero():
			z.Prompted = at
			if len(inc.Retro.Questions) == 0 {
				inc.Retro.Questions = x.questions()
			}
			msgs = x.retroPrompt(inc)
		case r.Required && at.After(z.Prompted) && !z.LastReminded.Equal(at):
			z.LastReminded = at
			msgs = x.retroReminders(inc, at)
		default:
			continue
		}
		if inc.Retro.Zones == nil {
			inc.Retro.Zones = map[string]ZoneRetro{}
		}
		inc.Retro.Zones[zone] = z
		msgs = dmsTo(msgs, inZone)
		if _, err := x.save(ctx, inc, func(Incident) []rituals.Message { return msgs }); err != nil {
			return fmt.Errorf("store incident %d: %w", inc.Number, err)
		}
	}
	return nil
}

// toHome keeps the messages to channels and to the people keep accepts.
func toHome(msgs []rituals.Message, keep func(user string) bool) []rituals.Message {
	var out []rituals.Message
	for _, m := range msgs {
		if m.ThreadKey != "" || !isUser(m.To) || keep(m.To) {
			out = append(out, m)
		}
	}
	return out
}

// dmsTo keeps the DMs to the people keep accepts.
func dmsTo(msgs []rituals.Message, keep func(user string) bool) []rituals.Message {
	var out []rituals.Message
	for _, m := range msgs {
		if isUser(m.To) && keep(m.To) {
			out = append(out, m)
		}
	}
	return out
}

// isUser reports whether a message goes to a person (a DM).
func isUser(to string) bool { return to != "" && (to[0] == 'U' || to[0] == 'W') }
