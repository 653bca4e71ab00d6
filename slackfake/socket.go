package slackfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Slack allows an app ten Socket Mode connections at once.
const maxSockets = 10

type socketConn struct {
	ws        *websocket.Conn
	writeMu   sync.Mutex
	done      chan struct{}
	closeOnce sync.Once
}

func (c *socketConn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

func (c *socketConn) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

var upgrader = websocket.Upgrader{
	// Slack's client sends Origin https://api.slack.com.
	CheckOrigin: func(*http.Request) bool { return true },
}

func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket) // a ticket opens one connection
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if !valid {
		http.Error(w, "invalid or used ticket: call apps.connections.open", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &socketConn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	tooMany := len(s.sockets) >= maxSockets
	reason := "too_many_websockets"
	if s.refuseSockets > 0 {
		s.refuseSockets--
		tooMany, reason = true, s.refuseReason
	}
	if !tooMany {
		s.sockets = append(s.sockets, c)
		s.notifyLocked()
	}
	n := len(s.sockets)
	s.wg.Add(2)
	s.mu.Unlock()

	go s.pingLoop(c)
	go s.readLoop(c)

	if tooMany {
		_ = c.writeJSON(map[string]any{"type": "disconnect", "reason": reason,
			"debug_info": map[string]any{"host": "applink-fake"}})
		// Leave the client a moment to read it and hang up itself, as
		// Slack does, before closing.
		t := time.NewTimer(time.Second)
		select {
		case <-c.done:
		case <-s.done:
		case <-t.C:
		}
		t.Stop()
		c.close()
		return
	}
	_ = c.writeJSON(map[string]any{
		"type": "hello", "num_connections": n,
		"debug_info": map[string]any{
			"host": "applink-fake", "build_number": 1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": s.opts.AppID},
	})
}

// pingLoop pings as Slack does; slack-go reconnects when pings stop.
func (s *Server) pingLoop(c *socketConn) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(5*time.Second)); err != nil {
				c.close()
				return
			}
		}
	}
}

// readLoop reads acks: {"envelope_id": ..., "payload": ...}.
func (s *Server) readLoop(c *socketConn) {
	defer s.wg.Done()
	defer s.dropSocket(c)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		ch, ok := s.pending[ack.EnvelopeID]
		s.mu.Unlock()
		if ok {
			select {
			case ch <- ack.Payload:
			default: // a second ack for one envelope is ignored
			}
		}
	}
}

func (s *Server) dropSocket(c *socketConn) {
	c.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.sockets {
		if x == c {
			s.sockets = append(s.sockets[:i:i], s.sockets[i+1:]...)
			s.notifyLocked()
			return
		}
	}
}

// DisconnectSockets sends every Socket Mode connection
// {"type":"disconnect","reason":reason} and closes it, as Slack does
// before it rotates connections (reason "refresh_requested",
// "link_disabled", "warning", "too_many_websockets").
func (s *Server) DisconnectSockets(reason string) {
	s.mu.Lock()
	conns := s.sockets
	s.sockets = nil
	if len(conns) > 0 {
		s.notifyLocked()
	}
	s.mu.Unlock()
	for _, c := range conns {
		hangUp(c, reason)
	}
}

func hangUp(c *socketConn, reason string) {
	_ = c.writeJSON(map[string]any{"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "applink-fake"}})
	c.writeMu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason), time.Now().Add(time.Second))
	c.writeMu.Unlock()
	c.close()
}

// RefreshAfterAck makes Slack refresh the connection that carried each of
// the next n envelopes as soon as the app acknowledges it, while the
// app's handler still runs: a disconnect with reason "refresh_requested",
// then the close. Slack refreshes every connection every few hours
// (api.slack.com/apis/socket-mode#disconnect; slack-go
// socketmode/socket_mode_managed_conn.go reconnects on it), so a handler
// must not live and die with the connection its envelope came on.
func (s *Server) RefreshAfterAck(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshAfterAck = n
}

// refreshIfAsked refreshes c if RefreshAfterAck asked; c has just
// carried an acknowledged envelope.
func (s *Server) refreshIfAsked(c *socketConn) {
	s.mu.Lock()
	if s.refreshAfterAck <= 0 {
		s.mu.Unlock()
		return
	}
	s.refreshAfterAck--
	s.sockets = slices.DeleteFunc(s.sockets, func(x *socketConn) bool { return x == c })
	s.notifyLocked()
	s.mu.Unlock()
	hangUp(c, "refresh_requested")
}

// pickSocketLocked chooses the connection for the next envelope, round
// robin, as Slack spreads envelopes over an app's connections.
func (s *Server) pickSocketLocked() *socketConn {
	if len(s.sockets) == 0 {
		return nil
	}
	s.nextSocket = (s.nextSocket + 1) % len(s.sockets)
	return s.sockets[s.nextSocket]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
