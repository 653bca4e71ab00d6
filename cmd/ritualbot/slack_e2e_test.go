package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/slackfake"
)

func TestSocketModeSlashCommandAndReconnect(t *testing.T) {
	h := newReminderHarness(t, at(t, "2026-11-23 08:00", berlin))
	h.start()
	if code, _ := h.get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz = %d while connected, want 200", code)
	}
	ack := h.command("U0ALICE", "C0PAYMENTS", "/oncall", "help")
	if !strings.Contains(ack, "/oncall") || !strings.Contains(ack, `"response_type":"ephemeral"`) {
		t.Errorf("/oncall help ack = %s, want ephemeral usage", ack)
	}
	ack = h.command("U0ALICE", "C0PAYMENTS", "/standup", "frobnicate")
	if !strings.Contains(ack, "standup") {
		t.Errorf("/standup frobnicate ack = %s, want a message, not silence", ack)
	}

	// Slack asks for a reconnect while refusing new connections for a bit.
	h.fake.FailNext("apps.connections.open", 2, slackfake.Fault{Status: 503})
	h.fake.DisconnectSockets("refresh_requested")
	h.waitConnected(false)
	if code, body := h.get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d %q during the outage, want 503", code, body)
	}
	h.waitConnected(true)
	if code, _ := h.get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d after reconnecting, want 200", code)
	}
	if ack := h.command("U0BOB", "C0PAYMENTS", "/oncall", "help"); !strings.Contains(ack, "/oncall") {
		t.Errorf("after reconnect /oncall help ack = %s", ack)
	}
}

const httpModeConfig = `
timezone: Europe/Berlin
store: {path: STORE}
slack: {mode: http}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
teams:
  - {id: payments, channel: C0PAYMENTS, members: [U0ALICE]}
rituals:
  - {name: lunch, kind: reminder, team: payments, schedule: "0 12 * * FRI", text: "Team lunch!"}
`

func TestHTTPModeVerifiesRequests(t *testing.T) {
	h := newHarness(t, httpModeConfig, at(t, "2026-11-23 08:00", berlin), slackfake.Options{SigningSecret: "test-signing-secret", Now: time.Now})
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments"})
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	h.env[envSigningSecret] = "test-signing-secret"
	delete(h.env, envAppToken)
	h.start()
	h.fake.SetRequestURL("http://" + h.m.Addr)

	if ack := h.command("U0ALICE", "C0PAYMENTS", "/incident", "help"); !strings.Contains(ack, "/incident") {
		t.Errorf("signed /incident help answered %s, want usage", ack)
	}

	form := url.Values{"command": {"/oncall"}, "text": {"help"}, "user_id": {"U0ALICE"}, "channel_id": {"C0PAYMENTS"}, "team_id": {"T0FAKE"}}
	body := []byte(form.Encode())
	post := func(path string, body []byte, sig, ts string) int {
		req, err := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Signature", sig)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	sig, ts := slackfake.Sign("test-signing-secret", time.Now(), body)
	if code := post("/slack/commands", body, sig, ts); code != http.StatusOK {
		t.Errorf("correctly signed command: %d, want 200", code)
	}
	badSig, ts := slackfake.Sign("another-secret", time.Now(), body)
	if code := post("/slack/commands", body, badSig, ts); code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", code)
	}
	staleSig, staleTS := slackfake.Sign("test-signing-secret", time.Now().Add(-6*time.Minute), body)
	if code := post("/slack/commands", body, staleSig, staleTS); code != http.StatusUnauthorized {
		t.Errorf("stale timestamp: %d, want 401", code)
	}
	if code := post("/slack/commands", body, "", ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d, want 401", code)
	}
	big := bytes.Repeat([]byte("a"), 2<<20)
	bigSig, bigTS := slackfake.Sign("test-signing-secret", time.Now(), big)
	if code := post("/slack/commands", big, bigSig, bigTS); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize body: %d, want 413", code)
	}

	challenge := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	sig, ts = slackfake.Sign("test-signing-secret", time.Now(), challenge)
	req, _ := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+"/slack/events", bytes.NewReader(challenge))
	req.Header.Set("X-Slack-Signature", sig)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, _ = got.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || got.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification answered %d %q, want the challenge", resp.StatusCode, got.String())
	}
}

func TestCLIValidateAndRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	noEnv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"validate", "--config", "../../config.example.yaml"}, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("validate config.example.yaml exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "sprint-planning") {
		t.Errorf("validate does not list the rituals' fire times:\n%s", out.String())
	}

	dir := t.TempDir()
	write := func(name, text string) string {
		p := dir + "/" + name
		if err := osWriteFile(p, text); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badCron := write("bad.yaml", "timezone: Europe/Berlin\nteams:\n  - {id: a, channel: C0AAAAAAA}\nrituals:\n  - name: r\n    kind: reminder\n    team: a\n    schedule: \"0 25 * * *\"\n    text: hi\n")
	out.Reset()
	errOut.Reset()
	if code := run(ctx, []string{"validate", "--config", badCron}, &out, &errOut, noEnv); code != 1 {
		t.Errorf("bad cron: exit %d, want 1", code)
	}
	if want := badCron + ":8:"; !strings.Contains(errOut.String(), want) || !strings.Contains(errOut.String(), "schedule") {
		t.Errorf("bad cron error = %q, want %q and the key", errOut.String(), want)
	}
	unknown := write("unknown.yaml", "timezone: Europe/Berlin\nshedule: x\n")
	errOut.Reset()
	if code := run(ctx, []string{"validate", "--config", unknown}, &out, &errOut, noEnv); code != 1 || !strings.Contains(errOut.String(), unknown+":2:") || !strings.Contains(errOut.String(), "shedule") {
		t.Errorf("unknown key: exit %d, %q", code, errOut.String())
	}

	errOut.Reset()
	if code := run(ctx, []string{"run", "--config", "../../config.example.yaml"}, &out, &errOut, noEnv); code == 0 || !strings.Contains(errOut.String(), "SLACK_BOT_TOKEN") || !strings.Contains(errOut.String(), "ritualbot demo") {
		t.Errorf("run without tokens: exit %d, %q; want non-zero naming SLACK_BOT_TOKEN", code, errOut.String())
	}
	errOut.Reset()
	withBot := func(k string) string {
		if k == envBotToken {
			return "xoxb-1"
		}
		return ""
	}
	if code := run(ctx, []string{"--config", "../../config.example.yaml"}, &out, &errOut, withBot); code == 0 || !strings.Contains(errOut.String(), "SLACK_APP_TOKEN") {
		t.Errorf("socket mode without an app token: exit %d, %q", code, errOut.String())
	}
}

func TestCLIManifestMatchesMode(t *testing.T) {
	ctx := context.Background()
	noEnv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"manifest", "--config", "../../config.example.yaml"}, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("manifest exited %d: %s", code, errOut.String())
	}
	wantIn(t, "manifest", out.String(), "socket_mode_enabled: true", "command: /standup", "command: /oncall", "chat:write", "commands")
	h := newHarness(t, httpModeConfig, time.Now(), slackfake.Options{})
	out.Reset()
	if code := run(ctx, []string{"manifest", "--config", h.cfg}, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("manifest exited %d: %s", code, errOut.String())
	}
	wantIn(t, "HTTP-mode manifest", out.String(), "socket_mode_enabled: false", "url: https://ritualbot.example.com/slack/commands", "request_url: https://ritualbot.example.com/slack/interactions")
}

func TestBackupAndExportWhileRunning(t *testing.T) {
	h := newReminderHarness(t, at(t, "2026-11-23 08:00", berlin))
	h.start()
	h.runUntil(at(t, "2026-11-23 09:00", berlin))
	ctx := context.Background()
	env := func(k string) string { return h.env[k] }
	// The CLI reads the listen address from the config; point it at the
	// running bot's actual port.
	cfgText := strings.Replace(mustRead(t, h.cfg), `listen: "127.0.0.1:0"`, fmt.Sprintf("listen: %q", h.m.Addr), 1)
	cfg := h.dir + "/cli.yaml"
	if err := osWriteFile(cfg, cfgText); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"export", "--config", cfg}, &out, &errOut, env); code != 0 {
		t.Fatalf("export while running exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), `"coffee@2026-11-23T07:30:00Z": {"Key"`) {
		t.Errorf("export lacks the delivered reminder:\n%.2000s", out.String())
	}
	backupPath := h.dir + "/backup.db"
	if code := run(ctx, []string{"backup", "--config", cfg, backupPath}, &out, &errOut, env); code != 0 {
		t.Fatalf("backup while running exited %d: %s", code, errOut.String())
	}
	// The backup is a store that opens and holds the same data.
	backupCfg := strings.Replace(cfgText, h.dir+"/ritualbot.db", backupPath, 1)
	if err := osWriteFile(cfg, backupCfg); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(ctx, []string{"export", "--config", cfg}, &out, &errOut, env); code != 0 || !strings.Contains(out.String(), `"coffee@2026-11-23T07:30:00Z": {"Key"`) {
		t.Errorf("export of the backup: exit %d, %.500s %s", code, out.String(), errOut.String())
	}
}

func TestRefusedTokenEndsTheBotWithAClearMessage(t *testing.T) {
	h := newReminderHarness(t, at(t, "2026-11-23 08:00", berlin))
	h.env[envAppToken] = "xapp-revoked-token"
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Loaded: loaded, Env: func(k string) string { return h.env[k] }, Clock: h.clock, Log: zerolog.New(h.logs), PingInterval: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	defer m.Close()
	select {
	case err := <-m.Fatal():
		if !bot.IsFatalAuth(err) || !strings.Contains(err.Error(), "invalid_auth") || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
			t.Errorf("fatal error = %v; want it to say Slack refused the token and which variable to check", err)
		}
	case <-ctx.Done():
		t.Fatal("a refused token did not end the bot")
	}
	if ok, reason := m.Health.Connected(); ok || reason == "" {
		t.Errorf("/readyz would say connected=%v (%q) with a refused token", ok, reason)
	}
	if strings.Contains(h.logs.String(), "xapp-revoked-token") || strings.Contains(h.logs.String(), "xoxb-fake-bot-token") {
		t.Error("a token was written to the log")
	}
}
