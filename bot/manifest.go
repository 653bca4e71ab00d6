package bot

import (
	"maps"
	"slices"

	"gopkg.in/yaml.v3"
)

// ManifestInput is what decides the app manifest.
type ManifestInput struct {
	AppName   string
	Mode      string // "socket" or "http"
	PublicURL string // HTTP mode: where Slack reaches the bot
	Kinds     []string
	// UsesEmails: the config names users by e-mail (users:read.email).
	UsesEmails bool
	// IncidentChannels: an incidents ritual has channel_per_incident on
	// (conversations.create, .invite, .archive).
	IncidentChannels bool
}

// scopesByKind lists the bot scopes each ritual kind needs beyond the base.
var scopesByKind = map[string][]string{
	"standup":   {"im:write", "users:read"},
	"oncall":    {"usergroups:read", "usergroups:write", "channels:manage", "groups:write", "im:write"},
	"incidents": {"reactions:read", "channels:history", "groups:history", "im:write", "app_mentions:read"},
	"digest":    {"files:write"},
	// member_joined_channel needs channels:read (public channels) and
	// groups:read (private ones), both in the base set; users.info reads
	// the newcomer (users:read).
	"onboarding": {"im:write", "users:read", "channels:read", "groups:read"},
}

var eventsByKind = map[string][]string{
	"incidents": {"reaction_added", "app_mention", "app_home_opened"},
	"digest":    {"app_home_opened"},
	"standup":   {"app_home_opened"},
	"oncall":    {"app_home_opened", "subteam_members_changed"},
	// trigger: channel_join (the event is subscribed whatever the trigger:
	// changing the key then needs no new manifest).
	"onboarding": {"app_home_opened", "member_joined_channel"},
}

// Manifest returns a Slack app manifest (YAML) that a user pastes at
// api.slack.com/apps → "Create New App" → "From an app manifest".
func Manifest(in ManifestInput) ([]byte, error) {
	scopes := set{"chat:write": true, "commands": true, "channels:read": true, "groups:read": true, "users:read": true}
	// Reminders and digests may go to a public channel nobody invited the
	// bot to; Slack refuses those posts (not_in_channel) without it.
	scopes.add("chat:write.public")
	// The sender reads a conversation back after a post whose answer was
	// lost, to tell whether it landed (conversations.open for a DM).
	scopes.add("channels:history", "groups:history", "im:history", "im:write")
	// The Home tab is always on, and blank until the bot answers
	// app_home_opened, whatever the kinds.
	events := set{"app_home_opened": true}
	if in.UsesEmails {
		scopes["users:read.email"] = true
	}
	if in.IncidentChannels {
		scopes.add("channels:manage", "groups:write")
	}
	for _, k := range in.Kinds {
		scopes.add(scopesByKind[k]...)
		events.add(eventsByKind[k]...)
	}
	name := in.AppName
	if name == "" {
		name = "ritualbot"
	}
	http := in.Mode == "http"
	base := trimSlash(in.PublicURL)

	var commands []map[string]any
	for _, c := range Commands() {
		cmd := map[string]any{"command": c.Name, "description": c.Description, "usage_hint": c.UsageHint, "should_escape": true}
		if http {
			cmd["url"] = base + "/slack/commands"
		}
		commands = append(commands, cmd)
	}
	settings := map[string]any{
		"socket_mode_enabled":    !http,
		"org_deploy_enabled":     false,
		"token_rotation_enabled": false,
	}
	interactivity := map[string]any{"is_enabled": true}
	if http {
		interactivity["request_url"] = base + "/slack/interactions"
	}
	settings["interactivity"] = interactivity
	if len(events) > 0 {
		sub := map[string]any{"bot_events": events.sorted()}
		if http {
			sub["request_url"] = base + "/slack/events"
		}
		settings["event_subscriptions"] = sub
	}
	manifest := map[string]any{
		"_metadata": map[string]any{"major_version": 1, "minor_version": 1},
		"display_information": map[string]any{
			"name":        name,
			"description": "Standups, on-call, incidents and digests for your team",
		},
		"features": map[string]any{
			// The Messages tab shows the bot's DMs (prompts, reminders);
			// the bot reads no DMs (no message.im), so people cannot
			// write there and wait for an answer that never comes.
			"app_home":       map[string]any{"home_tab_enabled": true, "messages_tab_enabled": true, "messages_tab_read_only_enabled": true},
			"bot_user":       map[string]any{"display_name": name, "always_online": true},
			"slash_commands": commands,
		},
		"oauth_config": map[string]any{"scopes": map[string]any{"bot": scopes.sorted()}},
		"settings":     settings,
	}
	return yaml.Marshal(manifest)
}

type set map[string]bool

func (s set) add(vs ...string) {
	for _, v := range vs {
		s[v] = true
	}
}

func (s set) sorted() []string {
	return slices.Sorted(maps.Keys(s))
}
