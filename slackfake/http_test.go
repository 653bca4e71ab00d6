package slackfake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestSignMatchesSlackTestVector(t *testing.T) {
	// From python-slack-sdk's signature verifier tests (Slack's docs example).
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	sig, ts := slackfake.Sign("8f742231b10e8888abcd99yyyzzz85a5", time.Unix(1531420618, 0), []byte(body))
	if sig != "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" || ts != "1531420618" {
		t.Errorf("Sign = %s, %s", sig, ts)
	}
}

// httpApp is an HTTP-mode app: it verifies every request with slack-go's
// verifier before parsing it.
type httpApp struct {
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	commands []slack.SlashCommand
	actions  []slack.InteractionCallback
	events   []map[string]any
	rejected int
	hold     chan struct{} // when set, /slack/events waits on it
}

func startHTTPApp(t *testing.T, secret string) *httpApp {
	a := &httpApp{secret: secret}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *httpApp) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	v, err := slack.NewSecretsVerifier(r.Header, a.secret)
	if err == nil {
		_, _ = v.Write(body)
		err = v.Ensure()
	}
	if err != nil {
		a.mu.Lock()
		a.rejected++
		a.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.URL.Path {
	case "/slack/commands":
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.commands = append(a.commands, cmd)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "in_channel", "text": "ok " + cmd.Text})
	case "/slack/interactions":
		cb, err := slack.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.actions = append(a.actions, cb)
	case "/slack/events":
		var ev map[string]any
		_ = json.Unmarshal(body, &ev)
		if ev["type"] == "url_verification" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(ev["challenge"].(string)))
			return
		}
		a.events = append(a.events, ev)
		if a.hold != nil {
			hold := a.hold
			a.mu.Unlock()
			select {
			case <-hold:
			case <-r.Context().Done():
			}
			a.mu.Lock()
		}
	default:
		http.NotFound(w, r)
	}
}

func TestHTTPModeDeliveriesAreSigned(t *testing.T) {
	f := newFake(t, slackfake.Options{SigningSecret: "s3cret"})
	a := startHTTPApp(t, "s3cret")
	f.SetRequestURL(a.srv.URL)
	ctx := testCtx(t)
	if err := f.VerifyURL(ctx); err != nil {
		t.Fatal(err)
	}

	reply, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", Text: "a &amp; b", UserID: "U0BOB", ChannelID: "C0GENERAL"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Status != 200 || !strings.Contains(string(reply.Ack), `"ok a \u0026amp; b"`) {
		t.Errorf("Reply = %d %s", reply.Status, reply.Ack)
	}
	a.mu.Lock()
	if len(a.commands) != 1 || a.commands[0].Text != "a &amp; b" || a.commands[0].UserName != "bob" ||
		a.commands[0].TriggerID == "" || a.commands[0].ResponseURL == "" || a.commands[0].IsEnterpriseInstall {
		t.Errorf("commands = %+v", a.commands)
	}
	a.mu.Unlock()
	// The in_channel ack became a channel message.
	if msgs := f.ChannelMessages("C0GENERAL"); len(msgs) != 1 || msgs[0].Text != "ok a &amp; b" {
		t.Errorf("ChannelMessages = %+v", msgs)
	}

	_, ts, err := botClient(f).PostMessage("C0GENERAL", slack.MsgOptionBlocks(blocksOf(t, validMessage)...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SendBlockAction(ctx, "U0BOB", "C0GENERAL", ts, "pick", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": "U0BOB", "channel": "D0BOB", "tab": "home"}); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	if len(a.actions) != 1 || a.actions[0].ActionCallback.BlockActions[0].SelectedOption.Value != "a" || a.actions[0].Container.ChannelID != "C0GENERAL" {
		t.Errorf("actions = %+v", a.actions)
	}
	if len(a.events) != 1 || a.events[0]["type"] != "event_callback" || a.events[0]["event_id"] == "" ||
		a.events[0]["event"].(map[string]any)["type"] != "app_home_opened" {
		t.Errorf("events = %+v", a.events)
	}
	if a.rejected != 0 {
		t.Errorf("%d deliveries failed signature verification", a.rejected)
	}
	a.mu.Unlock()

	// A member's DM reaches the app as a message event.
	m, _, err := f.SendMessageEvent(ctx, "U0BOB", "", "yesterday: shipped", "")
	if err != nil || m.User != "U0BOB" || len(f.DMs("U0BOB")) != 1 {
		t.Fatalf("SendMessageEvent = %+v, %v", m, err)
	}
	a.mu.Lock()
	if ev := a.events[len(a.events)-1]["event"].(map[string]any); ev["channel_type"] != "im" || ev["text"] != "yesterday: shipped" {
		t.Errorf("message event = %v", ev)
	}
	a.mu.Unlock()
}

func TestHTTPModeWrongSecretAndTimeout(t *testing.T) {
	f := newFake(t, slackfake.Options{SigningSecret: "not-the-app-secret"})
	a := startHTTPApp(t, "s3cret")
	f.SetRequestURL(a.srv.URL)
	ctx := testCtx(t)
	reply, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", UserID: "U0BOB"})
	if err == nil || reply.Status != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d %v, want the app's 401 as an error", reply.Status, err)
	}

	g := newFake(t, slackfake.Options{SigningSecret: "s3cret"})
	slackfake.SetAckTimeout(g, 100*time.Millisecond)
	g.SetRequestURL(a.srv.URL)
	a.mu.Lock()
	a.hold = make(chan struct{})
	a.mu.Unlock()
	defer close(a.hold)
	if _, err := g.SendEvent(ctx, map[string]any{"type": "app_mention", "text": "hi"}); !errors.Is(err, slackfake.ErrNoAck) {
		t.Errorf("slow app: %v, want ErrNoAck", err)
	}
}

// A member editing a user group: the group changes, and the app gets
// subteam_members_changed with the delta, in the shape Slack documents.
func TestEditUserGroupSendsSubteamMembersChanged(t *testing.T) {
	f := newFake(t, slackfake.Options{SigningSecret: "s3cret"})
	f.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "oncall", Name: "On call", Users: []string{"U0BOB"}})
	a := startHTTPApp(t, "s3cret")
	f.SetRequestURL(a.srv.URL)
	ctx := testCtx(t)
	if _, err := f.EditUserGroup(ctx, "U0ALICE", "S0ONCALL", []string{"U0ALICE"}); err != nil {
		t.Fatal(err)
	}
	if got := f.UserGroupMembers("S0ONCALL"); len(got) != 1 || got[0] != "U0ALICE" {
		t.Errorf("members %v", got)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.events) != 1 {
		t.Fatalf("%d events, want 1", len(a.events))
	}
	ev := a.events[0]["event"].(map[string]any)
	if ev["type"] != "subteam_members_changed" || ev["subteam_id"] != "S0ONCALL" || ev["team_id"] == "" ||
		fmt.Sprint(ev["added_users"]) != "[U0ALICE]" || ev["added_users_count"] != float64(1) ||
		fmt.Sprint(ev["removed_users"]) != "[U0BOB]" || ev["removed_users_count"] != float64(1) ||
		ev["date_update"].(float64) <= ev["date_previous_update"].(float64) {
		t.Errorf("event %v", ev)
	}
	if _, err := f.EditUserGroup(ctx, "U0ALICE", "S0NONE", nil); err == nil {
		t.Error("editing a group that does not exist was taken")
	}
}
