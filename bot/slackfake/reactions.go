package slackfake

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// AddReaction is a member reacting to a message with an emoji (name
// without colons, e.g. "pushpin"). The reaction is stored on the message
// (reactions show in conversations.history/replies) and, when the bot is
// in the conversation, delivered as a reaction_added event in Slack's
// shape: user, reaction, item_user, item {type, channel, ts}, event_ts.
// Like Slack, the event does not say which thread the message is in.
func (s *Server) AddReaction(ctx context.Context, userID, channelID, ts, name string) (Reply, error) {
	if name == "" || strings.ContainsAny(name, ": ") {
		return Reply{}, fmt.Errorf("slackfake: reaction %q: give the emoji name without colons", name)
	}
	s.mu.Lock()
	u, ch, err := s.actorLocked(userID, channelID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	m, _ := s.findMessageLocked(ch.ID, ts)
	if m == nil {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: no message %s in %s", ts, ch.ID)
	}
	added := false
	for i, r := range m.reactions {
		if r.name == name {
			if slices.Contains(r.users, u.ID) {
				s.mu.Unlock()
				return Reply{}, fmt.Errorf("slackfake: %s already reacted :%s: to %s (already_reacted)", u.ID, name, ts)
			}
			m.reactions[i].users = append(m.reactions[i].users, u.ID)
			added = true
		}
	}
	if !added {
		m.reactions = append(m.reactions, reaction{name: name, users: []string{u.ID}})
	}
	eventTS, us := s.nextTSLocked()
	ev := map[string]any{
		"type": "reaction_added", "user": u.ID, "reaction": name, "item_user": m.user,
		"item":     map[string]any{"type": "message", "channel": ch.ID, "ts": m.ts},
		"event_ts": eventTS,
	}
	member := ch.isIM || ch.hasMember(s.opts.BotUserID)
	s.notifyLocked()
	s.mu.Unlock()
	if !member {
		return Reply{}, nil
	}
	return s.deliverEvent(ctx, ev, us/1e6)
}
