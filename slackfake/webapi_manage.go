package slackfake

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Channel management: conversations.create, conversations.invite and
// conversations.archive, with the arguments, errors and response shapes
// Slack documents:
//   https://docs.slack.dev/reference/methods/conversations.create/
//   https://docs.slack.dev/reference/methods/conversations.invite/
//   https://docs.slack.dev/reference/methods/conversations.archive/
// A bot token needs channels:manage for public channels and groups:write
// for private ones; without it Slack answers missing_scope with the scope
// `needed` and the scopes `provided`. A workspace may forbid apps to
// create channels (restricted_action).

// botScopes are the scopes the fake's bot token has unless withheld.
var botScopes = []string{
	"app_mentions:read", "channels:history", "channels:manage", "channels:read", "chat:write", "chat:write.public",
	"commands", "files:write", "groups:history", "groups:read", "groups:write", "im:history", "im:write",
	"reactions:read", "usergroups:read", "usergroups:write", "users:read", "users:read.email",
}

// WithholdScope makes the bot token lack scope (or have it again), as an
// app installed without it.
func (s *Server) WithholdScope(scope string, withheld bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.withheld == nil {
		s.withheld = map[string]bool{}
	}
	s.withheld[scope] = withheld
}

// RestrictChannelCreation makes the workspace forbid apps to create
// channels (conversations.create answers restricted_action).
func (s *Server) RestrictChannelCreation(restricted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restrictCreate = restricted
}

// needScopeLocked answers missing_scope when the token lacks scope.
func (s *Server) needScopeLocked(scope string) map[string]any {
	if !s.withheld[scope] {
		return nil
	}
	var provided []string
	for _, sc := range botScopes {
		if !s.withheld[sc] {
			provided = append(provided, sc)
		}
	}
	sort.Strings(provided)
	out := fail("missing_scope")
	out["needed"] = scope
	out["provided"] = strings.Join(provided, ",")
	return out
}

func manageScope(private bool) string {
	if private {
		return "groups:write"
	}
	return "channels:manage"
}

// managedChannelLocked is the channel a conversations.* management call
// names, once the token has the scope to manage it; else the failure.
func (s *Server) managedChannelLocked(p params) (*channel, map[string]any) {
	c := s.channelLocked(p.get("channel"))
	if c == nil || c.isIM {
		return nil, fail("channel_not_found")
	}
	if f := s.needScopeLocked(manageScope(c.IsPrivate)); f != nil {
		return nil, f
	}
	return c, nil
}

// Slack's rule for names: lower-case letters, digits, hyphens and
// underscores, at most 80 characters.
var (
	channelNameOK        = regexp.MustCompile(`^[a-z0-9_-]+$`)
	channelNamePunctOnly = regexp.MustCompile(`^[_-]+$`)
)

func (s *Server) apiConversationsCreate(p params) map[string]any {
	private := p.bool("is_private")
	if f := s.needScopeLocked(manageScope(private)); f != nil {
		return f
	}
	if s.restrictCreate {
		return fail("restricted_action")
	}
	name := p.get("name")
	switch {
	case name == "":
		return fail("invalid_name_required")
	case utf8.RuneCountInString(name) > 80:
		return fail("invalid_name_maxlength")
	case channelNamePunctOnly.MatchString(name):
		return fail("invalid_name_punctuation")
	case !channelNameOK.MatchString(name):
		return fail("invalid_name_specials")
	}
	for _, id := range s.chanOrder {
		if s.channels[id].Name == name {
			return fail("name_taken") // archived channels keep their names
		}
	}
	s.seq++
	id := fmt.Sprintf("C0NEW%05d", s.seq)
	if private {
		id = fmt.Sprintf("C0PRV%05d", s.seq)
	}
	c := &channel{Channel: Channel{ID: id, Name: name, IsPrivate: private, Members: []string{s.opts.BotUserID}},
		created: s.opts.Now().Unix(), creator: s.opts.BotUserID}
	s.channels[id] = c
	s.chanOrder = append(s.chanOrder, id)
	s.notifyLocked()
	return map[string]any{"channel": s.channelJSONLocked(c)}
}

func (s *Server) apiConversationsInvite(p params) map[string]any {
	c, f := s.managedChannelLocked(p)
	if f != nil {
		return f
	}
	switch {
	case c.Archived:
		return fail("is_archived")
	case !c.hasMember(s.opts.BotUserID):
		return fail("not_in_channel")
	}
	var users []string
	for _, u := range strings.Split(p.get("users"), ",") {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return fail("no_user")
	}
	if len(users) > 1000 {
		return fail("too_many_users")
	}
	// Each user is checked; without force any failure fails the call and
	// invites nobody, with an `errors` entry per user that failed.
	var errs []map[string]any
	var ok []string
	for _, id := range users {
		code := ""
		u, found := s.users[id]
		switch {
		case id == s.opts.BotUserID:
			code = "cant_invite_self"
		case !found:
			code = "user_not_found"
		case u.Deleted:
			code = "user_is_inactive"
		case u.IsBot:
			code = "cant_invite"
		case c.hasMember(id):
			code = "already_in_channel"
		}
		if code != "" {
			errs = append(errs, map[string]any{"user": id, "ok": false, "error": code})
			continue
		}
		ok = append(ok, id)
	}
	if len(errs) > 0 && !p.bool("force") {
		out := fail(errs[0]["error"].(string))
		out["errors"] = errs
		return out
	}
	c.Members = append(c.Members, ok...)
	s.notifyLocked()
	out := map[string]any{"channel": s.channelJSONLocked(c)}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	return out
}

func (s *Server) apiConversationsArchive(p params) map[string]any {
	c, f := s.managedChannelLocked(p)
	if f != nil {
		return f
	}
	switch {
	case c.Archived:
		return fail("already_archived")
	case c.Name == "general":
		return fail("cant_archive_general")
	case !c.hasMember(s.opts.BotUserID):
		return fail("not_in_channel")
	}
	c.Archived = true
	s.notifyLocked()
	return map[string]any{}
}
