package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Health is what /readyz reports about Slack.
type Health struct {
	mu        sync.Mutex
	connected bool
	reason    string
	changed   chan struct{}
}

// SetConnected records whether Slack is reachable, and why not.
func (h *Health) SetConnected(ok bool, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	if h.connected != ok {
		close(h.changed)
		h.changed = make(chan struct{})
	}
	h.connected, h.reason = ok, reason
}

// Connected reports whether Slack is reachable, and why not.
func (h *Health) Connected() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.connected, h.reason
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
	// MaxBackoff caps the wait between reconnects (default 1 min).
	MaxBackoff time.Duration
}

// fatalAuthErrors end the process: retrying with the same token cannot help.
var fatalAuthErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "token_revoked": true, "account_inactive": true,
	"token_expired": true, "not_allowed_token_type": true,
}

// Run keeps a Socket Mode connection until ctx ends or the tokens are
// refused (ErrFatalAuth).
func (s *SocketMode) Run(ctx context.Context) error {
	backoff := time.Second
	maxBackoff := s.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = time.Minute
	}
	for {
		err := s.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		msg := "socket mode connection lost"
		if err != nil {
			msg = err.Error()
		}
		s.Health.SetConnected(false, msg)
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && fatalAuthErrors[se.Err] || err != nil && fatalAuthErrors[err.Error()] {
			return fmt.Errorf("%w: %v (check SLACK_APP_TOKEN and SLACK_BOT_TOKEN)", ErrFatalAuth, err)
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

func (s *SocketMode) runOnce(ctx context.Context) error {
	opts := []socketmode.Option{socketmode.OptionLog(discardLogger{})}
	if s.PingInterval > 0 {
		opts = append(opts, socketmode.OptionPingInterval(s.PingInterval))
	}
	client := socketmode.New(s.API, opts...)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.handleEvents(ctx, client)
	}()
	err := client.RunContext(ctx)
	cancel()
	<-done
	return err
}

func (s *SocketMode) handleEvents(ctx context.Context, client *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-client.Events:
			s.handle(ctx, client, evt)
		}
	}
}

func (s *SocketMode) handle(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.Log.Debug().Msg("socket mode connecting")
	case socketmode.EventTypeConnected:
		// The WebSocket is open, but Slack routes envelopes to it only
		// once it has said hello: not ready yet.
		s.Log.Debug().Msg("socket mode connection open; waiting for Slack's hello")
	case socketmode.EventTypeHello:
		s.Health.SetConnected(true, "")
		s.Log.Info().Msg("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeDisconnect, socketmode.EventTypeIncomingError:
		s.Health.SetConnected(false, string(evt.Type))
		s.Log.Warn().Str("event", string(evt.Type)).Msg("socket mode connection trouble")
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
		// Ack first: events need no answer, and Slack retries slow acks.
		s.ack(ctx, client, evt.Request, nil)
		body := evt.Request.Payload
		go func() {
			if _, err := s.Intake.EventsAPI(ctx, body); err != nil {
				s.Log.Warn().Err(err).Msg("bad events API payload")
			}
		}()
	}
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
