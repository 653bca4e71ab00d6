package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// AlertSink applies an Alertmanager notification.
type AlertSink func(ctx context.Context, g rituals.AlertGroup) (Result, error)

// Alertmanager serves POST /hooks/alertmanager (webhook payload version 4).
// Authentication (the bearer token of Alertmanager's http_config) is the
// caller's: wrap it.
type Alertmanager struct {
	Sink AlertSink
	Log  zerolog.Logger
	// Observe, if set, counts deliveries by outcome (metrics).
	Observe func(source, outcome string)
}

func (h *Alertmanager) observe(outcome string) {
	if h.Observe != nil {
		h.Observe("alertmanager", outcome)
	}
}

// amPayload is the webhook v4 body; fields Alertmanager adds later are
// ignored.
type amPayload struct {
	Version           *string    `json:"version"`
	GroupKey          *string    `json:"groupKey"`
	TruncatedAlerts   int        `json:"truncatedAlerts"`
	Status            string     `json:"status"`
	Receiver          string     `json:"receiver"`
	GroupLabels       stringMap  `json:"groupLabels"`
	CommonLabels      stringMap  `json:"commonLabels"`
	CommonAnnotations stringMap  `json:"commonAnnotations"`
	ExternalURL       string     `json:"externalURL"`
	Alerts            *[]amAlert `json:"alerts"`
}

type amAlert struct {
	Status       string    `json:"status"`
	Labels       stringMap `json:"labels"`
	Annotations  stringMap `json:"annotations"`
	StartsAt     string    `json:"startsAt"`
	EndsAt       string    `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL"`
	Fingerprint  string    `json:"fingerprint"`
}

// ParseAlertmanager reads an Alertmanager webhook body (version 4). The
// error says what is wrong, for the 400 answer.
func ParseAlertmanager(body []byte) (rituals.AlertGroup, error) {
	var p amPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return rituals.AlertGroup{}, fmt.Errorf("not an Alertmanager webhook body: %v", err)
	}
	switch {
	case p.Version == nil:
		return rituals.AlertGroup{}, errors.New(`no "version": want an Alertmanager webhook (version "4")`)
	case *p.Version != "4":
		return rituals.AlertGroup{}, fmt.Errorf(`webhook version %q is not supported; want "4"`, *p.Version)
	case p.GroupKey == nil || *p.GroupKey == "":
		return rituals.AlertGroup{}, errors.New(`no "groupKey"`)
	case p.Status != rituals.AlertFiring && p.Status != rituals.AlertResolved:
		return rituals.AlertGroup{}, fmt.Errorf(`"status" is %q; want "firing" or "resolved"`, p.Status)
	case p.Alerts == nil:
		return rituals.AlertGroup{}, errors.New(`no "alerts" list`)
	case p.TruncatedAlerts < 0:
		return rituals.AlertGroup{}, errors.New(`"truncatedAlerts" is negative`)
	}
	g := rituals.AlertGroup{
		GroupKey: *p.GroupKey, Status: p.Status, Receiver: p.Receiver, GroupLabels: nonNil(p.GroupLabels),
		CommonLabels: nonNil(p.CommonLabels), CommonAnnotations: nonNil(p.CommonAnnotations),
		ExternalURL: p.ExternalURL, TruncatedAlerts: p.TruncatedAlerts,
	}
	g.Alerts = make([]rituals.Alert, 0, len(*p.Alerts))
	for i, a := range *p.Alerts {
		if a.Status != rituals.AlertFiring && a.Status != rituals.AlertResolved {
			return rituals.AlertGroup{}, fmt.Errorf(`alerts[%d].status is %q; want "firing" or "resolved"`, i, a.Status)
		}
		starts, err := parseAMTime(a.StartsAt)
		if err != nil {
			return rituals.AlertGroup{}, fmt.Errorf("alerts[%d].startsAt: %v", i, err)
		}
		ends, err := parseAMTime(a.EndsAt)
		if err != nil {
			return rituals.AlertGroup{}, fmt.Errorf("alerts[%d].endsAt: %v", i, err)
		}
		g.Alerts = append(g.Alerts, rituals.Alert{
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

func nonNil(m stringMap) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// stringMap is a JSON object of strings: labels and annotations, most of
// an alert group's body. It decodes the usual object (strings without
// escapes) directly, which takes a third of the time encoding/json's
// reflection does, and leaves anything else to encoding/json, so that
// what it accepts and how is unchanged.
type stringMap map[string]string

func (m *stringMap) UnmarshalJSON(data []byte) error {
	if plain, ok := plainStringObject(data); ok {
		*m = plain
		return nil
	}
	var any map[string]string
	if err := json.Unmarshal(data, &any); err != nil {
		return err
	}
	*m = any
	return nil
}

// plainStringObject reads data, one JSON value (encoding/json has checked
// it is valid), if it is an object whose keys and values are strings
// without escapes, in valid UTF-8; ok is false for anything else.
func plainStringObject(data []byte) (m map[string]string, ok bool) {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return nil, false
	}
	m = make(map[string]string, bytes.Count(data, []byte{':'}))
	if i = skipSpace(data, i+1); i < len(data) && data[i] == '}' {
		return m, skipSpace(data, i+1) == len(data)
	}
	for {
		var k, v string
		if k, i, ok = plainString(data, i); !ok {
			return nil, false
		}
		if i = skipSpace(data, i); i == len(data) || data[i] != ':' {
			return nil, false
		}
		if v, i, ok = plainString(data, skipSpace(data, i+1)); !ok {
			return nil, false
		}
		m[k] = v // a repeated key: the last one wins, as with encoding/json
		switch i = skipSpace(data, i); {
		case i < len(data) && data[i] == ',':
			i = skipSpace(data, i+1)
		case i < len(data) && data[i] == '}':
			return m, skipSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

// plainString reads the JSON string at data[i], if it has no escapes and
// is valid UTF-8, and returns it and the index after it.
func plainString(data []byte, i int) (string, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return "", 0, false
	}
	n := bytes.IndexByte(data[i+1:], '"')
	if n < 0 {
		return "", 0, false
	}
	s := data[i+1 : i+1+n]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return "", 0, false
	}
	return string(s), i + 2 + n, true
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func (h *Alertmanager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		h.observe("too_large")
		return
	}
	g, err := ParseAlertmanager(body)
	if err != nil {
		h.observe("invalid")
		fail(w, http.StatusBadRequest, "bad Alertmanager webhook: "+err.Error())
		return
	}
	res, err := h.Sink(r.Context(), g)
	if err != nil {
		// Alertmanager retries a 5xx, which is what a store hiccup wants.
		h.observe("error")
		h.Log.Error().Err(err).Str("group_key", g.GroupKey).Msg("alertmanager webhook failed")
		fail(w, http.StatusInternalServerError, "could not record the alerts; Alertmanager will retry")
		return
	}
	h.observe(string(res.Outcome))
	h.Log.Info().Str("group_key", g.GroupKey).Str("status", g.Status).Int("alerts", len(g.Alerts)).
		Str("outcome", string(res.Outcome)).Int("incident", res.Incident).Msg("alertmanager webhook")
	writeResult(w, res)
}
