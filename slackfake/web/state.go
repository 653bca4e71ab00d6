package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// The page asks for one snapshot of what the acting member sees: the
// sidebar, the open conversation and thread, the Home tab and the modals.
// A demo workspace is small, so the whole snapshot is rebuilt on every
// change instead of being patched.

type stateJSON struct {
	Workspace workspaceJSON   `json:"workspace"`
	Me        userJSON        `json:"me"`
	Users     []userJSON      `json:"users"`
	Groups    []groupJSON     `json:"groups"`
	Channels  []convJSON      `json:"channels"`
	App       convJSON        `json:"app"` // the member's DM with the app
	Conv      *convView       `json:"conv,omitempty"`
	Thread    *threadView     `json:"thread,omitempty"`
	Home      json.RawMessage `json:"home"`
	Modals    []modalJSON     `json:"modals"`
	Clock     *ClockStatus    `json:"clock,omitempty"`
	Commands  []Command       `json:"commands"`
	Intro     []string        `json:"intro,omitempty"`
}

type workspaceJSON struct {
	Title     string `json:"title"`
	TeamID    string `json:"team_id"`
	BotUserID string `json:"bot_user_id"`
	BotName   string `json:"bot_name"`
}

type userJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	RealName    string `json:"real_name"`
	TZ          string `json:"tz"`
	IsBot       bool   `json:"is_bot,omitempty"`
	StatusText  string `json:"status_text,omitempty"`
	StatusEmoji string `json:"status_emoji,omitempty"`
}

type groupJSON struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
	// Users are the group's members, shown in the sidebar.
	Users []string `json:"users"`
}

type convJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Private bool   `json:"private,omitempty"`
	Member  bool   `json:"member"`
	Topic   string `json:"topic,omitempty"`
	Members int    `json:"members"`
	// Latest is the ts of the newest message the member can see there
	// (ephemerals to them included), for unread marks.
	Latest string `json:"latest,omitempty"`
}

type convView struct {
	convJSON
	IsApp    bool      `json:"is_app,omitempty"`
	Messages []msgJSON `json:"messages"`
}

type threadView struct {
	Channel string    `json:"channel"`
	Parent  msgJSON   `json:"parent"`
	Replies []msgJSON `json:"replies"`
}

type msgJSON struct {
	TS         string          `json:"ts"`
	ThreadTS   string          `json:"thread_ts,omitempty"`
	User       string          `json:"user"`
	Bot        bool            `json:"bot,omitempty"`
	Text       string          `json:"text"`
	Blocks     json.RawMessage `json:"blocks,omitempty"`
	Edited     bool            `json:"edited,omitempty"`
	Ephemeral  bool            `json:"ephemeral,omitempty"`
	ReplyCount int             `json:"reply_count,omitempty"`
	LastReply  string          `json:"last_reply,omitempty"`
	ReplyUsers []string        `json:"reply_users,omitempty"`
	Reactions  []reactionJSON  `json:"reactions,omitempty"`
	Files      []fileJSON      `json:"files,omitempty"`
}

type reactionJSON struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
}

type fileJSON struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Name  string `json:"name"`
	URL   string `json:"url"`
	Image bool   `json:"image"`
}

type modalJSON struct {
	ID   string          `json:"id"`
	Hash string          `json:"hash"`
	View json.RawMessage `json:"view"`
}

func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st, err := s.state(q.Get("as"), q.Get("conv"), q.Get("thread"))
	if err != nil {
		errorJSON(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// state builds what member as sees with conversation conv open (and the
// thread of threadTS in it). An empty or unknown as picks the first member.
func (s *Server) state(as, conv, threadTS string) (*stateJSON, error) {
	f := s.Fake
	bot := f.BotUserID()
	st := &stateJSON{
		Workspace: workspaceJSON{Title: s.Title, TeamID: f.TeamID(), BotUserID: bot, BotName: "app"},
		Commands:  append([]Command{}, s.Commands...), Intro: s.Intro,
	}
	for _, u := range f.Users() {
		if u.ID == bot {
			st.Workspace.BotName = u.Name
		}
		if u.Deleted {
			continue
		}
		uj := userJSON{ID: u.ID, Name: u.Name, RealName: u.RealName, TZ: u.TZ, IsBot: u.IsBot || u.ID == "USLACKBOT",
			StatusText: u.StatusText, StatusEmoji: u.StatusEmoji}
		st.Users = append(st.Users, uj)
		if st.Me.ID == "" && !uj.IsBot && (as == "" || as == u.ID) {
			st.Me = uj
		}
	}
	if st.Me.ID == "" {
		for _, u := range st.Users {
			if !u.IsBot {
				st.Me = u
				break
			}
		}
	}
	if st.Me.ID == "" {
		return nil, fmt.Errorf("the workspace has no members yet")
	}
	me := st.Me.ID
	for _, g := range f.UserGroups() {
		st.Groups = append(st.Groups, groupJSON{ID: g.ID, Handle: g.Handle, Name: g.Name, Users: g.Users})
	}
	ephemerals := f.Ephemerals(me)
	latest := func(id string, msgs []slackfake.Message) string {
		var ts string
		for _, m := range msgs {
			if m.ThreadTS == "" && m.TS > ts {
				ts = m.TS
			}
		}
		for _, e := range ephemerals {
			if e.Channel == id && e.ThreadTS == "" && e.TS > ts {
				ts = e.TS
			}
		}
		return ts
	}
	var open *convJSON
	for _, c := range f.Channels() {
		member := slices.Contains(c.Members, me)
		if c.IsPrivate && !member {
			continue
		}
		msgs := f.ChannelMessages(c.ID)
		cj := convJSON{ID: c.ID, Name: c.Name, Private: c.IsPrivate, Member: member, Topic: c.Topic,
			Members: len(c.Members), Latest: latest(c.ID, msgs)}
		st.Channels = append(st.Channels, cj)
	}
	// Members' channels first, as Slack's sidebar lists them.
	sort.SliceStable(st.Channels, func(i, j int) bool { return st.Channels[i].Member && !st.Channels[j].Member })
	for i := range st.Channels {
		if st.Channels[i].ID == conv {
			open = &st.Channels[i]
		}
	}
	dm, _ := f.DMChannel(me)
	st.App = convJSON{ID: dm, Name: st.Workspace.BotName, Member: true, Members: 2}
	if dm != "" {
		st.App.Latest = latest(dm, f.DMs(me))
	}
	if conv != "" && conv == dm {
		open = &st.App
	}
	if open != nil {
		view := &convView{convJSON: *open, IsApp: open == &st.App}
		view.Messages = s.messages(f.ChannelMessages(open.ID), ephemerals, open.ID, bot)
		st.Conv = view
		if threadTS != "" {
			st.Thread = s.thread(f.ChannelMessages(open.ID), ephemerals, open.ID, threadTS, bot)
		}
	}
	if home := f.HomeView(me); home != nil {
		st.Home = home
	}
	for _, v := range f.OpenViews(me) {
		st.Modals = append(st.Modals, modalJSON{ID: v.ID, Hash: v.Hash, View: v.Raw})
	}
	if st.Modals == nil {
		st.Modals = []modalJSON{}
	}
	if s.Clock != nil {
		cs := s.Clock.Status()
		st.Clock = &cs
	}
	return st, nil
}

// messages are a conversation's top-level messages with their thread
// summaries, and the member's ephemerals there, in time order.
func (s *Server) messages(all, ephemerals []slackfake.Message, channel, bot string) []msgJSON {
	replies := map[string][]slackfake.Message{}
	for _, m := range all {
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			replies[m.ThreadTS] = append(replies[m.ThreadTS], m)
		}
	}
	out := []msgJSON{}
	for _, m := range all {
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			continue
		}
		mj := s.message(m, bot)
		if rs := replies[m.TS]; len(rs) > 0 {
			mj.ReplyCount = len(rs)
			mj.LastReply = rs[len(rs)-1].TS
			for _, r := range rs {
				if !slices.Contains(mj.ReplyUsers, r.User) {
					mj.ReplyUsers = append(mj.ReplyUsers, r.User)
				}
			}
		}
		out = append(out, mj)
	}
	for _, e := range ephemerals {
		if e.Channel == channel && e.ThreadTS == "" {
			mj := s.message(e, bot)
			mj.Ephemeral = true
			out = append(out, mj)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return tsLess(out[i].TS, out[j].TS) })
	return out
}

func (s *Server) thread(all, ephemerals []slackfake.Message, channel, threadTS, bot string) *threadView {
	var tv *threadView
	for _, m := range all {
		if m.TS == threadTS && m.ThreadTS == "" {
			tv = &threadView{Channel: channel, Parent: s.message(m, bot), Replies: []msgJSON{}}
		}
	}
	if tv == nil {
		return nil
	}
	for _, m := range all {
		if m.ThreadTS == threadTS && m.TS != threadTS {
			tv.Replies = append(tv.Replies, s.message(m, bot))
		}
	}
	for _, e := range ephemerals {
		if e.Channel == channel && e.ThreadTS == threadTS {
			mj := s.message(e, bot)
			mj.Ephemeral = true
			tv.Replies = append(tv.Replies, mj)
		}
	}
	sort.SliceStable(tv.Replies, func(i, j int) bool { return tsLess(tv.Replies[i].TS, tv.Replies[j].TS) })
	tv.Parent.ReplyCount = len(tv.Replies)
	return tv
}

func (s *Server) message(m slackfake.Message, bot string) msgJSON {
	mj := msgJSON{TS: m.TS, ThreadTS: m.ThreadTS, User: m.User, Bot: m.User == bot, Text: m.Text, Blocks: m.Blocks, Edited: m.Edited}
	for _, n := range slices.Sorted(maps.Keys(m.Reactions)) {
		mj.Reactions = append(mj.Reactions, reactionJSON{Name: n, Users: m.Reactions[n]})
	}
	for _, id := range m.Files {
		f, ok := s.Fake.File(id)
		if !ok {
			continue
		}
		ct := http.DetectContentType(f.Bytes)
		mj.Files = append(mj.Files, fileJSON{ID: f.ID, Title: f.Title, Name: f.Filename, URL: "/ui/files/" + f.ID,
			Image: strings.HasPrefix(ct, "image/")})
	}
	return mj
}

// tsLess orders Slack timestamps ("1700000000.000100") numerically.
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	return af < bf
}

func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) {
	if s.Clock == nil {
		errorJSON(w, http.StatusNotFound, "this workspace has no time controls")
		return
	}
	writeJSON(w, http.StatusOK, s.Clock.Status())
}

func (s *Server) clock() (Clock, error) {
	if s.Clock == nil {
		return nil, failf(http.StatusNotFound, "this workspace has no time controls")
	}
	return s.Clock, nil
}

func (s *Server) clockNext(ctx context.Context, req request) (any, error) {
	c, err := s.clock()
	if err != nil {
		return nil, err
	}
	// A jump waits for the bot to settle, which can take longer than a
	// member's click.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := c.Next(ctx); err != nil {
		return nil, clockErr(err)
	}
	return map[string]any{"clock": c.Status()}, nil
}

func (s *Server) clockWeek(ctx context.Context, req request) (any, error) {
	c, err := s.clock()
	if err != nil {
		return nil, err
	}
	if err := c.RunWeek(); err != nil {
		return nil, clockErr(err)
	}
	return map[string]any{"clock": c.Status()}, nil
}

func (s *Server) clockPause(ctx context.Context, req request) (any, error) {
	c, err := s.clock()
	if err != nil {
		return nil, err
	}
	c.SetPaused(req.Paused)
	return map[string]any{"clock": c.Status()}, nil
}

func clockErr(err error) error {
	if err == ErrBusy {
		return failf(http.StatusConflict, "%s", err.Error())
	}
	return err
}

// serveEvents streams "workspace" events when anything in the workspace
// changes and "clock" events when simulated time moves, until the browser
// leaves or the server closes.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, data any) bool {
		b, _ := json.Marshal(data)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	var clockCh <-chan struct{}
	if s.Clock != nil {
		clockCh = s.Clock.Changed()
		if !send("clock", s.Clock.Status()) {
			return
		}
	}
	if !send("hello", map[string]any{}) {
		return
	}
	changed := s.Fake.Changed()
	heartbeat := time.NewTicker(15 * time.Second)
	defer heartbeat.Stop()
	version := 0
	for {
		select {
		case <-changed:
			// Coalesce a burst (a post, its API call count, a view) into
			// one refresh.
			t := time.NewTimer(40 * time.Millisecond)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				return
			}
			changed = s.Fake.Changed()
			version++
			if !send("workspace", map[string]int{"version": version}) {
				return
			}
		case <-clockCh:
			clockCh = s.Clock.Changed()
			if !send("clock", s.Clock.Status()) {
				return
			}
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			fl.Flush()
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
}
