package slackfake_test

import (
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

// A bot's message of long ago is there to edit and to reply under, in ts
// order with what is posted now.
func TestAddHistoryBeforeTheTestBegan(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	if err := f.AddHistory(
		slackfake.Message{Channel: "C0GENERAL", TS: "1700000000.000100", User: "U0BOT", Text: "Incident #1 declared"},
		slackfake.Message{Channel: "C0GENERAL", TS: "1690000000.000100", User: "U0ALICE", Text: "older, by a person"},
	); err != nil {
		t.Fatal(err)
	}
	api := botClient(f)
	if _, _, _, err := api.UpdateMessage("C0GENERAL", "1700000000.000100", slack.MsgOptionText("Incident #1 resolved", false)); err != nil {
		t.Fatalf("editing the bot's old message: %v", err)
	}
	if _, _, _, err := api.UpdateMessage("C0GENERAL", "1690000000.000100", slack.MsgOptionText("x", false)); slackErr(err) != "cant_update_message" {
		t.Errorf("editing a person's message: %v, want cant_update_message", err)
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("rolled back", false), slack.MsgOptionTS("1700000000.000100")); err != nil {
		t.Fatal(err)
	}
	msgs := f.ChannelMessages("C0GENERAL")
	if len(msgs) != 3 || msgs[0].Text != "older, by a person" || msgs[1].Text != "Incident #1 resolved" || !msgs[1].Edited {
		t.Errorf("channel = %+v", msgs)
	}
	if r := f.Replies("C0GENERAL", "1700000000.000100"); len(r) != 1 || r[0].Text != "rolled back" {
		t.Errorf("thread = %+v", r)
	}
	for _, bad := range []slackfake.Message{
		{Channel: "C0NOPE", TS: "1700000001.000100"},
		{Channel: "C0GENERAL", TS: "yesterday"},
		{Channel: "C0GENERAL", TS: "1700000000.000100"},
	} {
		if err := f.AddHistory(bad); err == nil {
			t.Errorf("AddHistory(%+v) accepted", bad)
		}
	}
}
