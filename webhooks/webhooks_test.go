package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/webhooks"
)

func TestAlertmanagerHandlerAnswers(t *testing.T) {
	var got []incident.AlertGroup
	var outcomes []string
	h := &webhooks.Alertmanager{Log: zerolog.Nop(),
		Sink: func(ctx context.Context, g incident.AlertGroup) (webhooks.Result, error) {
			got = append(got, g)
			return webhooks.Result{Outcome: incident.OutcomeOpened, Incident: 7}, nil
		},
		Observe: func(source, outcome string) { outcomes = append(outcomes, source+"/"+outcome) },
	}
	serve := func(body []byte) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hooks/alertmanager", bytes.NewReader(body)))
		return w
	}
	if w := serve([]byte(amSeed)); w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"incident":7,"outcome":"opened"}` {
		t.Errorf("good body: %d %s", w.Code, w.Body.String())
	}
	if g := got[0]; g.GroupKey != `{}:{alertname="HighLatency"}` || len(g.Alerts) != 1 || !g.Alerts[0].EndsAt.IsZero() ||
		g.Alerts[0].StartsAt.IsZero() || g.Alerts[0].Labels["severity"] != "critical" || g.ExternalURL != "http://am:9093" {
		t.Errorf("parsed group = %+v", g)
	}
	if w := serve(bytes.Repeat([]byte(" "), 5<<20+1)); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize body: %d", w.Code)
	}
	if w := serve([]byte(`{"version":"4","groupKey":"g","status":"pending","alerts":[]}`)); w.Code != 400 || !strings.Contains(errorOf(t, w), `"status" is "pending"`) {
		t.Errorf("bad status: %d %s", w.Code, w.Body.String())
	}
	if strings.Join(outcomes, " ") != "alertmanager/opened alertmanager/too_large alertmanager/invalid" {
		t.Errorf("observed %v", outcomes)
	}
}

// Bodies are read into reused buffers: deliveries at the same time, of
// different sizes, each get their own group, whole.
func TestAlertmanagerConcurrentDeliveriesKeepTheirOwnBodies(t *testing.T) {
	h := &webhooks.Alertmanager{Log: zerolog.Nop(),
		Sink: func(ctx context.Context, g incident.AlertGroup) (webhooks.Result, error) {
			return webhooks.Result{Outcome: incident.OutcomeOpened, Incident: len(g.Alerts)}, nil
		}}
	var wg sync.WaitGroup
	for i := 1; i <= 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; n < i+5; n++ {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hooks/alertmanager", bytes.NewReader(groupBody(fmt.Sprint("g", n), n, false))))
				if want := fmt.Sprintf(`{"incident":%d,"outcome":"opened"}`, n); strings.TrimSpace(w.Body.String()) != want {
					t.Errorf("%d alerts: answered %s; want %s", n, w.Body.String(), want)
				}
			}
		}()
	}
	wg.Wait()
}

func TestPagerDutyHandlerNeedsASecret(t *testing.T) {
	called := false
	h := &webhooks.PagerDuty{Log: zerolog.Nop(), Secret: func() string { return "" },
		Sink: func(context.Context, incident.PagerDutyEvent) (webhooks.Result, error) {
			called = true
			return webhooks.Result{}, nil
		}}
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/hooks/pagerduty", strings.NewReader(pdSeed))
	req.Header.Set("X-PagerDuty-Signature", "v1=00")
	h.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized || called {
		t.Errorf("without PAGERDUTY_WEBHOOK_SECRET: %d, sink called %v", w.Code, called)
	}
	ev, err := webhooks.ParsePagerDuty([]byte(pdNoteSeed))
	if err != nil || ev.IncidentID != "Q1BD" || ev.Note != "Rolled back" || ev.Type != "incident.annotated" {
		t.Errorf("note event = %+v, %v", ev, err)
	}
	ev, err = webhooks.ParsePagerDuty([]byte(pdSeed))
	if err != nil || ev.Priority != "P2" || ev.ServiceID != "PF9KMXH" || ev.Agent != "Tenex Engineer" || ev.Number != 2 || ev.OccurredAt.IsZero() {
		t.Errorf("triggered event = %+v, %v", ev, err)
	}
}

// errorOf is the reason of a webhook's `{"error": …}` answer.
func errorOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" {
		t.Fatalf("answer %q is not {\"error\": …}", w.Body.String())
	}
	return e.Error
}

func TestRequireBearer(t *testing.T) {
	token := "s3cret"
	var counted []string
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	guard := webhooks.RequireBearer("RITUALBOT_WEBHOOK_TOKEN", func() string { return token }, func(o string) { counted = append(counted, o) }, ok)
	for _, tc := range []struct {
		auth string
		code int
	}{
		{"Bearer s3cret", 200},
		{"bearer s3cret", 200}, // the scheme is case-insensitive (RFC 7235)
		{"BEARER  s3cret ", 200},
		{"", 401},
		{"Bearer", 401},
		{"Bearer ", 401},
		{"Bearer s3cre", 401},
		{"Bearer s3cretX", 401},
		{"Basic s3cret", 401},
		{"s3cret", 401},
		{"Bearer s3cret s3cret", 401},
	} {
		req := httptest.NewRequest(http.MethodPost, "/hooks/x", strings.NewReader("{}"))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		rec := httptest.NewRecorder()
		guard.ServeHTTP(rec, req)
		if rec.Code != tc.code {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, rec.Code, tc.code)
		}
		if tc.code == 401 && (rec.Header().Get("Content-Type") != "application/json" || !strings.Contains(rec.Body.String(), `"error":"missing or wrong bearer token`)) {
			t.Errorf("Authorization %q answered %q, want the JSON error shape", tc.auth, rec.Body.String())
		}
	}
	if len(counted) != 8 {
		t.Errorf("counted %d refusals, want 8: %v", len(counted), counted)
	}
	token = ""
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/hooks/x", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer ")
	guard.ServeHTTP(rec, req)
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), "RITUALBOT_WEBHOOK_TOKEN is not set") {
		t.Errorf("without a token set: %d %s", rec.Code, rec.Body.String())
	}
}
