package slackfake_test

import (
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

// With scopes granted, a call none of them allows is refused as Slack
// refuses it; views.* need no scope.
func TestGrantedScopesDecideWhatMayBeCalled(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	f.AddUser(slackfake.User{ID: "U0BOB", Name: "bob"})
	api := botClient(f)
	if _, err := api.GetUsers(); err != nil {
		t.Fatalf("users.list with no scopes granted (no check): %v", err)
	}
	f.GrantScopes([]string{"chat:write", "commands"})
	if _, err := api.GetUsers(); slackErr(err) != "missing_scope" {
		t.Errorf("users.list without users:read: %v, want missing_scope", err)
	}
	if _, _, err := api.PostMessage("U0BOB", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("chat.postMessage with chat:write: %v", err)
	}
	if got := slackfake.MethodScopes("conversations.setTopic"); len(got) == 0 {
		t.Error("conversations.setTopic lists no scopes")
	}
}
