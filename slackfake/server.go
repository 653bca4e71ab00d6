package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configures a fake workspace. Zero values take the defaults noted.
type Options struct {
	BotToken      string // default "xoxb-fake-bot-token"
	AppToken      string // default "xapp-fake-app-token"
	SigningSecret string // default "fake-signing-secret"

	TeamID    string // default "T0FAKE"
	AppID     string // default "A0FAKE"
	BotUserID string // default "U0BOT"

	// RateLimits overrides the default limit of a Web API method (see
	// DefaultLimit). The key "chat.postMessage" sets the workspace-wide
	// limit of chat.postMessage and, unless "chat.postMessage/channel" is
	// also given, its per-channel limit too.
	RateLimits        map[string]Limit
	DisableRateLimits bool

	// PingInterval is how often the server pings each Socket Mode
	// connection. Default 10s.
	PingInterval time.Duration

	// Now is the clock for message timestamps. Default time.Now. Rate
	// limits, ack timeouts, request signatures and the expiry of
	// trigger_ids (3 s) and response_urls (30 min) always use the wall
	// clock, as Slack and the other side (slack-go's verifier, the
	// network) do.
	Now func() time.Time
}

// Server is a fake Slack workspace served over HTTP on 127.0.0.1.
// All methods are safe for concurrent use.
type Server struct {
	opts       Options
	srv        *httptest.Server
	handler    http.Handler
	limiter    *limiter
	httpc      *http.Client
	transport  *http.Transport
	ackTimeout time.Duration
	wall       func() time.Time // real time (tests of expiry replace it)

	// base is cancelled by Close; everything waiting stops with it.
	base       context.Context
	cancelBase context.CancelFunc
	done       <-chan struct{}
	closeOnce  sync.Once
	wg         sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	changed chan struct{}
	state
}

// New starts a fake workspace on 127.0.0.1 with an ephemeral port.
func New(opts Options) *Server {
	if opts.BotToken == "" {
		opts.BotToken = "xoxb-fake-bot-token"
	}
	if opts.AppToken == "" {
		opts.AppToken = "xapp-fake-app-token"
	}
	if opts.SigningSecret == "" {
		opts.SigningSecret = "fake-signing-secret"
	}
	if opts.TeamID == "" {
		opts.TeamID = "T0FAKE"
	}
	if opts.AppID == "" {
		opts.AppID = "A0FAKE"
	}
	if opts.BotUserID == "" {
		opts.BotUserID = "U0BOT"
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:       opts,
		changed:    make(chan struct{}),
		ackTimeout: 3 * time.Second,
		wall:       time.Now,
		limiter:    newLimiter(opts.RateLimits, opts.DisableRateLimits),
		transport:  &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16},
	}
	s.httpc = &http.Client{Transport: s.transport}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.done = s.base.Done()
	s.state.init()
	s.addUserLocked(User{ID: opts.BotUserID, Name: "ritualbot", RealName: "ritualbot", IsBot: true, TZ: "America/Los_Angeles"})
	s.addUserLocked(User{ID: "USLACKBOT", Name: "slackbot", RealName: "Slackbot", TZ: "America/Los_Angeles"})

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	mux.HandleFunc("/upload/", s.serveUpload)
	mux.HandleFunc("/commands/", s.serveResponseURL)
	mux.HandleFunc("/actions/", s.serveResponseURL)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("fake Slack workspace " + opts.TeamID + "\n"))
	})
	s.handler = mux
	s.srv = httptest.NewServer(mux)
	return s
}

// Close disconnects Socket Mode clients, stops the HTTP server and waits
// for every goroutine the server started.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := s.sockets
		s.sockets = nil
		s.mu.Unlock()
		s.cancelBase()
		for _, c := range conns {
			c.close()
		}
		s.srv.Close()
		s.transport.CloseIdleConnections()
		s.wg.Wait()
	})
}

// APIURL is the Web API base for slack.OptionAPIURL; it ends in "/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// URL is the server root, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.srv.URL }

// Handler serves the whole fake (Web API, Socket Mode, uploads,
// response_urls) so another server can mount it. URLs the fake hands out
// (upload_url, response_url, the Socket Mode URL) still point at URL().
func (s *Server) Handler() http.Handler { return s.handler }

// Changed returns a channel that is closed at the next state change
// (a message, a view, a call counted, a socket connecting...). Take the
// channel before checking the condition so no change is missed.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// WaitFor blocks until cond returns true or ctx ends. cond is called
// without the server's lock held, so it may call the server's methods.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		ch := s.Changed()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notifyLocked wakes everyone waiting on Changed. Callers hold s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Calls counts Web API calls of one method, rejected ones included.
// response_url posts count as "response_url" and upload POSTs as "upload".
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// CallCounts counts Web API calls by method, rejected ones included (a
// copy: a test diffs two to see what a step called).
func (s *Server) CallCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// TotalCalls counts all Web API calls.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totalCalls
}

// Fault is an injected failure for FailNext.
type Fault struct {
	// Status is the HTTP status to answer with. Zero means 200 when
	// SlackError is set, 429 when only RetryAfter is set.
	Status int
	// RetryAfter, if positive, is sent as the Retry-After header (seconds).
	RetryAfter int
	// SlackError, if set, is answered as {"ok":false,"error":SlackError}.
	SlackError string
	// Delay holds the answer back this long. A fault with only a Delay
	// answers normally after it; if the client gives up first, the call
	// is dropped, not carried out (unless Accepted).
	Delay time.Duration
	// CloseConn drops the TCP connection without answering.
	CloseConn bool
	// Reset drops the TCP connection with a reset (RST), as a crashed
	// proxy does, without answering: the client reads "connection reset
	// by peer" mid-request.
	Reset bool
	// Accepted carries out the call before the fault hits the answer:
	// Slack did the work (the message is posted), and the client learns
	// nothing of it (with Delay past its timeout, CloseConn or Reset) or
	// reads an error. This is the "unknown outcome" a retry must not
	// turn into a duplicate.
	Accepted bool
}

// FailNext makes the next n calls of method fail with f. method is a Web
// API method name, or "response_url" or "upload", or "*" for any call
// (after the faults queued for the call's own method).
func (s *Server) FailNext(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// countCall records a call and pops the next injected fault, if any.
func (s *Server) countCall(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	s.totalCalls++
	s.notifyLocked()
	for _, m := range []string{method, "*"} {
		if q := s.faults[m]; len(q) > 0 {
			s.faults[m] = q[1:]
			return q[0], true
		}
	}
	if f, ok := s.randomFaultLocked(method); ok {
		return f, true
	}
	return s.randomFaultLocked("*")
}

// applyFault carries out f. It reports whether the request was answered
// (or dropped) so the caller must stop.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		// Take the body in first: only then does the server notice a
		// client that gives up, and drop the call as Slack's edge would,
		// instead of carrying it out after the client has left.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		case <-s.done:
			t.Stop()
			return true
		}
	}
	if f.Reset {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tcp, ok := conn.(*net.TCPConn); ok {
					_ = tcp.SetLinger(0) // close sends RST, not FIN
				}
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.CloseConn {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.Status == 0 && f.SlackError == "" && f.RetryAfter == 0 {
		return false
	}
	status := f.Status
	if status == 0 {
		if f.SlackError == "" && f.RetryAfter > 0 {
			status = http.StatusTooManyRequests
		} else {
			status = http.StatusOK
		}
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", itoa(f.RetryAfter))
	}
	body := map[string]any{"ok": false, "error": f.SlackError}
	if f.SlackError == "" {
		if status == http.StatusTooManyRequests {
			body["error"] = "ratelimited"
		} else if status >= 500 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html><body>Slack is having trouble</body></html>"))
			return true
		}
	}
	writeJSON(w, status, body)
	return true
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"ok":false,"error":"internal_error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// baseURL is the root used in URLs the fake hands out.
func (s *Server) baseURL() string { return s.srv.URL }

func (s *Server) wsURL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") }
