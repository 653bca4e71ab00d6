package slackfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestPostMessageToUserIDLandsInDM(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	ch, ts, err := api.PostMessage("U0ALICE", slack.MsgOptionText("standup time", false))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch, "D") {
		t.Errorf("channel = %q, want a DM channel ID", ch)
	}
	dms := f.DMs("U0ALICE")
	if len(dms) != 1 || dms[0].Text != "standup time" || dms[0].TS != ts || dms[0].User != "U0BOT" || dms[0].Channel != ch {
		t.Fatalf("DMs(alice) = %+v", dms)
	}
	if got := f.DMs("U0BOB"); len(got) != 0 {
		t.Errorf("DMs(bob) = %+v, want none", got)
	}
	// conversations.open finds the same DM, already open.
	c, noOp, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U0ALICE"}})
	if err != nil || c.ID != ch || !noOp || !already {
		t.Errorf("OpenConversation = %v %v %v %v, want %s already open", c, noOp, already, err, ch)
	}
	// Posting to a bot or an unknown user fails as in Slack.
	if _, _, err := api.PostMessage("U0BOT", slack.MsgOptionText("hi", false)); slackErr(err) != "cannot_dm_bot" {
		t.Errorf("post to bot: %v, want cannot_dm_bot", err)
	}
	if _, _, err := api.PostMessage("U0NOBODY", slack.MsgOptionText("hi", false)); slackErr(err) != "channel_not_found" {
		t.Errorf("post to unknown user: %v, want channel_not_found", err)
	}
}

func TestPostMessageChannelsAndThreads(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	_, parent, err := api.PostMessage("#general", slack.MsgOptionText("parent", false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("reply", false), slack.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	// A reply to a reply joins the parent's thread.
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("reply 2", false), slack.MsgOptionTS(reply)); err != nil {
		t.Fatal(err)
	}
	got := f.Replies("C0GENERAL", parent)
	if len(got) != 2 || got[0].Text != "reply" || got[1].ThreadTS != parent {
		t.Fatalf("Replies = %+v", got)
	}
	if all := f.ChannelMessages("C0GENERAL"); len(all) != 3 || all[0].TS != parent {
		t.Fatalf("ChannelMessages = %+v", all)
	}
	msgs, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C0GENERAL", Timestamp: parent})
	if err != nil || len(msgs) != 3 || msgs[0].ReplyCount != 2 {
		t.Fatalf("GetConversationReplies = %+v, %v", msgs, err)
	}
	hist, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0GENERAL"})
	if err != nil || len(hist.Messages) != 1 || hist.Messages[0].Timestamp != parent {
		t.Fatalf("history = %+v, %v (want only the top-level message)", hist, err)
	}
	// The bot is not in #random: it may post (chat:write.public) but not read.
	if _, _, err := api.PostMessage("C0RANDOM", slack.MsgOptionText("hello", false)); err != nil {
		t.Errorf("post to public channel: %v", err)
	}
	if _, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0RANDOM"}); slackErr(err) != "not_in_channel" {
		t.Errorf("history of #random: %v, want not_in_channel", err)
	}
	// A private channel without the bot does not exist for it.
	if _, _, err := api.PostMessage("C0SECRET", slack.MsgOptionText("hello", false)); slackErr(err) != "channel_not_found" {
		t.Errorf("post to private channel: %v, want channel_not_found", err)
	}
	if _, err := api.SetTopicOfConversation("C0RANDOM", "x"); slackErr(err) != "not_in_channel" {
		t.Errorf("setTopic #random: %v, want not_in_channel", err)
	}
	if _, err := api.SetTopicOfConversation("C0GENERAL", "On call: @alice"); err != nil || f.Topic("C0GENERAL") != "On call: @alice" {
		t.Errorf("setTopic: %v, topic %q", err, f.Topic("C0GENERAL"))
	}
}

func TestUpdateDeleteEphemeralReactionsPermalink(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	_, ts, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("v1", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessage("C0GENERAL", ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatal(err)
	}
	m := f.ChannelMessages("C0GENERAL")[0]
	if m.Text != "v2" || !m.Edited || m.EditCount != 1 {
		t.Errorf("after update: %+v", m)
	}
	if err := api.AddReaction("eyes", slack.ItemRef{Channel: "C0GENERAL", Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if err := api.AddReaction("eyes", slack.ItemRef{Channel: "C0GENERAL", Timestamp: ts}); slackErr(err) != "already_reacted" {
		t.Errorf("second reaction: %v", err)
	}
	if r := f.ChannelMessages("C0GENERAL")[0].Reactions; !slices.Equal(r["eyes"], []string{"U0BOT"}) {
		t.Errorf("reactions = %v", r)
	}
	link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: "C0GENERAL", Ts: ts})
	if err != nil || !strings.HasPrefix(link, f.URL()+"/archives/C0GENERAL/p") {
		t.Errorf("permalink %q, %v", link, err)
	}
	if _, err := api.PostEphemeral("C0GENERAL", "U0ALICE", slack.MsgOptionText("psst", false)); err != nil {
		t.Fatal(err)
	}
	if e := f.Ephemerals("U0ALICE"); len(e) != 1 || e[0].Text != "psst" || e[0].Channel != "C0GENERAL" {
		t.Errorf("Ephemerals = %+v", e)
	}
	f.AddUser(slackfake.User{ID: "U0CAROL", Name: "carol"})
	if _, err := api.PostEphemeral("C0GENERAL", "U0CAROL", slack.MsgOptionText("psst", false)); slackErr(err) != "user_not_in_channel" {
		t.Errorf("ephemeral to non-member: %v", err)
	}
	if _, _, err := api.DeleteMessage("C0GENERAL", ts); err != nil {
		t.Fatal(err)
	}
	if got := f.ChannelMessages("C0GENERAL"); len(got) != 0 {
		t.Errorf("after delete: %+v", got)
	}
	if _, _, _, err := api.UpdateMessage("C0GENERAL", ts, slack.MsgOptionText("v3", false)); slackErr(err) != "message_not_found" {
		t.Errorf("update deleted: %v", err)
	}
}

func TestAuthAndTokens(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	form := url.Values{"channel": {"C0GENERAL"}, "text": {"x"}}
	for _, tc := range []struct {
		name   string
		form   url.Values
		header http.Header
		want   string
	}{
		{"missing", form, nil, "not_authed"},
		{"wrong", withToken(form, "xoxb-nope"), nil, "invalid_auth"},
		{"app token", withToken(form, "xapp-fake-app-token"), nil, "not_allowed_token_type"},
		{"form token", withToken(form, "xoxb-fake-bot-token"), nil, ""},
		{"bearer", form, http.Header{"Authorization": {"Bearer xoxb-fake-bot-token"}}, ""},
	} {
		_, _, body := callAPI(t, f, "chat.postMessage", tc.form, tc.header)
		if got, _ := body["error"].(string); got != tc.want || (tc.want == "") != (body["ok"] == true) {
			t.Errorf("%s: %v, want error %q", tc.name, body, tc.want)
		}
	}
	// A JSON body must carry its token in the Authorization header.
	req, _ := http.NewRequest(http.MethodPost, f.APIURL()+"auth.test", strings.NewReader(`{"token":"xoxb-fake-bot-token"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(b.String(), `"not_authed"`) {
		t.Errorf("JSON token in body: %s", b.String())
	}
	_, _, body := callAPI(t, f, "chat.postMessag", withToken(form, "xoxb-fake-bot-token"), nil)
	if body["error"] != "unknown_method" {
		t.Errorf("unknown method: %v", body)
	}
	if f.Calls("chat.postMessage") != 5 || f.Calls("chat.postMessag") != 1 {
		t.Errorf("Calls = %d, %d", f.Calls("chat.postMessage"), f.Calls("chat.postMessag"))
	}
	a, err := botClient(f).AuthTest()
	if err != nil || a.UserID != "U0BOT" || a.TeamID != "T0FAKE" {
		t.Errorf("AuthTest = %+v, %v", a, err)
	}
}

func withToken(v url.Values, tok string) url.Values {
	out := url.Values{"token": {tok}}
	for k, vs := range v {
		out[k] = vs
	}
	return out
}

func TestRateLimitSurfacesAsRateLimitedError(t *testing.T) {
	f := newFake(t, slackfake.Options{RateLimits: map[string]slackfake.Limit{"users.info": {PerMinute: 1, Burst: 1}}})
	api := botClient(f)
	if _, err := api.GetUserInfo("U0ALICE"); err != nil {
		t.Fatal(err)
	}
	_, err := api.GetUserInfo("U0ALICE")
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter < time.Second || rl.RetryAfter > time.Minute {
		t.Fatalf("second call: %v, want *slack.RateLimitedError with Retry-After 1..60s", err)
	}
	status, h, body := callAPI(t, f, "users.info", url.Values{"token": {"xoxb-fake-bot-token"}, "user": {"U0ALICE"}}, nil)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || body["error"] != "ratelimited" {
		t.Errorf("raw 429: %d %v %v", status, h, body)
	}
	if f.Calls("users.info") != 3 {
		t.Errorf("rejected calls not counted: %d", f.Calls("users.info"))
	}
}

func TestPostMessagePerChannelLimit(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	var limited bool
	for i := range 10 {
		_, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("burst", false))
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			limited = true
			if i < 3 {
				t.Errorf("limited after %d messages; the burst allows 3", i)
			}
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !limited {
		t.Error("10 messages to one channel at once were not rate limited")
	}
	// Another channel has its own bucket.
	if _, _, err := api.PostMessage("U0BOB", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("other channel: %v", err)
	}
	// Scaled-up limits let a test go fast.
	fast := newFake(t, slackfake.Options{RateLimits: map[string]slackfake.Limit{"chat.postMessage": {PerMinute: 60000, Burst: 100}}})
	for range 50 {
		if _, _, err := botClient(fast).PostMessage("C0GENERAL", slack.MsgOptionText("x", false)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFaults(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	f.FailNext("users.info", 1, slackfake.Fault{SlackError: "fatal_error"})
	if _, err := api.GetUserInfo("U0ALICE"); slackErr(err) != "fatal_error" {
		t.Errorf("SlackError fault: %v", err)
	}
	f.FailNext("users.info", 1, slackfake.Fault{Status: 503})
	var sce slack.StatusCodeError
	if _, err := api.GetUserInfo("U0ALICE"); !errors.As(err, &sce) || sce.Code != 503 {
		t.Errorf("Status fault: %v", err)
	}
	f.FailNext("users.info", 1, slackfake.Fault{RetryAfter: 7})
	var rl *slack.RateLimitedError
	if _, err := api.GetUserInfo("U0ALICE"); !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Errorf("RetryAfter fault: %v", err)
	}
	f.FailNext("users.info", 1, slackfake.Fault{CloseConn: true})
	if _, err := api.GetUserInfo("U0ALICE"); err == nil {
		t.Error("CloseConn fault: no error")
	}
	f.FailNext("users.info", 1, slackfake.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := api.GetUserInfoContext(ctx, "U0ALICE"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Delay fault: %v", err)
	}
	if u, err := api.GetUserInfo("U0ALICE"); err != nil || u.ID != "U0ALICE" {
		t.Errorf("after faults: %v, %v", u, err)
	}
}

func TestUsers(t *testing.T) {
	f := newFake(t, slackfake.Options{Now: func() time.Time { return time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC) }})
	api := botClient(f)
	f.SetUserStatus("U0ALICE", "On holiday", ":palm_tree:")
	u, err := api.GetUserInfo("U0ALICE")
	if err != nil {
		t.Fatal(err)
	}
	if u.TZ != "Europe/Paris" || u.TZOffset != 3600 || u.Profile.StatusText != "On holiday" ||
		u.Profile.StatusEmoji != ":palm_tree:" || u.Profile.Email != "alice@example.com" || u.Profile.RealName != "Alice Liddell" {
		t.Errorf("users.info = %+v", u)
	}
	if _, err := api.GetUserInfo("U0NOBODY"); slackErr(err) != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
	if u, err := api.GetUserByEmail("BOB@example.com"); err != nil || u.ID != "U0BOB" {
		t.Errorf("lookupByEmail: %v %v", u, err)
	}
	if _, err := api.GetUserByEmail("nobody@example.com"); slackErr(err) != "users_not_found" {
		t.Errorf("lookupByEmail unknown: %v", err)
	}
	users, err := api.GetUsers(slack.GetUsersOptionLimit(2))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	if !slices.Equal(ids, []string{"U0BOT", "USLACKBOT", "U0ALICE", "U0BOB"}) {
		t.Errorf("users.list pages = %v", ids)
	}
}

func TestUserGroupUpdateReplacesMembers(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	f.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "oncall", Name: "On call", Users: []string{"U0ALICE"}})
	api := botClient(f)
	g, err := api.UpdateUserGroupMembers("S0ONCALL", "U0BOB")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Users, []string{"U0BOB"}) || !slices.Equal(f.UserGroupMembers("S0ONCALL"), []string{"U0BOB"}) {
		t.Errorf("after update: %v / %v, want only bob", g.Users, f.UserGroupMembers("S0ONCALL"))
	}
	if m, err := api.GetUserGroupMembers("S0ONCALL"); err != nil || !slices.Equal(m, []string{"U0BOB"}) {
		t.Errorf("usergroups.users.list = %v, %v", m, err)
	}
	if _, err := api.UpdateUserGroupMembers("S0ONCALL", "U0NOBODY"); slackErr(err) != "invalid_users" {
		t.Errorf("unknown member: %v", err)
	}
	if _, err := api.UpdateUserGroupMembers("S0NONE", "U0BOB"); slackErr(err) != "no_such_subteam" {
		t.Errorf("unknown group: %v", err)
	}
	groups, err := api.GetUserGroups(slack.GetUserGroupsOptionIncludeUsers(true))
	if err != nil || len(groups) != 1 || groups[0].Handle != "oncall" || !slices.Equal(groups[0].Users, []string{"U0BOB"}) {
		t.Errorf("usergroups.list = %+v, %v", groups, err)
	}
}

func TestConversationsListPagination(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	for _, n := range []string{"a", "b", "c", "d"} {
		f.AddChannel(slackfake.Channel{ID: "C0" + strings.ToUpper(n), Name: "team-" + n})
	}
	api := botClient(f)
	var names []string
	cursor := ""
	pages := 0
	for {
		chans, next, err := api.GetConversations(&slack.GetConversationsParameters{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range chans {
			names = append(names, c.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	// Public channels only by default; the private one the bot is not in never shows.
	want := []string{"general", "random", "team-a", "team-b", "team-c", "team-d"}
	if !slices.Equal(names, want) || pages != 3 {
		t.Errorf("pages=%d names=%v, want %v", pages, names, want)
	}
	if _, _, err := api.GetConversations(&slack.GetConversationsParameters{Cursor: "bogus"}); slackErr(err) != "invalid_cursor" {
		t.Errorf("bad cursor: %v", err)
	}
	f.AddChannel(slackfake.Channel{ID: "C0OPS", Name: "ops", IsPrivate: true, Members: []string{"U0BOT"}})
	chans, _, err := api.GetConversations(&slack.GetConversationsParameters{Types: []string{"private_channel"}})
	if err != nil || len(chans) != 1 || chans[0].ID != "C0OPS" || !chans[0].IsPrivate {
		t.Errorf("private channels = %+v, %v", chans, err)
	}
}

func TestUploadFileThreeSteps(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	api := botClient(f)
	content := "date,deploys\n2025-01-15,3\n"
	sum, err := api.UploadFile(slack.UploadFileParameters{
		Filename: "dora.csv", Title: "DORA", Content: content, FileSize: len(content),
		Channel: "C0GENERAL", InitialComment: "Weekly digest",
	})
	if err != nil {
		t.Fatal(err)
	}
	files := f.Files()
	if len(files) != 1 || files[0].ID != sum.ID || string(files[0].Bytes) != content || files[0].Title != "DORA" ||
		files[0].Filename != "dora.csv" || !slices.Equal(files[0].Channels, []string{"C0GENERAL"}) || files[0].InitialComment != "Weekly digest" {
		t.Fatalf("Files() = %+v", files)
	}
	msgs := f.ChannelMessages("C0GENERAL")
	if len(msgs) != 1 || msgs[0].Text != "Weekly digest" || !slices.Equal(msgs[0].Files, []string{sum.ID}) {
		t.Errorf("share message = %+v", msgs)
	}
	for _, name := range []string{"files.getUploadURLExternal", "upload", "files.completeUploadExternal"} {
		if f.Calls(name) != 1 {
			t.Errorf("Calls(%s) = %d", name, f.Calls(name))
		}
	}
	// A wrong declared length is refused at the upload.
	_, err = api.UploadFile(slack.UploadFileParameters{Filename: "x.txt", Content: "abc", FileSize: 10, Channel: "C0GENERAL"})
	if err == nil || !strings.Contains(err.Error(), "UploadToURL") {
		t.Errorf("length mismatch: %v", err)
	}
	// Completing a file that was never uploaded fails.
	u, err := api.GetUploadURLExternalContext(context.Background(), slack.GetUploadURLExternalParameters{FileName: "y.txt", FileSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CompleteUploadExternalContext(context.Background(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}})
	if slackErr(err) != "file_not_found" {
		t.Errorf("complete without upload: %v", err)
	}
	if _, err := api.UploadFile(slack.UploadFileParameters{Filename: "z.txt", Content: "z", FileSize: 1, Channel: "C0RANDOM"}); !strings.Contains(err.Error(), "not_in_channel") {
		t.Errorf("share where the bot is not a member: %v", err)
	}
}

func TestJSONBodies(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	post := func(method, body, ct string) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, f.APIURL()+method, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer xoxb-fake-bot-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	res := post("chat.postMessage", `{"channel":"C0GENERAL","text":"hi","blocks":[{"type":"divider"}]}`, "application/json; charset=utf-8")
	if res["ok"] != true || res["warning"] != nil {
		t.Fatalf("JSON postMessage: %v", res)
	}
	if m := f.ChannelMessages("C0GENERAL"); len(m) != 1 || string(m[0].Blocks) != `[{"type":"divider"}]` {
		t.Errorf("stored %+v", m)
	}
	// Slack warns about JSON sent without a charset.
	if res := post("auth.test", `{}`, "application/json"); res["ok"] != true || res["warning"] != "missing_charset" {
		t.Errorf("auth.test without charset: %v", res)
	}
	if res := post("chat.postMessage", `{"channel":`, "application/json"); res["error"] != "invalid_json" {
		t.Errorf("bad JSON: %v", res)
	}
}
