package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// onboardStatus is /onboard status as user sees it: the ephemeral answer
// (through response_url when too big for an acknowledgement), as read,
// and its blocks.
func (h *harness) onboardStatus(user string) (string, []json.RawMessage) {
	h.t.Helper()
	before := len(h.fake.Ephemerals(user))
	h.command(user, "C0PAYMENTS", "/onboard", "status")
	eph := h.fake.Ephemerals(user)
	if len(eph) != before+1 {
		h.t.Fatalf("/onboard status by %s: %d answers shown", user, len(eph)-before)
	}
	m := eph[len(eph)-1]
	var blocks []json.RawMessage
	if len(m.Blocks) > 0 {
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			h.t.Fatal(err)
		}
	}
	return readable(h.t, m), blocks
}

// onboardStatusText is /onboard status as user reads it.
func (h *harness) onboardStatusText(user string) string {
	h.t.Helper()
	text, _ := h.onboardStatus(user)
	return text
}

// Lena leads Payments and Billing and has 44 newcomers under way between
// them: her status has a heading per team, and past a message's 50 blocks
// a last line counts who is left out, by team.
func TestOnboardStatusOfALeadOfTwoTeams(t *testing.T) {
	cfg := strings.Replace(onboardingConfig, `rituals:`, `  - id: billing
    name: Billing
    channel: C0BILLING
    members: [U0BOB]
    leads: [U0LENA]
rituals:`, 1) + `
  - name: billing-onboarding
    kind: onboarding
    team: billing
    steps:
      - {after: 0d, text: "Read the billing runbook", owner: newcomer}
`
	fake, client := loosened("chat.postMessage", "chat.postMessage/channel", "users.info", "users.list", "conversations.info", "usergroups.users.update", "conversations.setTopic")
	h := newHarness(t, cfg, at(t, "2026-11-30 10:30", berlin), slackfake.Options{RateLimits: fake})
	h.limits = client
	for id, name := range map[string]string{"U0ALICE": "alice", "U0BOB": "bob", "U0CAROL": "carol", "U0LENA": "lena", "U0ADMIN": "adam"} {
		h.fake.AddUser(slackfake.User{ID: id, Name: name, TZ: "Europe/Berlin"})
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0ALICE", "U0BOB", "U0CAROL", "U0LENA", "U0BOT"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0BILLING", Name: "billing", Members: []string{"U0BOB", "U0LENA", "U0BOT"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: []string{"U0BOT"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "digest", Members: []string{"U0BOT"}})
	h.start()
	h.runUntil(at(t, "2026-11-30 11:00", berlin))

	onboard := func(team string, from, to int) {
		for i := from; i <= to; i++ {
			id := fmt.Sprintf("U0%s%02d", strings.ToUpper(team[:3]), i)
			h.fake.AddUser(slackfake.User{ID: id, Name: strings.ToLower(id), TZ: "Europe/Berlin"})
			if r := h.commandText("U0LENA", "C0PAYMENTS", "/onboard", "<@"+id+"> "+team); !strings.Contains(r, "has started") {
				t.Fatalf("/onboard %s %s: %s", id, team, r)
			}
		}
	}
	onboard("payments", 1, 2)
	onboard("billing", 1, 1)
	status, blocks := h.onboardStatus("U0LENA")
	inOrder(t, "the status of three", status, "Payments: 2 under way", "<@U0PAY01>* in Payments — day 0", "<@U0PAY02>* in Payments",
		"Billing: 1 under way", "<@U0BIL01>* in Billing", "`/onboard done @user STEP`")
	if len(blocks) != 6 {
		t.Errorf("%d blocks for three onboardings, want 6 (a heading per team, one each, the hint)", len(blocks))
	}

	onboard("payments", 3, 42)
	onboard("billing", 2, 7)
	status, blocks = h.onboardStatus("U0LENA")
	if len(blocks) != 50 {
		t.Errorf("%d blocks, want the 50 Slack allows", len(blocks))
	}
	// 49 onboardings; 2 headings and the last line (what does not fit,
	// the hint) leave room for 47, the oldest first.
	inOrder(t, "the status of 49", status, "Payments: 42 under way", "<@U0PAY01>* in Payments", "<@U0PAY42>* in Payments",
		"Billing: 7 under way", "<@U0BIL01>* in Billing", "<@U0BIL05>* in Billing",
		"… and 2 more onboardings (2 in Billing) that do not fit in one message.", "`/onboard done @user STEP`")
	if strings.Contains(status, "<@U0BIL06>") {
		t.Error("the status shows more than fits")
	}
}
