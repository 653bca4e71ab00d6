package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ritualbot/ritualbot/slackfake"
)

// app is a Socket Mode app under test: slack-go's real client, with a
// handler for each event.
type app struct {
	api    *slack.Client
	client *socketmode.Client

	mu      sync.Mutex
	hellos  int
	events  []socketmode.Event
	changed chan struct{} // closed and replaced at each event
}

// waitFor waits for a condition on what the app has seen.
func (a *app) waitFor(ctx context.Context, cond func() bool) error {
	for {
		a.mu.Lock()
		ch := a.changed
		a.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func startApp(t *testing.T, f *slackfake.Server, handle func(a *app, evt socketmode.Event)) *app {
	t.Helper()
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken("xapp-fake-app-token"))
	a := &app{api: api, client: socketmode.New(api), changed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.client.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-a.client.Events:
				a.mu.Lock()
				if evt.Type == socketmode.EventTypeHello {
					a.hellos++
				}
				a.events = append(a.events, evt)
				close(a.changed)
				a.changed = make(chan struct{})
				a.mu.Unlock()
				if handle != nil {
					handle(a, evt)
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	if err := f.WaitFor(testCtx(t), f.SocketConnected); err != nil {
		t.Fatalf("socket never connected: %v", err)
	}
	return a
}

func (a *app) helloCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hellos
}

func TestSocketModeSlashCommand(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	var got slack.SlashCommand
	var raw json.RawMessage
	a := startApp(t, f, func(a *app, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeSlashCommand {
			return
		}
		got, raw = evt.Data.(slack.SlashCommand), evt.Request.Payload
		_ = a.client.Ack(*evt.Request, map[string]any{"text": "Got it: " + got.Text})
	})
	ctx := testCtx(t)
	if err := a.waitFor(ctx, func() bool { return a.helloCount() == 1 }); err != nil {
		t.Fatalf("no hello: %v", err)
	}
	reply, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", Text: "start", UserID: "U0ALICE", ChannelID: "C0GENERAL"})
	if err != nil {
		t.Fatal(err)
	}
	if string(reply.Ack) != `{"text":"Got it: start"}` || reply.Status != 200 {
		t.Errorf("Reply = %s %d", reply.Ack, reply.Status)
	}
	if got.Command != "/standup" || got.Text != "start" || got.UserID != "U0ALICE" || got.UserName != "alice" ||
		got.ChannelID != "C0GENERAL" || got.ChannelName != "general" || got.TeamID != "T0FAKE" || got.TeamDomain == "" ||
		got.APIAppID != "A0FAKE" || got.Token == "" || got.TriggerID == "" || !strings.HasPrefix(got.ResponseURL, f.URL()+"/commands/") {
		t.Errorf("slash command = %+v", got)
	}
	var fields map[string]any
	_ = json.Unmarshal(raw, &fields)
	for _, k := range []string{"token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
		"command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("payload lacks %q", k)
		}
	}
	// The ack's message is shown to the member, ephemerally.
	if e := f.Ephemerals("U0ALICE"); len(e) != 1 || e[0].Text != "Got it: start" || e[0].Channel != "C0GENERAL" {
		t.Errorf("Ephemerals = %+v", e)
	}

	// response_url: in_channel posts, then the 6th use is refused.
	for i := range 5 {
		_, _, err := a.api.PostMessage("", slack.MsgOptionResponseURL(got.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("public "+string(rune('a'+i)), false))
		if err != nil {
			t.Fatalf("response_url use %d: %v", i+1, err)
		}
	}
	if msgs := f.ChannelMessages("C0GENERAL"); len(msgs) != 5 || msgs[0].Text != "public a" {
		t.Errorf("ChannelMessages = %+v", msgs)
	}
	_, _, err = a.api.PostMessage("", slack.MsgOptionResponseURL(got.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("6th", false))
	if err == nil {
		t.Error("6th response_url use accepted")
	}

	// The trigger_id opens one modal, once.
	view := modal("Standup", blocksOf(t, validModalBlocks))
	if _, err := a.api.OpenView(got.TriggerID, view); err != nil {
		t.Fatalf("views.open: %v", err)
	}
	if v := f.OpenViews("U0ALICE"); len(v) != 1 || v[0].ID == "" {
		t.Errorf("OpenViews = %+v", v)
	}
	if _, err := a.api.OpenView(got.TriggerID, view); slackErr(err) != "exchanged_trigger_id" {
		t.Errorf("second views.open: %v", err)
	}
}

func TestTriggerIDExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := newFake(t, slackfake.Options{Now: clock})
	// trigger_ids expire in real time: the test moves real time, as seen
	// by the fake, past 3 s.
	wall := time.Now()
	slackfake.SetWallClock(f, func() time.Time { mu.Lock(); defer mu.Unlock(); return wall })
	var trigger string
	a := startApp(t, f, func(a *app, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeSlashCommand {
			trigger = evt.Data.(slack.SlashCommand).TriggerID
			_ = a.client.Ack(*evt.Request)
		}
	})
	if _, err := f.SendSlashCommand(testCtx(t), slackfake.SlashCommand{Command: "/standup", UserID: "U0BOB"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	wall = wall.Add(3*time.Second + time.Millisecond)
	mu.Unlock()
	if _, err := a.api.OpenView(trigger, modal("Late", blocksOf(t, `[`+section("hi")+`]`))); slackErr(err) != "expired_trigger_id" {
		t.Errorf("views.open after 3s: %v, want expired_trigger_id", err)
	}
	// Message timestamps follow the fake clock.
	mu.Lock()
	now = now.Add(3 * time.Second)
	mu.Unlock()
	_, ts, _ := a.api.PostMessage("U0BOB", slack.MsgOptionText("x", false))
	if !strings.HasPrefix(ts, "1736931603.") {
		t.Errorf("ts = %s, want the fake clock's time", ts)
	}
}

func TestDisconnectSocketsMakesClientReconnect(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	a := startApp(t, f, nil)
	ctx := testCtx(t)
	if err := a.waitFor(ctx, func() bool { return a.helloCount() == 1 }); err != nil {
		t.Fatal(err)
	}
	f.DisconnectSockets("refresh_requested")
	if err := a.waitFor(ctx, func() bool { return a.helloCount() == 2 }); err != nil {
		t.Fatalf("no second hello: %v", err)
	}
	if err := f.WaitFor(ctx, func() bool {
		return f.SocketConnected() && f.Calls("apps.connections.open") == 2
	}); err != nil {
		t.Fatalf("no reconnect: hellos=%d opens=%d: %v", a.helloCount(), f.Calls("apps.connections.open"), err)
	}
}

func TestSocketAckTimeoutAndNoApp(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	ctx := testCtx(t)
	if _, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", UserID: "U0ALICE"}); !errors.Is(err, slackfake.ErrNoApp) {
		t.Errorf("nobody connected: %v", err)
	}
	slackfake.SetAckTimeout(f, 200*time.Millisecond)
	startApp(t, f, nil) // never acks
	_, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", UserID: "U0ALICE"})
	if !errors.Is(err, slackfake.ErrNoAck) || err.Error() != "not acknowledged within 3s" {
		t.Errorf("unacked command: %v", err)
	}
}

func TestBlockActionAndModalSubmission(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	var mu sync.Mutex
	var action, submission slack.InteractionCallback
	a := startApp(t, f, func(a *app, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeInteractive {
			return
		}
		cb := evt.Data.(slack.InteractionCallback)
		mu.Lock()
		defer mu.Unlock()
		switch cb.Type {
		case slack.InteractionTypeBlockActions:
			action = cb
			v := modal("Standup", blocksOf(t, validModalBlocks))
			v.CallbackID, v.PrivateMetadata = "standup", "S1"
			if _, err := a.api.OpenView(cb.TriggerID, v); err != nil {
				t.Errorf("views.open: %v", err)
			}
			_ = a.client.Ack(*evt.Request)
		case slack.InteractionTypeViewSubmission:
			submission = cb
			if cb.View.State.Values["yesterday"]["text"].Value == "bad" {
				_ = a.client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"yesterday": "Say more"}))
				return
			}
			_ = a.client.Ack(*evt.Request)
		}
	})
	ctx := testCtx(t)
	_, ts, err := a.api.PostMessage("C0GENERAL", slack.MsgOptionText("Standup", false), slack.MsgOptionBlocks(blocksOf(t, validMessage)...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SendBlockAction(ctx, "U0ALICE", "C0GENERAL", ts, "answer", ""); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	ba := action.ActionCallback.BlockActions
	if len(ba) != 1 || ba[0].ActionID != "answer" || ba[0].Value != "s1" || ba[0].BlockID != "acts" ||
		action.Container.MessageTs != ts || action.Channel.ID != "C0GENERAL" || action.User.ID != "U0ALICE" ||
		action.Message.Text != "Standup" || !strings.HasPrefix(action.ResponseURL, f.URL()+"/actions/") {
		t.Errorf("block_actions = %+v", action)
	}
	mu.Unlock()
	if _, err := f.SendBlockAction(ctx, "U0ALICE", "C0GENERAL", ts, "pick", "nope"); err == nil {
		t.Error("choosing a missing option was delivered")
	}

	views := f.OpenViews("U0ALICE")
	if len(views) != 1 || views[0].CallbackID != "standup" || views[0].PrivateMetadata != "S1" {
		t.Fatalf("OpenViews = %+v", views)
	}
	id := views[0].ID
	values := map[string]map[string]any{
		"yesterday": {"text": map[string]any{"type": "plain_text_input", "value": "bad"}},
		"mood":      {"pick": map[string]any{"selected_option": map[string]any{"text": map[string]any{"type": "plain_text", "text": "Good"}, "value": "good"}}},
		"owner":     {"user": map[string]any{"type": "users_select", "selected_user": "U0BOB"}},
		"when":      {"date": map[string]any{"type": "datepicker", "selected_date": "2025-01-15"}},
	}
	// Slack's client refuses to submit with a required input empty.
	if _, err := f.SubmitView(ctx, "U0ALICE", id, map[string]map[string]any{"yesterday": values["yesterday"]}); err == nil {
		t.Error("submission without required inputs was delivered")
	}
	reply, err := f.SubmitView(ctx, "U0ALICE", id, values)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(reply.Ack), `"response_action":"errors"`) || len(f.OpenViews("U0ALICE")) != 1 {
		t.Errorf("errors ack: %s, views %d", reply.Ack, len(f.OpenViews("U0ALICE")))
	}
	values["yesterday"]["text"] = map[string]any{"type": "plain_text_input", "value": "shipped it"}
	if _, err := f.SubmitView(ctx, "U0ALICE", id, values); err != nil {
		t.Fatal(err)
	}
	if v := f.OpenViews("U0ALICE"); len(v) != 0 {
		t.Errorf("view still open after empty ack: %+v", v)
	}
	mu.Lock()
	defer mu.Unlock()
	st := submission.View.State.Values
	if submission.View.CallbackID != "standup" || submission.View.PrivateMetadata != "S1" ||
		st["yesterday"]["text"].Value != "shipped it" || st["mood"]["pick"].SelectedOption.Value != "good" ||
		st["owner"]["user"].SelectedUser != "U0BOB" || st["when"]["date"].SelectedDate != "2025-01-15" {
		t.Errorf("view_submission = %+v", submission.View)
	}
	if _, ok := st["people"]["users"]; !ok {
		t.Error("state lacks the optional input left empty")
	}
}

func TestRawSocketPingsAndSpreadsEnvelopes(t *testing.T) {
	f := slackfake.New(slackfake.Options{PingInterval: 20 * time.Millisecond})
	f.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken("xapp-fake-app-token"))
	ctx := testCtx(t)
	type conn struct {
		ws       *websocket.Conn
		pinged   chan struct{}
		pingOnce sync.Once
		mu       sync.Mutex
		got      int
	}
	var conns []*conn
	var wg sync.WaitGroup
	for i := range 2 {
		_, u, err := api.StartSocketModeContext(ctx)
		if err != nil || !strings.HasPrefix(u, "ws://127.0.0.1:") {
			t.Fatalf("apps.connections.open: %q %v", u, err)
		}
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		var hello struct {
			Type           string `json:"type"`
			NumConnections int    `json:"num_connections"`
			ConnectionInfo struct {
				AppID string `json:"app_id"`
			} `json:"connection_info"`
		}
		if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.NumConnections != i+1 || hello.ConnectionInfo.AppID != "A0FAKE" {
			t.Fatalf("hello = %+v, %v", hello, err)
		}
		c := &conn{ws: ws, pinged: make(chan struct{})}
		ws.SetPingHandler(func(string) error {
			c.pingOnce.Do(func() { close(c.pinged) })
			return nil
		})
		conns = append(conns, c)
		wg.Go(func() {
			for {
				var env struct {
					EnvelopeID string `json:"envelope_id"`
					Type       string `json:"type"`
				}
				if err := ws.ReadJSON(&env); err != nil {
					return
				}
				c.mu.Lock()
				c.got++
				c.mu.Unlock()
				c.mu.Lock()
				_ = ws.WriteJSON(map[string]any{"envelope_id": env.EnvelopeID})
				c.mu.Unlock()
			}
		})
	}
	// A used ticket cannot open another connection.
	for _, c := range conns {
		select {
		case <-c.pinged:
		case <-ctx.Done():
			t.Fatal("no ping from the server")
		}
	}
	for range 4 {
		if _, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/x", UserID: "U0ALICE"}); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range conns {
		c.mu.Lock()
		if c.got != 2 {
			t.Errorf("connection %d got %d envelopes, want 2", i, c.got)
		}
		c.mu.Unlock()
	}
	f.Close()
	wg.Wait()
	// Close waited for everything the server started.
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "slackfake.(*Server)") && !strings.Contains(g, "TestRawSocket") {
			t.Errorf("goroutine left after Close:\n%s", g)
		}
	}
}

func TestResponseURLReplaceAndViewStack(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	var mu sync.Mutex
	var cb slack.InteractionCallback
	a := startApp(t, f, func(a *app, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeInteractive {
			mu.Lock()
			cb = evt.Data.(slack.InteractionCallback)
			mu.Unlock()
			_ = a.client.Ack(*evt.Request)
		}
	})
	ctx := testCtx(t)
	_, ts, err := a.api.PostMessage("C0GENERAL", slack.MsgOptionBlocks(blocksOf(t, validMessage)...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SendBlockAction(ctx, "U0ALICE", "C0GENERAL", ts, "answer", ""); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	respURL, trigger := cb.ResponseURL, cb.TriggerID
	mu.Unlock()
	if _, _, err := a.api.PostMessage("", slack.MsgOptionReplaceOriginal(respURL), slack.MsgOptionText("Answered", false)); err != nil {
		t.Fatal(err)
	}
	if m := f.ChannelMessages("C0GENERAL"); len(m) != 1 || m[0].Text != "Answered" || m[0].Blocks != nil || !m[0].Edited {
		t.Errorf("after replace_original: %+v", m)
	}
	if _, _, err := a.api.PostMessage("", slack.MsgOptionDeleteOriginal(respURL)); err != nil {
		t.Fatal(err)
	}
	if m := f.ChannelMessages("C0GENERAL"); len(m) != 0 {
		t.Errorf("after delete_original: %+v", m)
	}

	// Modals: open, push from an action inside it, update with a hash.
	root, err := a.api.OpenView(trigger, modal("Root", blocksOf(t, `[{"type":"actions","elements":[`+button("More", "more", "m")+`]}]`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SendViewAction(ctx, "U0ALICE", root.ID, "more", ""); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if cb.Container.Type != "view" || cb.View.ID != root.ID {
		t.Errorf("view action = %+v", cb)
	}
	trigger = cb.TriggerID
	mu.Unlock()
	pushed, err := a.api.PushView(trigger, modal("Pushed", blocksOf(t, `[`+section("two")+`]`)))
	if err != nil {
		t.Fatal(err)
	}
	if v := f.OpenViews("U0ALICE"); len(v) != 2 || v[1].PreviousViewID != root.ID || v[1].RootViewID != root.ID {
		t.Errorf("stack = %+v", v)
	}
	if _, err := a.api.UpdateView(modal("Pushed", blocksOf(t, `[`+section("three")+`]`)), "", "stale-hash", pushed.ID); slackErr(err) != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}
	if _, err := a.api.UpdateView(modal("Pushed", blocksOf(t, `[`+section("three")+`]`)), "", pushed.Hash, pushed.ID); err != nil {
		t.Fatal(err)
	}
	if v := f.OpenViews("U0ALICE"); !strings.Contains(string(v[1].Raw), "three") {
		t.Errorf("updated view = %s", v[1].Raw)
	}
	if _, err := f.CloseView(ctx, "U0ALICE", pushed.ID); err != nil {
		t.Fatal(err)
	}
	if v := f.OpenViews("U0ALICE"); len(v) != 1 || v[0].ID != root.ID {
		t.Errorf("after closing the pushed view: %+v", v)
	}
}

func TestRefusedSocketsAndRevokedTokens(t *testing.T) {
	f := newFake(t, slackfake.Options{RateLimits: map[string]slackfake.Limit{"apps.connections.open": {PerMinute: 600, Burst: 100}}})
	// The first two connections are refused as Slack refuses an app with
	// too many; slack-go reconnects on a disconnect (it never shows it as
	// an event), and the third gets hello.
	f.RefuseSockets(2, "too_many_websockets")
	a := startApp(t, f, nil)
	ctx := testCtx(t)
	if err := a.waitFor(ctx, func() bool { return a.helloCount() >= 1 }); err != nil {
		t.Fatal(err)
	}
	if n := f.Calls("apps.connections.open"); n != 3 || a.helloCount() != 1 {
		t.Errorf("%d connections opened and %d hellos, want 3 and 1", n, a.helloCount())
	}
	// Revoking the tokens drops the connection; reconnecting fails.
	f.SetTokensRevoked(true)
	if err := f.WaitFor(ctx, func() bool { return !f.SocketConnected() && f.Calls("apps.connections.open") >= 4 }); err != nil {
		t.Fatalf("no reconnect attempt after revoking: %v", err)
	}
	if f.SocketConnected() {
		t.Error("a connection survived revoked tokens")
	}
}
