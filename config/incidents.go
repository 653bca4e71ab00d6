package config

import (
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// Defaults of an incidents ritual.
var (
	DefaultSeverities      = []string{"sev1", "sev2", "sev3"}
	DefaultRetroSchedule   = "0 10 * * MON-FRI"
	DefaultRetroMinDelay   = 12 * time.Hour
	DefaultActionsSchedule = "0 10 * * MON"
)

var severityRE = boundedRE(`^[A-Za-z0-9][A-Za-z0-9_-]*$`, 32)

func parseIncidents(r *ritualReader) {
	r.needChannel()
	skip := r.boolean("skip_holidays", true)
	s := &incident.Settings{Location: r.Config().Timezone}
	s.Teams = r.teamList("teams")
	if len(s.Teams) == 0 && r.team != nil {
		s.Teams = []string{r.team.ID}
	}
	s.Severities = r.strings("severities")
	r.notEmpty("severities", len(s.Severities), "list the severities, most severe first, e.g. [sev1, sev2, sev3]")
	if len(s.Severities) == 0 {
		s.Severities = DefaultSeverities
	}
	seen := map[string]bool{}
	for _, sev := range s.Severities {
		low := strings.ToLower(sev)
		switch {
		case !severityRE.MatchString(sev):
			r.errorf("severities", "%q: a severity is one word of letters, digits, - and _ (e.g. sev1, P2, critical)", sev)
		case seen[low]:
			r.errorf("severities", "%q is listed twice", sev)
		}
		seen[low] = true
	}
	hasSeverity := func(v string) bool { return seen[strings.ToLower(v)] }

	retro := r.sub2("retro")
	s.Retro.MinDelay = retro.duration("min_delay", DefaultRetroMinDelay)
	s.Retro.Schedule = retro.peopleSchedule("schedule", DefaultRetroSchedule, skip, "retro prompts")
	if retro.has("required") {
		s.Retro.Required = retro.strings("required")
		for _, v := range s.Retro.Required {
			if !hasSeverity(v) {
				retro.errorf("required", "%q is not one of the severities (%s)", v, strings.Join(s.Severities, ", "))
			}
		}
	} else if n := len(s.Severities); n > 1 {
		// All but the least severe need a retro by default.
		s.Retro.Required = append([]string(nil), s.Severities[:n-1]...)
	} else {
		s.Retro.Required = append([]string(nil), s.Severities...)
	}
	s.Retro.Questions = retro.questions("questions")
	for _, q := range s.Retro.Questions {
		if q.Blocker {
			retro.errorf("questions", "`blocker` is for standup questions; a retro question has id, text and optional")
			break
		}
		if strings.HasPrefix(q.ID, "action") {
			retro.errorf("questions", "question id %q: ids starting with \"action\" are the form's action items; pick another", q.ID)
		}
	}
	retro.finish()

	s.ActionsRemind = r.peopleSchedule("actions_remind", DefaultActionsSchedule, skip, "action item reminders")

	if r.has("alertmanager") {
		am := r.sub2("alertmanager")
		cfg := &incident.AlertmanagerConfig{OpenWhen: map[string][]string{}}
		if n := am.get("open_when"); n != nil {
			ow := r.p.d.mapping(n, am.sub("open_when"))
			for _, label := range ow.order {
				vals := ow.strings(label)
				if len(vals) == 0 {
					ow.errorf(label, "give the value (or list of values) the label must have")
				}
				cfg.OpenWhen[label] = vals
			}
			ow.finish()
		}
		cfg.Severity = am.str("severity", "")
		if cfg.Severity != "" && !hasSeverity(cfg.Severity) {
			am.errorf("severity", "%q is not one of the severities (%s)", cfg.Severity, strings.Join(s.Severities, ", "))
		}
		am.finish()
		s.Alertmanager = cfg
	} else {
		r.get("alertmanager")
	}
	if r.has("pagerduty") {
		pd := r.sub2("pagerduty")
		s.PagerDuty = &incident.PagerDutyConfig{Services: pd.strings("services")}
		pd.finish()
	} else {
		r.get("pagerduty")
	}
	s.Storm = parseStorm(r)
	parseComms(r, s, hasSeverity)
	s.GitHub = parseActionsGitHub(r)
	r.rc.Settings = s
}

// Bounds of storm.window: under a minute a storm would end between two
// Alertmanager group intervals; over a day one storm would hold a week.
const (
	minStormWindow = time.Minute
	maxStormWindow = 24 * time.Hour
)

// parseStorm reads `storm: {max_new: N, window: DURATION}`.
func parseStorm(r *ritualReader) *incident.StormConfig {
	if !r.has("storm") {
		r.get("storm")
		return nil
	}
	st := r.sub2("storm")
	cfg := &incident.StormConfig{MaxNew: st.integer("max_new", 0, 1, 1000), Window: st.duration("window", 0)}
	if !st.has("max_new") {
		st.errorf("max_new", "give how many incidents alerts may open within the window before the next join one storm incident, e.g. max_new: 5")
	}
	switch {
	case !st.has("window"):
		st.errorf("window", "give the window the new incidents are counted in, e.g. window: 10m")
	case cfg.Window != 0 && (cfg.Window < minStormWindow || cfg.Window > maxStormWindow):
		st.errorf("window", "want from 1m to 24h, got %s", incident.HumanDuration(cfg.Window))
	}
	st.finish()
	return cfg
}

// sub2 reads key as a nested mapping of the ritual, with the ritual's
// helpers.
func (r *ritualReader) sub2(key string) *ritualReader {
	return &ritualReader{mapping: r.p.d.mapping(r.get(key), r.sub(key)), p: r.p, rc: r.rc, team: r.team}
}

// peopleSchedule reads a schedule whose occurrences message people, so it
// must be a cron spec at a working hour: never at 3 a.m.
func (r *ritualReader) peopleSchedule(key, def string, skipHolidays bool, what string) *rituals.Schedule {
	var s *rituals.Schedule
	if r.has(key) {
		if s = r.schedule(key, skipHolidays); s == nil {
			return nil
		}
	} else {
		r.get(key)
		s = rituals.MustParseSchedule(def, r.p.cfg.Timezone)
		if skipHolidays {
			s.Holidays = r.p.cfg.Holidays
		}
	}
	if strings.Contains(s.Spec, "@every") || strings.Contains(s.Spec, "@hourly") {
		r.errorf(key, "%s go to people, so give a cron spec at a working hour such as %q, not %q", what, def, s.Spec)
		return nil
	}
	probe := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	times := s.NextN(probe, 50)
	if len(times) == 0 {
		r.errorf(key, "%q never fires", s.Spec)
		return nil
	}
	for _, t := range times {
		if h := t.In(s.Location).Hour(); h < 7 || h >= 21 {
			r.errorf(key, "%q fires at %s; %s go to people, so pick a time between 07:00 and 21:00 (e.g. %q)",
				s.Spec, t.In(s.Location).Format("15:04"), what, def)
			return nil
		}
	}
	return s
}
