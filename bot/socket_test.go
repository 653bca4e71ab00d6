package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Slack is ready to deliver envelopes once it says hello, not when the
// WebSocket is open: /readyz (Health) must not say connected in between,
// or a probe (or a test) sends traffic to a connection Slack does not yet
// route to.
func TestSocketModeIsConnectedAtHelloNotAtDial(t *testing.T) {
	hello := make(chan struct{})
	upgraded := make(chan struct{}, 1)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/apps.connections.open"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"url":"ws` + strings.TrimPrefix(srv.URL, "http") + `/socket"}`))
		case r.URL.Path == "/socket":
			// slack-go sends Origin: https://api.slack.com.
			up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			upgraded <- struct{}{}
			<-hello
			_ = ws.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}})
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	health := &Health{}
	health.SetConnected(false, "starting")
	api := slack.New("xoxb-1", slack.OptionAPIURL(srv.URL+"/api/"), slack.OptionAppLevelToken("xapp-1"))
	sm := &SocketMode{API: api, Intake: &Intake{Router: NewRouter(zerolog.Nop()), Log: zerolog.Nop()}, Health: health, Log: zerolog.Nop(), PingInterval: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sm.Run(ctx) }()
	defer func() { cancel(); <-done }()

	select {
	case <-upgraded:
	case <-time.After(10 * time.Second):
		t.Fatal("the bot never opened the WebSocket")
	}
	// The socket is open; Slack has not said hello. Give the client every
	// chance to (wrongly) report itself connected.
	changed := health.Changed()
	select {
	case <-changed:
		if ok, _ := health.Connected(); ok {
			t.Fatal("Health says connected before Slack's hello")
		}
	case <-time.After(300 * time.Millisecond):
	}
	close(hello)
	deadline := time.After(10 * time.Second)
	for {
		if ok, _ := health.Connected(); ok {
			return
		}
		select {
		case <-health.Changed():
		case <-deadline:
			t.Fatal("Health never said connected after hello")
		}
	}
}

// A connection Slack refuses ends its client, but slack-go may already
// have dialled again and queued the next connection's hello. That hello
// must not count: Run is about to say "refused" and back off, and a
// probe that saw "connected" in between would be told a lie.
func TestNothingAfterARefusedConnectionCounts(t *testing.T) {
	events := []socketmode.Event{
		{Type: socketmode.EventTypeConnecting, Data: &slack.ConnectingEvent{Attempt: 1}},
		{Type: socketmode.EventTypeConnected},
		// Slack sent {"type":"disconnect"} instead of hello; slack-go
		// reconnects by itself.
		{Type: socketmode.EventTypeConnecting, Data: &slack.ConnectingEvent{Attempt: 1, ConnectionCount: 1}},
		{Type: socketmode.EventTypeConnected},
	}
	for range 3 {
		events = append(events, socketmode.Event{Type: socketmode.EventTypeHello})
	}
	// select picks at random among ready cases, so one round would let a
	// bug through a quarter of the time at most; forty rounds, almost never.
	for round := range 40 {
		refusedOnce(t, round, events)
	}
}

func refusedOnce(t *testing.T, round int, events []socketmode.Event) {
	t.Helper()
	client := &socketmode.Client{Events: make(chan socketmode.Event, len(events))}
	for _, e := range events {
		client.Events <- e
	}
	health := &Health{}
	health.SetConnected(false, "starting")
	sm := &SocketMode{Intake: &Intake{Router: NewRouter(zerolog.Nop()), Log: zerolog.Nop()}, Health: health, Log: zerolog.Nop()}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sm.handleEvents(ctx, client, func() { cancel(errRefusedBeforeHello) })
	if !errors.Is(context.Cause(ctx), errRefusedBeforeHello) {
		t.Fatalf("round %d: the refusal was not reported: cause %v", round, context.Cause(ctx))
	}
	if ok, why := health.Connected(); ok {
		t.Fatalf("round %d: Health says connected from a hello queued after the refusal", round)
	} else if why != "socket mode connecting" {
		t.Fatalf("round %d: Health says %q after the refusal, want socket mode connecting", round, why)
	}
	if n := sm.helloCount(); n != 0 {
		t.Fatalf("round %d: %d hellos counted after the refusal, want 0", round, n)
	}
}
