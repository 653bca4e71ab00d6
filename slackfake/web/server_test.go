package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ritualbot/ritualbot/slackfake"
)

// testApp is a Socket Mode app on slack-go's real client that answers
// what the page sends: /echo repeats its text, /form opens a modal,
// buttons are recorded, a modal submitted with "bad" gets an error.
type testApp struct {
	api *slack.Client

	mu       sync.Mutex
	commands []slack.SlashCommand
	actions  []slack.InteractionCallback
	events   []map[string]any
}

func (a *testApp) lastCommand() slack.SlashCommand {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.commands[len(a.commands)-1]
}

func (a *testApp) lastEvent() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.events) == 0 {
		return nil
	}
	return a.events[len(a.events)-1]
}

func (a *testApp) lastAction() slack.InteractionCallback {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.actions) == 0 {
		return slack.InteractionCallback{}
	}
	return a.actions[len(a.actions)-1]
}

const formView = `{"type":"modal","callback_id":"form","title":{"type":"plain_text","text":"Standup"},
 "submit":{"type":"plain_text","text":"Submit"},
 "blocks":[
  {"type":"input","block_id":"today","label":{"type":"plain_text","text":"Today"},"element":{"type":"plain_text_input","action_id":"value","multiline":true}},
  {"type":"input","block_id":"mood","label":{"type":"plain_text","text":"Mood"},"element":{"type":"static_select","action_id":"value",
    "options":[{"text":{"type":"plain_text","text":"Good"},"value":"good"},{"text":{"type":"plain_text","text":"Meh"},"value":"meh"}]}},
  {"type":"input","block_id":"owner","optional":true,"label":{"type":"plain_text","text":"Owner"},"element":{"type":"users_select","action_id":"value"}},
  {"type":"input","block_id":"due","optional":true,"label":{"type":"plain_text","text":"Due"},"element":{"type":"datepicker","action_id":"value"}}]}`

func startTestApp(t *testing.T, f *slackfake.Server) *testApp {
	t.Helper()
	api := slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken("xapp-fake-app-token"))
	a := &testApp{api: api}
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = client.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				a.handle(t, client, evt)
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	wait(t, f, "the app to connect", f.SocketConnected)
	return a
}

func (a *testApp) handle(t *testing.T, client *socketmode.Client, evt socketmode.Event) {
	if evt.Request == nil {
		return
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd := evt.Data.(slack.SlashCommand)
		a.mu.Lock()
		a.commands = append(a.commands, cmd)
		a.mu.Unlock()
		switch cmd.Command {
		case "/echo":
			client.Ack(*evt.Request, map[string]any{"response_type": "ephemeral", "text": "You said: " + cmd.Text})
			return
		case "/form", "/kitmodal":
			src := formView
			if cmd.Command == "/kitmodal" {
				src = kitView
			}
			var v slack.ModalViewRequest
			if err := json.Unmarshal([]byte(src), &v); err != nil {
				t.Errorf("form view: %v", err)
			}
			if _, err := a.api.OpenView(cmd.TriggerID, v); err != nil {
				t.Errorf("views.open: %v", err)
			}
		case "/kit":
			if _, _, err := a.api.PostMessage(cmd.ChannelID, slack.MsgOptionText("Weekly digest", false), rawBlocks(t, kitMessage)); err != nil {
				t.Errorf("post the kit: %v", err)
			}
		}
	case socketmode.EventTypeInteractive:
		cb := evt.Data.(slack.InteractionCallback)
		a.mu.Lock()
		a.actions = append(a.actions, cb)
		a.mu.Unlock()
		if cb.Type == slack.InteractionTypeViewSubmission && cb.View.State.Values["today"]["value"].Value == "bad" {
			client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"today": "Say a bit more"}))
			return
		}
		if cb.Type == slack.InteractionTypeViewSubmission && cb.View.State.Values["title"]["value"].Value == "bad" {
			client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"title": "Too short: say what broke"}))
			return
		}
		if cb.Type == slack.InteractionTypeBlockActions && len(cb.ActionCallback.BlockActions) == 1 && cb.ActionCallback.BlockActions[0].ActionID == "kit:ok" {
			// An acknowledgement edits the message, as rituals do.
			update := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "Acknowledged by <@"+cb.User.ID+">", false, false), nil, nil))
			if _, _, _, err := a.api.UpdateMessage(cb.Channel.ID, cb.Container.MessageTs, slack.MsgOptionText("Acknowledged", false), update); err != nil {
				t.Errorf("chat.update: %v", err)
			}
		}
	case socketmode.EventTypeEventsAPI:
		var payload struct {
			Event map[string]any `json:"event"`
		}
		_ = json.Unmarshal(evt.Request.Payload, &payload)
		a.mu.Lock()
		a.events = append(a.events, payload.Event)
		a.mu.Unlock()
	}
	client.Ack(*evt.Request)
}

func wait(t *testing.T, f *slackfake.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitFor(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// newWorkspace is a small workspace with the page served over HTTP.
func newWorkspace(t *testing.T, clock Clock) (*slackfake.Server, *testApp, *httptest.Server) {
	t.Helper()
	f := slackfake.New(slackfake.Options{})
	t.Cleanup(f.Close)
	f.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", RealName: "Alice Adams", TZ: "Europe/Berlin"})
	f.AddUser(slackfake.User{ID: "U0BOB", Name: "bob", RealName: "Bob Baker", TZ: "Europe/London"})
	f.AddChannel(slackfake.Channel{ID: "C0TEAM", Name: "team", Members: []string{"U0ALICE", "U0BOB", "U0BOT"}})
	f.AddChannel(slackfake.Channel{ID: "C0LOUNGE", Name: "lounge", Members: []string{"U0BOB"}})
	f.AddChannel(slackfake.Channel{ID: "C0SECRET", Name: "secret", IsPrivate: true, Members: []string{"U0BOB", "U0BOT"}})
	f.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "oncall", Name: "On call", Users: []string{"U0BOB"}})
	app := startTestApp(t, f)
	page := &Server{Fake: f, Clock: clock, Title: "test workspace", Commands: []Command{{Name: "/echo", Hint: "TEXT"}}}
	srv := httptest.NewServer(page.Handler())
	t.Cleanup(func() {
		page.Close()
		srv.Close()
	})
	return f, app, srv
}

// postJSON posts a request as the page does and decodes the answer.
func postJSON(t *testing.T, srv *httptest.Server, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

func getState(t *testing.T, srv *httptest.Server, query string) stateJSON {
	t.Helper()
	resp, err := http.Get(srv.URL + "/ui/state?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("/ui/state?%s: %s %s", query, resp.Status, b)
	}
	var st stateJSON
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestPageAndAssets(t *testing.T) {
	_, _, srv := newWorkspace(t, nil)
	for path, want := range map[string]string{
		"/":               "<title>test workspace</title>",
		"/assets/app.js":  "EventSource('/ui/events')",
		"/assets/app.css": "#sidebar",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s = %s, want it to contain %q", path, resp.Status, want)
		}
		// Everything comes from the binary: no external URL anywhere.
		if strings.Contains(string(b), "https://") || strings.Contains(string(b), "http://") {
			t.Errorf("%s refers to an external URL", path)
		}
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("page CSP = %q, want it to keep the page to its own origin", csp)
	}
}

func TestStateIsWhatTheMemberSees(t *testing.T) {
	f, app, srv := newWorkspace(t, nil)
	ctx := context.Background()
	_, parent, err := app.api.PostMessage("C0TEAM", slack.MsgOptionText("Standup summary", false),
		slack.MsgOptionBlocks(slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "Standup", false, false))))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.api.PostMessage("C0TEAM", slack.MsgOptionText("Bob's answers", false), slack.MsgOptionTS(parent)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := app.api.UpdateMessage("C0TEAM", parent, slack.MsgOptionText("Standup summary (2/2)", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := app.api.PostEphemeral("C0TEAM", "U0BOB", slack.MsgOptionText("only for Bob", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0TEAM", parent, "tada"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.api.PostMessage("U0ALICE", slack.MsgOptionText("Time for your standup", false)); err != nil {
		t.Fatal(err)
	}

	st := getState(t, srv, "as=U0ALICE&conv=C0TEAM&thread="+parent)
	if st.Me.ID != "U0ALICE" || st.Workspace.BotName != "ritualbot" || len(st.Commands) != 1 {
		t.Errorf("me %+v, workspace %+v, commands %+v", st.Me, st.Workspace, st.Commands)
	}
	var names []string
	for _, c := range st.Channels {
		names = append(names, c.Name+map[bool]string{true: "+", false: "-"}[c.Member])
	}
	// Alice's channels first; a private channel she is not in is not there.
	if got := strings.Join(names, " "); got != "team+ lounge-" {
		t.Errorf("sidebar channels = %s, want team+ lounge-", got)
	}
	if st.App.ID == "" || st.App.Latest == "" {
		t.Errorf("app DM = %+v, want Alice's DM with its latest message", st.App)
	}
	msgs := st.Conv.Messages
	if len(msgs) != 1 {
		t.Fatalf("#team top-level messages for Alice = %+v, want the summary only (no reply, no ephemeral of Bob's)", msgs)
	}
	m := msgs[0]
	if !m.Bot || !m.Edited || m.Text != "Standup summary (2/2)" || m.ReplyCount != 1 || len(m.Reactions) != 1 || m.Reactions[0].Name != "tada" {
		t.Errorf("summary = %+v", m)
	}
	if st.Thread == nil || st.Thread.Parent.TS != parent || len(st.Thread.Replies) != 1 || st.Thread.Replies[0].Text != "Bob's answers" {
		t.Errorf("thread = %+v", st.Thread)
	}

	bob := getState(t, srv, "as=U0BOB&conv=C0TEAM")
	if n := len(bob.Conv.Messages); n != 2 || !bob.Conv.Messages[1].Ephemeral || bob.Conv.Messages[1].Text != "only for Bob" {
		t.Errorf("#team for Bob = %+v, want the summary and his ephemeral", bob.Conv.Messages)
	}
	if len(bob.Channels) != 3 {
		t.Errorf("Bob's channels = %+v, want team, lounge and the private one he is in", bob.Channels)
	}
	if nobody := getState(t, srv, "as=UNKNOWN"); nobody.Me.ID != "U0ALICE" {
		t.Errorf("an unknown member gets %q, want the first member", nobody.Me.ID)
	}
}

func TestComposerSendsMessagesAndSlashCommands(t *testing.T) {
	f, app, srv := newWorkspace(t, nil)
	code, res := postJSON(t, srv, "/ui/send", map[string]any{"as": "U0ALICE", "conv": "C0TEAM", "text": "/echo hi @bob in #team, cc @oncall & <b>"})
	if code != http.StatusOK || res["ok"] != true {
		t.Fatalf("/echo: %d %v", code, res)
	}
	cmd := app.lastCommand()
	// Slack sends a command's mentions resolved and escaped when the
	// command asks for it (should_escape).
	if cmd.Command != "/echo" || cmd.Text != "hi <@U0BOB|bob> in <#C0TEAM|team>, cc <!subteam^S0ONCALL|@oncall> &amp; &lt;b&gt;" || cmd.UserID != "U0ALICE" || cmd.ChannelID != "C0TEAM" {
		t.Errorf("slash command = %+v", cmd)
	}
	eph := f.Ephemerals("U0ALICE")
	if len(eph) != 1 || !strings.HasPrefix(eph[0].Text, "You said: hi <@U0BOB|bob>") {
		t.Errorf("ack shown as %+v", eph)
	}

	code, res = postJSON(t, srv, "/ui/send", map[string]any{"as": "U0BOB", "conv": "C0TEAM", "text": "Morning @alice! <3"})
	if code != http.StatusOK {
		t.Fatalf("message: %d %v", code, res)
	}
	msgs := f.ChannelMessages("C0TEAM")
	if len(msgs) != 1 || msgs[0].User != "U0BOB" || msgs[0].Text != "Morning <@U0ALICE>! &lt;3" {
		t.Errorf("#team = %+v", msgs)
	}
	wait(t, f, "the message event", func() bool { ev := app.lastEvent(); return ev != nil && ev["type"] == "message" })
	if ev := app.lastEvent(); ev["text"] != "Morning <@U0ALICE>! &lt;3" || ev["user"] != "U0BOB" {
		t.Errorf("message event = %v", ev)
	}
	// A reply in the thread.
	if code, res := postJSON(t, srv, "/ui/send", map[string]any{"as": "U0ALICE", "conv": "C0TEAM", "text": "hi!", "thread_ts": msgs[0].TS}); code != http.StatusOK {
		t.Fatalf("reply: %d %v", code, res)
	}
	if r := f.Replies("C0TEAM", msgs[0].TS); len(r) != 1 || r[0].Text != "hi!" {
		t.Errorf("replies = %+v", r)
	}

	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"not a member", map[string]any{"as": "U0BOT", "conv": "C0TEAM", "text": "hi"}, "not a member"},
		{"empty", map[string]any{"as": "U0ALICE", "conv": "C0TEAM", "text": "  "}, "nothing to send"},
		{"channel Alice is not in", map[string]any{"as": "U0ALICE", "conv": "C0LOUNGE", "text": "hi"}, "not in"},
	} {
		code, res := postJSON(t, srv, "/ui/send", tc.body)
		if code != http.StatusBadRequest || !strings.Contains(res["error"].(string), tc.want) {
			t.Errorf("%s: %d %v, want 400 saying %q", tc.name, code, res, tc.want)
		}
	}
}

func TestModalSubmissionAndBlockErrors(t *testing.T) {
	f, app, srv := newWorkspace(t, nil)
	if code, res := postJSON(t, srv, "/ui/send", map[string]any{"as": "U0ALICE", "conv": "C0TEAM", "text": "/form"}); code != http.StatusOK {
		t.Fatalf("/form: %d %v", code, res)
	}
	wait(t, f, "the modal", func() bool { return len(f.OpenViews("U0ALICE")) == 1 })
	st := getState(t, srv, "as=U0ALICE")
	if len(st.Modals) != 1 || !strings.Contains(string(st.Modals[0].View), `"callback_id":"form"`) || st.Modals[0].Hash == "" {
		t.Fatalf("modals = %+v", st.Modals)
	}
	if other := getState(t, srv, "as=U0BOB"); len(other.Modals) != 0 {
		t.Errorf("Bob sees Alice's modal: %+v", other.Modals)
	}
	id := st.Modals[0].ID
	values := map[string]map[string]string{"today": {"value": "bad"}, "mood": {"value": "meh"}, "owner": {"value": "U0BOB"}, "due": {"value": "2026-12-01"}}
	code, res := postJSON(t, srv, "/ui/submit", map[string]any{"as": "U0ALICE", "view_id": id, "values": values})
	errs, _ := res["errors"].(map[string]any)
	if code != http.StatusOK || errs["today"] != "Say a bit more" || len(f.OpenViews("U0ALICE")) != 1 {
		t.Fatalf("submission with an error: %d %v", code, res)
	}
	values["today"]["value"] = "Reviewing"
	code, res = postJSON(t, srv, "/ui/submit", map[string]any{"as": "U0ALICE", "view_id": id, "values": values})
	if code != http.StatusOK || res["errors"] != nil || len(f.OpenViews("U0ALICE")) != 0 {
		t.Fatalf("submission: %d %v, views %d", code, res, len(f.OpenViews("U0ALICE")))
	}
	sub := app.lastAction()
	vals := sub.View.State.Values
	if sub.Type != slack.InteractionTypeViewSubmission || vals["today"]["value"].Value != "Reviewing" ||
		vals["mood"]["value"].SelectedOption.Value != "meh" || vals["owner"]["value"].SelectedUser != "U0BOB" ||
		vals["due"]["value"].SelectedDate != "2026-12-01" {
		t.Errorf("view_submission = %+v", vals)
	}
	// A required input left empty is refused before the app hears of it.
	postJSON(t, srv, "/ui/send", map[string]any{"as": "U0ALICE", "conv": "C0TEAM", "text": "/form"})
	wait(t, f, "the modal", func() bool { return len(f.OpenViews("U0ALICE")) == 1 })
	id = f.OpenViews("U0ALICE")[0].ID
	if code, res := postJSON(t, srv, "/ui/submit", map[string]any{"as": "U0ALICE", "view_id": id, "values": map[string]any{"today": map[string]string{"value": ""}}}); code != http.StatusBadRequest {
		t.Errorf("submission without required inputs: %d %v", code, res)
	}
	if code, res := postJSON(t, srv, "/ui/close", map[string]any{"as": "U0ALICE", "view_id": id}); code != http.StatusOK || len(f.OpenViews("U0ALICE")) != 0 {
		t.Errorf("close: %d %v", code, res)
	}
}

func TestButtonsReactionsAndAppHome(t *testing.T) {
	f, app, srv := newWorkspace(t, nil)
	blocks := slack.MsgOptionBlocks(slack.NewActionBlock("acts",
		slack.NewButtonBlockElement("standup:answer", "s1", slack.NewTextBlockObject("plain_text", "Answer", false, false))))
	_, ts, err := app.api.PostMessage("U0ALICE", slack.MsgOptionText("Time for your standup", false), blocks)
	if err != nil {
		t.Fatal(err)
	}
	dm, _ := f.DMChannel("U0ALICE")
	code, res := postJSON(t, srv, "/ui/action", map[string]any{"as": "U0ALICE", "surface": "message", "conv": dm, "ts": ts, "action_id": "standup:answer"})
	if code != http.StatusOK {
		t.Fatalf("button: %d %v", code, res)
	}
	if a := app.lastAction(); a.Type != slack.InteractionTypeBlockActions || a.ActionCallback.BlockActions[0].Value != "s1" || a.User.ID != "U0ALICE" {
		t.Errorf("block_actions = %+v", a)
	}

	if code, res := postJSON(t, srv, "/ui/react", map[string]any{"as": "U0ALICE", "conv": dm, "ts": ts, "name": "eyes"}); code != http.StatusOK {
		t.Fatalf("react: %d %v", code, res)
	}
	wait(t, f, "reaction_added", func() bool { ev := app.lastEvent(); return ev != nil && ev["type"] == "reaction_added" })
	if code, _ := postJSON(t, srv, "/ui/react", map[string]any{"as": "U0ALICE", "conv": dm, "ts": ts, "name": "eyes", "remove": true}); code != http.StatusOK {
		t.Fatal("unreact failed")
	}
	if r := f.DMs("U0ALICE")[0].Reactions; len(r) != 0 {
		t.Errorf("reactions after removing = %v", r)
	}

	code, res = postJSON(t, srv, "/ui/open", map[string]any{"as": "U0BOB", "tab": "home"})
	if code != http.StatusOK || res["dm"] == "" {
		t.Fatalf("open home: %d %v", code, res)
	}
	wait(t, f, "app_home_opened", func() bool { ev := app.lastEvent(); return ev != nil && ev["type"] == "app_home_opened" })
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewActionBlock("h", slack.NewButtonBlockElement("home:refresh", "r", slack.NewTextBlockObject("plain_text", "Refresh", false, false)))}}}
	if _, err := app.api.PublishView("U0BOB", home, ""); err != nil {
		t.Fatal(err)
	}
	if st := getState(t, srv, "as=U0BOB"); !strings.Contains(string(st.Home), "home:refresh") {
		t.Errorf("Home tab = %s", st.Home)
	}
	if code, res := postJSON(t, srv, "/ui/action", map[string]any{"as": "U0BOB", "surface": "home", "action_id": "home:refresh"}); code != http.StatusOK {
		t.Fatalf("home button: %d %v", code, res)
	}
	if a := app.lastAction(); a.Container.Type != "view" || a.View.Type != slack.VTHomeTab {
		t.Errorf("home block_actions = %+v", a)
	}
}

func TestFilesAreServedFromTheWorkspace(t *testing.T) {
	f, app, srv := newWorkspace(t, nil)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	file, err := app.api.UploadFile(slack.UploadFileParameters{Filename: "trend.png", Title: "Trend", Reader: bytes.NewReader(png), FileSize: len(png), Channel: "C0TEAM"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/ui/files/" + file.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, png) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET file = %s %q %q", resp.Status, resp.Header.Get("Content-Type"), b)
	}
	st := getState(t, srv, "as=U0ALICE&conv=C0TEAM")
	var found bool
	for _, m := range st.Conv.Messages {
		for _, fj := range m.Files {
			found = found || (fj.ID == file.ID && fj.Image && fj.URL == "/ui/files/"+file.ID)
		}
	}
	if !found {
		t.Errorf("the shared chart is not in #team: %+v", st.Conv.Messages)
	}
	if resp, _ := http.Get(srv.URL + "/ui/files/F0NONE"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing file: %s", resp.Status)
	}
	_ = f
}

func TestOnlyLocalPagesMayAct(t *testing.T) {
	_, _, srv := newWorkspace(t, nil)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Host = "demo.attacker.example:8088" // DNS rebinding
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %s, want 403", resp.Status)
	}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/ui/send", strings.NewReader(`{"as":"U0ALICE","conv":"C0TEAM","text":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://attacker.example")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %s, want 403", resp.Status)
	}
	resp, err = http.Post(srv.URL+"/ui/send", "text/plain", strings.NewReader(`{"as":"U0ALICE","conv":"C0TEAM","text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form-like POST: %s, want 415", resp.Status)
	}
}

// stubClock is a Clock whose moves are recorded.
type stubClock struct {
	mu      sync.Mutex
	st      ClockStatus
	nexts   int
	changed chan struct{}
}

func (c *stubClock) Status() ClockStatus { c.mu.Lock(); defer c.mu.Unlock(); return c.st }
func (c *stubClock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}
func (c *stubClock) move(d time.Duration) {
	c.mu.Lock()
	c.st.Now = c.st.Now.Add(d)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}
func (c *stubClock) Next(ctx context.Context) error {
	c.mu.Lock()
	busy := c.st.Busy != ""
	c.nexts++
	c.mu.Unlock()
	if busy {
		return ErrBusy
	}
	c.move(time.Hour)
	return nil
}
func (c *stubClock) RunWeek() error {
	c.mu.Lock()
	c.st.Busy = "week"
	c.mu.Unlock()
	c.move(0)
	return nil
}
func (c *stubClock) SetPaused(p bool) {
	c.mu.Lock()
	c.st.Paused = p
	c.mu.Unlock()
	c.move(0)
}

func TestTimeControls(t *testing.T) {
	start := time.Date(2026, 11, 23, 7, 45, 0, 0, time.UTC)
	clock := &stubClock{st: ClockStatus{Now: start, Zone: "Europe/Berlin"}, changed: make(chan struct{})}
	_, _, srv := newWorkspace(t, clock)
	code, res := postJSON(t, srv, "/ui/clock/next", map[string]any{})
	if code != http.StatusOK || clock.Status().Now != start.Add(time.Hour) {
		t.Fatalf("next: %d %v", code, res)
	}
	if code, _ := postJSON(t, srv, "/ui/clock/pause", map[string]any{"paused": true}); code != http.StatusOK || !clock.Status().Paused {
		t.Error("pause did not pause")
	}
	if code, _ := postJSON(t, srv, "/ui/clock/week", map[string]any{}); code != http.StatusOK || clock.Status().Busy != "week" {
		t.Error("run the week did not start")
	}
	if code, res := postJSON(t, srv, "/ui/clock/next", map[string]any{}); code != http.StatusConflict {
		t.Errorf("next while running the week: %d %v, want 409", code, res)
	}
	if st := getState(t, srv, "as=U0ALICE"); st.Clock == nil || st.Clock.Busy != "week" {
		t.Errorf("state clock = %+v", st.Clock)
	}
	_, _, noClock := newWorkspace(t, nil)
	if code, _ := postJSON(t, noClock, "/ui/clock/next", map[string]any{}); code != http.StatusNotFound {
		t.Errorf("time controls without a clock: %d, want 404", code)
	}
}

// sseEvents reads event names from a Server-Sent Events stream.
func sseEvents(t *testing.T, body io.Reader) <-chan string {
	out := make(chan string, 64)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				out <- name
			}
		}
	}()
	return out
}

func expectEvent(t *testing.T, events <-chan string, want string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case name, ok := <-events:
			if !ok {
				t.Fatalf("stream ended before a %q event", want)
			}
			if name == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %q event within 5s", want)
		}
	}
}

func TestEventStream(t *testing.T) {
	clock := &stubClock{st: ClockStatus{Now: time.Now(), Zone: "UTC"}, changed: make(chan struct{})}
	f, app, srv := newWorkspace(t, clock)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/ui/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := sseEvents(t, resp.Body)
	expectEvent(t, events, "clock")
	expectEvent(t, events, "hello")
	if _, _, err := app.api.PostMessage("C0TEAM", slack.MsgOptionText("hello team", false)); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, events, "workspace")
	clock.move(time.Minute)
	expectEvent(t, events, "clock")
	_ = f
}

func TestEventStreamEndsOnClose(t *testing.T) {
	f := slackfake.New(slackfake.Options{})
	defer f.Close()
	f.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	page := &Server{Fake: f}
	srv := httptest.NewServer(page.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/ui/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := sseEvents(t, resp.Body)
	expectEvent(t, events, "hello")
	page.Close()
	select {
	case _, ok := <-events:
		for ok {
			_, ok = <-events
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end when the page server closed")
	}
}

// Mentioning the bot from the composer in a thread reaches the app as
// app_mention too, as Slack sends it: `@ritualbot update …` in an
// incident's thread works from the page.
func TestComposerMentionOfTheBotSendsAppMention(t *testing.T) {
	f, app, srv := newWorkspace(t, nil)
	if code, res := postJSON(t, srv, "/ui/send", map[string]any{"as": "U0BOB", "conv": "C0TEAM", "text": "Checkout is down"}); code != http.StatusOK {
		t.Fatalf("post: %d %v", code, res)
	}
	parent := f.ChannelMessages("C0TEAM")[0]
	if code, res := postJSON(t, srv, "/ui/send", map[string]any{"as": "U0ALICE", "conv": "C0TEAM", "text": "@ritualbot update rolled back", "thread_ts": parent.TS}); code != http.StatusOK {
		t.Fatalf("reply: %d %v", code, res)
	}
	ev := app.lastEvent()
	if ev["type"] != "app_mention" || ev["text"] != "<@U0BOT> update rolled back" || ev["thread_ts"] != parent.TS || ev["user"] != "U0ALICE" {
		t.Errorf("last event = %v, want app_mention in the thread", ev)
	}
}
