package slackfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// User is a workspace member.
type User struct {
	// Name is the display name people see (profile.display_name).
	ID, Name, RealName, Email string
	// Username is the legacy username users.list sends as "name"
	// (deprecated since 2017, never what people see); default: the
	// e-mail's local part, else the lower-case ID, so a bot that shows it
	// is caught.
	Username string
	// TZ is an IANA zone name; empty means America/Los_Angeles, Slack's
	// default. TZOffset is seconds east of UTC; zero means "compute from TZ
	// at the fake's clock".
	TZ                      string
	TZOffset                int
	StatusText, StatusEmoji string
	IsBot, Deleted          bool
}

// Channel is a public or private channel. Members lists user IDs,
// the bot's included if it has been invited.
type Channel struct {
	ID, Name, Topic string
	IsPrivate       bool
	Members         []string
	// Archived: read-only, posts answer is_archived (webapi_manage.go).
	Archived bool
}

// UserGroup is a user group (a "subteam", mentioned as @handle).
type UserGroup struct {
	ID, Handle, Name string
	Users            []string
}

// Message is a message as a person sees it.
type Message struct {
	Channel   string // channel ID (C…) or DM channel ID (D…)
	TS        string
	ThreadTS  string // set on replies; empty on top-level messages
	User      string // poster (bot user ID for bot posts)
	Text      string
	Blocks    json.RawMessage // as posted (JSON array) or nil
	Edited    bool
	EditCount int
	Reactions map[string][]string // emoji name → user IDs
	Files     []string            // IDs of files shared with the message
	// Metadata is the message's metadata ({"event_type","event_payload"})
	// or nil.
	Metadata json.RawMessage
}

// View is an open modal.
type View struct {
	ID, RootViewID, PreviousViewID string
	CallbackID, PrivateMetadata    string
	ExternalID, Hash               string
	// Raw is the view as the app last sent it (views.open/push/update or a
	// response_action).
	Raw json.RawMessage
}

// File is a completed upload.
type File struct {
	ID, Title, Filename string
	// Filetype and Mimetype are what Slack reads from the content ("png",
	// "image/png"), whatever the name says.
	Filetype, Mimetype string
	Bytes              []byte
	Channels           []string
	InitialComment     string
	ThreadTS           string
}

type channel struct {
	Channel
	isIM       bool
	imUser     string
	created    int64
	topicBy    string
	topicSetAt int64
	creator    string // who made it with conversations.create
}

type message struct {
	channel   string
	ts        string
	tsMicros  int64
	threadTS  string
	user      string
	bot       bool
	text      string
	blocks    json.RawMessage
	edited    bool
	editCount int
	editedTS  string
	reactions []reaction
	files     []string
	metadata  json.RawMessage
	ephemeral bool // only in state.ephemerals
}

type reaction struct {
	name  string
	users []string
}

type view struct {
	id, user, typ      string
	callbackID         string
	privateMetadata    string
	externalID, hash   string
	rootID, previousID string
	raw                json.RawMessage
	obj                map[string]any
}

type upload struct {
	id, filename string
	length       int
	token        string
	data         []byte
	uploaded     bool
	completed    bool
	title        string
	channels     []string
	comment      string
	threadTS     string
}

type trigger struct {
	issued time.Time
	user   string
	used   bool
}

// responseURL is a response_url the fake handed out.
type responseURL struct {
	user, channel string
	// messageTS is the message an action came from (for replace_original
	// and delete_original); lastTS is the last message posted through it.
	messageTS     string
	ephemeralOf   bool // the source message was ephemeral
	lastTS        string
	lastEphemeral bool
	uses          int
	issued        time.Time
}

// state is the workspace. Every field is guarded by Server.mu.
type state struct {
	users      map[string]*User
	userOrder  []string
	channels   map[string]*channel
	chanOrder  []string // channels (not DMs) in the order they were added
	dmByUser   map[string]string
	groups     map[string]*UserGroup
	groupOrder []string

	msgs       map[string][]*message // by channel, in ts order
	ephemerals map[string][]*message // by recipient
	homes      map[string]*view
	views      map[string]*view
	stacks     map[string][]string // user → modal view IDs, root first
	uploads    map[string]*upload  // by file ID
	uploadTok  map[string]string   // upload token → file ID
	fileOrder  []string
	triggers   map[string]*trigger
	respURLs   map[string]*responseURL // by URL path
	tickets    map[string]bool

	sockets    []*socketConn
	nextSocket int
	pending    map[string]chan json.RawMessage
	requestURL string

	calls      map[string]int
	totalCalls int
	faults     map[string][]Fault
	random     map[string]*randomFaults // FailRandomly, by method
	// tokensRevoked: Slack answers invalid_auth to both tokens.
	tokensRevoked bool
	// refuseSockets: how many new Socket Mode connections get a
	// disconnect (refuseReason) instead of hello.
	refuseSockets int
	refuseReason  string
	// withheld scopes and restrictCreate: see webapi_manage.go.
	withheld       map[string]bool
	restrictCreate bool

	lastTS int64
	seq    int

	refreshAfterAck int // envelopes whose ack is followed by a refresh
	// then is what a Web API method does after it has answered (events
	// the call causes).
	then []func()
	// sent counts the events sent, by type (see EventsSent).
	sent map[string]int
	// limited counts the calls refused with a 429, by method.
	limited map[string]int
	// scopes are the app's bot scopes (GrantScopes); nil checks none.
	scopes []string
	// broken are the bot's texts cut inside a token (BrokenFormatting).
	broken []string
}

func (st *state) init() {
	st.sent = map[string]int{}
	st.limited = map[string]int{}
	st.users = map[string]*User{}
	st.channels = map[string]*channel{}
	st.dmByUser = map[string]string{}
	st.groups = map[string]*UserGroup{}
	st.msgs = map[string][]*message{}
	st.ephemerals = map[string][]*message{}
	st.homes = map[string]*view{}
	st.views = map[string]*view{}
	st.stacks = map[string][]string{}
	st.uploads = map[string]*upload{}
	st.uploadTok = map[string]string{}
	st.triggers = map[string]*trigger{}
	st.respURLs = map[string]*responseURL{}
	st.tickets = map[string]bool{}
	st.pending = map[string]chan json.RawMessage{}
	st.calls = map[string]int{}
	st.faults = map[string][]Fault{}
	st.random = map[string]*randomFaults{}
}

// nextID returns a fresh Slack-looking ID with the given prefix.
func (st *state) nextID(prefix string) string {
	st.seq++
	return fmt.Sprintf("%s%09X", prefix, st.seq)
}

// nextTS returns a fresh message timestamp, strictly after every earlier
// one, as Slack guarantees within a channel.
func (s *Server) nextTSLocked() (string, int64) {
	us := s.opts.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return formatTS(us), us
}

func formatTS(us int64) string {
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// parseTS parses "1610241741.000200" into microseconds.
func parseTS(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return 0, false
	}
	if len(frac) > 6 {
		frac = frac[:6]
	}
	for len(frac) < 6 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, false
	}
	return s*1e6 + f, true
}

// AddUser adds or replaces a workspace member.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUserLocked(u)
	s.notifyLocked()
}

func (s *Server) addUserLocked(u User) {
	if u.TZ == "" {
		u.TZ = "America/Los_Angeles"
	}
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	s.users[u.ID] = &u
}

// SetUserStatus sets a member's status, as the member would in Slack.
func (s *Server) SetUserStatus(id, text, emoji string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[id]; ok {
		u.StatusText, u.StatusEmoji = text, emoji
		s.notifyLocked()
	}
}

// AddChannel adds or replaces a channel, keeping its messages.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Members = slices.Clone(c.Members)
	if old, ok := s.channels[c.ID]; ok {
		old.Channel = c
	} else {
		s.channels[c.ID] = &channel{Channel: c, created: s.opts.Now().Unix()}
		s.chanOrder = append(s.chanOrder, c.ID)
	}
	s.notifyLocked()
}

// AddUserGroup adds or replaces a user group.
func (s *Server) AddUserGroup(g UserGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g.Users = slices.Clone(g.Users)
	if _, ok := s.groups[g.ID]; !ok {
		s.groupOrder = append(s.groupOrder, g.ID)
	}
	s.groups[g.ID] = &g
	s.notifyLocked()
}

// dmLocked returns the bot's DM channel with a user, opening it if needed.
func (s *Server) dmLocked(userID string) *channel {
	if id, ok := s.dmByUser[userID]; ok {
		return s.channels[id]
	}
	id := "D" + userID[1:]
	if _, taken := s.channels[id]; taken {
		id = s.nextID("D")
	}
	c := &channel{
		Channel: Channel{ID: id, Members: []string{userID, s.opts.BotUserID}},
		isIM:    true, imUser: userID, created: s.opts.Now().Unix(),
	}
	s.channels[id] = c
	s.dmByUser[userID] = id
	return c
}

func (c *channel) hasMember(id string) bool { return slices.Contains(c.Members, id) }

func (m *message) export() Message {
	out := Message{
		Channel: m.channel, TS: m.ts, ThreadTS: m.threadTS, User: m.user, Text: m.text,
		Blocks: cloneRaw(m.blocks), Edited: m.edited, EditCount: m.editCount,
		Files: slices.Clone(m.files), Metadata: cloneRaw(m.metadata),
	}
	if len(m.reactions) > 0 {
		out.Reactions = map[string][]string{}
		for _, r := range m.reactions {
			out.Reactions[r.name] = slices.Clone(r.users)
		}
	}
	return out
}

func cloneRaw(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return slices.Clone(r)
}

// ChannelMessages returns a channel's messages, top-level and replies, in
// ts order.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs[channelID] {
		out = append(out, m.export())
	}
	return out
}

// DMs returns the messages in the bot's DM with a user, in ts order.
func (s *Server) DMs(userID string) []Message {
	s.mu.Lock()
	id, ok := s.dmByUser[userID]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.ChannelMessages(id)
}

// Replies returns a thread's replies (not its parent), in ts order.
func (s *Server) Replies(channelID, threadTS string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs[channelID] {
		if m.threadTS == threadTS && m.ts != threadTS {
			out = append(out, m.export())
		}
	}
	return out
}

// Topic returns a channel's topic.
func (s *Server) Topic(channelID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[channelID]; ok {
		return c.Topic
	}
	return ""
}

// UserGroupMembers returns a user group's members.
func (s *Server) UserGroupMembers(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[id]; ok {
		return slices.Clone(g.Users)
	}
	return nil
}

// HomeView returns the view last published to a user's Home tab, as the
// app sent it, or nil.
func (s *Server) HomeView(userID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.homes[userID]; ok {
		return cloneRaw(v.raw)
	}
	return nil
}

// OpenViews returns the modals open for a user, root first.
func (s *Server) OpenViews(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.stacks[userID] {
		out = append(out, s.views[id].export())
	}
	return out
}

func (v *view) export() View {
	return View{
		ID: v.id, RootViewID: v.rootID, PreviousViewID: v.previousID,
		CallbackID: v.callbackID, PrivateMetadata: v.privateMetadata,
		ExternalID: v.externalID, Hash: v.hash, Raw: cloneRaw(v.raw),
	}
}

// Files returns completed uploads in the order they were completed.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, id := range s.fileOrder {
		u := s.uploads[id]
		ft, mt := detectFiletype(u.data)
		out = append(out, File{
			ID: u.id, Title: u.title, Filename: u.filename, Filetype: ft, Mimetype: mt, Bytes: slices.Clone(u.data),
			Channels: slices.Clone(u.channels), InitialComment: u.comment, ThreadTS: u.threadTS,
		})
	}
	return out
}

// Ephemerals returns the ephemeral messages shown to a user
// (chat.postEphemeral, response_url and slash-command ack replies).
func (s *Server) Ephemerals(userID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.ephemerals[userID] {
		out = append(out, m.export())
	}
	return out
}

// RateLimited counts the calls of method refused with a 429 for going
// over its limit.
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited[method]
}

// EventsSent counts the events of type typ the fake has finished sending,
// acknowledged or not (no app connected, no ack after the retries): a
// test waits on it for an event the fake sends by itself, after a Web API
// call say.
func (s *Server) EventsSent(typ string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[typ]
}

// SocketConnected reports whether a Socket Mode client is connected.
func (s *Server) SocketConnected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets) > 0
}

// SetRequestURL sets the app's request URL for HTTP mode. Slash commands
// go to url+"/slack/commands", interactions to url+"/slack/interactions"
// and events to url+"/slack/events". Socket Mode, when connected, wins.
func (s *Server) SetRequestURL(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestURL = strings.TrimRight(url, "/")
}

// findMessageLocked finds a message by channel and ts.
func (s *Server) findMessageLocked(channelID, ts string) (*message, int) {
	for i, m := range s.msgs[channelID] {
		if m.ts == ts {
			return m, i
		}
	}
	return nil, -1
}

func (s *Server) storeMessageLocked(m *message) {
	if m.bot {
		s.noteFormattingLocked(m.text, m.blocks)
	}
	s.msgs[m.channel] = append(s.msgs[m.channel], m)
	s.notifyLocked()
}

// userTZ resolves a user's zone, label and offset at the fake's clock.
func (s *Server) userTZ(u *User) (tz, label string, offset int) {
	tz = u.TZ
	offset = u.TZOffset
	label = tz
	if loc, err := time.LoadLocation(tz); err == nil {
		name, off := s.opts.Now().In(loc).Zone()
		label = name
		if offset == 0 {
			offset = off
		}
	}
	return tz, label, offset
}
