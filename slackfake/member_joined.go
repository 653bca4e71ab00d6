package slackfake

import (
	"context"
	"fmt"
	"slices"
)

// JoinChannel is a member joining a channel (on their own, or invited by
// inviter, "" if none): they become a member and, if the bot is in the
// channel, the bot gets member_joined_channel as Slack sends it
// (api.slack.com/events/member_joined_channel): user, channel,
// channel_type "C" (public) or "G" (private), team, and inviter when
// someone invited them. Slack sends the event only to apps in the channel
// and only with channels:read (public) or groups:read (private).
func (s *Server) JoinChannel(ctx context.Context, userID, channelID, inviter string) (Reply, error) {
	s.mu.Lock()
	u, ok := s.users[userID]
	ch := s.channelLocked(channelID)
	var err error
	switch {
	case !ok || u.Deleted:
		err = fmt.Errorf("slackfake: no active user %q", userID)
	case ch == nil:
		err = fmt.Errorf("slackfake: no channel %q", channelID)
	case ch.isIM:
		err = fmt.Errorf("slackfake: %s is a DM, which nobody joins", channelID)
	}
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	if ch.hasMember(u.ID) {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: %s is in %s already", userID, channelID)
	}
	ch.Members = append(ch.Members, u.ID)
	typ, scope := "C", "channels:read"
	if ch.IsPrivate {
		typ, scope = "G", "groups:read"
	}
	ts, us := s.nextTSLocked()
	ev := map[string]any{"type": "member_joined_channel", "user": u.ID, "channel": ch.ID, "channel_type": typ, "team": s.opts.TeamID, "event_ts": ts}
	if inviter != "" {
		ev["inviter"] = inviter
	}
	deliver := ch.hasMember(s.opts.BotUserID) && s.grantedLocked(scope)
	s.notifyLocked()
	s.mu.Unlock()
	if !deliver {
		return Reply{}, nil
	}
	return s.deliverEvent(ctx, ev, us/1e6)
}

// grantedLocked reports whether the app holds scope (nil scopes: the
// fake checks none).
func (s *Server) grantedLocked(scope string) bool {
	return s.scopes == nil || slices.Contains(s.scopes, scope)
}
