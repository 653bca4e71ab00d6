package slackfake

import (
	"slices"
	"strings"
)

func (s *Server) userJSONLocked(u *User) map[string]any {
	tz, label, offset := s.userTZ(u)
	first, last, _ := strings.Cut(u.RealName, " ")
	profile := map[string]any{
		"title": "", "phone": "", "skype": "",
		"real_name": u.RealName, "real_name_normalized": u.RealName,
		"display_name": u.Name, "display_name_normalized": u.Name,
		"first_name": first, "last_name": last,
		"status_text": u.StatusText, "status_emoji": u.StatusEmoji, "status_expiration": 0,
		"avatar_hash": "g" + strings.ToLower(u.ID), "team": s.opts.TeamID,
	}
	if !u.IsBot {
		profile["email"] = u.Email
	}
	if u.ID == s.opts.BotUserID {
		profile["bot_id"] = s.botID()
		profile["api_app_id"] = s.opts.AppID
		profile["always_active"] = true
	}
	return map[string]any{
		"id": u.ID, "team_id": s.opts.TeamID, "name": legacyUsername(u), "deleted": u.Deleted,
		"color": "9f69e7", "real_name": u.RealName, "tz": tz, "tz_label": label, "tz_offset": offset,
		"profile": profile, "is_admin": false, "is_owner": false, "is_primary_owner": false,
		"is_restricted": false, "is_ultra_restricted": false, "is_bot": u.IsBot,
		"is_app_user": false, "updated": 1600000000, "is_email_confirmed": !u.IsBot,
		"who_can_share_contact_card": "EVERYONE",
	}
}

// legacyUsername is a member's "name" as users.list sends it: the
// username Slack deprecated in 2017 in favour of display names, which in
// real workspaces differs from what people see (api.slack.com/changelog/
// 2017-09-the-one-about-usernames; slackapi/java-slack-sdk
// json-logs/samples/api/users.list.json has "name" and
// "profile.display_name" apart).
func legacyUsername(u *User) string {
	switch {
	case u.Username != "":
		return u.Username
	case u.IsBot || u.ID == "USLACKBOT":
		return u.Name
	case u.Email != "":
		local, _, _ := strings.Cut(u.Email, "@")
		return local
	}
	return strings.ToLower(u.ID)
}

func (s *Server) apiUsersInfo(p params) map[string]any {
	u, ok := s.users[p.get("user")]
	if !ok {
		return fail("user_not_found")
	}
	return map[string]any{"user": s.userJSONLocked(u)}
}

func (s *Server) apiUsersList(p params) map[string]any {
	// Without a limit Slack returns everyone it can in one page.
	limit := min(p.int("limit", 0), 1000)
	from, to, next, ok := page("users", p.get("cursor"), limit, len(s.userOrder))
	if !ok {
		return fail("invalid_cursor")
	}
	members := []map[string]any{}
	for _, id := range s.userOrder[from:to] {
		members = append(members, s.userJSONLocked(s.users[id]))
	}
	return map[string]any{"members": members, "cache_ts": s.opts.Now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next}}
}

func (s *Server) apiLookupByEmail(p params) map[string]any {
	email := strings.TrimSpace(p.get("email"))
	if email != "" {
		for _, id := range s.userOrder {
			u := s.users[id]
			if !u.IsBot && strings.EqualFold(u.Email, email) {
				return map[string]any{"user": s.userJSONLocked(u)}
			}
		}
	}
	return fail("users_not_found")
}

func (s *Server) userGroupJSONLocked(g *UserGroup, includeUsers bool) map[string]any {
	out := map[string]any{
		"id": g.ID, "team_id": s.opts.TeamID, "is_usergroup": true, "is_subteam": true,
		"name": g.Name, "description": "", "handle": g.Handle, "is_external": false,
		"date_create": 1600000000, "date_update": 1600000000, "date_delete": 0,
		"auto_type": nil, "auto_provision": false, "enterprise_subteam_id": "",
		"created_by": s.opts.BotUserID, "updated_by": s.opts.BotUserID, "deleted_by": nil,
		"prefs":      map[string]any{"channels": []string{}, "groups": []string{}},
		"user_count": len(g.Users),
	}
	if includeUsers {
		out["users"] = append([]string{}, g.Users...)
	}
	return out
}

func (s *Server) apiUserGroupsList(p params) map[string]any {
	out := []map[string]any{}
	for _, id := range s.groupOrder {
		out = append(out, s.userGroupJSONLocked(s.groups[id], p.bool("include_users")))
	}
	return map[string]any{"usergroups": out}
}

func (s *Server) apiUserGroupUsersList(p params) map[string]any {
	g, ok := s.groups[p.get("usergroup")]
	if !ok {
		return fail("no_such_subteam")
	}
	return map[string]any{"users": append([]string{}, g.Users...)}
}

// apiUserGroupUsersUpdate replaces the whole membership with `users`.
func (s *Server) apiUserGroupUsersUpdate(p params) map[string]any {
	g, ok := s.groups[p.get("usergroup")]
	if !ok {
		return fail("no_such_subteam")
	}
	var users []string
	for _, id := range strings.Split(p.get("users"), ",") {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(users, id) {
			continue
		}
		u, ok := s.users[id]
		if !ok || u.Deleted || u.IsBot {
			return fail("invalid_users")
		}
		users = append(users, id)
	}
	if len(users) == 0 {
		return fail("no_users_provided")
	}
	before := slices.Clone(g.Users)
	if ev, us := s.setGroupMembersLocked(g, users); !slices.Equal(before, users) {
		// Slack tells subscribed apps of every change, the app's own
		// included (api.slack.com/events/subteam_members_changed), once
		// the call has answered. Tests wait on EventsSent.
		s.then = append(s.then, func() { _, _ = s.deliverEvent(s.base, ev, us/1e6) })
	}
	return map[string]any{"usergroup": s.userGroupJSONLocked(g, true)}
}
