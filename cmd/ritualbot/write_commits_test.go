package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
)

// A write command costs one commit of its own, and the messages it sends
// at most one more between them (the record of their delivery), however
// many they are. Each message used to be marked in flight by a commit of
// its own before it went (an /oncall override's two), and the next command
// waited behind those for bbolt's single writer and its fsyncs: the tail
// of write commands doubled. Commits are counted, not timed.
func TestWriteCommandsCommitOnceAndTheirMessagesOnceMore(t *testing.T) {
	m := workspaceBot(t, t.TempDir(), yearEnd)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct{ user, command, text, want string }{
		{"U0LEAD", "/oncall", "override <@U0CAROL|carol> 1h", "is on call"},
		{"U0LEAD", "/oncall", "override <@U0BOB|bob> 2h", "is on call"},
		{"U0LEAD", "/oncall", "override <@U0CAROL|carol> 3h", "is on call"},
		{"U0LEAD", "/incident", "declare Checkout is down", "Declared"},
		{"U0LEAD", "/incident", "update #1 Rolled back the deploy", "Added to the timeline"},
		{"U0LEAD", "/incident", "update #1 Error rate back to normal", "Added to the timeline"},
	} {
		before := m.DB.Commits()
		reply := m.Router.Command(ctx, bot.Invocation{Command: c.command, Text: c.text, UserID: c.user, ChannelID: "C0INCIDENTS"})
		if got := bot.ReplyText(reply); !strings.Contains(got, c.want) {
			t.Fatalf("%s %s answered %.300s, want %q", c.command, c.text, got, c.want)
		}
		if err := m.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		if n := m.DB.Commits() - before; n > 2 {
			t.Errorf("%s %s took %d commits with the delivery of its messages, want at most 2", c.command, c.text, n)
		}
		if n, err := m.DB.OutboxLen(); n != 0 || err != nil {
			t.Errorf("after %s %s, %d messages left in the outbox (%v), want all delivered and recorded", c.command, c.text, n, err)
		}
	}
}
