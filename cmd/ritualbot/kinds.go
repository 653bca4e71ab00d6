package main

import (
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
)

// kinds is every kind of ritual the bot runs, by the name the config's
// `kind:` gives it: each entry says how the config reads the kind's keys
// (its config.KindSpec) and how the bot builds and previews its rituals.
// Adding a kind is a line here and a kind_<name>.go.
var kinds = map[string]kind{
	rituals.KindStandup:     standupKind(),
	rituals.KindOnCall:      onCallKind(),
	rituals.KindIncidents:   incidentsKind(),
	rituals.KindDigest:      digestKind(),
	rituals.KindReminder:    reminderKind(),
	rituals.KindRelease:     releaseKind(),
	rituals.KindPulse:       pulseKind(),
	rituals.KindShowAndTell: showAndTellKind(),
	rituals.KindOnboarding:  onboardingKind(),
}

// configKinds is the table as the config reads it.
func configKinds() config.Kinds {
	out := config.Kinds{}
	for name, k := range kinds {
		out[name] = k.config
	}
	return out
}
