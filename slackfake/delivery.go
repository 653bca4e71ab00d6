package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// ErrNoAck is returned when the app does not acknowledge a delivery within
// 3 seconds; Slack then shows the user an error.
var ErrNoAck = errors.New("not acknowledged within 3s")

// ErrNoApp is returned when there is nobody to deliver to: no Socket Mode
// connection and no request URL.
var ErrNoApp = errors.New("slackfake: no app connected (no Socket Mode connection and no request URL)")

// ErrClosed is returned by deliveries cut short by Close.
var ErrClosed = errors.New("slackfake: server closed")

// Reply is what the app answered a delivery with.
type Reply struct {
	// Ack is the ack's payload in Socket Mode, or the HTTP response body
	// in HTTP mode; nil when empty.
	Ack json.RawMessage
	// Status is the HTTP status in HTTP mode, 200 for a Socket Mode ack.
	Status int

	// Attempts is how many times the delivery was sent: more than one
	// when Slack retried an event the app did not acknowledge in time.
	Attempts int

	plainText bool // an HTTP answer that is not JSON
}

// eventRetries is how often Slack retries an Events API delivery that got
// no 200 within 3 s. Slack waits about a minute and five minutes before
// the second and third; the fake retries at once, so tests need not wait
// (api.slack.com/apis/events-api#retries; X-Slack-Retry-Num counts from 1,
// X-Slack-Retry-Reason is http_timeout, http_error, connection_failed, ...).
const eventRetries = 3

const (
	verificationToken = "fake-verification-token" // deprecated by Slack, still sent
	teamDomain        = "fake-workspace"
)

// Sign computes Slack's request signature headers for body at ts:
// X-Slack-Signature ("v0=" + hex HMAC-SHA256 of "v0:{ts}:{body}") and
// X-Slack-Request-Timestamp (Unix seconds).
func Sign(secret string, ts time.Time, body []byte) (sigHeader string, tsHeader string) {
	tsHeader = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + tsHeader + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil)), tsHeader
}

// delivery is one thing Slack sends an app.
type delivery struct {
	kind    string // envelope type: slash_commands, interactive, events_api
	payload any    // the Socket Mode payload
	accepts bool   // accepts_response_payload
	// HTTP mode: path under the request URL, body and its content type.
	path        string
	body        []byte
	contentType string
	// retryNum and retryReason mark a retry of an event (HTTP headers
	// X-Slack-Retry-Num and X-Slack-Retry-Reason).
	retryNum    int
	retryReason string
}

// deliver sends d over Socket Mode if a client is connected, else to the
// request URL, and waits up to 3 s for the ack.
func (s *Server) deliver(ctx context.Context, d delivery) (Reply, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Reply{}, ErrClosed
		}
		conn := s.pickSocketLocked()
		reqURL := s.requestURL
		s.mu.Unlock()
		if conn == nil {
			if reqURL == "" {
				return Reply{}, ErrNoApp
			}
			if d.kind == "events_api" {
				return s.deliverEventHTTP(ctx, reqURL, d)
			}
			r, err := s.deliverHTTP(ctx, reqURL, d)
			r.Attempts = 1
			return r, err
		}
		r, err := s.deliverSocket(ctx, conn, d)
		if errors.Is(err, errWriteFailed) {
			s.dropSocket(conn)
			continue
		}
		r.Attempts = 1
		return r, err
	}
}

var errWriteFailed = errors.New("socket write failed")

func (s *Server) deliverSocket(ctx context.Context, conn *socketConn, d delivery) (Reply, error) {
	id := newUUID()
	env := map[string]any{"envelope_id": id, "payload": d.payload, "type": d.kind, "accepts_response_payload": d.accepts}
	if d.kind == "events_api" {
		env["retry_attempt"] = 0
		env["retry_reason"] = ""
	}
	ch := make(chan json.RawMessage, 1)
	s.mu.Lock()
	s.pending[id] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
	}()
	if err := conn.writeJSON(env); err != nil {
		return Reply{}, errWriteFailed
	}
	t := time.NewTimer(s.ackTimeout)
	defer t.Stop()
	select {
	case p := <-ch:
		if len(p) == 0 || string(p) == "null" {
			p = nil
		}
		s.refreshIfAsked(conn)
		return Reply{Ack: p, Status: http.StatusOK}, nil
	case <-t.C:
		return Reply{}, ErrNoAck
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	case <-s.done:
		return Reply{}, ErrClosed
	}
}

// deliverEventHTTP posts an event to the request URL and, as Slack does,
// sends it again while the app does not answer 200 within 3 s, with the
// retry headers; the same event_id each time.
func (s *Server) deliverEventHTTP(ctx context.Context, reqURL string, d delivery) (Reply, error) {
	for attempt := 0; ; attempt++ {
		r, err := s.deliverHTTP(ctx, reqURL, d)
		r.Attempts = attempt + 1
		if err == nil || attempt == eventRetries || errors.Is(err, ErrClosed) || ctx.Err() != nil {
			return r, err
		}
		d.retryNum = attempt + 1
		switch {
		case errors.Is(err, ErrNoAck):
			d.retryReason = "http_timeout"
		case r.Status != 0:
			d.retryReason = "http_error"
		default:
			d.retryReason = "connection_failed"
		}
	}
}

func (s *Server) deliverHTTP(parent context.Context, reqURL string, d delivery) (Reply, error) {
	ctx, cancel := context.WithTimeout(parent, s.ackTimeout)
	defer cancel()
	stop := context.AfterFunc(s.base, cancel)
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, reqURL+d.path, bytes.NewReader(d.body))
	if err != nil {
		return Reply{}, err
	}
	sig, ts := Sign(s.opts.SigningSecret, time.Now(), d.body)
	req.Header.Set("Content-Type", d.contentType)
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	if d.retryNum > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(d.retryNum))
		req.Header.Set("X-Slack-Retry-Reason", d.retryReason)
	}
	why := func(err error) error {
		switch {
		case s.base.Err() != nil:
			return ErrClosed
		case parent.Err() != nil:
			return parent.Err()
		case ctx.Err() != nil:
			return ErrNoAck
		}
		return fmt.Errorf("deliver to %s: %w", reqURL+d.path, err)
	}
	resp, err := s.httpc.Do(req)
	if err != nil {
		return Reply{}, why(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Reply{}, why(err)
	}
	r := Reply{Status: resp.StatusCode}
	if len(bytes.TrimSpace(body)) > 0 {
		r.Ack = body
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		r.plainText = ct != "application/json"
	}
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("request URL %s answered HTTP %d", reqURL+d.path, resp.StatusCode)
	}
	return r, nil
}

func newUUID() string {
	b := []byte(randomHex(16))
	b[12] = '4'
	return fmt.Sprintf("%s-%s-%s-%s-%s", b[0:8], b[8:12], b[12:16], b[16:20], b[20:32])
}
