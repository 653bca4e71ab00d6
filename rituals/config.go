package rituals

import (
	"text/template"
	"time"
)

// Config is the whole configuration, checked and resolved: user e-mails are
// user IDs and #names are channel IDs by the time the rituals see it.
type Config struct {
	Timezone *time.Location
	Store    StoreConfig
	Slack    SlackConfig
	HTTP     HTTPConfig
	CatchUp  time.Duration
	Admins   []string
	Holidays Holidays
	Teams    []*Team
	Rituals  []*RitualConfig
	// Retention is how long stored records are kept (the config's
	// `retention:`).
	Retention Retention
}

// StoreConfig says where the store lives.
type StoreConfig struct{ Path string }

// SlackConfig says how the bot talks to Slack.
type SlackConfig struct{ Mode string } // "socket" or "http"

// HTTPConfig is the bot's own HTTP server.
type HTTPConfig struct {
	Listen    string
	PublicURL string
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
func (t *Team) IsLead(user string) bool { return contains(t.Leads, user) }

// IsMember reports whether user is a member of the team.
func (t *Team) IsMember(user string) bool { return contains(t.Members, user) }

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
func (c *Config) IsAdmin(user string) bool { return contains(c.Admins, user) }

// Kinds of ritual.
const (
	KindReminder  = "reminder"
	KindStandup   = "standup"
	KindOnCall    = "oncall"
	KindIncidents = "incidents"
	KindDigest    = "digest"
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

	Reminder  *ReminderConfig
	Standup   *StandupConfig
	OnCall    *OnCallConfig
	Digest    *DigestConfig
	Incidents *IncidentsConfig
}

// ReminderConfig is the settings of a reminder ritual.
type ReminderConfig struct {
	Text     *template.Template
	TextSpec string
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
