package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
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
