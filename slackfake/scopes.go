package slackfake

import (
	"slices"
	"strings"
)

// methodScopes are the bot-token scopes that let an app call a Web API
// method, any one of them enough (the conversations.* methods need the one
// of the conversation's type: channels:, groups:, im:, mpim:). From each
// method's page in Slack's reference (docs.slack.dev/reference/methods,
// "Required scopes"). A method not listed needs none (auth.test,
// chat.getPermalink, views.*).
var methodScopes = map[string][]string{
	"chat.postMessage":             {"chat:write"},
	"chat.update":                  {"chat:write"},
	"chat.delete":                  {"chat:write"},
	"chat.postEphemeral":           {"chat:write"},
	"reactions.add":                {"reactions:write"},
	"conversations.open":           {"im:write", "mpim:write", "channels:manage", "groups:write"},
	"conversations.list":           {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.info":           {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.members":        {"channels:read", "groups:read", "im:read", "mpim:read"},
	"conversations.setTopic":       {"channels:manage", "groups:write", "im:write", "mpim:write"},
	"conversations.create":         {"channels:manage", "groups:write", "im:write", "mpim:write"},
	"conversations.invite":         {"channels:manage", "groups:write", "im:write", "mpim:write"},
	"conversations.archive":        {"channels:manage", "groups:write", "im:write", "mpim:write"},
	"conversations.history":        {"channels:history", "groups:history", "im:history", "mpim:history"},
	"conversations.replies":        {"channels:history", "groups:history", "im:history", "mpim:history"},
	"users.info":                   {"users:read"},
	"users.list":                   {"users:read"},
	"users.lookupByEmail":          {"users:read.email"},
	"usergroups.list":              {"usergroups:read"},
	"usergroups.users.list":        {"usergroups:read"},
	"usergroups.users.update":      {"usergroups:write"},
	"files.getUploadURLExternal":   {"files:write"},
	"files.completeUploadExternal": {"files:write"},
}

// MethodScopes lists the bot scopes any one of which allows method.
func MethodScopes(method string) []string { return slices.Clone(methodScopes[method]) }

// GrantScopes installs the app with these bot scopes (its manifest's
// oauth_config.scopes.bot): from then on a Web API call that none of them
// allows is refused with missing_scope, as Slack refuses it, with
// "needed" and "provided". Nil, the default, checks nothing.
func (s *Server) GrantScopes(scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = slices.Clone(scopes)
	if scopes == nil {
		s.scopes = nil
	}
}

// missingScopeLocked is Slack's answer to a call the granted scopes do
// not allow, or nil.
func (s *Server) missingScopeLocked(method string) map[string]any {
	need := methodScopes[method]
	if s.scopes == nil || len(need) == 0 {
		return nil
	}
	for _, sc := range need {
		if slices.Contains(s.scopes, sc) {
			return nil
		}
	}
	res := fail("missing_scope")
	res["needed"] = strings.Join(need, ",")
	res["provided"] = strings.Join(s.scopes, ",")
	return res
}
