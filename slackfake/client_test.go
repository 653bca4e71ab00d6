package slackfake_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestWorkspaceReads(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	f.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "oncall", Name: "On call", Users: []string{"U0BOB"}})

	var ids []string
	for _, u := range f.Users() {
		ids = append(ids, u.ID)
	}
	if got := strings.Join(ids, " "); got != "U0BOT USLACKBOT U0ALICE U0BOB" {
		t.Errorf("Users = %s, want users.list's order with the bot and Slackbot", got)
	}
	if u, ok := f.User("U0BOB"); !ok || u.TZ != "America/New_York" || u.RealName != "Bob Builder" {
		t.Errorf("User(U0BOB) = %+v, %v", u, ok)
	}
	if f.BotUserID() != "U0BOT" || f.TeamID() != "T0FAKE" {
		t.Errorf("BotUserID, TeamID = %s, %s", f.BotUserID(), f.TeamID())
	}
	chans := f.Channels()
	if len(chans) != 3 || chans[2].ID != "C0SECRET" || !chans[2].IsPrivate || len(chans[0].Members) != 3 {
		t.Errorf("Channels = %+v", chans)
	}
	chans[0].Members[0] = "changed"
	if f.Channels()[0].Members[0] != "U0ALICE" {
		t.Error("Channels hands out the fake's own member slice")
	}
	if g := f.UserGroups(); len(g) != 1 || g[0].Handle != "oncall" || g[0].Users[0] != "U0BOB" {
		t.Errorf("UserGroups = %+v", g)
	}

	// No DM until someone opens it; posting to the user ID opens it.
	if _, ok := f.DMChannel("U0ALICE"); ok {
		t.Error("DMChannel exists before anything opened it")
	}
	_, _, err := botClient(f).PostMessage("U0ALICE", slack.MsgOptionText("hi", false))
	if err != nil {
		t.Fatal(err)
	}
	dm, ok := f.DMChannel("U0ALICE")
	if !ok || len(f.DMs("U0ALICE")) != 1 || f.DMs("U0ALICE")[0].Channel != dm {
		t.Errorf("DMChannel = %q, %v; DMs = %+v", dm, ok, f.DMs("U0ALICE"))
	}
	if id, ok := f.OpenDM("U0BOB"); !ok || !strings.HasPrefix(id, "D") {
		t.Errorf("OpenDM(U0BOB) = %q, %v", id, ok)
	}
	if _, ok := f.OpenDM("U0BOT"); ok {
		t.Error("OpenDM opened a DM with the bot itself")
	}
	if _, ok := f.File("F0NONE"); ok {
		t.Error("File found a file that does not exist")
	}
}

// eventApp starts an app that acks everything and records the inner events
// and interactions it receives.
type eventApp struct {
	mu           sync.Mutex
	events       []map[string]any
	interactions []slack.InteractionCallback
	a            *app
}

func startEventApp(t *testing.T, f *slackfake.Server) *eventApp {
	t.Helper()
	e := &eventApp{}
	e.a = startApp(t, f, func(a *app, evt socketmode.Event) {
		switch evt.Type {
		case socketmode.EventTypeEventsAPI:
			var payload struct {
				Event map[string]any `json:"event"`
			}
			if err := json.Unmarshal(evt.Request.Payload, &payload); err != nil {
				t.Errorf("events_api payload: %v", err)
			}
			e.mu.Lock()
			e.events = append(e.events, payload.Event)
			e.mu.Unlock()
		case socketmode.EventTypeInteractive:
			e.mu.Lock()
			e.interactions = append(e.interactions, evt.Data.(slack.InteractionCallback))
			e.mu.Unlock()
		default:
			return
		}
		_ = a.client.Ack(*evt.Request)
	})
	return e
}

func (e *eventApp) lastEvent() map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.events) == 0 {
		return nil
	}
	return e.events[len(e.events)-1]
}

func (e *eventApp) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.events)
}

func (e *eventApp) lastInteraction() slack.InteractionCallback {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.interactions) == 0 {
		return slack.InteractionCallback{}
	}
	return e.interactions[len(e.interactions)-1]
}

func TestMemberReactions(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	e := startEventApp(t, f)
	ctx := testCtx(t)
	_, ts, err := botClient(f).PostMessage("C0GENERAL", slack.MsgOptionText("Incident #1 declared", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0GENERAL", ts, ":pushpin:"); err != nil {
		t.Fatal(err)
	}
	// The event as Slack documents it (docs.slack.dev reaction_added).
	ev := e.lastEvent()
	item, _ := ev["item"].(map[string]any)
	if ev["type"] != "reaction_added" || ev["user"] != "U0ALICE" || ev["reaction"] != "pushpin" || ev["item_user"] != "U0BOT" ||
		item["type"] != "message" || item["channel"] != "C0GENERAL" || item["ts"] != ts || ev["event_ts"] == "" {
		t.Errorf("reaction_added = %v", ev)
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0GENERAL", ts, "pushpin"); err == nil || !strings.Contains(err.Error(), "already_reacted") {
		t.Errorf("second identical reaction: %v, want already_reacted", err)
	}
	if _, err := f.AddReaction(ctx, "U0BOB", "C0GENERAL", ts, "pushpin"); err != nil {
		t.Fatal(err)
	}
	if r := f.ChannelMessages("C0GENERAL")[0].Reactions["pushpin"]; strings.Join(r, ",") != "U0ALICE,U0BOB" {
		t.Errorf("pushpin reactions = %v", r)
	}
	if _, err := f.RemoveReaction(ctx, "U0ALICE", "C0GENERAL", ts, "pushpin"); err != nil {
		t.Fatal(err)
	}
	if ev := e.lastEvent(); ev["type"] != "reaction_removed" || ev["user"] != "U0ALICE" {
		t.Errorf("reaction_removed = %v", ev)
	}
	if _, err := f.RemoveReaction(ctx, "U0ALICE", "C0GENERAL", ts, "pushpin"); err == nil || !strings.Contains(err.Error(), "no_reaction") {
		t.Errorf("removing a reaction not there: %v, want no_reaction", err)
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0GENERAL", "1.000001", "tada"); err == nil {
		t.Error("reaction to a missing message accepted")
	}

	// Without the bot in the channel, the app hears nothing.
	msg, _, err := f.SendMessageEvent(ctx, "U0ALICE", "C0RANDOM", "lunch?", "")
	if err != nil {
		t.Fatal(err)
	}
	n := e.count()
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0RANDOM", msg.TS, "thumbsup"); err != nil {
		t.Fatal(err)
	}
	if e.count() != n {
		t.Errorf("reaction in a channel without the bot was delivered: %v", e.lastEvent())
	}
	if r := f.ChannelMessages("C0RANDOM")[0].Reactions["thumbsup"]; len(r) != 1 {
		t.Errorf("reaction not shown: %v", f.ChannelMessages("C0RANDOM")[0].Reactions)
	}
}

func TestSubmitViewInputsBuildsElementState(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	var mu sync.Mutex
	var sub slack.InteractionCallback
	a := startApp(t, f, func(a *app, evt socketmode.Event) {
		if evt.Request == nil {
			return
		}
		if cb, ok := evt.Data.(slack.InteractionCallback); ok && cb.Type == slack.InteractionTypeViewSubmission {
			mu.Lock()
			sub = cb
			mu.Unlock()
		}
		_ = a.client.Ack(*evt.Request)
	})
	ctx := testCtx(t)
	if _, err := f.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", UserID: "U0ALICE", ChannelID: "C0GENERAL"}); err != nil {
		t.Fatal(err)
	}
	trigger := lastTrigger(t, f, a)
	if _, err := a.api.OpenView(trigger, modal("Standup", blocksOf(t, validModalBlocks))); err != nil {
		t.Fatal(err)
	}
	id := f.OpenViews("U0ALICE")[0].ID
	if _, err := f.SubmitViewInputs(ctx, "U0ALICE", id, map[string]map[string]string{"mood": {"pick": "awful"}}); err == nil {
		t.Error("an option the select does not have was submitted")
	}
	if _, err := f.SubmitViewInputs(ctx, "U0ALICE", id, map[string]map[string]string{"nope": {"x": "1"}}); err == nil {
		t.Error("a block the view does not have was submitted")
	}
	_, err := f.SubmitViewInputs(ctx, "U0ALICE", id, map[string]map[string]string{
		"yesterday": {"text": "shipped\nthe fix"},
		"mood":      {"pick": "good"},
		"people":    {"users": "U0ALICE,U0BOB"},
		"owner":     {"user": "U0BOB"},
		"when":      {"date": "2026-11-30"},
		"flags":     {"boxes": ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	st := sub.View.State.Values
	if st["yesterday"]["text"].Value != "shipped\nthe fix" || st["mood"]["pick"].SelectedOption.Value != "good" ||
		st["mood"]["pick"].SelectedOption.Text.Text != "Good" || len(st["people"]["users"].SelectedUsers) != 2 ||
		st["owner"]["user"].SelectedUser != "U0BOB" || st["when"]["date"].SelectedDate != "2026-11-30" ||
		len(st["flags"]["boxes"].SelectedOptions) != 0 {
		t.Errorf("view_submission state = %+v", st)
	}
}

// lastTrigger returns the trigger_id of the last slash command the app got.
func lastTrigger(t *testing.T, f *slackfake.Server, a *app) string {
	t.Helper()
	var trigger string
	err := a.waitFor(testCtx(t), func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, evt := range a.events {
			if cmd, ok := evt.Data.(slack.SlashCommand); ok {
				trigger = cmd.TriggerID
			}
		}
		return trigger != ""
	})
	if err != nil {
		t.Fatal("no slash command reached the app")
	}
	return trigger
}

func TestAppHomeOpenedAndHomeActions(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	e := startEventApp(t, f)
	ctx := testCtx(t)
	if _, err := f.OpenAppHome(ctx, "U0ALICE", "home"); err != nil {
		t.Fatal(err)
	}
	dm, _ := f.DMChannel("U0ALICE")
	ev := e.lastEvent()
	if ev["type"] != "app_home_opened" || ev["user"] != "U0ALICE" || ev["tab"] != "home" || ev["channel"] != dm || ev["view"] != nil {
		t.Errorf("first app_home_opened = %v", ev)
	}
	if _, err := f.SendHomeAction(ctx, "U0ALICE", "refresh", ""); err == nil {
		t.Error("action in a Home tab never published was delivered")
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocksOf(t,
		`[{"type":"section","text":{"type":"mrkdwn","text":"Your next standup"}},
		  {"type":"actions","block_id":"acts","elements":[{"type":"button","text":{"type":"plain_text","text":"Refresh"},"action_id":"refresh","value":"r1"}]}]`)}}
	if _, err := botClient(f).PublishView("U0ALICE", home, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.OpenAppHome(ctx, "U0ALICE", "messages"); err != nil {
		t.Fatal(err)
	}
	ev = e.lastEvent()
	view, _ := ev["view"].(map[string]any)
	if ev["tab"] != "messages" || view["type"] != "home" {
		t.Errorf("app_home_opened after publish = %v", ev)
	}
	if _, err := f.SendHomeAction(ctx, "U0ALICE", "refresh", ""); err != nil {
		t.Fatal(err)
	}
	cb := e.lastInteraction()
	if cb.Type != slack.InteractionTypeBlockActions || cb.Container.Type != "view" || cb.Container.ViewID == "" ||
		cb.View.Type != slack.VTHomeTab || cb.ResponseURL != "" || cb.TriggerID == "" ||
		len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].Value != "r1" {
		t.Errorf("Home tab block_actions = %+v", cb)
	}
	if _, err := f.OpenAppHome(ctx, "U0BOT", "home"); err == nil {
		t.Error("the bot opened its own Home tab")
	}
}
