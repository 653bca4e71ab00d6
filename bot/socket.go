package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ritualbot/ritualbot/internal/httplimit"
)

// Health is what /readyz reports about Slack: whether the Socket Mode
// connection is up (always, in HTTP mode), and whether Slack takes the
// token (the sender tells).
type Health struct {
	mu          sync.Mutex
	connected   bool
	reason      string
	authRefused string // why Slack last refused the token; "" when it takes it
	changed     chan struct{}
}

// SetConnected records whether Slack is reachable, and why not.
func (h *Health) SetConnected(ok bool, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	was, _ := h.stateLocked()
	h.connected, h.reason = ok, reason
	h.notifyLocked(was)
}

// SetAuthRefused records that Slack refused the token (reason, e.g.
// "invalid_auth"), or, with "", that it takes it again.
func (h *Health) SetAuthRefused(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	was, _ := h.stateLocked()
	h.authRefused = reason
	h.notifyLocked(was)
}

func (h *Health) notifyLocked(was bool) {
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	if now, _ := h.stateLocked(); now != was {
		close(h.changed)
		h.changed = make(chan struct{})
	}
}

func (h *Health) stateLocked() (bool, string) {
	switch {
	case h.authRefused != "":
		return false, "Slack refused the token: " + h.authRefused
	case !h.connected:
		return false, h.reason
	}
	return true, ""
}

// Connected reports whether Slack is reachable and takes the token, and
// why not.
func (h *Health) Connected() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stateLocked()
}

// Changed returns a channel closed when connectedness next changes.
func (h *Health) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}

// ErrFatalAuth is returned when Slack refuses the tokens for good.
var ErrFatalAuth = errors.New("slack refused the token")

// SocketMode receives Slack's requests over Socket Mode, reconnecting with
// backoff for as long as the tokens are good.
type SocketMode struct {
	API    *slack.Client // with the app-level token
	Intake *Intake
	Health *Health
	Log    zerolog.Logger
	// PingInterval is how long without a ping from Slack before the
	// connection is taken for dead (slack-go's default is 30 s).
	PingInterval time.Duration
	// Backoff is the first wait between reconnects (default 1 s), doubled
	// up to MaxBackoff (default 1 min).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Reconnecting, if set, is told each reconnect and why: "lost" (the
	// connection dropped or Slack asked to reconnect) or "auth_refused".
	Reconnecting func(reason string)

	mu     sync.Mutex
	hellos int // hellos seen since Run began
}

// fatalAuthErrors end the process: retrying with the same token cannot help.
var fatalAuthErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "token_revoked": true, "account_inactive": true,
	"token_expired": true, "not_allowed_token_type": true,
}

// Run keeps a Socket Mode connection until ctx ends. Tokens refused at
// start-up end it (ErrFatalAuth): the configuration is wrong. Once it has
// connected, a refusal is an outage like any other (Slack has been seen
// to answer invalid_auth for a while during incidents, and a rotated
// token may be put back): it retries with backoff, and /readyz says why.
func (s *SocketMode) Run(ctx context.Context) error {
	backoff := s.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	maxBackoff := s.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = time.Minute
	}
	first := backoff
	for {
		before := s.helloCount()
		err := s.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if s.helloCount() > before {
			backoff = first // it worked for a while: start over
		}
		msg := "socket mode connection lost"
		if err != nil {
			msg = err.Error()
		}
		var se slack.SlackErrorResponse
		refused := errors.As(err, &se) && fatalAuthErrors[se.Err] || err != nil && fatalAuthErrors[err.Error()]
		if refused {
			msg = "Slack refused the token: " + msg
		}
		s.Health.SetConnected(false, msg)
		if refused && s.helloCount() == 0 {
			return fmt.Errorf("%w: %v (check SLACK_APP_TOKEN and SLACK_BOT_TOKEN)", ErrFatalAuth, err)
		}
		if refused {
			s.Log.Error().Err(err).Msg("Slack refused the token; retrying until it takes it again")
		}
		if s.Reconnecting != nil {
			reason := "lost"
			switch {
			case refused:
				reason = "auth_refused"
			case errors.Is(err, errRefusedBeforeHello):
				reason = "refused"
			}
			s.Reconnecting(reason)
		}
		wait := backoff
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && rl.RetryAfter > wait {
			wait = rl.RetryAfter // apps.connections.open is Tier 1: obey Slack
		}
		s.Log.Warn().Err(err).Dur("backoff", wait).Msg("socket mode stopped; reconnecting")
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if backoff *= 2; backoff > maxBackoff {
			backoff = maxBackoff
		}
	}
}

func (s *SocketMode) helloCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hellos
}

func (s *SocketMode) runOnce(ctx context.Context) error {
	opts := []socketmode.Option{socketmode.OptionLog(discardLogger{})}
	if s.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(s.PingInterval))
	}
	client := socketmode.New(s.API, opts...)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.handleEvents(ctx, client, func() { cancel(errRefusedBeforeHello) })
	}()
	err := client.RunContext(ctx)
	cause := context.Cause(ctx)
	cancel(nil)
	<-done
	if errors.Is(cause, errRefusedBeforeHello) {
		return cause
	}
	return err
}

// errRefusedBeforeHello: Slack closed a connection before its hello
// (a disconnect with too_many_websockets, say). slack-go would reconnect
// at once, and again, as fast as Slack refuses; Run backs off instead.
var errRefusedBeforeHello = errors.New("Slack closed the Socket Mode connection before hello")

func (s *SocketMode) handleEvents(ctx context.Context, client *socketmode.Client, refused func()) {
	opened, greeted := false, false
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-client.Events:
			// Once a connection is refused, this client is being shut
			// down, but slack-go may already have dialled again and
			// queued that connection's hello: select picks at random
			// between it and ctx.Done, and a hello handled here would say
			// connected just before Run says refused.
			if ctx.Err() != nil {
				return
			}
			switch evt.Type {
			case socketmode.EventTypeConnected:
				opened, greeted = true, false
			case socketmode.EventTypeHello:
				greeted = true
			case socketmode.EventTypeConnecting:
				if opened && !greeted {
					refused()
					s.handle(ctx, client, evt)
					return
				}
			}
			s.handle(ctx, client, evt)
		}
	}
}

func (s *SocketMode) handle(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		// slack-go reconnects by itself after a disconnect message or a
		// dropped connection; until hello, the bot is not connected.
		s.Health.SetConnected(false, "socket mode connecting")
		if ce, ok := evt.Data.(*slack.ConnectingEvent); ok && (ce.ConnectionCount > 0 || ce.Attempt > 1) && s.Reconnecting != nil {
			s.Reconnecting("lost")
		}
		s.Log.Debug().Msg("socket mode connecting")
	case socketmode.EventTypeConnected:
		// The WebSocket is open, but Slack routes envelopes to it only once
		// it has said hello, and may still refuse it with a disconnect
		// (too_many_websockets) instead: not ready yet.
		s.Log.Debug().Msg("socket mode connection open; waiting for Slack's hello")
	case socketmode.EventTypeHello:
		s.mu.Lock()
		s.hellos++
		s.mu.Unlock()
		s.Health.SetConnected(true, "")
		s.Log.Info().Msg("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeDisconnect, socketmode.EventTypeIncomingError:
		s.Health.SetConnected(false, string(evt.Type))
		s.Log.Warn().Str("event", string(evt.Type)).Msg("socket mode connection trouble")
	case socketmode.EventTypeErrorBadMessage:
		s.ackUnparsed(ctx, client, evt)
	case socketmode.EventTypeInvalidAuth:
		s.Health.SetConnected(false, "invalid_auth")
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		// The command runs in its own goroutine: this loop reads every
		// envelope, and one command waiting on Slack must hold up none
		// other. (A go statement's arguments are evaluated here, so the
		// call must be inside the func.)
		go func() { s.ack(ctx, client, evt.Request, s.Intake.SlashCommand(ctx, sc)) }()
	case socketmode.EventTypeInteractive:
		ic, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		go func() { s.ack(ctx, client, evt.Request, s.Intake.Interaction(ctx, ic)) }()
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		// The handlers run in the background on the intake's work context,
		// not this connection's: Slack refreshes connections every few
		// hours. They are handed over (and counted by the intake's Wait)
		// before the ack, which is then sent at once: once Slack has its
		// ack it never sends the event again, so a shutdown or a test
		// settling between the ack and the hand-over would lose it.
		if _, err := s.Intake.EventsAPI(ctx, evt.Request.Payload); err != nil {
			s.Log.Warn().Err(err).Msg("bad events API payload")
		}
		s.ack(ctx, client, evt.Request, nil)
	}
}

// ackUnparsed acknowledges an envelope slack-go could not parse (an event
// type newer than it, a field of a shape it does not expect): unacked,
// Slack sends it again and again. An Events API payload is still routed,
// since the intake reads events itself.
func (s *SocketMode) ackUnparsed(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	bad, ok := evt.Data.(*socketmode.ErrorBadMessage)
	if !ok {
		return
	}
	var env struct {
		Type       string          `json:"type"`
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(bad.Message, &env) != nil || env.EnvelopeID == "" {
		s.Log.Warn().Err(bad.Cause).Msg("unreadable Socket Mode message without an envelope_id")
		return
	}
	// Handed to the intake before the ack, as in handle.
	if env.Type == string(socketmode.RequestTypeEventsAPI) {
		if _, err := s.Intake.EventsAPI(ctx, env.Payload); err != nil {
			s.Log.Warn().Err(err).Msg("bad events API payload")
		}
	}
	s.ack(ctx, client, &socketmode.Request{EnvelopeID: env.EnvelopeID}, nil)
	s.Log.Debug().Err(bad.Cause).Str("type", httplimit.Clip(env.Type)).Msg("acknowledged an envelope slack-go could not parse")
}

func (s *SocketMode) ack(ctx context.Context, client *socketmode.Client, req *socketmode.Request, payload any) {
	var err error
	if payload == nil {
		err = client.AckCtx(ctx, req.EnvelopeID, nil)
	} else {
		err = client.AckCtx(ctx, req.EnvelopeID, payload)
	}
	if err != nil && ctx.Err() == nil {
		s.Log.Error().Err(err).Str("envelope_id", req.EnvelopeID).Msg("acknowledge envelope")
	}
}

// discardLogger silences slack-go's own logger; we log what matters.
type discardLogger struct{}

func (discardLogger) Output(int, string) error { return nil }

// IsFatalAuth reports whether err means Slack refused the token for good.
func IsFatalAuth(err error) bool {
	return errors.Is(err, ErrFatalAuth) || err != nil && fatalAuthErrors[strings.TrimSpace(err.Error())]
}
