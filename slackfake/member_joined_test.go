package slackfake_test

import (
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestJoinChannelSendsMemberJoinedChannelWhereTheBotIs(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	f.AddUser(slackfake.User{ID: "U0CAROL", Name: "carol", TZ: "Asia/Tokyo"})
	f.AddChannel(slackfake.Channel{ID: "C0PRIVATE", Name: "private", IsPrivate: true, Members: []string{"U0ALICE", "U0BOT"}})
	e := startEventApp(t, f)
	ctx := testCtx(t)
	if _, err := f.JoinChannel(ctx, "U0CAROL", "C0GENERAL", "U0ALICE"); err != nil {
		t.Fatal(err)
	}
	ev := e.lastEvent()
	if ev["type"] != "member_joined_channel" || ev["user"] != "U0CAROL" || ev["channel"] != "C0GENERAL" ||
		ev["channel_type"] != "C" || ev["team"] == nil || ev["inviter"] != "U0ALICE" || ev["event_ts"] == nil {
		t.Errorf("member_joined_channel = %v", ev)
	}
	if _, err := f.JoinChannel(ctx, "U0CAROL", "C0PRIVATE", ""); err != nil {
		t.Fatal(err)
	}
	if ev := e.lastEvent(); ev["channel_type"] != "G" || ev["inviter"] != nil {
		t.Errorf("a private channel's join = %v", ev)
	}
	if _, err := f.JoinChannel(ctx, "U0CAROL", "C0GENERAL", ""); err == nil {
		t.Error("joined a channel twice")
	}
	// Without the bot in it (or without channels:read), no event.
	if _, err := f.JoinChannel(ctx, "U0CAROL", "C0RANDOM", ""); err != nil {
		t.Fatal(err)
	}
	f.GrantScopes([]string{"chat:write"})
	f.AddUser(slackfake.User{ID: "U0DAVE", Name: "dave"})
	if _, err := f.JoinChannel(ctx, "U0DAVE", "C0GENERAL", ""); err != nil {
		t.Fatal(err)
	}
	if got := e.lastEvent(); got["user"] == "U0DAVE" || got["channel"] == "C0RANDOM" {
		t.Errorf("an event the bot should not get: %v", got)
	}
}
