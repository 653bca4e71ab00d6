package slackfake

import (
	"encoding/json"
	"slices"
	"strings"
)

// resolvePostTargetLocked finds where chat.postMessage posts: a channel
// ID, a DM ID, a user ID (the bot's DM with that user, opened if needed),
// or a channel name with or without "#".
func (s *Server) resolvePostTargetLocked(ch string) (*channel, string) {
	if ch == "" {
		return nil, "channel_not_found"
	}
	if ch[0] == 'U' || ch[0] == 'W' {
		u, ok := s.users[ch]
		switch {
		case !ok:
			return nil, "channel_not_found"
		case u.ID == s.opts.BotUserID || u.IsBot:
			return nil, "cannot_dm_bot"
		case u.Deleted:
			// A DM with a deactivated member is read-only. (Exact code
			// unverified.)
			return nil, "is_archived"
		}
		return s.dmLocked(ch), ""
	}
	c := s.channelLocked(ch)
	if c == nil {
		return nil, "channel_not_found"
	}
	if c.Archived {
		return nil, "is_archived"
	}
	return c, ""
}

// channelLocked finds a conversation the bot can see, by ID or name.
func (s *Server) channelLocked(ref string) *channel {
	c, ok := s.channels[ref]
	if !ok {
		name := strings.TrimPrefix(ref, "#")
		for _, id := range s.chanOrder {
			if s.channels[id].Name == name {
				c, ok = s.channels[id], true
				break
			}
		}
	}
	if !ok || (c.IsPrivate && !c.hasMember(s.opts.BotUserID)) {
		return nil
	}
	return c
}

func (s *Server) messageJSONLocked(m *message) map[string]any {
	out := map[string]any{"type": "message", "text": m.text, "ts": m.ts, "team": s.opts.TeamID, "user": m.user}
	if m.bot {
		out["bot_id"] = s.botID()
		out["app_id"] = s.opts.AppID
		out["bot_profile"] = map[string]any{
			"id": s.botID(), "deleted": false, "name": s.botName(), "updated": 1600000000,
			"app_id": s.opts.AppID, "icons": map[string]any{}, "team_id": s.opts.TeamID,
		}
	}
	if m.blocks != nil {
		out["blocks"] = m.blocks
	}
	if m.threadTS != "" {
		out["thread_ts"] = m.threadTS
		if parent, _ := s.findMessageLocked(m.channel, m.threadTS); parent != nil {
			out["parent_user_id"] = parent.user
		}
	} else if replies := s.repliesLocked(m.channel, m.ts); len(replies) > 0 {
		var users []string
		for _, r := range replies {
			if !slices.Contains(users, r.user) {
				users = append(users, r.user)
			}
		}
		out["thread_ts"] = m.ts
		out["reply_count"] = len(replies)
		out["reply_users_count"] = len(users)
		out["reply_users"] = users
		out["latest_reply"] = replies[len(replies)-1].ts
		out["is_locked"] = false
		out["subscribed"] = false
	}
	if m.edited {
		out["edited"] = map[string]any{"user": m.user, "ts": m.editedTS}
	}
	if len(m.reactions) > 0 {
		var rs []map[string]any
		for _, r := range m.reactions {
			rs = append(rs, map[string]any{"name": r.name, "users": r.users, "count": len(r.users)})
		}
		out["reactions"] = rs
	}
	if len(m.files) > 0 {
		var fs []map[string]any
		for _, id := range m.files {
			if u, ok := s.uploads[id]; ok {
				fs = append(fs, map[string]any{"id": u.id, "name": u.filename, "title": u.title, "size": len(u.data)})
			}
		}
		out["files"] = fs
		out["upload"] = true
	}
	return out
}

func (s *Server) repliesLocked(channelID, parentTS string) []*message {
	var out []*message
	for _, m := range s.msgs[channelID] {
		if m.threadTS == parentTS && m.ts != parentTS {
			out = append(out, m)
		}
	}
	return out
}

// threadFor resolves a thread_ts argument: a reply's ts threads to its
// parent; an unknown ts posts un-threaded, as Slack does when the parent
// has been deleted.
func (s *Server) threadForLocked(channelID, threadTS string) string {
	if threadTS == "" {
		return ""
	}
	parent, _ := s.findMessageLocked(channelID, threadTS)
	if parent == nil {
		return ""
	}
	if parent.threadTS != "" {
		return parent.threadTS
	}
	return parent.ts
}

func (s *Server) apiPostMessage(p params) map[string]any {
	c, code := s.resolvePostTargetLocked(p.get("channel"))
	if code != "" {
		return fail(code)
	}
	text, blocks := p.get("text"), p.raw("blocks")
	if code, problems := validateMessageContent(text, blocks, p.has("attachments")); code != "" {
		return failProblems(code, problems)
	}
	metadata, code := parseMetadata(p)
	if code != "" {
		return fail(code)
	}
	m := s.postLocked(c.ID, s.opts.BotUserID, true, text, blocks, s.threadForLocked(c.ID, p.get("thread_ts")))
	m.metadata = metadata
	return map[string]any{"channel": c.ID, "ts": m.ts, "message": withMetadata(s.messageJSONLocked(m), m, true)}
}

func (s *Server) postLocked(channelID, user string, bot bool, text string, blocks json.RawMessage, threadTS string) *message {
	ts, us := s.nextTSLocked()
	m := &message{channel: channelID, ts: ts, tsMicros: us, threadTS: threadTS, user: user, bot: bot, text: text, blocks: blocks}
	s.storeMessageLocked(m)
	return m
}

// ownMessageLocked finds a message for chat.update and chat.delete.
func (s *Server) ownMessageLocked(p params, denied string) (*channel, *message, int, string) {
	c := s.channelLocked(p.get("channel"))
	if c == nil {
		return nil, nil, -1, "channel_not_found"
	}
	m, i := s.findMessageLocked(c.ID, p.get("ts"))
	if m == nil {
		return nil, nil, -1, "message_not_found"
	}
	if !m.bot {
		return nil, nil, -1, denied
	}
	return c, m, i, ""
}

func (s *Server) apiUpdate(p params) map[string]any {
	c, m, _, code := s.ownMessageLocked(p, "cant_update_message")
	if code != "" {
		return fail(code)
	}
	if !p.has("text") && !p.has("blocks") && !p.has("attachments") {
		return fail("no_text")
	}
	text, blocks := m.text, m.blocks
	if p.has("text") {
		text = p.get("text")
	}
	if p.has("blocks") {
		// An empty array removes the blocks; leaving the argument out
		// keeps them.
		blocks = p.raw("blocks")
	}
	if code, problems := validateMessageContent(text, blocks, p.has("attachments")); code != "" {
		return failProblems(code, problems)
	}
	metadata, code := parseMetadata(p)
	if code != "" {
		return fail(code)
	}
	if metadata != nil {
		m.metadata = metadata // leaving the argument out keeps it
	}
	m.text, m.blocks = text, blocks
	s.noteFormattingLocked(text, blocks)
	m.edited = true
	m.editCount++
	m.editedTS, _ = s.nextTSLocked()
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": m.ts, "text": m.text, "message": s.messageJSONLocked(m)}
}

func (s *Server) apiDelete(p params) map[string]any {
	c, m, i, code := s.ownMessageLocked(p, "cant_delete_message")
	if code != "" {
		return fail(code)
	}
	s.msgs[c.ID] = slices.Delete(s.msgs[c.ID], i, i+1)
	s.notifyLocked()
	return map[string]any{"channel": c.ID, "ts": m.ts}
}

func (s *Server) apiPostEphemeral(p params) map[string]any {
	c := s.channelLocked(p.get("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	uid := p.get("user")
	u, ok := s.users[uid]
	if !ok {
		return fail("user_not_found")
	}
	if !c.hasMember(u.ID) {
		return fail("user_not_in_channel")
	}
	text, blocks := p.get("text"), p.raw("blocks")
	if code, problems := validateMessageContent(text, blocks, p.has("attachments")); code != "" {
		return failProblems(code, problems)
	}
	m := s.ephemeralLocked(u.ID, c.ID, text, blocks, p.get("thread_ts"))
	return map[string]any{"message_ts": m.ts}
}

func (s *Server) ephemeralLocked(userID, channelID, text string, blocks json.RawMessage, threadTS string) *message {
	ts, us := s.nextTSLocked()
	m := &message{channel: channelID, ts: ts, tsMicros: us, threadTS: threadTS, user: s.opts.BotUserID,
		bot: true, text: text, blocks: blocks, ephemeral: true}
	s.noteFormattingLocked(text, blocks)
	s.ephemerals[userID] = append(s.ephemerals[userID], m)
	s.notifyLocked()
	return m
}

// apiGetPermalink answers as Slack documents
// (https://api.slack.com/methods/chat.getPermalink):
// {"ok":true,"channel":"C…","permalink":"https://…/archives/C…/p<ts without the dot>"}.
func (s *Server) apiGetPermalink(p params) map[string]any {
	c := s.channelLocked(p.get("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	m, _ := s.findMessageLocked(c.ID, p.get("message_ts"))
	if m == nil {
		return fail("message_not_found")
	}
	link := s.baseURL() + "/archives/" + c.ID + "/p" + strings.ReplaceAll(m.ts, ".", "")
	if m.threadTS != "" {
		link += "?thread_ts=" + m.threadTS + "&cid=" + c.ID
	}
	return map[string]any{"channel": c.ID, "permalink": link}
}

func (s *Server) apiReactionsAdd(p params) map[string]any {
	c := s.channelLocked(p.get("channel"))
	if c == nil {
		return fail("channel_not_found")
	}
	m, _ := s.findMessageLocked(c.ID, p.get("timestamp"))
	if m == nil {
		return fail("message_not_found")
	}
	name := p.get("name")
	if name == "" || strings.ContainsAny(name, ": ") {
		return fail("invalid_name")
	}
	bot := s.opts.BotUserID
	for i, r := range m.reactions {
		if r.name == name {
			if slices.Contains(r.users, bot) {
				return fail("already_reacted")
			}
			m.reactions[i].users = append(m.reactions[i].users, bot)
			s.notifyLocked()
			return map[string]any{}
		}
	}
	m.reactions = append(m.reactions, reaction{name: name, users: []string{bot}})
	s.notifyLocked()
	return map[string]any{}
}
