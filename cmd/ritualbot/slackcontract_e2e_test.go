package main

import (
	"context"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot/slackfake"
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
