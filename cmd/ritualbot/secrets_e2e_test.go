package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// TestSecretsAreNeverLoggedStoredOrShown runs a representative week of the
// bot, in HTTP mode and in Socket Mode, with known secrets, with Slack
// failing now and then and webhooks sent with wrong credentials, and looks
// for the secrets in everything the bot wrote: every log line (at debug
// level), the store's export, /metrics, and every message the fake Slack
// received. It must find none.
func TestSecretsAreNeverLoggedStoredOrShown(t *testing.T) {
	secrets := map[string]string{
		envBotToken:        "xoxb-1111-2222-BOTSECRETbotsecret",
		envAppToken:        "xapp-1-A0FAKE-3333-APPSECRETappsecret",
		envSigningSecret:   "signing-SECRET-5f1e2d",
		envWebhookToken:    "webhook-SECRET-9c8b7a",
		envGitHubSecret:    "github-SECRET-4d3c2b",
		envPagerDutySecret: "pagerduty-SECRET-1a0f",
		envLinkSecret:      "link-SECRET-2b1a09",
		envGitHubToken:     "ghp_GITHUBTOKENsecret0a9b",
	}
	check := func(t *testing.T, h *harness, what string) {
		t.Helper()
		var all []string
		for _, c := range []string{"C0PAYMENTS", "C0SEARCH", "C0INCIDENTS", "C0DIGEST"} {
			all = append(all, texts(h.fake.ChannelMessages(c))...)
		}
		for _, u := range workspaceUsers {
			all = append(all, texts(h.fake.DMs(u.ID))...)
			all = append(all, texts(h.fake.Ephemerals(u.ID))...)
		}
		_, metrics := h.get("/metrics")
		places := map[string]string{"the logs": h.logs.String(), "the store": h.export(), "/metrics": metrics, "Slack": strings.Join(all, "\n")}
		for _, want := range []string{"ritualbot started", "send failed; will retry", "Slack refused the message", "request failed"} {
			if !strings.Contains(h.logs.String(), want) {
				t.Errorf("%s: the logs lack %q: the flow did not run as meant", what, want)
			}
		}
		for name, secret := range secrets {
			for where, text := range places {
				if strings.Contains(text, secret) {
					t.Errorf("%s: %s (%s) found in %s:\n%s", what, name, secret, where, grepLines(text, secret))
				}
			}
		}
	}

	t.Run("http mode", func(t *testing.T) {
		h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{BotToken: secrets[envBotToken], SigningSecret: secrets[envSigningSecret]})
		for k, v := range secrets {
			h.env[k] = v
		}
		delete(h.env, envAppToken)
		h.env["RITUALBOT_LOG_LEVEL"] = "debug"
		h.fake.FailNext("chat.postMessage", 2, slackfake.Fault{Status: 500})
		h.startHTTP()
		secretsWeek(t, h, secrets)
		check(t, h, "HTTP mode")
	})
	t.Run("socket mode", func(t *testing.T) {
		cfg := strings.Replace(workspaceConfig, "slack: {mode: http}\n", "", 1)
		h := newWorkspaceHarness(t, cfg, at(t, "2026-11-23 08:00", berlin), slackfake.Options{BotToken: secrets[envBotToken], AppToken: secrets[envAppToken]})
		for k, v := range secrets {
			h.env[k] = v
		}
		h.fake.FailNext("chat.postMessage", 2, slackfake.Fault{Status: 500})
		h.start()
		// Slack asks for a reconnect, refusing the first try.
		h.fake.FailNext("apps.connections.open", 1, slackfake.Fault{Status: 503})
		h.fake.DisconnectSockets("refresh_requested")
		h.waitConnected(false)
		h.waitConnected(true)
		secretsWeek(t, h, secrets)
		check(t, h, "Socket Mode")
	})
}

// secretsWeek is a week of everything the bot does that touches a secret:
// commands, buttons and modals (signed requests in HTTP mode), webhooks
// with right and wrong credentials, Slack errors, the digest with its
// upload, a hot backup and an export over the control socket.
func secretsWeek(t *testing.T, h *harness, secrets map[string]string) {
	t.Helper()
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0BOB", answers{"today": "Tax export", "blockers": "Waiting on audit"})
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout slow")
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1 Fixed")
	h.command("U0LEAD", "C0PAYMENTS", "/oncall", "override <@U0CAROL|carol> 4h")
	h.command("U0LEAD", "C0PAYMENTS", "/digest", "highlight Shipped")
	h.command("U0OUT", "C0PAYMENTS", "/standup", "frobnicate")
	// Slack fails to open a modal: the user gets an error ID, the log the cause.
	h.fake.FailNext("views.open", 1, slackfake.Fault{Status: 500})
	h.command("U0CAROL", "C0PAYMENTS", "/standup", "")

	tok := secrets[envWebhookToken]
	alert := amPayload("firing", "g1", amAlert("firing", "web-1", "critical", "2026-11-23T07:55:00Z", zeroTime, "f1"))
	pd := pdEvent("01EV", "incident.triggered", "Q1", "Latency")
	push := githubPush
	for _, d := range []struct {
		path, body string
		header     map[string]string
	}{
		{"/hooks/alertmanager", alert, map[string]string{"Authorization": "Bearer " + tok}},
		{"/hooks/alertmanager", alert, map[string]string{"Authorization": "Bearer " + tok + "x"}},
		{"/hooks/alertmanager", `{"version":"4"`, map[string]string{"Authorization": "Bearer " + tok}},
		{"/hooks/deploy", `{"service":"checkout","environment":"production","sha":"c1","status":"success","finished_at":"2026-11-23T08:00:00Z"}`, map[string]string{"Authorization": "Bearer " + tok}},
		{"/hooks/deploy", `{}`, map[string]string{"Authorization": "Basic " + tok}},
		{"/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": pdSign(secrets[envPagerDutySecret], pd)}},
		{"/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": pdSign(secrets[envPagerDutySecret]+"x", pd)}},
		{"/hooks/github", push, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": webhooks.Sign(secrets[envGitHubSecret], []byte(push))}},
		{"/hooks/github", push, map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": webhooks.Sign(secrets[envGitHubSecret]+"x", []byte(push))}},
	} {
		h.post(d.path, d.body, d.header)
	}
	// A request signed with the wrong secret, in either mode.
	body := []byte("command=%2Fincident&text=list&user_id=U0ALICE")
	sig, ts := slackfake.Sign(secrets[envSigningSecret]+"x", time.Now(), body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+"/slack/commands", strings.NewReader(string(body)))
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	// The CLI's hot backup and export go through the control socket.
	env := func(k string) string { return h.env[k] }
	var cli bytes.Buffer
	for _, args := range [][]string{{"backup", "--config", h.cfg, filepath.Join(h.dir, "backup.db")}, {"export", "--config", h.cfg}} {
		if code := run(h.ctx(), args, &cli, &cli, env); code != 0 {
			t.Fatalf("ritualbot %s exited %d: %s", args[0], code, cli.String())
		}
	}
	// Slack refuses a call for good once.
	h.fake.FailNext("chat.postMessage", 1, slackfake.Fault{SlackError: "invalid_blocks"})
	h.runUntil(at(t, "2026-11-27 16:05", berlin))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.fake.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U0BOB", "channel": "D0BOB", "tab": "home"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("Bob's Home tab", func() bool { return h.fake.HomeView("U0BOB") != nil })
	if n := len(h.fake.ChannelMessages("C0DIGEST")); n == 0 {
		t.Fatal("no digest was posted")
	}
}
