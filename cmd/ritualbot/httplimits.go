package main

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/internal/httplimit"
)

// HTTPLimits bound what the HTTP listener holds for anyone who can reach
// it. docs/OPERATIONS.md explains each value.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // headers and body together
	WriteTimeout      time.Duration // from the end of the headers to the end of the answer
	IdleTimeout       time.Duration // between keep-alive requests
	MaxHeaderBytes    int
	// MaxConns caps the connections open at once; at the cap the one that
	// waited longest without a request is closed, once it has waited
	// ConnGrace.
	MaxConns  int
	ConnGrace time.Duration
	// BodyGrace is how long a body read is safe from being cut off when
	// its endpoint's slots are full.
	BodyGrace time.Duration
	// One refusal log line per RefusalLogEvery per endpoint, after a burst
	// of RefusalLogBurst.
	RefusalLogEvery time.Duration
	RefusalLogBurst int
}

// DefaultHTTPLimits are the production limits.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Long enough for /admin/backup of a large store over loopback.
		WriteTimeout:    2 * time.Minute,
		IdleTimeout:     30 * time.Second,
		MaxHeaderBytes:  64 << 10,
		MaxConns:        512,
		ConnGrace:       250 * time.Millisecond,
		BodyGrace:       time.Second,
		RefusalLogEvery: time.Second,
		RefusalLogBurst: 10,
	}
}

// endpointBodies is, for each endpoint that reads a body, the most its
// sender really sends and how many of its bodies are read at once.
// Slack: a slash command is a form of a few short fields and one line of
// text; interactions and events carry a whole view or message (up to 50
// blocks and 40,000 characters). GitHub's push events list up to 2,048
// commits. PagerDuty's v3 events are one incident or note. Alertmanager's
// groups can be megabytes, and it and the deploy hook are authenticated
// by header before their body is read.
var endpointBodies = map[string]struct {
	limit int64
	slots int
}{
	"/slack/commands":     {64 << 10, 32},
	"/slack/interactions": {256 << 10, 32},
	"/slack/events":       {256 << 10, 32},
	"/hooks/alertmanager": {5 << 20, 4},
	"/hooks/deploy":       {1 << 20, 4},
	"/hooks/github":       {5 << 20, 4},
	"/hooks/pagerduty":    {256 << 10, 16},
}

// httpLimits are the limits Main runs with.
func (m *Main) httpLimits() HTTPLimits {
	if m.HTTPLimits != nil {
		return *m.HTTPLimits
	}
	return DefaultHTTPLimits()
}

// limitBodies makes the body gates of the endpoints and the refusal log
// limiter, counted in the metrics.
func (m *Main) limitBodies() {
	lim := m.httpLimits()
	m.bodies = map[string]*httplimit.Body{}
	for path, b := range endpointBodies {
		m.bodies[path] = &httplimit.Body{
			Limit: b.limit, Slots: b.slots, Grace: lim.BodyGrace,
			Shed: func(reason string) { m.Metrics.HTTPRefused.WithLabelValues(path, reason).Inc() },
		}
	}
	m.refusals = &httplimit.Refusals{
		Every: lim.RefusalLogEvery, Burst: lim.RefusalLogBurst,
		Suppressed: func(endpoint string) { m.Metrics.LogSuppressed.WithLabelValues(endpoint).Inc() },
	}
}

// newHTTPServer serves handler on ln within the limits.
func (m *Main) newHTTPServer(ln net.Listener, handler *http.ServeMux) (*http.Server, *httplimit.Listener) {
	lim := m.httpLimits()
	capped := httplimit.NewListener(ln, lim.MaxConns)
	capped.Grace, capped.Evicted = lim.ConnGrace, m.Metrics.HTTPEvicted.Inc
	return &http.Server{
		Handler:           closeUnreadBodies(handler),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ConnState:         capped.ConnState,
	}, capped
}

// closeUnreadBodies closes the connection after answering a request with
// a body that no handler reads (a GET with a body, an unknown path): the
// server would otherwise read on the rest of it, as slowly as it comes.
func closeUnreadBodies(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			if _, pattern := mux.Handler(r); !strings.HasPrefix(pattern, http.MethodPost+" ") {
				httplimit.CloseUnread(w)
			}
		}
		mux.ServeHTTP(w, r)
	})
}
