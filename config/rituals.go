package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/rituals"
)

// KindSpec is how one kind of ritual reads its config. Each kind's file
// here (standup.go, …) defines its spec; the bot's one table of kinds
// names them and hands them to Load as Kinds, so this package keeps no
// list of kinds of its own.
type KindSpec struct {
	// scheduleKey is the key of the ritual's main schedule ("schedule",
	// "handoff"); "" if the kind has none. every_weeks, start and
	// nth_weekday refine it.
	scheduleKey string
	// scheduleOptional lets the schedule be left out.
	scheduleOptional bool
	// skipHolidays is the default of skip_holidays for this kind.
	skipHolidays bool
	// parse reads the kind's own keys into rc.
	parse func(r *ritualReader)
}

// Kinds is the kinds of ritual a config may use, by the name its `kind:`
// key gives them.
type Kinds map[string]KindSpec

// Names lists the kinds, sorted.
func (k Kinds) Names() []string {
	return slices.Sorted(maps.Keys(k))
}

// The specs of the kinds this package can read.
var (
	Standup = KindSpec{scheduleKey: "schedule", skipHolidays: true, parse: parseStandup}
	// skip_holidays defaults to false: a skipped handoff would stretch the
	// shift before it by a whole period (a week for weekly handoffs).
	OnCall = KindSpec{scheduleKey: "handoff", skipHolidays: false, parse: parseOnCall}
	// No main schedule: incidents happen when they happen. The jobs come
	// from retro.schedule and actions_remind.
	Incidents = KindSpec{scheduleKey: "", skipHolidays: true, parse: parseIncidents}
	Digest    = KindSpec{scheduleKey: "schedule", skipHolidays: false, parse: parseDigest}
	Reminder  = KindSpec{scheduleKey: "schedule", skipHolidays: true, parse: parseReminder}
	// The schedule is batch mode's; deploys happen on holidays too.
	Release = KindSpec{scheduleKey: "schedule", scheduleOptional: true, skipHolidays: false, parse: parseRelease}
	Pulse   = KindSpec{scheduleKey: "schedule", skipHolidays: true, parse: parsePulse}
	// The schedule is the demo day's.
	ShowAndTell = KindSpec{scheduleKey: "schedule", skipHolidays: true, parse: parseShowAndTell}
	// No schedule: each newcomer's steps go on their own days.
	Onboarding = KindSpec{scheduleKey: "", parse: parseOnboarding}
)

// ritualReader is what a kind's parse func works with: the ritual's
// mapping, the ritual so far, and helpers that read schedules and users
// into it with positions for errors.
type ritualReader struct {
	*mapping
	p  *parser
	rc *rituals.RitualConfig
	// team is the ritual's team, nil if it has none.
	team *rituals.Team
}

// Config is the whole config being read (teams, zone, holidays).
func (r *ritualReader) Config() *rituals.Config { return r.p.cfg }

// users reads key as a list of user references.
func (r *ritualReader) users(key string) []string { return r.p.userList(r.mapping, key) }

// channel reads key as a channel reference into *dst, where the ID lands
// once names are resolved.
func (r *ritualReader) channel(key string, dst *string) {
	if n := r.get(key); n != nil {
		r.p.channelRef(n, r.sub(key), dst)
	}
}

// schedule reads key as a schedule in the ritual's zone with the config's
// holidays unless skip is false.
func (r *ritualReader) schedule(key string, skipHolidays bool) *rituals.Schedule {
	n, ok := r.scalar(key)
	if !ok {
		return nil
	}
	s, err := rituals.ParseSchedule(n.Value, r.p.cfg.Timezone)
	if err != nil {
		r.errorf(key, "%v", err)
		return nil
	}
	if skipHolidays {
		s.Holidays = r.p.cfg.Holidays
	}
	return s
}

// teamList reads key as a list of IDs of teams that must exist.
func (r *ritualReader) teamList(key string) []string {
	var out []string
	for i, n := range r.seq(key) {
		t := r.p.cfg.Team(strings.TrimSpace(n.Value))
		if n.Kind != yaml.ScalarNode || t == nil {
			r.p.d.errorAt(n, fmt.Sprintf("%s[%d]", r.sub(key), i), "no team with id %q (teams: %s)", n.Value, teamIDs(r.p.cfg))
			continue
		}
		out = append(out, t.ID)
	}
	return out
}

var ritualNameRE = boundedRE(`^[a-z0-9][a-z0-9_.-]*$`, 64)

func (p *parser) rituals(m *mapping) {
	seen := map[string]int{}
	for i, n := range m.seq("rituals") {
		path := fmt.Sprintf("rituals[%d]", i)
		rm := p.d.mapping(n, path)
		rc := &rituals.RitualConfig{}
		r := &ritualReader{mapping: rm, p: p, rc: rc}

		rc.Name = rm.uniqueName("name", "give the ritual a unique name such as payments-standup; commands and the store use it",
			ritualNameRE, "use lower-case letters, digits, - _ and . (no spaces), at most 64", "duplicate ritual name %q (also on line %d); names must be unique", seen)
		known := strings.Join(p.kinds.Names(), ", ")
		rc.Kind = rm.required("kind", "say what the ritual is: "+known)
		spec, ok := p.kinds[rc.Kind]
		if rc.Kind != "" && !ok {
			rm.errorf("kind", "unknown kind %q; this ritualbot knows %s", rc.Kind, known)
		}
		if id := rm.str("team", ""); id != "" {
			rc.Team = id
			if r.team = p.cfg.Team(id); r.team == nil {
				rm.errorf("team", "no team with id %q (teams: %s)", id, teamIDs(p.cfg))
			}
		}
		r.channel("channel", &rc.Channel)
		rc.Enabled = rm.boolean("enabled", true)
		if !ok {
			// A wrong kind is the one error worth reading here: its
			// keys are unknown because the kind is.
			p.cfg.Rituals = append(p.cfg.Rituals, rc)
			continue
		}
		skip := rm.boolean("skip_holidays", spec.skipHolidays)
		if spec.scheduleKey != "" {
			p.ritualSchedule(r, spec, skip)
		}
		spec.parse(r)
		rm.finish()
		p.cfg.Rituals = append(p.cfg.Rituals, rc)
	}
}

// ritualSchedule reads the main schedule and its refinements.
func (p *parser) ritualSchedule(r *ritualReader, spec KindSpec, skip bool) {
	key := spec.scheduleKey
	if !r.has(key) {
		r.get(key)
		if !spec.scheduleOptional {
			r.errorf(key, "missing; give a cron spec such as \"0 9 * * MON-FRI\" (minute hour day month weekday), or @daily, @weekly, \"@every 1h\"")
		}
		return
	}
	s := r.schedule(key, skip)
	everyWeeks := r.integer("every_weeks", 1, 1, 52)
	start, hasStart := r.date("start")
	nth := r.integer("nth_weekday", 0, -1, 5)
	if s == nil {
		return
	}
	isEvery := strings.Contains(s.Spec, "@every")
	if everyWeeks > 1 {
		if isEvery {
			r.errorf("every_weeks", "does not combine with %q; use a cron spec with a weekday", s.Spec)
		}
		if !hasStart {
			r.errorf("every_weeks", "needs `start: YYYY-MM-DD`, a date in the first week the ritual happens")
		}
	}
	if nth != 0 && isEvery {
		r.errorf("nth_weekday", "does not combine with %q; use a cron spec with a weekday, e.g. \"0 10 * * MON\"", s.Spec)
	}
	if r.has("nth_weekday") && nth == 0 {
		r.errorf("nth_weekday", "want 1 to 5 (first to fifth) or -1 (last) weekday of the month")
	}
	s.EveryWeeks, s.Start, s.NthWeekday = everyWeeks, start, nth
	probe := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if len(s.NextN(probe, 1)) == 0 {
		r.errorf(key, "%q never fires (check the day of month and month, and every_weeks/nth_weekday)", s.Spec)
		return
	}
	r.rc.Schedule = s
}

func teamIDs(cfg *rituals.Config) string {
	var ids []string
	for _, t := range cfg.Teams {
		ids = append(ids, t.ID)
	}
	if len(ids) == 0 {
		return "none defined; add them under teams:"
	}
	return strings.Join(ids, ", ")
}

// needChannel reports a ritual that posts in a channel but has neither
// a channel of its own nor a team with one. (The domain falls back on the
// team's channel; the ID is not copied here because names resolve later.)
func (r *ritualReader) needChannel() {
	switch {
	case r.rc.Channel != "":
	case r.team != nil && r.team.Channel == "":
		r.errorf("team", "team %q has no channel; give the team a channel or the ritual a `channel:`", r.team.ID)
	case r.team == nil && r.rc.Team == "":
		r.errorf("channel", "missing; give the ritual a `channel:` (ID or #name) or a `team:` whose channel it uses")
	}
}

// needTeam reports a ritual kind that needs a team but has none.
func (r *ritualReader) needTeam() *rituals.Team {
	if r.team == nil && r.rc.Team == "" {
		r.errorf("team", "missing; a %s ritual belongs to a team (teams: %s)", r.rc.Kind, teamIDs(r.p.cfg))
	}
	return r.team
}
