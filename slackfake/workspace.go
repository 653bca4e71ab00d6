package slackfake

import (
	"slices"
)

// What a Slack client shows a member besides the messages: who is in the
// workspace, which channels and user groups exist, and where each member's
// conversation with the app is. The `ritualbot demo` web page draws its
// sidebar and mentions from these.

// BotUserID is the app's bot user (Options.BotUserID).
func (s *Server) BotUserID() string { return s.opts.BotUserID }

// TeamID is the workspace's ID (Options.TeamID).
func (s *Server) TeamID() string { return s.opts.TeamID }

// Users returns every member, the bot user and Slackbot included, in the
// order they were added (users.list's order).
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, *s.users[id])
	}
	return out
}

// User returns a member by ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Channels returns the channels, public and private, in the order they
// were added; DMs are not channels here (see DMChannel).
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.chanOrder))
	for _, id := range s.chanOrder {
		c := s.channels[id].Channel
		c.Members = slices.Clone(c.Members)
		out = append(out, c)
	}
	return out
}

// DMChannel returns the ID of the app's DM with a member, once it exists
// (the app posted to the member, or the member used the app's Messages
// tab or a slash command there).
func (s *Server) DMChannel(userID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.dmByUser[userID]
	return id, ok
}

// OpenDM opens the app's DM with a member, as the member does by opening
// the app's Messages tab, and returns its ID.
func (s *Server) OpenDM(userID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok || u.IsBot || u.Deleted {
		return "", false
	}
	_, existed := s.dmByUser[userID]
	id := s.dmLocked(userID).ID
	if !existed {
		s.notifyLocked()
	}
	return id, true
}

// UserGroups returns the user groups in the order they were added.
func (s *Server) UserGroups() []UserGroup {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]UserGroup, 0, len(s.groupOrder))
	for _, id := range s.groupOrder {
		g := *s.groups[id]
		g.Users = slices.Clone(g.Users)
		out = append(out, g)
	}
	return out
}

// File returns a completed upload by ID.
func (s *Server) File(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.uploads[id]
	if !ok || !u.completed {
		return File{}, false
	}
	return File{
		ID: u.id, Title: u.title, Filename: u.filename, Bytes: slices.Clone(u.data),
		Channels: slices.Clone(u.channels), InitialComment: u.comment, ThreadTS: u.threadTS,
	}, true
}
