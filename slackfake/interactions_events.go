package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

// SendEvent delivers an Events API event (e.g. {"type":"app_home_opened",
// "user":"U1","tab":"home"}) wrapped in an event_callback with event_id,
// team_id, api_app_id, event_time and authorizations, and waits for the
// ack. event_ts is added when missing.
func (s *Server) SendEvent(ctx context.Context, event map[string]any) (Reply, error) {
	if t, _ := event["type"].(string); t == "" {
		return Reply{}, fmt.Errorf("slackfake: event needs a type")
	}
	ev := maps.Clone(event)
	s.mu.Lock()
	ts, us := s.nextTSLocked()
	s.mu.Unlock()
	if _, ok := ev["event_ts"]; !ok {
		ev["event_ts"] = ts
	}
	return s.deliverEvent(ctx, ev, us/1e6)
}

func (s *Server) deliverEvent(ctx context.Context, ev map[string]any, eventTime int64) (Reply, error) {
	typ, _ := ev["type"].(string)
	payload := map[string]any{
		"token": verificationToken, "team_id": s.opts.TeamID, "api_app_id": s.opts.AppID,
		"event": ev, "type": "event_callback", "event_id": "Ev" + strings.ToUpper(randomHex(5)),
		"event_time": eventTime,
		"authorizations": []any{map[string]any{"enterprise_id": nil, "team_id": s.opts.TeamID,
			"user_id": s.opts.BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + typ + "-" + s.opts.TeamID + "-" + randomHex(4),
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return Reply{}, err
	}
	r, err := s.deliver(ctx, delivery{
		kind: "events_api", payload: json.RawMessage(b), path: "/slack/events", body: b, contentType: "application/json",
	})
	s.mu.Lock()
	s.sent[typ]++
	s.notifyLocked()
	s.mu.Unlock()
	return r, err
}

// SendMessageEvent is a member posting a message: it is stored (so it
// shows in ChannelMessages/DMs) and, when the bot is in the conversation,
// delivered as a `message` event. channelID empty means the member's DM
// with the bot; threadTS makes it a reply.
func (s *Server) SendMessageEvent(ctx context.Context, userID, channelID, text, threadTS string) (Message, Reply, error) {
	s.mu.Lock()
	u, ch, err := s.actorLocked(userID, channelID)
	if err == nil && !ch.isIM && !ch.hasMember(u.ID) {
		err = fmt.Errorf("slackfake: %s is not in %s", userID, ch.ID)
	}
	if err != nil {
		s.mu.Unlock()
		return Message{}, Reply{}, err
	}
	thread := s.threadForLocked(ch.ID, threadTS)
	m := s.postLocked(ch.ID, u.ID, false, text, nil, thread)
	out := m.export()
	chType := "channel"
	switch {
	case ch.isIM:
		chType = "im"
	case ch.IsPrivate:
		chType = "group"
	}
	ev := map[string]any{
		"type": "message", "client_msg_id": newUUID(), "text": text, "user": u.ID, "ts": m.ts,
		"team": s.opts.TeamID, "channel": ch.ID, "event_ts": m.ts, "channel_type": chType,
	}
	if thread != "" {
		ev["thread_ts"] = thread
		if p, _ := s.findMessageLocked(ch.ID, thread); p != nil {
			ev["parent_user_id"] = p.user
		}
	}
	member := ch.hasMember(s.opts.BotUserID)
	mention := s.appMentionLocked(ch, m, nil)
	s.mu.Unlock()
	if !member {
		return out, Reply{}, nil
	}
	r, err := s.deliverEvent(ctx, ev, m.tsMicros/1e6)
	if err == nil && mention != nil {
		_, err = s.deliverEvent(ctx, mention, m.tsMicros/1e6)
	}
	return out, r, err
}

// VerifyURL sends Slack's url_verification challenge to the request URL's
// /slack/events, as Slack does when the URL is configured, and checks the
// app echoes it.
func (s *Server) VerifyURL(ctx context.Context) error {
	reqURL, err := s.requestURLSet()
	if err != nil {
		return err
	}
	challenge := randomHex(16)
	b, _ := json.Marshal(map[string]string{"token": verificationToken, "challenge": challenge, "type": "url_verification"})
	r, err := s.deliverHTTP(ctx, reqURL, delivery{path: "/slack/events", body: b, contentType: "application/json"})
	if err != nil {
		return err
	}
	var js struct {
		Challenge string `json:"challenge"`
	}
	if string(r.Ack) == challenge || (json.Unmarshal(r.Ack, &js) == nil && js.Challenge == challenge) {
		return nil
	}
	return fmt.Errorf("slackfake: url_verification answered %q, want the challenge %q", r.Ack, challenge)
}

// EditUserGroup is a member changing a user group's membership in Slack's
// UI: the group then holds exactly users, and the app gets the
// subteam_members_changed event (the delta, as Slack sends it), which it
// acknowledges. Slack sends the event to apps subscribed to it whoever
// changed the group; the fake sends it for edits made through here.
func (s *Server) EditUserGroup(ctx context.Context, userID, groupID string, users []string) (Reply, error) {
	s.mu.Lock()
	g, ok := s.groups[groupID]
	if _, known := s.users[userID]; !known {
		ok = false
	}
	if !ok {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: no user group %s or no user %s", groupID, userID)
	}
	ev, us := s.setGroupMembersLocked(g, users)
	s.mu.Unlock()
	return s.deliverEvent(ctx, ev, us/1e6)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
