package rituals

import (
	"slices"
	"time"
)

// Config is what the rituals are configured with, checked and resolved:
// user e-mails are user IDs and #names are channel IDs by the time the
// rituals see it. How the bot reaches Slack, where it stores and what it
// serves are the adapters' settings, in package config.
type Config struct {
	Timezone *time.Location
	CatchUp  time.Duration
	Admins   []string
	Holidays Holidays
	Teams    []*Team
	Rituals  []*RitualConfig
	// Retention is how long stored records are kept (the config's
	// `retention:`).
	Retention Retention
}

// Team is a group of people sharing a channel and rituals.
type Team struct {
	ID      string
	Name    string
	Channel string // channel ID
	Members []string
	Leads   []string
	// Services are the deployed services the team owns: deploys of them
	// count in its DORA figures.
	Services []string
}

// IsLead reports whether user leads the team.
func (t *Team) IsLead(user string) bool { return slices.Contains(t.Leads, user) }

// IsMember reports whether user is a member of the team.
func (t *Team) IsMember(user string) bool { return slices.Contains(t.Members, user) }

// Team returns the team with the given ID, or nil.
func (c *Config) Team(id string) *Team {
	for _, t := range c.Teams {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Ritual returns the ritual with the given name, or nil.
func (c *Config) Ritual(name string) *RitualConfig {
	for _, r := range c.Rituals {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// IsAdmin reports whether user is an admin.
func (c *Config) IsAdmin(user string) bool { return slices.Contains(c.Admins, user) }

// Kinds of ritual.
const (
	KindReminder    = "reminder"
	KindStandup     = "standup"
	KindOnCall      = "oncall"
	KindIncidents   = "incidents"
	KindDigest      = "digest"
	KindRelease     = "release"
	KindPulse       = "pulse"
	KindShowAndTell = "showandtell"
	KindOnboarding  = "onboarding"
)

// RitualConfig is one configured ritual: the keys every kind has, and the
// settings of its own kind.
type RitualConfig struct {
	Name     string
	Kind     string
	Team     string // team ID, may be empty
	Channel  string // channel ID; defaults to the team's
	Enabled  bool
	Schedule *Schedule

	// Settings are the kind's own (a *standup.Settings, *oncall.Settings,
	// …), set by package config. The core does not read them; each kind's
	// SettingsOf does.
	Settings any
}

// AddUnique appends s to list unless it is there already.
func AddUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
