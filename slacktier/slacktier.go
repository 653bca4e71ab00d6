// Package slacktier is Slack's Web API rate-limit tiers, per method: the
// one table the bot paces its calls by (bot.RateLimiter) and the fake Slack
// enforces (slackfake), so the two cannot drift apart. Each side picks its
// own bursts; the tiers and their rates are Slack's.
package slacktier

import (
	"maps"
	"slices"
)

// Tier is a rate-limit tier of Slack's Web API.
type Tier int

// Slack's documented tiers (docs.slack.dev/apis/web-api/rate-limits), and
// chat.postMessage's "special" limits.
const (
	Tier1 Tier = iota + 1 // 1+ per minute
	Tier2                 // 20+ per minute
	Tier3                 // 50+ per minute
	Tier4                 // 100+ per minute
	// PostMessage is chat.postMessage's workspace-wide ceiling, which Slack
	// does not publish; a few hundred a minute is what it tolerates.
	PostMessage
	// PostMessageChannel is chat.postMessage per channel: about one a
	// second, with short bursts.
	PostMessageChannel
)

// PostMessagePerChannel is the key of chat.postMessage's per-channel limit
// in the table, beside the method names.
const PostMessagePerChannel = "chat.postMessage/channel"

// PerMinute is the rate of t: Slack's documented floor for a tier.
func (t Tier) PerMinute() int {
	switch t {
	case Tier1:
		return 1
	case Tier2:
		return 20
	case Tier3:
		return 50
	case Tier4:
		return 100
	case PostMessage:
		return 300
	case PostMessageChannel:
		return 60
	}
	return 0
}

// methods follows the tier on each method's page in Slack's docs.
var methods = map[string]Tier{
	"apps.connections.open":        Tier1,
	"auth.test":                    Tier4, // "special"; generous in practice
	"chat.delete":                  Tier3,
	"chat.getPermalink":            Tier4, // "special"
	"chat.postEphemeral":           Tier4,
	"chat.postMessage":             PostMessage,
	PostMessagePerChannel:          PostMessageChannel,
	"chat.update":                  Tier3,
	"conversations.history":        Tier3,
	"conversations.info":           Tier3,
	"conversations.list":           Tier2,
	"conversations.members":        Tier4,
	"conversations.open":           Tier3,
	"conversations.replies":        Tier3,
	"conversations.setTopic":       Tier2,
	"conversations.create":         Tier2,
	"conversations.invite":         Tier3,
	"conversations.archive":        Tier2,
	"files.completeUploadExternal": Tier4,
	"files.getUploadURLExternal":   Tier4,
	"reactions.add":                Tier3,
	"usergroups.list":              Tier2,
	"usergroups.users.list":        Tier2,
	"usergroups.users.update":      Tier2,
	"users.info":                   Tier4,
	"users.list":                   Tier2,
	"users.lookupByEmail":          Tier3,
	"views.open":                   Tier4,
	"views.publish":                Tier4,
	"views.push":                   Tier4,
	"views.update":                 Tier4,
}

// Of is the tier of a Web API method (or of PostMessagePerChannel).
func Of(method string) (Tier, bool) {
	t, ok := methods[method]
	return t, ok
}

// Methods lists every method with a tier, and PostMessagePerChannel, sorted.
func Methods() []string {
	return slices.Sorted(maps.Keys(methods))
}
