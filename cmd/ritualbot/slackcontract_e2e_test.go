package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/slackfake"
)

// End-to-end tests of what real Slack expects of an app, against the
// fake's stricter rules (docs/SLACKFAKE.md lists them with their sources).

// A command that opens a modal answers with an empty body: Slack shows any
// other body, a text-less JSON message included, to the person.
func TestModalCommandsAckWithAnEmptyBody(t *testing.T) {
	start := at(t, "2026-11-02 08:00", berlin)
	for _, mode := range []string{"http", "socket"} {
		t.Run(mode, func(t *testing.T) {
			var h *harness
			if mode == "http" {
				h = newWorkspaceHarness(t, "", start, slackfake.Options{})
				h.startHTTP()
			} else {
				h = newStandupHarness(t, start, "channel", false)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r, err := h.fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", UserID: "U0ALICE", ChannelID: "C0PAYMENTS"})
			if err != nil { // slackfake.ErrTextlessAck before the fix
				t.Fatalf("/standup: %v (ack %s)", err, r.Ack)
			}
			if len(r.Ack) != 0 {
				t.Errorf("/standup acked with %s, want an empty body", r.Ack)
			}
			if len(h.fake.OpenViews("U0ALICE")) != 1 {
				t.Errorf("/standup opened no modal")
			}
		})
	}
}

// slowCall is longer than Slack waits for an acknowledgement (3 s): a
// handler that waits on it must not hold the ack back.
const slowCall = 3200 * time.Millisecond

// patient lets the bot's Web API calls outlast slowCall (the harness's
// client gives up after 3 s).
func patient(m *Main) { m.HTTPClient = &http.Client{Timeout: 10 * time.Second} }

// In HTTP mode an event is acknowledged before it is handled, and handled
// on a context that outlives the request. Before, a handler slower than
// 3 s lost its request's context when Slack gave up, and Slack's retry
// was dropped as a duplicate: the Home tab stayed blank.
func TestHTTPEventsAreAcknowledgedFirstAndSurviveTheRequest(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-02 08:00", berlin), slackfake.Options{})
	h.setup = patient
	h.startHTTP()
	h.fake.FailNext("views.publish", 1, slackfake.Fault{Delay: slowCall})
	r, err := h.fake.OpenAppHome(h.ctx(), "U0ALICE", "home")
	if err != nil {
		t.Fatalf("app_home_opened: %v after %d attempts", err, r.Attempts)
	}
	if r.Attempts != 1 {
		t.Errorf("Slack sent app_home_opened %d times, want once (acknowledged in time)", r.Attempts)
	}
	h.settle()
	if len(h.fake.HomeView("U0ALICE")) == 0 {
		t.Error("the Home tab was not published after a slow views.publish")
	}
}

// A Socket Mode handler lives on when Slack refreshes the connection its
// envelope came on (and the reconnect needs a second try).
func TestSocketModeHandlersOutliveARefreshedConnection(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-02 08:00", berlin), "channel", false)
	h.fake.FailNext("views.publish", 1, slackfake.Fault{Delay: time.Second})
	h.fake.FailNext("apps.connections.open", 1, slackfake.Fault{Status: 500})
	h.fake.RefreshAfterAck(1)
	if _, err := h.fake.OpenAppHome(h.ctx(), "U0ALICE", "home"); err != nil {
		t.Fatal(err)
	}
	h.waitConnected(true)
	h.settle()
	if len(h.fake.HomeView("U0ALICE")) == 0 {
		t.Error("the Home tab was not published: its handler died with the connection")
	}
}

// A click is acknowledged at once and answered after, through
// response_url: a slow answer must not make Slack show an error on the
// button.
func TestButtonClicksAreAcknowledgedAtOnce(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-02 08:59", berlin), slackfake.Options{})
	h.setup = patient
	h.startHTTP()
	h.runUntil(at(t, "2026-11-02 09:00", berlin))
	prompt := h.lastDM("U0ALICE", "standup:skip")
	h.fake.FailNext("response_url", 1, slackfake.Fault{Delay: slowCall})
	if _, err := h.fake.SendBlockAction(h.ctx(), "U0ALICE", prompt.Channel, prompt.TS, "standup:skip", ""); err != nil {
		t.Fatalf("Skip today: %v", err)
	}
	h.settle()
	if got := h.lastEphemeral("U0ALICE"); got == "" {
		t.Error("the click's answer never reached the member")
	}
}

// SIGTERM finishes what Slack was told was taken: an acknowledged event
// still being handled is done before the store closes.
func TestShutdownFinishesAcknowledgedEvents(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-02 08:00", berlin), slackfake.Options{})
	h.startHTTP()
	h.fake.FailNext("views.publish", 1, slackfake.Fault{Delay: 500 * time.Millisecond})
	if _, err := h.fake.OpenAppHome(h.ctx(), "U0ALICE", "home"); err != nil {
		t.Fatal(err)
	}
	h.stop()
	if len(h.fake.HomeView("U0ALICE")) == 0 {
		t.Error("shutdown cut short the handler of an acknowledged event")
	}
}

// Every Socket Mode envelope is acknowledged, even one slack-go cannot
// parse: scope_denied is a real event (api.slack.com/events/scope_denied)
// newer than the slack-go in go.mod. Unacknowledged, Slack retries it.
func TestSocketModeAcksEnvelopesSlackGoCannotParse(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-02 08:00", berlin), "channel", false)
	ev := map[string]any{"type": "scope_denied", "scopes": []string{"channels:history"}, "trigger_id": "1234.5678"}
	if _, err := h.fake.SendEvent(h.ctx(), ev); err != nil {
		t.Fatalf("scope_denied: %v", err)
	}
}

// Slack tells the app of its own usergroups.users.update with a
// subteam_members_changed; the bot knows its own write and does not read
// the group back (a Tier 2 call per handoff), while a person's edit is
// still read and put right.
func TestOnCallKnowsTheEchoOfItsOwnUserGroupWrite(t *testing.T) {
	h := newOnCallHarness(t, at(t, "2026-10-19 09:00", berlin), slackfake.Options{})
	// Right at start-up (Alice's shift): nothing to write before the handoff.
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "payments-oncall", Name: "Payments on call", Users: []string{"U0ALICE"}})
	h.start()
	reads, writes := h.fake.Calls("usergroups.users.list"), h.fake.Calls("usergroups.users.update")
	h.runUntil(at(t, "2026-10-19 10:01", berlin)) // Bob takes over from Alice
	h.waitFor("the echo of the handoff's write", func() bool { return h.fake.EventsSent("subteam_members_changed") == 1 })
	if got := h.fake.UserGroupMembers("S0ONCALL"); !slices.Equal(got, []string{"U0BOB"}) {
		t.Fatalf("after the handoff the group holds %v, want Bob", got)
	}
	if n := h.fake.Calls("usergroups.users.update") - writes; n != 1 {
		t.Errorf("%d writes at the handoff, want 1", n)
	}
	if n := h.fake.Calls("usergroups.users.list") - reads; n != 0 {
		t.Errorf("the bot read its own write back %d times", n)
	}
	if _, err := h.fake.EditUserGroup(h.ctx(), "U0CAROL", "S0ONCALL", []string{"U0BOB", "U0CAROL"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the group put back", func() bool { return slices.Equal(h.fake.UserGroupMembers("S0ONCALL"), []string{"U0BOB"}) })
}

// A trigger_id lasts 3 s of real time. With a cold member cache on a
// 2,000-member workspace, /standup still opens its modal in time: the bot
// reads the directory at start-up, page by page through its own rate
// limiter (slack-go's own paging sleeps through 429s unmetered).
func TestStandupModalOpensInTimeOnABigWorkspace(t *testing.T) {
	cfg := strings.NewReplacer("SUMMARY", "channel", "LOCAL", "true").Replace(standupConfig)
	// users.list as tight as it gets: a page a second, no burst (Slack's
	// Tier 2 is 20 a minute, with bursts), the bot a little under it so
	// that network jitter cannot push two pages into one second.
	h := newHarness(t, cfg, at(t, "2026-11-02 08:00", berlin), slackfake.Options{RateLimits: map[string]slackfake.Limit{"users.list": {PerMinute: 60, Burst: 1}}})
	h.limits = map[string]bot.Limit{"users.list": {PerMinute: 50, Burst: 1}}
	h.fake.AddChannel(slackfake.Channel{ID: payments, Name: "payments"})
	for _, u := range standupTeam {
		h.fake.AddUser(u)
	}
	for i := len(standupTeam); i < 2000; i++ {
		h.fake.AddUser(slackfake.User{ID: fmt.Sprintf("U1%06d", i), Name: fmt.Sprintf("member%d", i), TZ: "Europe/Berlin"})
	}
	h.start()
	for _, user := range []string{"U0ALICE", "U0DAN", "U0GITA"} {
		r, err := h.fake.SendSlashCommand(h.ctx(), slackfake.SlashCommand{Command: "/standup", UserID: user, ChannelID: payments})
		if err != nil {
			t.Fatalf("/standup by %s: %v", user, err)
		}
		if len(h.fake.OpenViews(user)) != 1 {
			t.Fatalf("/standup by %s opened no modal (ack %s); log:\n%s", user, r.Ack, grepLines(h.logs.String(), `"level":"(error|warn)"`))
		}
	}
	if n := h.fake.RateLimited("users.list"); n != 0 {
		t.Errorf("users.list was refused %d times for going over Slack's limit", n)
	}
}

// Mentioning the bot in an incident's thread runs the verb once; editing
// that message (Slack sends app_mention again, with "edited") does not
// run it again.
func TestEditedMentionIsNotRunAgain(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-02 10:00", berlin), slackfake.Options{})
	h.startHTTP()
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout is slow")
	announce := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1", "#incidents")
	updates := func() int { return len(find(t, h.fake.Replies("C0INCIDENTS", announce.TS), "*Update* by <@U0ALICE>")) }
	msg, _, err := h.fake.SendMessageEvent(h.ctx(), "U0ALICE", "C0INCIDENTS", "<@U0BOT> update rolled bakc the deploy", announce.TS)
	if err != nil {
		t.Fatal(err)
	}
	h.waitFor("the update", func() bool { return updates() == 1 })
	if _, err := h.fake.EditMessage(h.ctx(), "U0ALICE", "C0INCIDENTS", msg.TS, "<@U0BOT> update rolled back the deploy"); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := h.fake.EventsSent("app_mention"); n != 2 {
		t.Fatalf("the fake sent app_mention %d times, want 2 (the post and the edit)", n)
	}
	if n := updates(); n != 1 {
		t.Errorf("%d updates in the timeline after the mention was edited, want 1", n)
	}
}

// The app as set up for Slack: the manifest of a reminder-only config
// still subscribes to app_home_opened (the Home tab is on) and keeps the
// Messages tab read-only (the bot reads no DMs); an http:// public URL in
// HTTP mode is refused by validation; Slack's ssl_check gets its 200
// unsigned; a channel named by #name is found with conversations.list
// pages under 1000.
func TestSetupAsSlackExpects(t *testing.T) {
	noEnv := func(string) string { return "" }
	cfg := strings.Replace(httpModeConfig, "channel: C0PAYMENTS", `channel: "#payments"`, 1)
	h := newHarness(t, cfg, at(t, "2026-11-02 08:00", berlin), slackfake.Options{SigningSecret: "setup-secret"})
	h.env[envSigningSecret] = "setup-secret"
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0BOT"}})
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"manifest", "--config", h.cfg}, &out, &errOut, noEnv); code != 0 {
		t.Fatalf("manifest exited %d: %s", code, errOut.String())
	}
	wantIn(t, "reminder-only manifest", out.String(), "- app_home_opened\n", "messages_tab_read_only_enabled: true")

	plain := filepath.Join(h.dir, "plain.yaml")
	if err := os.WriteFile(plain, []byte(strings.Replace(httpModeConfig, "https://ritualbot.example.com", "http://ritualbot.example.com", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"validate", "--config", plain}, &out, &errOut, noEnv); code != 1 || !strings.Contains(errOut.String(), "plain.yaml:5:") || !strings.Contains(errOut.String(), "https://") {
		t.Errorf("validate of an http:// public URL in HTTP mode exited %d: %s", code, errOut.String())
	}

	h.startHTTP() // resolves #payments with conversations.list
	if err := h.fake.SSLCheck(h.ctx()); err != nil {
		t.Error(err)
	}
}

// /standup status names everyone, over as many sections as it takes: a
// team of 1,500 is more mentions than one section's 3,000 characters, and
// more than an acknowledgement may carry (the answer then comes through
// response_url).
func TestStandupStatusNamesEveryoneOfABigTeam(t *testing.T) {
	var ids []string
	for i := range 1500 {
		ids = append(ids, fmt.Sprintf("U3%06d", i))
	}
	cfg := strings.NewReplacer("SUMMARY", "channel", "LOCAL", "false",
		"members: [U0ALICE, U0BOB, U0CAROL, U0DAN, U0ERIN, U0FRANK, U0GITA, U0HARI]", "members: [U0ALICE, "+strings.Join(ids, ", ")+"]").Replace(standupConfig)
	h := newHarness(t, cfg, at(t, "2026-11-23 09:05", berlin), slackfake.Options{})
	h.fake.AddChannel(slackfake.Channel{ID: payments, Name: "payments"})
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", TZ: "Europe/Berlin"})
	for _, id := range ids {
		h.fake.AddUser(slackfake.User{ID: id, Name: strings.ToLower(id), TZ: "Europe/Berlin"})
	}
	h.start()
	ack := ackText(t, h.command("U0ALICE", payments, "/standup", "status"))
	if ack == "" { // too big for the ack: shown through response_url
		ack = h.lastEphemeral("U0ALICE")
	}
	for _, id := range ids {
		if !strings.Contains(ack, "<@"+id+">") {
			t.Fatalf("/standup status leaves out %s:\n%.300s…", id, ack)
		}
	}
}

// A config of incidents alone (a channel per incident, no on-call) asks
// for the scope that creating, inviting to and archiving channels needs.
func TestIncidentsManifestAllowsChannelsOfTheirOwn(t *testing.T) {
	cfg := `
timezone: Europe/Berlin
store: {path: STORE}
teams:
  - {id: payments, channel: C0PAYMENTS, members: [U0ALICE]}
rituals:
  - {name: incidents, kind: incidents, channel: C0INCIDENTS, teams: [payments], channel_per_incident: true}
`
	h := newHarness(t, cfg, at(t, "2026-11-02 08:00", berlin), slackfake.Options{})
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	scopes := manifestScopes(t, loaded)
	for _, method := range []string{"conversations.create", "conversations.invite", "conversations.archive"} {
		if !slices.ContainsFunc(slackfake.MethodScopes(method), func(s string) bool { return slices.Contains(scopes, s) }) {
			t.Errorf("the manifest's scopes %v do not allow %s", scopes, method)
		}
	}
}
