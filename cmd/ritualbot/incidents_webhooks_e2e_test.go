package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// amPayload is an Alertmanager webhook (version 4) as Alertmanager sends
// it, with the fields its docs list (and one it may add later).
func amPayload(status, groupKey string, alerts ...string) string {
	return fmt.Sprintf(`{
  "receiver": "ritualbot",
  "status": %q,
  "alerts": [%s],
  "groupLabels": {"alertname": "CheckoutErrors"},
  "commonLabels": {"alertname": "CheckoutErrors", "service": "checkout", "severity": "critical"},
  "commonAnnotations": {"summary": "Checkout error rate above 5%%"},
  "externalURL": "http://alertmanager.example.com:9093",
  "version": "4",
  "groupKey": %q,
  "truncatedAlerts": 0,
  "someFutureField": {"ignored": true}
}`, status, strings.Join(alerts, ","), groupKey)
}

func amAlert(status, instance, severity, startsAt, endsAt, fingerprint string) string {
	return fmt.Sprintf(`{
    "status": %q,
    "labels": {"alertname": "CheckoutErrors", "instance": %q, "service": "checkout", "severity": %q},
    "annotations": {"summary": "Checkout error rate above 5%%", "description": "5xx on %s"},
    "startsAt": %q,
    "endsAt": %q,
    "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=rate%%28http_requests_total%%5B5m%%5D%%29",
    "fingerprint": %q
  }`, status, instance, severity, instance, startsAt, endsAt, fingerprint)
}

func TestAlertmanagerWebhookOpensOneIncidentPerGroupAndResolvesIt(t *testing.T) {
	h := newIncidentHarness(t, at(t, "2026-11-24 14:00", berlin))
	h.start()
	bearer := map[string]string{"Authorization": "Bearer hook-token"}
	group := `{}:{alertname="CheckoutErrors"}`
	firing := amPayload("firing", group, amAlert("firing", "web-1", "critical", "2026-11-24T12:55:00Z", zeroTime, "a1b2c3d4e5f60718"))

	if code, _ := h.post("/hooks/alertmanager", firing, nil); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	if code, _ := h.post("/hooks/alertmanager", firing, map[string]string{"Authorization": "Bearer nope"}); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d, want 401", code)
	}
	for body, reason := range map[string]string{
		`{"version": "4", "status": "firing"`:                                                       "not an Alertmanager webhook body",
		strings.Replace(firing, `"version": "4"`, `"version": "3"`, 1):                              `version "3" is not supported`,
		strings.Replace(firing, `"startsAt": "2026-11-24T12:55:00Z"`, `"startsAt": "yesterday"`, 1): "alerts[0].startsAt",
		`{"version": "4", "groupKey": "g", "status": "firing"}`:                                     `no "alerts" list`,
	} {
		if code, msg := h.post("/hooks/alertmanager", body, bearer); code != http.StatusBadRequest || !strings.Contains(errorOf(msg), reason) {
			t.Errorf("malformed body answered %d %q, want 400 saying %q", code, msg, reason)
		}
	}
	if n := len(h.fake.ChannelMessages("C0INCIDENTS")); n != 0 {
		t.Fatalf("refused deliveries posted %d messages", n)
	}

	code, body := h.post("/hooks/alertmanager", firing, bearer)
	if code != http.StatusOK || !strings.Contains(body, `"outcome":"opened"`) || !strings.Contains(body, `"incident":1`) {
		t.Fatalf("firing alert: %d %s", code, body)
	}
	// Alertmanager resends on every repeat_interval, and retries a
	// delivery it thinks failed: neither opens a second incident.
	for i := 0; i < 2; i++ {
		h.clock.Advance(time.Minute)
		if code, body := h.post("/hooks/alertmanager", firing, bearer); code != http.StatusOK || !strings.Contains(body, `"incident":1`) {
			t.Errorf("redelivery: %d %s", code, body)
		}
	}
	// An alert of another group that open_when does not match is ignored.
	other := amPayload("firing", `{}:{alertname="DiskFilling"}`, amAlert("firing", "db-1", "warning", "2026-11-24T12:58:00Z", zeroTime, "ffff000011112222"))
	if _, body := h.post("/hooks/alertmanager", other, bearer); !strings.Contains(body, `"outcome":"ignored"`) {
		t.Errorf("non-matching alert: %s", body)
	}
	announces := find(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #")
	if len(announces) != 1 {
		t.Fatalf("%d incidents announced, want exactly 1", len(announces))
	}
	a := readable(t, announces[0])
	wantIn(t, "announcement", a, "Incident #1: Checkout error rate above 5%", "SEV1", "via Alertmanager", "*Commander*\n<@U0CAROL>", "Open in Alertmanager")

	// A second alert joins the group: a timeline event, no new incident.
	h.clock.Advance(5 * time.Minute)
	two := amPayload("firing", group,
		amAlert("firing", "web-1", "critical", "2026-11-24T12:55:00Z", zeroTime, "a1b2c3d4e5f60718"),
		amAlert("firing", "web-2", "critical", "2026-11-24T13:04:00Z", zeroTime, "0718a1b2c3d4e5f6"))
	if _, body := h.post("/hooks/alertmanager", two, bearer); !strings.Contains(body, `"outcome":"updated"`) {
		t.Errorf("second alert of the group: %s", body)
	}
	// Both resolve: the incident resolves.
	h.clock.Advance(30 * time.Minute)
	resolved := amPayload("resolved", group,
		amAlert("resolved", "web-1", "critical", "2026-11-24T12:55:00Z", "2026-11-24T13:40:00Z", "a1b2c3d4e5f60718"),
		amAlert("resolved", "web-2", "critical", "2026-11-24T13:04:00Z", "2026-11-24T13:40:00Z", "0718a1b2c3d4e5f6"))
	if _, body := h.post("/hooks/alertmanager", resolved, bearer); !strings.Contains(body, `"outcome":"resolved"`) {
		t.Errorf("resolved group: %s", body)
	}
	if _, body := h.post("/hooks/alertmanager", resolved, bearer); !strings.Contains(body, `"outcome":"duplicate"`) {
		t.Errorf("resolved redelivered: %s", body)
	}
	thread := h.fake.Replies("C0INCIDENTS", announces[0].TS)
	if fired := find(t, thread, "*Alert firing*"); len(fired) != 2 || !strings.Contains(readable(t, fired[1]), "instance=web-2") {
		t.Errorf("alert events in the thread: %d, want the first alert's and web-2's", len(fired))
	}
	one(t, thread, "*Alert resolved*", "thread")
	one(t, thread, "*Resolved*\nAll alerts of the group resolved in Alertmanager.", "thread")
	if a := readable(t, h.fake.ChannelMessages("C0INCIDENTS")[0]); !strings.Contains(a, "*Resolved* after 37m") {
		t.Errorf("announcement after resolve:\n%s", a)
	}
	incs, err := h.m.DB.Incidents("")
	if err != nil || len(incs) != 1 {
		t.Fatalf("stored incidents: %d, %v", len(incs), err)
	}
	inc := incs[0]
	if inc.Alerts != 6 || inc.Source != "alertmanager" || inc.IsOpen() || !inc.ImpactStart.Equal(at(t, "2026-11-24 13:55", berlin)) ||
		inc.TimeToRestore() != 42*time.Minute {
		t.Errorf("incident = alerts %d, source %s, open %v, impact %s, ttr %s", inc.Alerts, inc.Source, inc.IsOpen(), inc.ImpactStart, inc.TimeToRestore())
	}
	// The same group firing again later is a new incident.
	h.clock.Advance(2 * time.Hour)
	again := amPayload("firing", group, amAlert("firing", "web-1", "critical", "2026-11-24T15:20:00Z", zeroTime, "a1b2c3d4e5f60718"))
	if _, body := h.post("/hooks/alertmanager", again, bearer); !strings.Contains(body, `"outcome":"opened"`) || !strings.Contains(body, `"incident":2`) {
		t.Errorf("the group firing again after the resolve: %s", body)
	}

	_, metrics := h.get("/metrics")
	for _, want := range []string{
		`ritualbot_webhook_events_total{outcome="opened",source="alertmanager"} 2`,
		`ritualbot_webhook_events_total{outcome="unauthorized",source="alertmanager"} 2`,
		`ritualbot_webhook_events_total{outcome="invalid",source="alertmanager"} 4`,
		`ritualbot_webhook_events_total{outcome="duplicate",source="alertmanager"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "webhook"))
		}
	}
}

// pdEvent is a PagerDuty v3 webhook as PagerDuty's docs show it.
func pdEvent(id, typ, incident, title string) string {
	return fmt.Sprintf(`{
  "event": {
    "id": %q,
    "event_type": %q,
    "resource_type": "incident",
    "occurred_at": "2026-11-24T13:01:12.169Z",
    "agent": {"html_url": "https://acme.pagerduty.com/users/PLH1HKV", "id": "PLH1HKV", "self": "https://api.pagerduty.com/users/PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
    "client": null,
    "data": {
      "id": %q,
      "type": "incident",
      "self": "https://api.pagerduty.com/incidents/%s",
      "html_url": "https://acme.pagerduty.com/incidents/%s",
      "number": 2,
      "status": "triggered",
      "incident_key": "d3640fbd41094207a1c11e58e46b1662",
      "created_at": "2026-11-24T13:01:12Z",
      "title": %q,
      "service": {"html_url": "https://acme.pagerduty.com/services/PF9KMXH", "id": "PF9KMXH", "self": "https://api.pagerduty.com/services/PF9KMXH", "summary": "API Service", "type": "service_reference"},
      "assignees": [{"html_url": "https://acme.pagerduty.com/users/PTUXL6G", "id": "PTUXL6G", "self": "https://api.pagerduty.com/users/PTUXL6G", "summary": "User 123", "type": "user_reference"}],
      "escalation_policy": {"html_url": "https://acme.pagerduty.com/escalation_policies/PUS0KTE", "id": "PUS0KTE", "self": "https://api.pagerduty.com/escalation_policies/PUS0KTE", "summary": "Default", "type": "escalation_policy_reference"},
      "teams": [],
      "priority": {"html_url": "https://acme.pagerduty.com/account/incident_priorities", "id": "PSO75BM", "self": "https://api.pagerduty.com/priorities/PSO75BM", "summary": "P2", "type": "priority"},
      "urgency": "high",
      "conference_bridge": null,
      "resolve_reason": null
    }
  }
}`, id, typ, incident, incident, incident, title)
}

func pdSign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

func TestPagerDutySignedEventsOpenAndResolveBadSignaturesStoreNothing(t *testing.T) {
	h := newIncidentHarness(t, at(t, "2026-11-24 14:00", berlin))
	h.start()
	trig := pdEvent("01DEN6SVGQR9A4NVZ3A1LD1JDM", "incident.triggered", "Q1BD5T6Y8I9Z1L", "Payments API latency above SLO")
	sig := map[string]string{"X-PagerDuty-Signature": pdSign("pd-secret", trig)}

	for name, header := range map[string]map[string]string{
		"unsigned":      nil,
		"wrong secret":  {"X-PagerDuty-Signature": pdSign("another-secret", trig)},
		"not hex":       {"X-PagerDuty-Signature": "v1=zz"},
		"other scheme":  {"X-PagerDuty-Signature": strings.Replace(pdSign("pd-secret", trig), "v1=", "v2=", 1)},
		"tampered body": {"X-PagerDuty-Signature": pdSign("pd-secret", trig+" ")},
	} {
		if code, _ := h.post("/hooks/pagerduty", trig, header); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if incs, _ := h.m.DB.Incidents(""); len(incs) != 0 || len(h.fake.ChannelMessages("C0INCIDENTS")) != 0 {
		t.Fatalf("a refused delivery stored %d incidents", len(incs))
	}

	// During a secret rotation PagerDuty signs with each secret: any may match.
	rotating := map[string]string{"X-PagerDuty-Signature": pdSign("old-secret", trig) + "," + sig["X-PagerDuty-Signature"]}
	code, body := h.post("/hooks/pagerduty", trig, rotating)
	if code != http.StatusOK || !strings.Contains(body, `"outcome":"opened"`) {
		t.Fatalf("signed incident.triggered: %d %s", code, body)
	}
	if _, body := h.post("/hooks/pagerduty", trig, sig); !strings.Contains(body, `"outcome":"duplicate"`) {
		t.Errorf("redelivered trigger: %s", body)
	}
	a := readable(t, one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1", "#incidents"))
	wantIn(t, "announcement", a, "Payments API latency above SLO", "SEV2", "via PagerDuty", "Open in PagerDuty")
	h.clock.Advance(40 * time.Minute)
	res := pdEvent("01DEN6SVGQR9A4NVZ3A1LD1JDN", "incident.resolved", "Q1BD5T6Y8I9Z1L", "Payments API latency above SLO")
	if _, body := h.post("/hooks/pagerduty", res, map[string]string{"X-PagerDuty-Signature": pdSign("pd-secret", res)}); !strings.Contains(body, `"outcome":"resolved"`) {
		t.Errorf("incident.resolved: %s", body)
	}
	incs, _ := h.m.DB.Incidents("")
	if len(incs) != 1 || incs[0].IsOpen() || incs[0].Source != "pagerduty" || !strings.Contains(incs[0].Summary, "Tenex Engineer") {
		t.Errorf("after resolve: %+v", incs)
	}
	_, metrics := h.get("/metrics")
	if !strings.Contains(metrics, `ritualbot_webhook_events_total{outcome="unauthorized",source="pagerduty"} 5`) {
		t.Errorf("/metrics:\n%s", grepLines(metrics, "webhook"))
	}
}
