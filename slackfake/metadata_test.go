package slackfake_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestMessageMetadata(t *testing.T) {
	f := newFake(t, slackfake.Options{DisableRateLimits: true})
	api := botClient(f)
	md := slack.SlackMetadata{EventType: "ritualbot_message", EventPayload: map[string]any{"key": "standup/2026-11-23/U0ALICE"}}
	_, ts, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("with metadata", false), slack.MsgOptionMetadata(md))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("without", false)); err != nil {
		t.Fatal(err)
	}
	msgs := f.ChannelMessages("C0GENERAL")
	if len(msgs) != 2 || string(msgs[0].Metadata) != `{"event_payload":{"key":"standup/2026-11-23/U0ALICE"},"event_type":"ritualbot_message"}` || msgs[1].Metadata != nil {
		t.Errorf("stored metadata: %s / %s", msgs[0].Metadata, msgs[1].Metadata)
	}

	// Readers see metadata only with include_all_metadata.
	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0GENERAL", IncludeAllMetadata: true})
	if err != nil || len(h.Messages) != 2 {
		t.Fatalf("history: %v %+v", err, h)
	}
	got := h.Messages[1] // newest first
	if got.Timestamp != ts || got.Metadata.EventType != "ritualbot_message" || got.Metadata.EventPayload["key"] != "standup/2026-11-23/U0ALICE" {
		t.Errorf("history with include_all_metadata: %+v", got.Metadata)
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C0GENERAL"})
	if err != nil || h.Messages[1].Metadata.EventType != "" {
		t.Errorf("history without include_all_metadata shows metadata: %+v %v", h.Messages[1].Metadata, err)
	}

	// Replies too, and in a thread.
	if _, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("reply", false), slack.MsgOptionTS(ts),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "ritualbot_message", EventPayload: map[string]any{"key": "r1"}})); err != nil {
		t.Fatal(err)
	}
	replies, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C0GENERAL", Timestamp: ts, IncludeAllMetadata: true})
	if err != nil || len(replies) != 2 || replies[1].Metadata.EventPayload["key"] != "r1" {
		t.Errorf("replies: %v %+v", err, replies)
	}

	// chat.update keeps metadata when the argument is left out.
	if _, _, _, err := api.UpdateMessage("C0GENERAL", ts, slack.MsgOptionText("edited", false)); err != nil {
		t.Fatal(err)
	}
	if m := f.ChannelMessages("C0GENERAL")[0]; m.Text != "edited" || m.Metadata == nil {
		t.Errorf("after update: %q %s", m.Text, m.Metadata)
	}

	// Malformed metadata is refused with Slack's codes.
	for _, tt := range []struct{ metadata, code string }{
		{`{"event_type":"x"}`, "invalid_metadata_format"},
		{`{"event_payload":{}}`, "invalid_metadata_format"},
		{`not json`, "invalid_metadata_format"},
		{`{"event_type":"has space","event_payload":{}}`, "invalid_metadata_schema"},
		{`{"event_type":"` + strings.Repeat("e", 256) + `","event_payload":{}}`, "invalid_metadata_schema"},
	} {
		_, _, err := api.PostMessage("C0GENERAL", slack.MsgOptionText("x", false), rawMetadata(f, tt.metadata))
		if slackErr(err) != tt.code {
			t.Errorf("metadata %s: %v, want %s", tt.metadata, err, tt.code)
		}
	}
}

// rawMetadata sends a metadata argument to chat.postMessage as-is.
func rawMetadata(f *slackfake.Server, s string) slack.MsgOption {
	return slack.UnsafeMsgOptionEndpoint(f.APIURL()+"chat.postMessage", func(v url.Values) { v.Set("metadata", s) })
}
