package config

import (
	"time"

	"github.com/ritualbot/ritualbot/rituals/showandtell"
)

// parseShowAndTell reads a show-and-tell ritual: its demo day (schedule),
// the teams whose releases lead to an ask, and when sign-ups close.
func parseShowAndTell(r *ritualReader) {
	s := &showandtell.Settings{
		AskAfterRelease: r.boolean("ask_after_release", true),
		SignupClose:     r.duration("signup_close", showandtell.DefaultSignupClose),
	}
	if s.SignupClose < time.Minute || s.SignupClose > 7*24*time.Hour {
		r.errorf("signup_close", "want a duration before the demo from 1m to 7d, e.g. 2h")
	}
	s.Teams = r.teamList("teams")
	r.notEmpty("teams", len(r.seq("teams")), "name the teams whose releases lead to an ask, or leave the key out")
	if !r.has("teams") {
		switch {
		case r.team != nil:
			s.Teams = []string{r.team.ID}
		default:
			for _, t := range r.Config().Teams {
				s.Teams = append(s.Teams, t.ID)
			}
		}
	}
	if s.AskAfterRelease && len(r.Config().Teams) > 0 {
		owned := false
		for _, id := range s.Teams {
			if t := r.Config().Team(id); t != nil && len(t.Services) > 0 {
				owned = true
			}
		}
		if !owned {
			r.errorf("teams", "none of its teams lists `services:`, so no release would ever ask for a demo; list the services under each team, or set `ask_after_release: false`")
		}
	}
	r.needChannel()
	r.rc.Settings = s
}
