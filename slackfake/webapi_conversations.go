package slackfake

import (
	"slices"
	"strings"
	"unicode/utf8"
)

func (s *Server) channelJSONLocked(c *channel) map[string]any {
	if c.isIM {
		u := s.users[c.imUser]
		return map[string]any{
			"id": c.ID, "created": c.created, "is_archived": false, "is_im": true, "is_org_shared": false,
			"context_team_id": s.opts.TeamID, "updated": c.created * 1000, "user": c.imUser,
			"is_user_deleted": u != nil && u.Deleted, "priority": 0,
		}
	}
	// Private channels made before 2021 have G IDs and report is_group.
	legacyGroup := c.IsPrivate && strings.HasPrefix(c.ID, "G")
	return map[string]any{
		"id": c.ID, "name": c.Name, "is_channel": !legacyGroup, "is_group": legacyGroup,
		"is_im": false, "is_mpim": false, "is_private": c.IsPrivate, "created": c.created,
		"is_archived": c.Archived, "is_general": c.Name == "general", "unlinked": 0,
		"name_normalized": c.Name, "is_shared": false, "is_org_shared": false,
		"is_ext_shared": false, "is_pending_ext_shared": false, "pending_shared": []string{},
		"context_team_id": s.opts.TeamID, "updated": c.created * 1000, "parent_conversation": nil,
		"creator": c.creator, "is_member": c.hasMember(s.opts.BotUserID),
		"topic":          map[string]any{"value": c.Topic, "creator": c.topicBy, "last_set": c.topicSetAt},
		"purpose":        map[string]any{"value": "", "creator": "", "last_set": 0},
		"previous_names": []string{}, "num_members": len(c.Members),
		"shared_team_ids": []string{s.opts.TeamID},
	}
}

func (s *Server) apiConversationsOpen(p params) map[string]any {
	if id := p.get("channel"); id != "" {
		c, ok := s.channels[id]
		if !ok || !c.isIM {
			return fail("channel_not_found")
		}
		return map[string]any{"channel": map[string]any{"id": c.ID}, "no_op": true, "already_open": true}
	}
	var users []string
	for _, u := range strings.Split(p.get("users"), ",") {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(users, u) {
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return fail("users_list_not_supplied")
	case len(users) > 8:
		return fail("too_many_users")
	case len(users) > 1:
		// Multi-person DMs are not modelled.
		return fail("fake_does_not_support_mpim")
	}
	u, ok := s.users[users[0]]
	switch {
	case !ok:
		return fail("user_not_found")
	case u.ID == s.opts.BotUserID || u.IsBot:
		return fail("cannot_dm_bot")
	case u.Deleted:
		return fail("user_disabled")
	}
	_, already := s.dmByUser[u.ID]
	c := s.dmLocked(u.ID)
	s.notifyLocked()
	ch := map[string]any{"id": c.ID}
	if p.bool("return_im") {
		ch = s.channelJSONLocked(c)
	}
	out := map[string]any{"channel": ch}
	if already {
		out["no_op"] = true
		out["already_open"] = true
	}
	return out
}

func (s *Server) apiConversationsList(p params) map[string]any {
	types := p.get("types")
	if types == "" {
		types = "public_channel"
	}
	want := map[string]bool{}
	for _, t := range strings.Split(types, ",") {
		want[strings.TrimSpace(t)] = true
	}
	var list []*channel
	for _, id := range s.chanOrder {
		c := s.channels[id]
		switch {
		case !c.IsPrivate && want["public_channel"]:
			list = append(list, c)
		case c.IsPrivate && want["private_channel"] && c.hasMember(s.opts.BotUserID):
			list = append(list, c)
		}
	}
	if want["im"] {
		for _, uid := range s.userOrder {
			if id, ok := s.dmByUser[uid]; ok {
				list = append(list, s.channels[id])
			}
		}
	}
	// "limit ... Must be an integer under 1000" (api.slack.com/methods/
	// conversations.list); Slack answers invalid_limit otherwise.
	if p.int("limit", 100) >= 1000 {
		return fail("invalid_limit")
	}
	from, to, next, ok := pageOf(p, "conversations", 100, 999, len(list))
	if !ok {
		return fail("invalid_cursor")
	}
	out := []map[string]any{}
	for _, c := range list[from:to] {
		out = append(out, s.channelJSONLocked(c))
	}
	return map[string]any{"channels": out, "response_metadata": map[string]any{"next_cursor": next}}
}

func (s *Server) apiConversationsInfo(p params) map[string]any {
	c := s.channelLocked(p.get("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	return map[string]any{"channel": s.channelJSONLocked(c)}
}

// readableLocked finds a conversation whose messages the bot may read:
// the bot must be in it.
func (s *Server) readableLocked(ref string) (*channel, string) {
	c := s.channelLocked(ref)
	if c == nil {
		return nil, "channel_not_found"
	}
	if !c.hasMember(s.opts.BotUserID) {
		return nil, "not_in_channel"
	}
	return c, ""
}

func (s *Server) apiSetTopic(p params) map[string]any {
	c, code := s.readableLocked(p.get("channel"))
	if code != "" {
		return fail(code)
	}
	if c.isIM {
		return fail("method_not_supported_for_channel_type")
	}
	topic := p.get("topic")
	if utf8.RuneCountInString(topic) > 250 {
		return fail("too_long")
	}
	c.Topic = topic
	c.topicBy = s.opts.BotUserID
	c.topicSetAt = s.opts.Now().Unix()
	s.notifyLocked()
	return map[string]any{"channel": s.channelJSONLocked(c)}
}

func (s *Server) apiHistory(p params) map[string]any {
	c, code := s.readableLocked(p.get("channel"))
	if code != "" {
		return fail(code)
	}
	latest, oldest := int64(1<<62), int64(0)
	if v := p.get("latest"); v != "" {
		if t, ok := parseTS(v); ok {
			latest = t
		}
	}
	if v := p.get("oldest"); v != "" {
		if t, ok := parseTS(v); ok {
			oldest = t
		}
	}
	inclusive := p.bool("inclusive")
	var list []*message
	all := s.msgs[c.ID]
	for i := len(all) - 1; i >= 0; i-- {
		m := all[i]
		if m.threadTS != "" {
			continue
		}
		if m.tsMicros > latest || m.tsMicros < oldest {
			continue
		}
		if !inclusive && (m.tsMicros == latest || m.tsMicros == oldest) {
			continue
		}
		list = append(list, m)
	}
	from, to, next, ok := pageOf(p, "history", 100, 999, len(list))
	if !ok {
		return fail("invalid_cursor")
	}
	msgs := []map[string]any{}
	for _, m := range list[from:to] {
		msgs = append(msgs, withMetadata(s.messageJSONLocked(m), m, p.bool("include_all_metadata")))
	}
	out := map[string]any{"messages": msgs, "has_more": next != "", "pin_count": 0,
		"channel_actions_ts": nil, "channel_actions_count": 0}
	if next != "" {
		out["response_metadata"] = map[string]any{"next_cursor": next}
	}
	return out
}

func (s *Server) apiReplies(p params) map[string]any {
	c, code := s.readableLocked(p.get("channel"))
	if code != "" {
		return fail(code)
	}
	m, _ := s.findMessageLocked(c.ID, p.get("ts"))
	if m == nil {
		return fail("thread_not_found")
	}
	parent := m
	if m.threadTS != "" {
		if pm, _ := s.findMessageLocked(c.ID, m.threadTS); pm != nil {
			parent = pm
		}
	}
	list := append([]*message{parent}, s.repliesLocked(c.ID, parent.ts)...)
	from, to, next, ok := pageOf(p, "replies", 1000, 1000, len(list))
	if !ok {
		return fail("invalid_cursor")
	}
	msgs := []map[string]any{}
	for _, m := range list[from:to] {
		msgs = append(msgs, withMetadata(s.messageJSONLocked(m), m, p.bool("include_all_metadata")))
	}
	out := map[string]any{"messages": msgs, "has_more": next != ""}
	if next != "" {
		out["response_metadata"] = map[string]any{"next_cursor": next}
	}
	return out
}

func (s *Server) apiMembers(p params) map[string]any {
	c := s.channelLocked(p.get("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	from, to, next, ok := pageOf(p, "members", 100, 1000, len(c.Members))
	if !ok {
		return fail("invalid_cursor")
	}
	return map[string]any{"members": append([]string{}, c.Members[from:to]...), "response_metadata": map[string]any{"next_cursor": next}}
}
