package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
)

// FuzzSlashCommands types anything after /standup, /oncall, /incident and
// /digest, as anyone, into the real bot (every ritual kind configured,
// real store): every argument parser and handler answers, never panics,
// never fails on our side, and never echoes text that would ping.
func FuzzSlashCommands(f *testing.F) {
	for _, s := range []struct {
		cmd  uint8
		user uint8
		text string
	}{
		{0, 1, ""}, {0, 1, "status"}, {0, 1, "history <@U0BOB|bob> 3"}, {0, 1, "history 0"}, {0, 1, "ooo 2026-12-21 2027-01-01"},
		{0, 1, "ooo tomorrow yesterday"}, {0, 1, "back"}, {0, 1, "payments-standup"}, {0, 5, "ooo 2026-02-30"},
		{1, 0, ""}, {1, 0, "payments"}, {1, 0, "schedule payments 50"}, {1, 0, "schedule 0"}, {1, 3, "override <@U0CAROL|carol> 4h"},
		{1, 3, "override <@U0CAROL> until friday 18:00 payments"}, {1, 1, "swap <@U0CAROL|carol>"}, {1, 1, "override <@U0BOB> 99999999d"},
		{2, 0, "declare sev1 Checkout &lt;down&gt; <!channel>"}, {2, 0, "update #1 Rolled back"}, {2, 0, "sev #1 sev2"},
		{2, 0, "action #1 <@U0BOB|bob> Add an alert due +2w"}, {2, 0, "resolve #1 Fixed"}, {2, 0, "skip #1 Same cause as #3"},
		{2, 0, "publish #1"}, {2, 0, "retro #1"}, {2, 0, "list"}, {2, 1, "actions"}, {2, 0, "#"}, {2, 0, "action #999999999 x"},
		{1, 3, "override <@U0CAROL> fri 18:00 mon 09:00 payments"}, {1, 3, "override <@U0CAROL> now +3d"}, {1, 1, "swap <@U0CAROL> 2026-10-20 2026-10-27 confirm"},
		{3, 3, "highlight Shipped"}, {3, 6, "risk payments Audit"}, {3, 1, "preview"}, {3, 1, "preview nope"}, {3, 0, "help"},
		{4, 3, "<@U0OUT|out>"}, {4, 3, "<@U0ALICE|alice> payments"}, {4, 3, "<@U0GHOST> nope"}, {4, 1, "<@U0OUT>"},
		{4, 3, "status"}, {4, 3, "feedback payments"}, {4, 0, "help"}, {4, 6, "<@U0OUT> <@U0BOB>"},
		{4, 6, "done <@U0OUT|out> 1"}, {4, 3, "done <@U0OUT> #99999999999999999999 payments"}, {4, 0, "done <@U0OUT> 0 x y"},
	} {
		f.Add(s.cmd, s.user, s.text)
	}
	m := fuzzBot(f)
	commands := []string{"/standup", "/oncall", "/incident", "/digest", "/onboard"}
	users := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0LEAD", "U0DAN", "U0SAM", "U0ADMIN", "U0OUT"}
	f.Fuzz(func(t *testing.T, cmd, user uint8, text string) {
		inv := bot.Invocation{Command: commands[int(cmd)%len(commands)], Text: text, UserID: users[int(user)%len(users)], ChannelID: "C0INCIDENTS"}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		reply := m.Router.Command(ctx, inv)
		if strings.TrimSpace(reply.Text) == "" && len(reply.Blocks) == 0 {
			t.Fatalf("%s %q as %s: silence", inv.Command, text, inv.UserID)
		}
		if strings.Contains(reply.Text, "failed on our side") {
			t.Fatalf("%s %q as %s: %s", inv.Command, text, inv.UserID, reply.Text)
		}
		ack, err := json.Marshal(bot.ReplyText(reply))
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"<!channel", "<!here", "<!everyone", "<!subteam"} {
			if strings.Contains(bot.ReplyText(reply), bad) {
				t.Fatalf("%s %q as %s answers %s", inv.Command, text, inv.UserID, ack)
			}
		}
	})
}

// fuzzBot runs the workspace's bot for the whole fuzzing run of one
// process.
func fuzzBot(f *testing.F) *Main {
	f.Helper()
	return workspaceBotWith(f, workspaceConfig+fuzzOnboarding, f.TempDir(), time.Date(2026, 11, 23, 10, 30, 0, 0, berlin))
}

// fuzzOnboarding adds an onboarding ritual to the workspace's, so that
// /onboard's arguments are fuzzed too.
const fuzzOnboarding = `
  - name: payments-onboarding
    kind: onboarding
    team: payments
    steps:
      - {after: 0d, text: "Set up your laptop", owner: newcomer}
      - {after: 2d, text: "Pair on a change", owner: buddy}
`
