package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// workspaceConfig is a company with every kind of ritual, in HTTP mode so
// that a test can also deliver payloads the fake's UI would never produce
// (a click on a button in someone else's DM), signed as Slack signs them.
//
//	payments: Alice, Bob and Carol, led by Lena; the standup, the on-call
//	          rotation and the incidents are theirs.
//	search:   Dan, led by Sam.
//	Adam is an admin, Otto is in the workspace and in no team.
const workspaceConfig = `
timezone: Europe/Berlin
store: {path: STORE}
slack: {mode: http}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
admins: [U0ADMIN]
teams:
  - {id: payments, name: Payments, channel: C0PAYMENTS, members: [U0ALICE, U0BOB, U0CAROL], leads: [U0LEAD], services: [checkout]}
  - {id: search, name: Search, channel: C0SEARCH, members: [U0DAN], leads: [U0SAM], services: [search-api]}
rituals:
  - name: payments-standup
    kind: standup
    team: payments
    schedule: "0 9 * * MON-FRI"
    summary_after: 1h
    questions:
      - {id: today, text: "What are you working on today?"}
      - {id: blockers, text: "Anything blocking you?", blocker: true}
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-02
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
    retro: {schedule: "0 10 * * MON-FRI", min_delay: 12h, required: [sev1]}
    actions_remind: "0 9 * * MON-FRI"
    alertmanager: {open_when: {severity: [critical]}}
  - name: weekly-digest
    kind: digest
    channel: C0DIGEST
    schedule: "0 16 * * FRI"
    teams: [payments, search]
  - name: payments-lunch
    kind: reminder
    team: payments
    schedule: "30 11 * * FRI"
    text: "Team lunch for {{.Team}} in 30 minutes. On call: {{.OnCall}}"
`

// The secrets the workspace's bot runs with.
const (
	wsSigningSecret = "ws-signing-secret-3f9a"
	wsWebhookToken  = "ws-webhook-token-77c1"
	wsGitHubSecret  = "ws-github-secret-b2d0"
	wsPagerDuty     = "ws-pagerduty-secret-e41c"
)

var workspaceUsers = []slackfake.User{
	{ID: "U0ALICE", Name: "alice"}, {ID: "U0BOB", Name: "bob"}, {ID: "U0CAROL", Name: "carol"}, {ID: "U0LEAD", Name: "lena"},
	{ID: "U0DAN", Name: "dan"}, {ID: "U0SAM", Name: "sam"}, {ID: "U0ADMIN", Name: "adam"}, {ID: "U0OUT", Name: "otto"},
}

// newWorkspaceHarness starts the workspace's bot at start, with the fake
// delivering to it over HTTP. configYAML defaults to workspaceConfig.
func newWorkspaceHarness(t *testing.T, configYAML string, start time.Time, opts slackfake.Options) *harness {
	t.Helper()
	if configYAML == "" {
		configYAML = workspaceConfig
	}
	if opts.SigningSecret == "" {
		opts.SigningSecret = wsSigningSecret
	}
	// A simulated day's messages land within real milliseconds; Slack's
	// per-minute limits, which these tests are not about, would hold
	// them back for seconds. Both sides get the same raised limits.
	fakeLimits, botLimits := loosened("chat.postMessage", "chat.postMessage/channel", "chat.update", "views.open", "users.list", "chat.postEphemeral", "conversations.replies")
	if opts.RateLimits == nil {
		opts.RateLimits = map[string]slackfake.Limit{}
	}
	maps.Copy(opts.RateLimits, fakeLimits)
	h := newHarness(t, configYAML, start, opts)
	h.limits = botLimits
	h.env[envSigningSecret] = opts.SigningSecret
	h.env[envWebhookToken] = wsWebhookToken
	h.env[envGitHubSecret] = wsGitHubSecret
	h.env[envPagerDutySecret] = wsPagerDuty
	delete(h.env, envAppToken)
	var everyone []string
	for _, u := range workspaceUsers {
		u.TZ = "Europe/Berlin"
		h.fake.AddUser(u)
		everyone = append(everyone, u.ID)
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0BOT", "U0ALICE", "U0BOB", "U0CAROL", "U0LEAD"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0SEARCH", Name: "search", Members: []string{"U0BOT", "U0DAN", "U0SAM"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: append([]string{"U0BOT"}, everyone...)})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "eng-digest", Members: []string{"U0BOT", "U0LEAD", "U0SAM", "U0ADMIN"}})
	return h
}

// startHTTP starts the bot and points the fake's deliveries at it.
func (h *harness) startHTTP() {
	h.t.Helper()
	h.start()
	h.fake.SetRequestURL("http://" + h.m.Addr)
}

// export is the whole store as `ritualbot export` prints it.
func (h *harness) export() string {
	h.t.Helper()
	var b bytes.Buffer
	if err := h.m.DB.Export(&b); err != nil {
		h.t.Fatal(err)
	}
	return b.String()
}

// signedPost posts body to the bot as Slack would, signed with the
// workspace's signing secret, and returns the status and the answer.
func (h *harness) signedPost(path string, body []byte, contentType string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	sig, ts := slackfake.Sign(wsSigningSecret, time.Now(), body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// responseCatcher stands in for a response_url: it keeps what the bot
// posts to it, which is what the user would be shown.
type responseCatcher struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []string
}

func newResponseCatcher(t testing.TB) *responseCatcher {
	c := &responseCatcher{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Text string }
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &m)
		c.mu.Lock()
		c.msgs = append(c.msgs, m.Text)
		c.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *responseCatcher) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) == 0 {
		return ""
	}
	return c.msgs[len(c.msgs)-1]
}

// buttonValue is the value of the button actionID in a message.
func buttonValue(t testing.TB, m slackfake.Message, actionID string) string {
	t.Helper()
	var found string
	var walk func(x any)
	walk = func(x any) {
		switch v := x.(type) {
		case map[string]any:
			if v["action_id"] == actionID {
				found, _ = v["value"].(string)
				return
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	var blocks any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	walk(blocks)
	if found == "" {
		t.Fatalf("message %s has no button %s", m.TS, actionID)
	}
	return found
}

// forgeClick delivers a block_actions payload saying user clicked the
// button actionID of msg, in the shape Slack sends (bolt-python's
// test_block_actions.py), signed. Slack would show that button only to
// whom it was posted for; the bot must refuse anyone else all the same (a
// forwarded copy, a replay with another user). It returns what the bot
// answers the clicker (through response_url).
func (h *harness) forgeClick(user string, msg slackfake.Message, actionID string) string {
	h.t.Helper()
	c := newResponseCatcher(h.t)
	payload := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": strings.ToLower(user[3:]), "name": strings.ToLower(user[3:]), "team_id": "T0FAKE"},
		"api_app_id": "A0FAKE", "token": "fake-verification-token",
		"container":    map[string]any{"type": "message", "message_ts": msg.TS, "channel_id": msg.Channel, "is_ephemeral": false},
		"trigger_id":   "1111.2222.forged",
		"team":         map[string]any{"id": "T0FAKE", "domain": "fake-workspace"},
		"channel":      map[string]any{"id": msg.Channel, "name": "forwarded"},
		"response_url": c.srv.URL + "/actions/forged",
		"actions": []any{map[string]any{
			"action_id": actionID, "block_id": "b", "type": "button", "action_ts": "1764000000.000100",
			"text": map[string]any{"type": "plain_text", "text": "Button", "emoji": true}, "value": buttonValue(h.t, msg, actionID),
		}},
	}
	b, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	code, body := h.signedPost("/slack/interactions", []byte(url.Values{"payload": {string(b)}}.Encode()), "application/x-www-form-urlencoded")
	if code != http.StatusOK {
		h.t.Fatalf("forged click answered %d %s", code, body)
	}
	h.settle()
	return c.last()
}

// forgeSubmit delivers a view_submission of the modal v (opened for
// someone else) as if user submitted it, in the shape of bolt-python's
// test_view_submission.py, and returns the ack.
func (h *harness) forgeSubmit(user string, v slackfake.View, values map[string]map[string]any) string {
	h.t.Helper()
	payload := map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": "T0FAKE", "domain": "fake-workspace"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user[3:]), "name": strings.ToLower(user[3:]), "team_id": "T0FAKE"},
		"api_app_id": "A0FAKE", "token": "fake-verification-token", "trigger_id": "1111.2222.forged",
		"view": map[string]any{
			"id": v.ID, "team_id": "T0FAKE", "type": "modal", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata,
			"state": map[string]any{"values": values}, "hash": v.Hash, "root_view_id": v.RootViewID, "app_id": "A0FAKE", "bot_id": "B0FAKE",
		},
		"response_urls": []any{}, "is_enterprise_install": false,
	}
	b, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	code, body := h.signedPost("/slack/interactions", []byte(url.Values{"payload": {string(b)}}.Encode()), "application/x-www-form-urlencoded")
	if code != http.StatusOK {
		h.t.Fatalf("forged submission answered %d %s", code, body)
	}
	h.settle()
	return body
}

// lastEphemeral is the latest ephemeral message shown to user.
func (h *harness) lastEphemeral(user string) string {
	eph := h.fake.Ephemerals(user)
	if len(eph) == 0 {
		return ""
	}
	return readable(h.t, eph[len(eph)-1])
}
