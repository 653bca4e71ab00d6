package slackfake

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// AddReaction is a member reacting to a message with an emoji (name
// without colons, e.g. "pushpin"). The reaction shows on the message and,
// when the app is in the conversation, a reaction_added event is delivered
// as Slack sends it: {type, user, reaction, item_user, item: {type:
// "message", channel, ts}, event_ts}. Reacting twice with the same emoji
// is refused (already_reacted), as reactions.add refuses it.
func (s *Server) AddReaction(ctx context.Context, userID, channelID, ts, name string) (Reply, error) {
	return s.react(ctx, userID, channelID, ts, name, true)
}

// RemoveReaction is a member taking back a reaction; the app gets a
// reaction_removed event shaped like reaction_added.
func (s *Server) RemoveReaction(ctx context.Context, userID, channelID, ts, name string) (Reply, error) {
	return s.react(ctx, userID, channelID, ts, name, false)
}

func (s *Server) react(ctx context.Context, userID, channelID, ts, name string, add bool) (Reply, error) {
	name = strings.Trim(name, ":")
	if name == "" || strings.ContainsAny(name, ": ") {
		return Reply{}, fmt.Errorf("slackfake: invalid_name: %q is not an emoji name", name)
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
		return Reply{}, fmt.Errorf("slackfake: message_not_found: no message %s in %s", ts, ch.ID)
	}
	i := slices.IndexFunc(m.reactions, func(r reaction) bool { return r.name == name })
	switch {
	case add && i >= 0 && slices.Contains(m.reactions[i].users, u.ID):
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: already_reacted: %s already reacted with :%s:", u.ID, name)
	case add && i >= 0:
		m.reactions[i].users = append(m.reactions[i].users, u.ID)
	case add:
		m.reactions = append(m.reactions, reaction{name: name, users: []string{u.ID}})
	case i < 0 || !slices.Contains(m.reactions[i].users, u.ID):
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: no_reaction: %s has not reacted with :%s:", u.ID, name)
	default:
		m.reactions[i].users = slices.DeleteFunc(m.reactions[i].users, func(x string) bool { return x == u.ID })
		if len(m.reactions[i].users) == 0 {
			m.reactions = slices.Delete(m.reactions, i, i+1)
		}
	}
	s.notifyLocked()
	evTS, us := s.nextTSLocked()
	typ := "reaction_removed"
	if add {
		typ = "reaction_added"
	}
	ev := map[string]any{
		"type": typ, "user": u.ID, "reaction": name, "item_user": m.user,
		"item":     map[string]any{"type": "message", "channel": ch.ID, "ts": m.ts},
		"event_ts": evTS,
	}
	member := ch.isIM || ch.hasMember(s.opts.BotUserID)
	s.mu.Unlock()
	if !member {
		return Reply{}, nil
	}
	return s.deliverEvent(ctx, ev, us/1e6)
}
