package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/internal/httplimit"
)

// maxSlackBody caps request bodies where Bodies sets no bound; Slack's
// are a few kilobytes.
const maxSlackBody = 1 << 20

// replayWindow is how old a request's timestamp may be, as Slack's
// verification guide says.
const replayWindow = 5 * time.Minute

// futureSkew is how far ahead of our clock a request's timestamp may be.
// Bolt for JavaScript checks only staleness and Bolt for Python allows
// 5 minutes either way; a timestamp ahead of now only lengthens the time
// a captured request stays valid, and clocks kept by NTP agree within a
// second, so 30 s is room enough.
const futureSkew = 30 * time.Second

// HTTPMode receives Slack's requests as signed HTTP POSTs:
// /slack/events, /slack/commands and /slack/interactions.
type HTTPMode struct {
	SigningSecret string
	Intake        *Intake
	Log           zerolog.Logger
	// Now is the wall clock for the replay window (default time.Now).
	Now func() time.Time

	guardOnce sync.Once
	guard     *replayGuard
	// Bodies bounds each endpoint's bodies, by path (default: maxSlackBody,
	// no bound on how many at once).
	Bodies map[string]*httplimit.Body
	// Refusals rate-limits the log lines of refused requests.
	Refusals *httplimit.Refusals
}

// Register mounts the endpoints on mux.
func (h *HTTPMode) Register(mux *http.ServeMux) {
	mux.Handle("POST /slack/events", h.verified(h.events))
	mux.Handle("POST /slack/commands", h.verified(h.once(h.commands)))
	mux.Handle("POST /slack/interactions", h.verified(h.once(h.interactions)))
}

// verified reads the capped body and checks Slack's signature before
// anything else looks at the request.
func (h *HTTPMode) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := h.Bodies[r.URL.Path]
		if limit == nil {
			limit = &httplimit.Body{Limit: maxSlackBody}
		}
		body, err := limit.Read(w, r, nil)
		if err != nil {
			code := http.StatusBadRequest
			var e *httplimit.Error
			if errors.As(err, &e) {
				code = e.Code
			}
			http.Error(w, err.Error(), code)
			return
		}
		if isSSLCheck(r, body) {
			// Slack checks a slash command's certificate with an
			// ssl_check POST, which may come unsigned; it only wants a
			// 200, and nothing runs (Bolt answers it before verifying:
			// slackapi/bolt-python slack_bolt/middleware/ssl_check).
			w.WriteHeader(http.StatusOK)
			return
		}
		now := time.Now
		if h.Now != nil {
			now = h.Now
		}
		if err := VerifySignature(h.SigningSecret, r.Header, body, now()); err != nil {
			if h.Refusals.Allow(r.URL.Path) {
				h.Log.Warn().Err(err).Str("path", r.URL.Path).Str("remote", r.RemoteAddr).Msg("rejected unsigned or stale Slack request")
			}
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

// isSSLCheck reports whether a request to /slack/commands is Slack's
// ssl_check=1 probe (api.slack.com/interactivity/slash-commands).
func isSSLCheck(r *http.Request, body []byte) bool {
	if r.URL.Path != "/slack/commands" || !strings.Contains(string(body), "ssl_check=") {
		return false
	}
	form, err := url.ParseQuery(string(body))
	return err == nil && form.Get("ssl_check") == "1" && form.Get("command") == ""
}

// VerifySignature checks X-Slack-Signature against the body and
// X-Slack-Request-Timestamp, which must be at most 5 minutes old and at
// most 30 s ahead of now.
func VerifySignature(secret string, header http.Header, body []byte, now time.Time) error {
	tsHeader := header.Get("X-Slack-Request-Timestamp")
	sig := header.Get("X-Slack-Signature")
	if tsHeader == "" || sig == "" {
		return errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return errors.New("bad X-Slack-Request-Timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > replayWindow {
		return errors.New("request timestamp is more than 5 minutes old (replayed, or a clock is wrong)")
	} else if d < -futureSkew {
		return errors.New("request timestamp is more than 30 s in the future (forged, or a clock is wrong)")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + tsHeader + ":"))
	mac.Write(body)
	want := "v0=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errors.New("signature does not match (check SLACK_SIGNING_SECRET)")
	}
	return nil
}

func (h *HTTPMode) events(w http.ResponseWriter, r *http.Request, body []byte) {
	// Slack retries an event it thinks we missed; the router dedupes by
	// event_id, so a retry is simply acknowledged again.
	challenge, err := h.Intake.EventsAPI(r.Context(), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if challenge != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *HTTPMode) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("command") == "" {
		http.Error(w, "not a slash command payload", http.StatusBadRequest)
		return
	}
	sc := slack.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"),
		Text: form.Get("text"), ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
		APIAppID: form.Get("api_app_id"),
	}
	if ack := h.Intake.SlashCommand(r.Context(), sc); ack != nil {
		writeJSON(w, ack)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *HTTPMode) interactions(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "not a form body", http.StatusBadRequest)
		return
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
		http.Error(w, "payload is not an interaction JSON object", http.StatusBadRequest)
		return
	}
	if ack := h.Intake.Interaction(r.Context(), ic); ack != nil {
		writeJSON(w, ack)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
	}
}

// trimSlash drops a trailing slash (public URLs are joined with paths).
func trimSlash(s string) string { return strings.TrimRight(s, "/") }
