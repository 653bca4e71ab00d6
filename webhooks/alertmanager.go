package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// AlertSink applies an Alertmanager notification.
type AlertSink func(ctx context.Context, g incident.AlertGroup) (Result, error)

// Alertmanager serves POST /hooks/alertmanager (webhook payload version 4).
// Authentication (the bearer token of Alertmanager's http_config) is the
// caller's: wrap it.
type Alertmanager struct {
	Sink AlertSink
	Log  zerolog.Logger
	// Observe, if set, counts deliveries by outcome (metrics).
	Observe func(source, outcome string)
	// Body bounds the bodies read (default: maxBody, no bound on how many
	// at once).
	Body *httplimit.Body
}

func (h *Alertmanager) observe(outcome string) {
	if h.Observe != nil {
		h.Observe("alertmanager", outcome)
	}
}

// ParseAlertmanager reads an Alertmanager webhook body (version 4); fields
// Alertmanager adds later are ignored. The error says what is wrong, for
// the 400 answer.
func ParseAlertmanager(body []byte) (incident.AlertGroup, error) {
	p, err := decodeAlertmanager(body)
	if err != nil {
		return incident.AlertGroup{}, fmt.Errorf("not an Alertmanager webhook body: %w", err)
	}
	switch {
	case p.Version == nil:
		return incident.AlertGroup{}, errors.New(`no "version": want an Alertmanager webhook (version "4")`)
	case *p.Version != "4":
		return incident.AlertGroup{}, fmt.Errorf(`webhook version %q is not supported; want "4"`, *p.Version)
	case p.GroupKey == nil || *p.GroupKey == "":
		return incident.AlertGroup{}, errors.New(`no "groupKey"`)
	case p.Status != incident.AlertFiring && p.Status != incident.AlertResolved:
		return incident.AlertGroup{}, fmt.Errorf(`"status" is %q; want "firing" or "resolved"`, p.Status)
	case p.Alerts == nil:
		return incident.AlertGroup{}, errors.New(`no "alerts" list`)
	case p.TruncatedAlerts < 0:
		return incident.AlertGroup{}, errors.New(`"truncatedAlerts" is negative`)
	}
	g := incident.AlertGroup{
		GroupKey: *p.GroupKey, Status: p.Status, Receiver: p.Receiver, GroupLabels: nonNil(p.GroupLabels),
		CommonLabels: nonNil(p.CommonLabels), CommonAnnotations: nonNil(p.CommonAnnotations),
		ExternalURL: p.ExternalURL, TruncatedAlerts: p.TruncatedAlerts,
	}
	g.Alerts = make([]incident.Alert, 0, len(*p.Alerts))
	for i, a := range *p.Alerts {
		if a.Status != incident.AlertFiring && a.Status != incident.AlertResolved {
			return incident.AlertGroup{}, fmt.Errorf(`alerts[%d].status is %q; want "firing" or "resolved"`, i, a.Status)
		}
		starts, err := parseAMTime(a.StartsAt)
		if err != nil {
			return incident.AlertGroup{}, fmt.Errorf("alerts[%d].startsAt: %v", i, err)
		}
		ends, err := parseAMTime(a.EndsAt)
		if err != nil {
			return incident.AlertGroup{}, fmt.Errorf("alerts[%d].endsAt: %v", i, err)
		}
		g.Alerts = append(g.Alerts, incident.Alert{
			Status: a.Status, Labels: nonNil(a.Labels), Annotations: nonNil(a.Annotations),
			StartsAt: starts, EndsAt: ends, GeneratorURL: a.GeneratorURL, Fingerprint: a.Fingerprint,
		})
	}
	return g, nil
}

// parseAMTime reads an RFC 3339 time; empty and Go's zero time
// (0001-01-01T00:00:00Z, what firing alerts carry as endsAt) are zero.
func parseAMTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	if t.Year() <= 1 {
		return time.Time{}, nil
	}
	return t, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// bodies holds read buffers for the next deliveries: a group's body is a
// few tens of kilobytes, garbage as soon as it is parsed (the parse copies
// what it keeps), and Alertmanager sends them in bursts.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBody bounds the buffers kept: a rare huge group is not worth
// holding on to.
const maxPooledBody = 256 << 10

func (h *Alertmanager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := bodies.Get().(*[]byte)
	body, ok := readBodyInto(w, r, h.Body, *buf)
	if !ok {
		bodies.Put(buf)
		h.observe("too_large")
		return
	}
	g, err := ParseAlertmanager(body)
	if cap(body) <= maxPooledBody {
		*buf = body[:0]
	}
	bodies.Put(buf)
	if err != nil {
		h.observe("invalid")
		fail(w, http.StatusBadRequest, "bad Alertmanager webhook: "+err.Error())
		return
	}
	res, err := h.Sink(r.Context(), g)
	if err != nil {
		// Alertmanager retries a 5xx, which is what a store hiccup wants.
		h.observe("error")
		h.Log.Error().Err(err).Str("group_key", httplimit.Clip(g.GroupKey)).Msg("alertmanager webhook failed")
		fail(w, http.StatusInternalServerError, "could not record the alerts; Alertmanager will retry")
		return
	}
	h.observe(string(res.Outcome))
	h.Log.Info().Str("group_key", httplimit.Clip(g.GroupKey)).Str("status", g.Status).Int("alerts", len(g.Alerts)).
		Str("outcome", string(res.Outcome)).Int("incident", res.Incident).Msg("alertmanager webhook")
	writeResult(w, res)
}
