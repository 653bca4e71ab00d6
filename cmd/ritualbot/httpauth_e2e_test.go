package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// TestHTTPModeRefusesForgedStaleAndOversizeRequests attacks the three
// Slack endpoints with what an attacker who sees or guesses traffic can
// send: stale or future timestamps (a replay), wrong or missing
// signatures, bodies over the cap, and a correctly signed body replayed
// to another endpoint (each signed at its own second: a signature is
// taken once, see TestSignedRequestsAreTakenOnce). Every one is refused and stores nothing; the body
// each carries would declare an incident if it got through.
func TestHTTPModeRefusesForgedStaleAndOversizeRequests(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.startHTTP()

	command := []byte(url.Values{
		"token": {"x"}, "team_id": {"T0FAKE"}, "channel_id": {"C0INCIDENTS"}, "user_id": {"U0ALICE"}, "user_name": {"alice"},
		"command": {"/incident"}, "text": {"declare sev1 Replayed"}, "api_app_id": {"A0FAKE"}, "is_enterprise_install": {"false"},
		"response_url": {"https://hooks.slack.com/commands/T0FAKE/1/x"}, "trigger_id": {"1.2.3"},
	}.Encode())
	interaction, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U0ALICE"}, "actions": []any{map[string]any{"action_id": "standup:skip", "value": "payments-standup|2026-11-23", "type": "button"}}})
	interactionBody := []byte(url.Values{"payload": {string(interaction)}}.Encode())
	event := []byte(`{"token":"x","team_id":"T0FAKE","api_app_id":"A0FAKE","type":"event_callback","event_id":"Ev1","event_time":1795420800,` +
		`"event":{"type":"app_mention","user":"U0ALICE","text":"<@U0BOT> update hi","channel":"C0INCIDENTS","ts":"1795420800.000100","event_ts":"1795420800.000100"}}`)
	oversize := append(append([]byte(nil), command...), bytes.Repeat([]byte("&pad=xxxxxxxx"), (1<<20)/13+1)...)

	signed := func(secret string, at time.Time, body []byte) http.Header {
		sig, ts := slackfake.Sign(secret, at, body)
		return http.Header{"X-Slack-Signature": {sig}, "X-Slack-Request-Timestamp": {ts}}
	}
	now := time.Now()
	for _, tc := range []struct {
		name   string
		path   string
		body   []byte
		header http.Header
		code   int
		reason string
	}{
		{"replayed: signed 6 minutes ago", "/slack/commands", command, signed(wsSigningSecret, now.Add(-6*time.Minute), command), 401, "more than 5 minutes"},
		{"timestamp 6 minutes ahead", "/slack/commands", command, signed(wsSigningSecret, now.Add(6*time.Minute), command), 401, "more than 30 s in the future"},
		{"timestamp 290 s ahead", "/slack/commands", command, signed(wsSigningSecret, now.Add(290*time.Second), command), 401, "more than 30 s in the future"},
		{"signed with another secret", "/slack/commands", command, signed("not-the-secret", now, command), 401, "signature does not match"},
		{"signature of another body", "/slack/commands", command, signed(wsSigningSecret, now, interactionBody), 401, "signature does not match"},
		{"no signature", "/slack/commands", command, http.Header{"X-Slack-Request-Timestamp": signed(wsSigningSecret, now, command)["X-Slack-Request-Timestamp"]}, 401, "missing"},
		{"no timestamp", "/slack/commands", command, http.Header{"X-Slack-Signature": signed(wsSigningSecret, now, command)["X-Slack-Signature"]}, 401, "missing"},
		{"no headers", "/slack/interactions", interactionBody, http.Header{}, 401, "missing"},
		{"unsigned event", "/slack/events", event, http.Header{}, 401, "missing"},
		{"v1 signature scheme", "/slack/commands", command, http.Header{"X-Slack-Signature": {strings.Replace(signed(wsSigningSecret, now, command).Get("X-Slack-Signature"), "v0=", "v1=", 1)}, "X-Slack-Request-Timestamp": signed(wsSigningSecret, now, command)["X-Slack-Request-Timestamp"]}, 401, "signature does not match"},
		{"oversize command, signed", "/slack/commands", oversize, signed(wsSigningSecret, now, oversize), 413, "too large"},
		{"oversize interaction, signed", "/slack/interactions", oversize, signed(wsSigningSecret, now, oversize), 413, "too large"},
		{"oversize event, signed", "/slack/events", oversize, signed(wsSigningSecret, now, oversize), 413, "too large"},
		{"oversize, unsigned", "/slack/commands", oversize, http.Header{}, 413, "too large"},
		{"signed command replayed to interactions", "/slack/interactions", command, signed(wsSigningSecret, now.Add(-10*time.Second), command), 400, "not an interaction"},
		{"signed command replayed to events", "/slack/events", command, signed(wsSigningSecret, now.Add(-11*time.Second), command), 400, "not JSON"},
		{"signed interaction replayed to commands", "/slack/commands", interactionBody, signed(wsSigningSecret, now.Add(-12*time.Second), interactionBody), 400, "not a slash command"},
		{"signed event replayed to commands", "/slack/commands", event, signed(wsSigningSecret, now.Add(-13*time.Second), event), 400, "not a slash command"},
		{"signed event replayed to interactions", "/slack/interactions", event, signed(wsSigningSecret, now.Add(-14*time.Second), event), 400, "not an interaction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := h.export()
			req, _ := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+tc.path, bytes.NewReader(tc.body))
			req.Header = tc.header
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			h.settle()
			if resp.StatusCode != tc.code || !strings.Contains(string(out), tc.reason) {
				t.Errorf("answered %d %q, want %d saying %q", resp.StatusCode, out, tc.code, tc.reason)
			}
			if after := h.export(); after != before {
				t.Errorf("the store changed:\n%s", firstDiff(before, after))
			}
		})
	}
	// The same command, signed now, goes through: the refusals above were
	// about the attacks, not the body.
	if code, out := h.signedPost("/slack/commands", command, "application/x-www-form-urlencoded"); code != 200 || !strings.Contains(out, "Declared *#1: Replayed*") {
		t.Errorf("the genuine command answered %d %s", code, out)
	}
	if n := strings.Count(h.logs.String(), "rejected unsigned or stale Slack request"); n < 9 {
		t.Errorf("%d refusals logged, want one per forged request", n)
	}
}

// TestEveryWebhookChecksItsCredentials sends every /hooks endpoint
// deliveries without credentials, with wrong ones and with the wrong
// scheme: each is answered 401 with the reason in the webhooks' JSON
// shape, stores nothing, and is counted; the right credentials pass.
func TestEveryWebhookChecksItsCredentials(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.startHTTP()

	alert := amPayload("firing", "g1", amAlert("firing", "web-1", "critical", "2026-11-23T06:55:00Z", zeroTime, "f1"))
	deploy := `{"service":"checkout","environment":"production","sha":"c1","status":"success","finished_at":"2026-11-23T06:30:00Z"}`
	pd := pdEvent("01EV", "incident.triggered", "Q1", "Payments API latency")
	push := githubPush
	bearer := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	gh := func(sig string) map[string]string {
		return map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d1", "X-Hub-Signature-256": sig}
	}
	for _, tc := range []struct {
		name, path, body string
		header           map[string]string
		source           string
		code             int
	}{
		{"alertmanager without a token", "/hooks/alertmanager", alert, nil, "alertmanager", 401},
		{"alertmanager with a wrong token", "/hooks/alertmanager", alert, bearer("Bearer nope"), "alertmanager", 401},
		{"alertmanager with the token as Basic", "/hooks/alertmanager", alert, bearer("Basic " + wsWebhookToken), "alertmanager", 401},
		{"alertmanager with the bare token", "/hooks/alertmanager", alert, bearer(wsWebhookToken), "alertmanager", 401},
		{"alertmanager with a token prefix", "/hooks/alertmanager", alert, bearer("Bearer " + wsWebhookToken[:len(wsWebhookToken)-1]), "alertmanager", 401},
		{"alertmanager with the token in the URL", "/hooks/alertmanager?token=" + wsWebhookToken, alert, nil, "alertmanager", 401},
		{"deploy without a token", "/hooks/deploy", deploy, nil, "deploy", 401},
		{"deploy with a wrong token", "/hooks/deploy", deploy, bearer("Bearer " + wsGitHubSecret), "deploy", 401},
		{"deploy with the token as Token", "/hooks/deploy", deploy, bearer("Token " + wsWebhookToken), "deploy", 401},
		{"pagerduty unsigned", "/hooks/pagerduty", pd, nil, "pagerduty", 401},
		{"pagerduty signed with another secret", "/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": pdSign("nope", pd)}, "pagerduty", 401},
		{"pagerduty signature of another body", "/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": pdSign(wsPagerDuty, alert)}, "pagerduty", 401},
		{"pagerduty with the webhook token", "/hooks/pagerduty", pd, bearer("Bearer " + wsWebhookToken), "pagerduty", 401},
		{"pagerduty v0 scheme", "/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": strings.Replace(pdSign(wsPagerDuty, pd), "v1=", "v0=", 1)}, "pagerduty", 401},
		{"github unsigned", "/hooks/github", push, gh(""), "github", 401},
		{"github signed with another secret", "/hooks/github", push, gh(webhooks.Sign("nope", []byte(push))), "github", 401},
		{"github SHA-1 signature header only", "/hooks/github", push, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature": "sha1=" + strings.Repeat("0", 40)}, "github", 401},
		{"github with the webhook token", "/hooks/github", push, map[string]string{"X-GitHub-Event": "push", "Authorization": "Bearer " + wsWebhookToken}, "github", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := h.export()
			code, out := h.post(tc.path, tc.body, tc.header)
			var answer struct{ Error string }
			if err := json.Unmarshal([]byte(out), &answer); err != nil || code != tc.code || answer.Error == "" {
				t.Errorf("answered %d %q, want %d with {\"error\": reason}", code, out, tc.code)
			}
			if after := h.export(); after != before {
				t.Errorf("the store changed:\n%s", firstDiff(before, after))
			}
		})
	}
	_, metrics := h.get("/metrics")
	for source, n := range map[string]string{"alertmanager": "6", "deploy": "3", "pagerduty": "5", "github": "4"} {
		if want := `ritualbot_webhook_events_total{outcome="unauthorized",source="` + source + `"} ` + n; !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "unauthorized"))
		}
	}

	// The right credentials pass, the scheme in any case.
	for _, c := range []struct {
		path, body string
		header     map[string]string
	}{
		{"/hooks/alertmanager", alert, bearer("Bearer " + wsWebhookToken)},
		{"/hooks/deploy", deploy, bearer("bearer " + wsWebhookToken)},
		{"/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": "v1=00," + pdSign(wsPagerDuty, pd)}},
		{"/hooks/github", push, gh(webhooks.Sign(wsGitHubSecret, []byte(push)))},
	} {
		if code, out := h.post(c.path, c.body, c.header); code != http.StatusOK {
			t.Errorf("%s with the right credentials: %d %s", c.path, code, out)
		}
	}
}
