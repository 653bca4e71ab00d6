// Package web is the fake Slack workspace as a web page: a person picks who
// they are, reads channels, DMs and threads rendered from their Block Kit,
// types messages and slash commands, clicks buttons, fills in modals and
// opens the App Home, and the app on the other side of the fake (the real
// ritualbot in `ritualbot demo`) gets exactly what Slack would send it.
//
// Everything the page does goes through slackfake's methods for members
// (SendSlashCommand, SendMessageEvent, SendBlockAction, SubmitViewInputs,
// AddReaction, OpenAppHome, …), and everything it shows comes from
// slackfake's reads (ChannelMessages, Ephemerals, OpenViews, HomeView, …);
// the page itself holds no workspace state. Updates reach the browser as
// Server-Sent Events. The page is plain HTML, CSS and JavaScript embedded in
// the binary: no build step, no external assets.
//
// An optional Clock adds time controls: the simulated date and time, the
// rituals coming up, "jump to next ritual" and "run the week".
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

//go:embed assets
var assets embed.FS

// Clock is simulated time that the page can move (cmd/ritualbot's demo
// provides it).
type Clock interface {
	Status() ClockStatus
	// Next moves time to the next ritual and returns once the app has
	// acted on it.
	Next(ctx context.Context) error
	// RunWeek starts playing the rest of the week, ritual by ritual, and
	// returns at once; Status tells how far it got.
	RunWeek() error
	// SetPaused stops or restarts time running at real speed between jumps.
	SetPaused(paused bool)
	// Changed is closed at the next change of Status.
	Changed() <-chan struct{}
}

// ClockStatus is what the time bar shows.
type ClockStatus struct {
	Now  time.Time `json:"now"`
	Zone string    `json:"zone"` // IANA zone the rituals are configured in
	// Busy is "next" or "week" while a jump or a run is under way.
	Busy   string `json:"busy"`
	Paused bool   `json:"paused"`
	// Upcoming are the next ritual occurrences, soonest first.
	Upcoming []Upcoming `json:"upcoming"`
	// Error is why the last jump or run stopped early, if it did.
	Error string `json:"error,omitempty"`
}

// Upcoming is one ritual occurrence to come.
type Upcoming struct {
	At     time.Time `json:"at"`
	Ritual string    `json:"ritual"`
	Kind   string    `json:"kind"`
	What   string    `json:"what"` // e.g. "prompt (Europe/London)", "summary"
}

// Command is a slash command and its usage hint.
type Command struct {
	Name string `json:"name"` // "/standup"
	Hint string `json:"hint"` // "[status | history [@user] [N] | help]"
}

// ErrBusy is what a Clock answers while a jump or a run is under way.
var ErrBusy = errors.New("time is already moving; wait for it to finish")

// Server serves the page of one fake workspace.
type Server struct {
	Fake  *slackfake.Server
	Clock Clock  // nil hides the time controls
	Title string // shown in the page's title bar
	// Commands are the app's slash commands, suggested as a member types
	// "/" (Slack lists the commands of the apps installed).
	Commands []Command
	// Intro, if set, is shown above the conversation until dismissed:
	// lines of mrkdwn saying what to try.
	Intro []string

	// actTimeout bounds each thing a member does (the fake waits up to 3 s
	// for the app's ack).
	actTimeout time.Duration

	once    sync.Once
	handler http.Handler
	done    chan struct{}
	closed  sync.Once
}

// Handler returns the page, its assets and its JSON and event endpoints.
func (s *Server) Handler() http.Handler {
	s.once.Do(s.init)
	return s.handler
}

// Close ends the event streams, so that http.Server.Shutdown does not wait
// for browsers that keep them open.
func (s *Server) Close() {
	s.once.Do(s.init)
	s.closed.Do(func() { close(s.done) })
}

func (s *Server) init() {
	s.done = make(chan struct{})
	if s.actTimeout == 0 {
		s.actTimeout = 10 * time.Second
	}
	if s.Title == "" {
		s.Title = "Slack workspace"
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ui/state", s.serveState)
	mux.HandleFunc("GET /ui/events", s.serveEvents)
	mux.HandleFunc("GET /ui/files/{id}", s.serveFile)
	mux.HandleFunc("GET /ui/clock", s.serveClock)
	mux.HandleFunc("POST /ui/send", s.post(s.send))
	mux.HandleFunc("POST /ui/action", s.post(s.action))
	mux.HandleFunc("POST /ui/submit", s.post(s.submit))
	mux.HandleFunc("POST /ui/close", s.post(s.closeView))
	mux.HandleFunc("POST /ui/react", s.post(s.react))
	mux.HandleFunc("POST /ui/open", s.post(s.open))
	mux.HandleFunc("POST /ui/clock/next", s.post(s.clockNext))
	mux.HandleFunc("POST /ui/clock/week", s.post(s.clockWeek))
	mux.HandleFunc("POST /ui/clock/pause", s.post(s.clockPause))
	s.handler = localOnly(mux)
}

// localOnly refuses requests whose Host is not a loopback name (a web
// page elsewhere could otherwise reach the demo through DNS rebinding) and
// cross-site writes.
func localOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopbackHost(r.Host) {
			http.Error(w, "this page answers only on localhost", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "" {
				u, err := url.Parse(o)
				if err != nil || u.Host != r.Host {
					http.Error(w, "cross-origin request refused", http.StatusForbidden)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	page := strings.ReplaceAll(string(b), "{{TITLE}}", htmlEscape(s.Title))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'")
	_, _ = io.WriteString(w, page)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// errorJSON answers {"ok":false,"error":msg}.
func errorJSON(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"ok": false, "error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// request is the body of every POST: who acts, and on what.
type request struct {
	As       string `json:"as"`
	Conv     string `json:"conv"`
	Text     string `json:"text"`
	ThreadTS string `json:"thread_ts"`
	TS       string `json:"ts"`
	// Surface is where an element was used: "message", "modal" or "home".
	Surface  string                       `json:"surface"`
	ViewID   string                       `json:"view_id"`
	ActionID string                       `json:"action_id"`
	Value    string                       `json:"value"`
	Values   map[string]map[string]string `json:"values"`
	Name     string                       `json:"name"`
	Remove   bool                         `json:"remove"`
	Tab      string                       `json:"tab"`
	Paused   bool                         `json:"paused"`
}

// post decodes a JSON request, runs f with a deadline and answers its
// result; an error is shown to the person in the page.
func (s *Server) post(f func(ctx context.Context, req request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// A JSON content type cannot be sent cross-site without a
		// preflight, which this server never approves.
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			errorJSON(w, http.StatusUnsupportedMediaType, "send JSON")
			return
		}
		var req request
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			errorJSON(w, http.StatusBadRequest, "bad request: "+err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.actTimeout)
		defer cancel()
		out, err := f(ctx, req)
		if err != nil {
			status := http.StatusBadRequest
			var fe *failure
			if errors.As(err, &fe) {
				status = fe.status
			}
			errorJSON(w, status, strings.TrimPrefix(err.Error(), "slackfake: "))
			return
		}
		if out == nil {
			out = map[string]any{}
		}
		res := map[string]any{"ok": true}
		if m, ok := out.(map[string]any); ok {
			for k, v := range m {
				res[k] = v
			}
		}
		writeJSON(w, http.StatusOK, res)
	}
}

// failure is an error with an HTTP status.
type failure struct {
	status int
	msg    string
}

func (f *failure) Error() string { return f.msg }

func failf(status int, format string, args ...any) error {
	return &failure{status: status, msg: fmt.Sprintf(format, args...)}
}

// member checks that the acting person is a member who can act.
func (s *Server) member(id string) (slackfake.User, error) {
	u, ok := s.Fake.User(id)
	if !ok || u.IsBot || u.Deleted || u.ID == "USLACKBOT" {
		return slackfake.User{}, failf(http.StatusBadRequest, "pick who you are: %q is not a member of the workspace", id)
	}
	return u, nil
}

// send is the composer: a slash command, or a message.
func (s *Server) send(ctx context.Context, req request) (any, error) {
	u, err := s.member(req.As)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return nil, failf(http.StatusBadRequest, "nothing to send")
	}
	d := s.directory()
	if strings.HasPrefix(text, "/") {
		cmd, rest, _ := strings.Cut(text, " ")
		_, err := s.Fake.SendSlashCommand(ctx, slackfake.SlashCommand{
			Command: strings.ToLower(cmd), Text: d.commandText(strings.TrimSpace(rest)), UserID: u.ID, ChannelID: req.Conv,
		})
		if errors.Is(err, slackfake.ErrNoAck) {
			return nil, fmt.Errorf("%s failed with the error \"operation_timeout\": the app did not answer within 3 seconds", cmd)
		}
		return nil, err
	}
	_, _, err = s.Fake.SendMessageEvent(ctx, u.ID, req.Conv, d.messageText(text), req.ThreadTS)
	return nil, err
}

// action is a member using an element: in a message, a modal or the Home tab.
func (s *Server) action(ctx context.Context, req request) (any, error) {
	u, err := s.member(req.As)
	if err != nil {
		return nil, err
	}
	switch req.Surface {
	case "modal":
		_, err = s.Fake.SendViewAction(ctx, u.ID, req.ViewID, req.ActionID, req.Value)
	case "home":
		_, err = s.Fake.SendHomeAction(ctx, u.ID, req.ActionID, req.Value)
	default:
		_, err = s.Fake.SendBlockAction(ctx, u.ID, req.Conv, req.TS, req.ActionID, req.Value)
	}
	return nil, err
}

// submit submits a modal; errors the app answers with are returned by
// block so the page shows them under their inputs.
func (s *Server) submit(ctx context.Context, req request) (any, error) {
	u, err := s.member(req.As)
	if err != nil {
		return nil, err
	}
	reply, err := s.Fake.SubmitViewInputs(ctx, u.ID, req.ViewID, req.Values)
	if err != nil {
		return nil, err
	}
	var ack struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if len(reply.Ack) > 0 && json.Unmarshal(reply.Ack, &ack) == nil && ack.ResponseAction == "errors" {
		return map[string]any{"errors": ack.Errors}, nil
	}
	return nil, nil
}

func (s *Server) closeView(ctx context.Context, req request) (any, error) {
	u, err := s.member(req.As)
	if err != nil {
		return nil, err
	}
	_, err = s.Fake.CloseView(ctx, u.ID, req.ViewID)
	return nil, err
}

func (s *Server) react(ctx context.Context, req request) (any, error) {
	u, err := s.member(req.As)
	if err != nil {
		return nil, err
	}
	if req.Remove {
		_, err = s.Fake.RemoveReaction(ctx, u.ID, req.Conv, req.TS, req.Name)
	} else {
		_, err = s.Fake.AddReaction(ctx, u.ID, req.Conv, req.TS, req.Name)
	}
	return nil, err
}

// open is a member opening the app's Home or Messages tab.
func (s *Server) open(ctx context.Context, req request) (any, error) {
	u, err := s.member(req.As)
	if err != nil {
		return nil, err
	}
	_, err = s.Fake.OpenAppHome(ctx, u.ID, req.Tab)
	if errors.Is(err, slackfake.ErrNoAck) {
		// Slack does not tell the member about a missed event.
		err = nil
	}
	dm, _ := s.Fake.DMChannel(u.ID)
	return map[string]any{"dm": dm}, err
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	f, ok := s.Fake.File(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(f.Bytes))
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", f.Filename))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(f.Bytes)
}
