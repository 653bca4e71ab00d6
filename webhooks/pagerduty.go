package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// PagerDutySink applies a PagerDuty event.
type PagerDutySink func(ctx context.Context, ev incident.PagerDutyEvent) (Result, error)

// PagerDuty serves POST /hooks/pagerduty (webhooks v3), checking the
// X-PagerDuty-Signature HMAC with the subscription's secret.
type PagerDuty struct {
	// Secret returns PAGERDUTY_WEBHOOK_SECRET; with none set, every
	// delivery is refused, since an open endpoint would let anyone open
	// incidents.
	Secret  func() string
	Sink    PagerDutySink
	Log     zerolog.Logger
	Observe func(source, outcome string)
	Body    *httplimit.Body // default: maxBody
}

func (h *PagerDuty) observe(outcome string) {
	if h.Observe != nil {
		h.Observe("pagerduty", outcome)
	}
}

// VerifyPagerDutySignature checks an X-PagerDuty-Signature header,
// "v1=<hex HMAC-SHA256 of the body>" possibly several comma-separated
// (PagerDuty signs with each of a subscription's secrets while one is
// rotated): any match passes. Every candidate is compared in constant
// time.
func VerifyPagerDutySignature(secret, header string, body []byte) bool {
	if secret == "" || header == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := mac.Sum(nil)
	ok := false
	for _, part := range strings.Split(header, ",") {
		sig, found := strings.CutPrefix(strings.TrimSpace(part), "v1=")
		if !found {
			continue
		}
		got, err := hex.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			ok = true
		}
	}
	return ok
}

type pdPayload struct {
	Event *struct {
		ID           string          `json:"id"`
		EventType    string          `json:"event_type"`
		ResourceType string          `json:"resource_type"`
		OccurredAt   string          `json:"occurred_at"`
		Agent        *pdRef          `json:"agent"`
		Data         json.RawMessage `json:"data"`
	} `json:"event"`
}

type pdRef struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	HTMLURL string `json:"html_url"`
}

type pdIncident struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	HTMLURL  string `json:"html_url"`
	Number   int    `json:"number"`
	Status   string `json:"status"`
	Title    string `json:"title"`
	Urgency  string `json:"urgency"`
	Service  *pdRef `json:"service"`
	Priority *pdRef `json:"priority"`
	// incident_note data (incident.annotated): the note and its incident.
	Content  string `json:"content"`
	Incident *pdRef `json:"incident"`
}

// ParsePagerDuty reads a PagerDuty v3 webhook body. The error says what is
// wrong, for the 400 answer.
func ParsePagerDuty(body []byte) (incident.PagerDutyEvent, error) {
	var p pdPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return incident.PagerDutyEvent{}, fmt.Errorf("not a PagerDuty webhook body: %v", err)
	}
	if p.Event == nil {
		return incident.PagerDutyEvent{}, errors.New(`no "event" object: want a PagerDuty v3 webhook`)
	}
	e := p.Event
	if e.ID == "" || e.EventType == "" {
		return incident.PagerDutyEvent{}, errors.New(`the event has no "id" or "event_type"`)
	}
	ev := incident.PagerDutyEvent{ID: e.ID, Type: e.EventType}
	if e.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339Nano, e.OccurredAt)
		if err != nil {
			return incident.PagerDutyEvent{}, fmt.Errorf(`"occurred_at" %q is not an RFC 3339 time`, e.OccurredAt)
		}
		ev.OccurredAt = t
	}
	if e.Agent != nil {
		ev.Agent = e.Agent.Summary
	}
	if e.ResourceType != "incident" {
		// Services and other resources say nothing about incidents.
		return ev, nil
	}
	var d pdIncident
	if len(e.Data) == 0 || string(e.Data) == "null" {
		return incident.PagerDutyEvent{}, errors.New(`an incident event without "data"`)
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return incident.PagerDutyEvent{}, fmt.Errorf(`"data" is not an incident: %v`, err)
	}
	switch d.Type {
	case "incident_note":
		if d.Incident == nil || d.Incident.ID == "" {
			return incident.PagerDutyEvent{}, errors.New(`a note without its "incident"`)
		}
		ev.IncidentID, ev.URL, ev.Note = d.Incident.ID, d.Incident.HTMLURL, d.Content
	default:
		if d.ID == "" {
			return incident.PagerDutyEvent{}, errors.New(`the incident has no "id"`)
		}
		ev.IncidentID, ev.Number, ev.Title, ev.Status, ev.Urgency, ev.URL = d.ID, d.Number, d.Title, d.Status, d.Urgency, d.HTMLURL
		if d.Service != nil {
			ev.ServiceID, ev.ServiceName = d.Service.ID, d.Service.Summary
		}
		if d.Priority != nil {
			ev.Priority = d.Priority.Summary
		}
	}
	return ev, nil
}

func (h *PagerDuty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secret := ""
	if h.Secret != nil {
		secret = h.Secret()
	}
	// Without a secret nothing can be verified: refuse before reading.
	if secret == "" {
		h.observe("unauthorized")
		httplimit.CloseUnread(w)
		fail(w, http.StatusUnauthorized, "PAGERDUTY_WEBHOOK_SECRET is not set on the bot, so PagerDuty webhooks are refused")
		return
	}
	body, ok := readBody(w, r, h.Body)
	if !ok {
		h.observe("too_large")
		return
	}
	if !VerifyPagerDutySignature(secret, r.Header.Get("X-PagerDuty-Signature"), body) {
		h.observe("unauthorized")
		fail(w, http.StatusUnauthorized, "missing or wrong X-PagerDuty-Signature")
		return
	}
	ev, err := ParsePagerDuty(body)
	if err != nil {
		h.observe("invalid")
		fail(w, http.StatusBadRequest, "bad PagerDuty webhook: "+err.Error())
		return
	}
	if ev.IncidentID == "" {
		h.observe(string(incident.OutcomeIgnored))
		writeResult(w, Result{Outcome: incident.OutcomeIgnored})
		return
	}
	res, err := h.Sink(r.Context(), ev)
	if err != nil {
		h.observe("error")
		h.Log.Error().Err(err).Str("event", httplimit.Clip(ev.ID)).Msg("pagerduty webhook failed")
		fail(w, http.StatusInternalServerError, "could not record the event; PagerDuty will retry")
		return
	}
	h.observe(string(res.Outcome))
	h.Log.Info().Str("event", httplimit.Clip(ev.ID)).Str("type", httplimit.Clip(ev.Type)).Str("pd_incident", httplimit.Clip(ev.IncidentID)).
		Str("outcome", string(res.Outcome)).Int("incident", res.Incident).Msg("pagerduty webhook")
	writeResult(w, res)
}
