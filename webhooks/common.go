package webhooks

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// What every webhook of this package shares: the bounded body, the result
// a sink reports, and one shape of answer: `{"outcome": …}` when the
// delivery was taken, `{"error": "what is wrong and how to fix it"}` when
// not, with the status code saying which.

// maxBody bounds a webhook body where the wiring sets no bound of its own.
// Alertmanager's own default caps a group at a few hundred alerts, and a
// push or deploy that matters here is far smaller than GitHub's 25 MB cap;
// bigger is refused with 413 rather than read into memory.
const maxBody = 5 << 20

// Result is what a sink did with a delivery.
type Result struct {
	Outcome  incident.WebhookOutcome
	Incident int // 0 if none
}

// Observer counts a webhook's deliveries by outcome (metrics); a nil one
// counts nothing.
type Observer func(outcome string)

func (o Observer) count(outcome string) {
	if o != nil {
		o(outcome)
	}
}

// defaultBody bounds the body of a handler given no Body of its own.
var defaultBody = &httplimit.Body{Limit: maxBody}

// readBody reads a bounded body; on failure it has answered already.
func readBody(w http.ResponseWriter, r *http.Request, b *httplimit.Body) ([]byte, bool) {
	return readBodyInto(w, r, b, nil)
}

// readBodyInto is readBody into buf's space when it is large enough.
func readBodyInto(w http.ResponseWriter, r *http.Request, b *httplimit.Body, buf []byte) ([]byte, bool) {
	if b == nil {
		b = defaultBody
	}
	body, err := b.Read(w, r, buf)
	if err != nil {
		code, reason := http.StatusBadRequest, err.Error()
		var e *httplimit.Error
		if errors.As(err, &e) {
			code = e.Code
		}
		fail(w, code, reason)
		return nil, false
	}
	return body, true
}

// fail answers a delivery that was not taken, saying why.
func fail(w http.ResponseWriter, code int, reason string) {
	writeJSON(w, code, map[string]string{"error": reason})
}

func writeResult(w http.ResponseWriter, res Result) {
	out := map[string]any{"outcome": res.Outcome}
	if res.Incident > 0 {
		out["incident"] = res.Incident
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// RequireBearer lets through to next the requests whose Authorization
// header is "Bearer " and the token (the scheme in any case, as RFC 7235
// has it); the others are answered 401 in the webhooks' answer shape and
// counted as "unauthorized". It guards the webhooks that have no signature
// of their own (Alertmanager, deploys). Without a token set (name is its
// variable, for the message) everything is refused: an open endpoint would
// let anyone open incidents.
func RequireBearer(name string, token func() string, observe func(outcome string), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := token()
		refuse := func(reason string) {
			httplimit.CloseUnread(w)
			if observe != nil {
				observe("unauthorized")
			}
			fail(w, http.StatusUnauthorized, reason)
		}
		if want == "" {
			refuse(name + " is not set on the bot, so this webhook is refused")
			return
		}
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(want)) != 1 {
			refuse("missing or wrong bearer token: send the header Authorization: Bearer <" + name + ">")
			return
		}
		next.ServeHTTP(w, r)
	})
}
