package slackfake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestConversationsCreateInviteArchive(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api, ctx := botClient(f), testCtx(t)

	ch, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-1-checkout"})
	if err != nil || ch.ID == "" || ch.Name != "inc-1-checkout" || !ch.IsMember || ch.Creator != "U0BOT" {
		t.Fatalf("create: %+v %v", ch, err)
	}
	for name, want := range map[string]string{
		"inc-1-checkout": "name_taken", "": "invalid_name_required", "Inc 1": "invalid_name_specials", "---": "invalid_name_punctuation",
		strings.Repeat("a", 81): "invalid_name_maxlength",
	} {
		if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name}); slackErr(err) != want {
			t.Errorf("create %q: %v, want %s", name, err, want)
		}
	}
	// Without force, one bad user fails the call and invites nobody.
	_, err = api.InviteUsersToConversationContext(ctx, ch.ID, "U0ALICE", "U0BOT")
	if slackErr(err) != "cant_invite_self" {
		t.Errorf("invite with the bot: %v", err)
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (len(se.Errors) != 1 || se.Errors[0].ConversationsInviteResponseError == nil || se.Errors[0].ConversationsInviteResponseError.User != "U0BOT") {
		t.Errorf("per-user errors: %+v", se.Errors)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U0ALICE", "U0BOB"); err != nil {
		t.Fatalf("invite: %v", err)
	}
	if _, err := api.InviteUsersToConversationContext(ctx, ch.ID, "U0ALICE"); slackErr(err) != "already_in_channel" {
		t.Errorf("invite twice: %v", err)
	}
	if err := api.ArchiveConversationContext(ctx, ch.ID); err != nil {
		t.Fatal(err)
	}
	if err := api.ArchiveConversationContext(ctx, ch.ID); slackErr(err) != "already_archived" {
		t.Errorf("archive twice: %v", err)
	}
	if _, _, err := api.PostMessageContext(ctx, ch.ID, slack.MsgOptionText("x", false)); slackErr(err) != "is_archived" {
		t.Errorf("post to an archived channel: %v", err)
	}
	if err := api.ArchiveConversationContext(ctx, "C0GENERAL"); slackErr(err) != "cant_archive_general" {
		t.Errorf("archive general: %v", err)
	}

	f.WithholdScope("channels:manage", true)
	_, err = api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-2"})
	if !errors.As(err, &se) || se.Err != "missing_scope" || se.Needed != "channels:manage" || se.Provided == "" {
		t.Errorf("without channels:manage: %+v", err)
	}
	f.WithholdScope("channels:manage", false)
	f.RestrictChannelCreation(true)
	if _, err := api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: "inc-2"}); slackErr(err) != "restricted_action" {
		t.Errorf("restricted workspace: %v", err)
	}
}
