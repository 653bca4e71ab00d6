package config

import (
	"strings"

	"github.com/ritualbot/ritualbot/rituals/release"
)

// parseRelease reads a release ritual: which services it announces, in
// which environments, and whether a note goes out per deploy or in a
// batch at its schedule.
func parseRelease(r *ritualReader) {
	s := &release.Settings{
		Mode:           r.oneOf("mode", release.ModeEach, release.ModeEach, release.ModeBatch),
		IncludeCommits: r.boolean("include_commits", true),
		NotifyFailed:   r.boolean("notify_failed", true),
	}
	switch {
	case s.Mode == release.ModeBatch && r.rc.Schedule == nil && !r.has("schedule"):
		r.errorf("schedule", "missing; mode batch posts its note at a schedule, e.g. \"0 17 * * MON-FRI\"")
	case s.Mode == release.ModeEach && r.has("schedule"):
		r.errorf("schedule", "mode each posts a note per deploy as it is reported; a schedule is for `mode: batch`")
	}
	s.Teams = r.teamList("teams")
	r.notEmpty("teams", len(r.seq("teams")), "name the teams whose services it announces, or leave the key out")
	s.Services = r.p.services(r.mapping)
	r.notEmpty("services", len(r.seq("services")), "name the services it announces, or leave the key out")
	if !r.has("teams") && !r.has("services") {
		switch {
		case r.team != nil:
			s.Teams = []string{r.team.ID}
		default:
			for _, t := range r.Config().Teams {
				s.Teams = append(s.Teams, t.ID)
			}
		}
	}
	for _, e := range r.strings("environments") {
		s.Environments = append(s.Environments, strings.ToLower(e))
	}
	r.notEmpty("environments", len(r.seq("environments")), "name the environments it announces, or leave the key out for production")
	if !r.has("environments") {
		s.Environments = []string{"production"}
	}
	owned := false
	for _, id := range s.Teams {
		if t := r.Config().Team(id); t != nil && len(t.Services) > 0 {
			owned = true
		}
	}
	if !owned && len(s.Services) == 0 && len(r.Config().Teams) > 0 {
		r.errorf("teams", "none of its teams lists `services:`, so it would announce nothing; list the services under each team, or under the ritual")
	}
	r.needChannel()
	r.rc.Settings = s
}
