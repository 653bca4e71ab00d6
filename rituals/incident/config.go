package incident

import (
	"slices"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Settings are what an incidents ritual is configured with.
type Settings struct {
	// Teams are the teams whose on-call engineers are named when an
	// incident is declared, and whose incidents the digest counts.
	Teams []string
	// Severities, most severe first.
	Severities    []string
	Retro         RetroConfig
	ActionsRemind *rituals.Schedule
	// Alertmanager, if set, lets matching alerts open incidents.
	Alertmanager *AlertmanagerConfig
	// PagerDuty, if set, narrows which PagerDuty services this ritual
	// takes; without it the first incidents ritual takes them all.
	PagerDuty *PagerDutyConfig
	// Storm, if set, folds an alert storm into one incident.
	Storm *StormConfig
	// GitHub, if set, makes each action item a GitHub issue.
	GitHub *GitHubConfig
	// Comms: update cadence, broadcast, exec paging, a channel per
	// incident (updates.go).
	Comms CommsSettings
	// Location is the zone times are written in.
	Location *time.Location
}

// RetroConfig says when and how retrospectives happen.
type RetroConfig struct {
	// Schedule gives the slots retro prompts go out at: the first slot at
	// least MinDelay after the resolve.
	Schedule *rituals.Schedule
	MinDelay time.Duration
	// Required severities are reminded at every slot until published;
	// the others may be skipped with a reason.
	Required  []string
	Questions []rituals.Question
}

// AlertmanagerConfig says which alerts open an incident.
type AlertmanagerConfig struct {
	// OpenWhen maps a label to the values that match; an alert matches
	// when every label listed has one of its values. Empty matches all.
	OpenWhen map[string][]string
	// Severity is given to incidents whose alerts carry no `severity`
	// label naming one of the ritual's severities.
	Severity string
}

// PagerDutyConfig narrows the PagerDuty services a ritual takes.
type PagerDutyConfig struct {
	Services []string // service IDs or names
}

// Matches reports whether an alert's labels open an incident.
func (c *AlertmanagerConfig) Matches(labels map[string]string) bool {
	for label, values := range c.OpenWhen {
		v, ok := labels[label]
		if !ok || !slices.Contains(values, v) {
			return false
		}
	}
	return true
}

// SettingsOf returns rc's incidents settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}
