package webhooks

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

// What every webhook of this package shares: the bounded body, the result
// a sink reports, and one shape of answer: `{"outcome": …}` when the
// delivery was taken, `{"error": "what is wrong and how to fix it"}` when
// not, with the status code saying which.

// maxBody bounds a webhook body. Alertmanager's own default caps a group
// at a few hundred alerts, and a push or deploy that matters here is far
// smaller than GitHub's 25 MB cap; bigger is refused with 413 rather than
// read into memory.
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

// readBody reads a bounded body; on failure it has answered already.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	return readBodyInto(w, r, nil)
}

// readBodyInto is readBody into buf's space when it is large enough.
func readBodyInto(w http.ResponseWriter, r *http.Request, buf []byte) ([]byte, bool) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxBody), r.ContentLength, buf)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", maxBody))
		} else {
			fail(w, http.StatusBadRequest, "could not read the body: "+err.Error())
		}
		return nil, false
	}
	return body, true
}

// readAll is io.ReadAll into a buffer of the announced length (when it is
// within maxBody), so that a 25 KB alert group is read into 25 KB rather
// than copied through ever larger buffers; buf is that buffer if it is
// large enough. A body longer than announced is still read whole.
func readAll(r io.Reader, length int64, buf []byte) ([]byte, error) {
	if length <= 0 || length > maxBody {
		return io.ReadAll(r)
	}
	if int64(cap(buf)) < length+1 {
		buf = make([]byte, 0, length+1) // +1: reaching EOF needs no growth
	}
	buf = buf[:0]
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // longer than announced: grow
		}
	}
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
