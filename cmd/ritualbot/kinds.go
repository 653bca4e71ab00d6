package main

import "github.com/ritualbot/ritualbot/rituals"

// kinds is every kind of ritual the bot runs, by the name the config
// gives it (config reads each kind's keys from its own table, of the same
// names). Adding a kind is a line here and a kind_<name>.go.
var kinds = map[string]kind{
	rituals.KindStandup:     standupKind(),
	rituals.KindOnCall:      onCallKind(),
	rituals.KindIncidents:   incidentsKind(),
	rituals.KindDigest:      digestKind(),
	rituals.KindReminder:    reminderKind(),
	rituals.KindRelease:     releaseKind(),
	rituals.KindPulse:       pulseKind(),
	rituals.KindShowAndTell: showAndTellKind(),
}
