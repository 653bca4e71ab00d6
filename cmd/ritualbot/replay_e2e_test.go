package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// TestSignedRequestsAreTakenOnce replays what an attacker who captured
// signed traffic would post again, through the real bot in HTTP mode: a
// slash command and a button click are taken once within the signature
// window; a PagerDuty note is taken once however many deliveries came in
// between; a GitHub deployment status replayed under a new delivery id
// does not flip a deploy back. Slack's own retry of an event (signed anew,
// with X-Slack-Retry-Num) is still acknowledged, and handled once.
func TestSignedRequestsAreTakenOnce(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.startHTTP()
	send := func(path string, body []byte, header http.Header) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+path, bytes.NewReader(body))
		req.Header = header.Clone()
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h.settle()
		return resp.StatusCode, string(out)
	}
	signed := func(at time.Time, body []byte) http.Header {
		sig, ts := slackfake.Sign(wsSigningSecret, at, body)
		return http.Header{"X-Slack-Signature": {sig}, "X-Slack-Request-Timestamp": {ts}}
	}

	// One captured /incident declare, posted three times (the review's).
	command := []byte(url.Values{
		"token": {"x"}, "team_id": {"T0FAKE"}, "channel_id": {"C0INCIDENTS"}, "user_id": {"U0ALICE"}, "user_name": {"alice"},
		"command": {"/incident"}, "text": {"declare sev1 Captured"}, "api_app_id": {"A0FAKE"},
		"response_url": {"https://hooks.slack.com/commands/T0FAKE/1/x"}, "trigger_id": {"1.2.3"},
	}.Encode())
	captured := signed(time.Now(), command)
	for i, want := range []int{200, 409, 409} {
		if code, out := send("/slack/commands", command, captured); code != want {
			t.Errorf("posting the captured command, time %d: %d %s, want %d", i+1, code, out, want)
		}
	}
	if incs, _ := h.m.DB.Incidents(""); len(incs) != 1 {
		t.Errorf("the captured command made %d incidents, want 1", len(incs))
	}
	// A click on Skip today in Alice's standup prompt, posted twice.
	click, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U0ALICE"}, "team": map[string]any{"id": "T0FAKE"},
		"actions": []any{map[string]any{"action_id": "standup:skip", "value": "payments-standup|2026-11-23", "type": "button"}}})
	clickBody := []byte(url.Values{"payload": {string(click)}}.Encode())
	clicked := signed(time.Now().Add(-time.Second), clickBody)
	if code, out := send("/slack/interactions", clickBody, clicked); code != 200 {
		t.Fatalf("the click: %d %s", code, out)
	}
	before := h.export()
	if code, _ := send("/slack/interactions", clickBody, clicked); code != http.StatusConflict {
		t.Errorf("the replayed click answered %d, want 409", code)
	}
	if after := h.export(); after != before {
		t.Errorf("the replayed click stored something:\n%s", firstDiff(before, after))
	}

	// Slack retries an event it thinks was missed: signed anew, with the
	// retry headers and the same event_id. It is acknowledged, not
	// refused, and handled once.
	event := []byte(`{"token":"x","team_id":"T0FAKE","api_app_id":"A0FAKE","type":"event_callback","event_id":"Ev0RETRY","event_time":1795420800,` +
		`"event":{"type":"app_mention","user":"U0BOB","text":"<@U0BOT> update hi","channel":"C0INCIDENTS","ts":"1795420800.000100","event_ts":"1795420800.000100"}}`)
	first := signed(time.Now().Add(-2*time.Second), event)
	retry := signed(time.Now(), event)
	retry.Set("X-Slack-Retry-Num", "1")
	retry.Set("X-Slack-Retry-Reason", "http_timeout")
	for _, hd := range []http.Header{first, retry} {
		if code, out := send("/slack/events", event, hd); code != 200 {
			t.Errorf("event delivery: %d %s", code, out)
		}
	}
	if n := len(h.fake.Ephemerals("U0BOB")); n != 1 {
		t.Errorf("the event and its retry answered Bob %d times, want once", n)
	}

	// PagerDuty: an incident, a note, 50 other notes, then the first note
	// delivered again.
	pd := func(ev map[string]any) (int, string) {
		body, _ := json.Marshal(map[string]any{"event": ev})
		return h.post("/hooks/pagerduty", string(body), map[string]string{"X-PagerDuty-Signature": pdSign(wsPagerDuty, string(body))})
	}
	note := func(id, text string) map[string]any {
		return map[string]any{"id": id, "event_type": "incident.annotated", "resource_type": "incident", "occurred_at": "2026-11-23T07:01:00Z",
			"agent": map[string]any{"id": "PAGENT", "summary": "Pat", "type": "user_reference"},
			"data":  map[string]any{"type": "incident_note", "content": text, "incident": map[string]any{"id": "PDINC1"}}}
	}
	if code, out := pd(map[string]any{"id": "ev-trigger", "event_type": "incident.triggered", "resource_type": "incident", "occurred_at": "2026-11-23T07:00:00Z",
		"data": map[string]any{"id": "PDINC1", "type": "incident", "number": 7, "status": "triggered", "title": "Payments API latency", "urgency": "high",
			"service": map[string]any{"id": "PSVC", "summary": "Payments API"}}}); code != 200 || !strings.Contains(out, `"outcome":"opened"`) {
		t.Fatalf("incident.triggered: %d %s", code, out)
	}
	if _, out := pd(note("ev-note-0", "Rolled back the canary")); !strings.Contains(out, `"outcome":"updated"`) {
		t.Fatalf("the note: %s", out)
	}
	for i := 1; i <= 50; i++ {
		if _, out := pd(note(fmt.Sprint("ev-note-", i), fmt.Sprint("Note ", i))); !strings.Contains(out, `"outcome":"updated"`) {
			t.Fatalf("note %d: %s", i, out)
		}
	}
	if code, out := pd(note("ev-note-0", "Rolled back the canary")); code != 200 || !strings.Contains(out, `"outcome":"duplicate"`) {
		t.Errorf("the first note again: %d %s, want a duplicate", code, out)
	}
	incs, _ := h.m.DB.Incidents("")
	canary := 0
	for _, e := range incs[len(incs)-1].Timeline {
		if strings.Contains(e.Text, "Rolled back the canary") {
			canary++
		}
	}
	if canary != 1 {
		t.Errorf("the note is on the timeline %d times, want once", canary)
	}

	// GitHub: deployment 77 failed, then succeeded; the captured failure
	// posted again under a fresh X-GitHub-Delivery is a duplicate.
	status := func(state string) string {
		return fmt.Sprintf(`{"action":"created","deployment_status":{"id":%d,"state":%q,"environment":"production","created_at":"2026-11-23T07:%02d:00Z"},`+
			`"deployment":{"id":77,"sha":"abc123","environment":"production","created_at":"2026-11-23T06:50:00Z"},"repository":{"name":"checkout","full_name":"acme/checkout"}}`,
			len(state), state, len(state))
	}
	gh := func(body, delivery string) string {
		_, out := h.post("/hooks/github", body, map[string]string{"X-GitHub-Event": "deployment_status", "X-GitHub-Delivery": delivery,
			"X-Hub-Signature-256": webhooks.Sign(wsGitHubSecret, []byte(body))})
		return out
	}
	gh(status("failure"), "d-1")
	gh(status("success"), "d-2")
	if out := gh(status("failure"), "d-3-forged"); !strings.Contains(out, `"outcome":"duplicate"`) {
		t.Errorf("the captured failure replayed: %s", out)
	}
	if d, ok, _ := h.m.DB.Deploy("github:acme/checkout:77"); !ok || d.Status != "success" {
		t.Errorf("deploy 77 after the replay: %+v", d)
	}
}
