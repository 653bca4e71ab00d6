package slackfake_test

import (
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/ritualbot/ritualbot/slackfake"
)

func TestAddReactionStoresAndDeliversReactionAdded(t *testing.T) {
	f := newFake(t, slackfake.Options{})
	var mu sync.Mutex
	var got []slackevents.EventsAPIEvent
	a := startApp(t, f, func(a *app, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeEventsAPI {
			return
		}
		mu.Lock()
		got = append(got, evt.Data.(slackevents.EventsAPIEvent))
		mu.Unlock()
		_ = a.client.Ack(*evt.Request)
	})
	ctx := testCtx(t)
	_, parent, err := a.api.PostMessage("C0GENERAL", slack.MsgOptionText("Incident", false))
	if err != nil {
		t.Fatal(err)
	}
	posted, _, err := f.SendMessageEvent(ctx, "U0BOB", "C0GENERAL", "rolled back", parent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0GENERAL", posted.TS, "pushpin"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0GENERAL", posted.TS, "pushpin"); err == nil {
		t.Error("the same member reacting twice with the same emoji was accepted")
	}
	if _, err := f.AddReaction(ctx, "U0ALICE", "C0GENERAL", posted.TS, ":pushpin:"); err == nil {
		t.Error("an emoji name with colons was accepted")
	}
	mu.Lock()
	var ra *slackevents.ReactionAddedEvent
	for _, e := range got {
		if r, ok := e.InnerEvent.Data.(*slackevents.ReactionAddedEvent); ok {
			ra = r
		}
	}
	mu.Unlock()
	if ra == nil || ra.User != "U0ALICE" || ra.Reaction != "pushpin" || ra.ItemUser != "U0BOB" ||
		ra.Item.Type != "message" || ra.Item.Channel != "C0GENERAL" || ra.Item.Timestamp != posted.TS || ra.EventTimestamp == "" {
		t.Fatalf("reaction_added = %+v", ra)
	}
	// The reaction is on the message, and the reply reads as part of its thread.
	msgs, _, _, err := a.api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C0GENERAL", Timestamp: posted.TS})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range msgs {
		if m.Timestamp == posted.TS {
			found = true
			if m.ThreadTimestamp != parent || len(m.Reactions) != 1 || m.Reactions[0].Name != "pushpin" || m.Reactions[0].Count != 1 {
				t.Errorf("reacted message = %+v", m.Msg)
			}
		}
	}
	if !found {
		t.Errorf("conversations.replies did not return the reply: %+v", msgs)
	}
	// A channel the bot is not in gets no event, as in Slack.
	other, _, err := f.SendMessageEvent(ctx, "U0ALICE", "C0RANDOM", "hi", "")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := f.AddReaction(ctx, "U0ALICE", "C0RANDOM", other.TS, "eyes"); err != nil || len(r.Ack) != 0 {
		t.Errorf("reaction in a channel without the bot: %v %s", err, r.Ack)
	}
}
