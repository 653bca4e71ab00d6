package webhooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ritualbot/ritualbot/rituals"
)

// What every webhook of this package shares: the bounded body, the result
// a sink reports and the JSON answer.

// maxBody bounds a webhook body. Alertmanager's own default caps a group
// at a few hundred alerts; a 4 MiB body is far beyond any real one.
const maxBody = 4 << 20

// Result is what a sink did with a delivery.
type Result struct {
	Outcome  rituals.WebhookOutcome
	Incident int // 0 if none
}

// readBody reads a bounded body, answering 413 past the bound.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("body over %d bytes", maxBody), http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "could not read the body", http.StatusBadRequest)
		}
		return nil, false
	}
	return body, true
}

func writeResult(w http.ResponseWriter, res Result) {
	w.Header().Set("Content-Type", "application/json")
	out := map[string]any{"outcome": res.Outcome}
	if res.Incident > 0 {
		out["incident"] = res.Incident
	}
	_ = json.NewEncoder(w).Encode(out)
}
