package main

import (
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
)

// TestAuthorization runs every command and button that changes state as
// people who may and may not use it, through the real bot: a refused one
// tells the person why and stores nothing (the whole store exports the
// same before and after); an allowed one stores something. The rules are
// written down in STANDUPS.md, ONCALL.md, INCIDENTS.md and DIGEST.md.
func TestAuthorization(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{}) // a Monday
	h.startHTTP()

	// Monday: Alice declares three incidents and resolves two; Bob owns an
	// action item of the open one; Alice asks Bob to swap on-call shifts;
	// Bob's standup answer has a blocker.
	for _, c := range []string{
		"declare sev3 Checkout slow", "resolve #1",
		"declare sev1 Ledger down", "resolve #2",
		"declare sev2 Search flaky", "action #3 <@U0BOB|bob> Add a pool alert",
	} {
		if ack := ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", c)); strings.Contains(ack, "Sorry") || strings.Contains(ack, "Usage") {
			t.Fatalf("/incident %s: %s", c, ack)
		}
	}
	if ack := ackText(t, h.command("U0ALICE", "C0PAYMENTS", "/oncall", "swap <@U0BOB|bob>")); !strings.Contains(ack, "I asked <@U0BOB>") {
		t.Fatalf("swap request: %s", ack)
	}
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0BOB", answers{"today": "Tax export", "blockers": "Waiting on the PCI audit"})
	// Tuesday 10:05: Monday's summary lists Bob's blocker with a Cleared
	// button; the retro prompts of #1 and #2 are in their threads.
	h.runUntil(at(t, "2026-11-24 10:05", berlin))

	summary, ok := lastWith(h.fake.ChannelMessages("C0PAYMENTS"), "standup:clear")
	if !ok {
		t.Fatal("no standup summary with a Cleared button in #payments")
	}
	prompt, ok := lastWith(h.fake.DMs("U0BOB"), "standup:skip")
	if !ok {
		t.Fatal("Bob has no standup prompt")
	}
	swapAsk, ok := lastWith(h.fake.DMs("U0BOB"), "oncall:swap-accept")
	if !ok {
		t.Fatal("Bob has no swap request")
	}
	actionDM, ok := lastWith(h.fake.DMs("U0BOB"), "Add a pool alert")
	if !ok {
		t.Fatal("Bob was not told about his action item")
	}
	retro1 := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Retro time for #1", "#incidents")
	// Bob opens his standup modal; a submission of it claiming to be
	// Dan's is a row below.
	h.command("U0BOB", "C0PAYMENTS", "/standup", "")
	bobsForm := h.openView("U0BOB")

	cmd := func(user, channel, command, text string) func() string {
		return func() string { return ackText(t, h.command(user, channel, command, text)) }
	}
	click := func(user string, msg func() slackfake.Message, actionID string) func() string {
		return func() string {
			h.clickOn(user, msg(), actionID)
			return h.lastEphemeral(user)
		}
	}
	forged := func(user string, msg slackfake.Message, actionID string) func() string {
		return func() string { return h.forgeClick(user, msg, actionID) }
	}
	latest := func(channel, substr string) func() slackfake.Message {
		return func() slackfake.Message {
			m, ok := lastWith(h.fake.ChannelMessages(channel), substr)
			if !ok {
				t.Fatalf("no message with %s in %s", substr, channel)
			}
			return m
		}
	}
	const (
		allowed = true
		refused = false
	)
	rows := []struct {
		who, does string
		act       func() string
		allowed   bool
		reason    string // what a refused person is told
	}{
		// Standups: members answer, skip and go out of office for
		// themselves; a blocker is cleared by its owner, a lead or an admin.
		{"Otto (no team)", "/standup", cmd("U0OUT", "C0PAYMENTS", "/standup", ""), refused, "You are not in any standup"},
		{"Dan (search)", "/standup payments-standup", cmd("U0DAN", "C0PAYMENTS", "/standup", "payments-standup"), refused, "You are not a member of Payments"},
		{"Dan (search)", "submits Bob's standup form", func() string {
			return h.forgeSubmit("U0DAN", bobsForm, answers{"today": "Sabotage", "blockers": ""}.state())
		}, refused, "You are not a member of Payments"},
		{"Dan (search)", "clicks Skip today in Bob's prompt", forged("U0DAN", prompt, "standup:skip"), refused, "You are not a member of Payments"},
		{"Otto (no team)", "/standup ooo tomorrow", cmd("U0OUT", "C0PAYMENTS", "/standup", "ooo tomorrow"), refused, "You are not in any standup"},
		{"Carol (teammate)", "clears Bob's blocker", click("U0CAROL", latest("C0PAYMENTS", "standup:clear"), "standup:clear:0"), refused, "Only <@U0BOB> or a lead of Payments can clear this blocker"},
		{"Sam (lead of search)", "clears Bob's blocker", forged("U0SAM", summary, "standup:clear:0"), refused, "Only <@U0BOB> or a lead of Payments can clear this blocker"},
		{"Lena (lead)", "clears Bob's blocker", click("U0LEAD", latest("C0PAYMENTS", "standup:clear"), "standup:clear:0"), allowed, ""},
		{"Bob", "clicks Skip today", click("U0BOB", func() slackfake.Message { return prompt }, "standup:skip"), allowed, ""},

		// On-call: leads and admins put anyone on call; people of the team
		// or its rotation take shifts themselves; a swap is answered by
		// whom it asks, and only a teammate can be asked.
		{"Carol", "accepts the swap Alice asked of Bob", forged("U0CAROL", swapAsk, "oncall:swap-accept"), refused, "This swap request is for <@U0BOB>; only they can answer it"},
		{"Alice", "/oncall swap @otto (no team)", cmd("U0ALICE", "C0PAYMENTS", "/oncall", "swap <@U0OUT|otto>"), refused, "<@U0OUT> is not in the Payments team or its rotation"},
		{"Bob", "accepts Alice's swap", click("U0BOB", func() slackfake.Message { return swapAsk }, "oncall:swap-accept"), allowed, ""},
		{"Bob", "/oncall override @carol 4h", cmd("U0BOB", "C0PAYMENTS", "/oncall", "override <@U0CAROL|carol> 4h"), refused, "Only a lead of Payments (<@U0LEAD>) or an admin can put someone else on call"},
		{"Sam (lead of search)", "/oncall override @carol 4h payments", cmd("U0SAM", "C0SEARCH", "/oncall", "override <@U0CAROL|carol> 4h payments"), refused, "Only a lead of Payments (<@U0LEAD>) or an admin can put someone else on call"},
		{"Otto (no team)", "/oncall override @otto 4h", cmd("U0OUT", "C0PAYMENTS", "/oncall", "override <@U0OUT|otto> 4h"), refused, "You are not in the Payments team or its rotation"},
		{"Dan (search)", "/oncall override @dan 4h", cmd("U0DAN", "C0SEARCH", "/oncall", "override <@U0DAN|dan> 4h"), refused, "You are not in the Payments team or its rotation"},
		{"Bob", "/oncall override @bob 2h", cmd("U0BOB", "C0PAYMENTS", "/oncall", "override <@U0BOB|bob> 2h"), allowed, ""},
		{"Lena (lead)", "/oncall override @carol 4h", cmd("U0LEAD", "C0PAYMENTS", "/oncall", "override <@U0CAROL|carol> 4h"), allowed, ""},
		{"Adam (admin)", "/oncall override @alice 1h", cmd("U0ADMIN", "C0PAYMENTS", "/oncall", "override <@U0ALICE|alice> 1h"), allowed, ""},
		{"Carol", "/oncall override cancel (Alice's, set by Adam)", cmd("U0CAROL", "C0PAYMENTS", "/oncall", "override cancel"), refused, "Only <@U0ALICE> (on call by it), <@U0ADMIN> (who set it), a lead of Payments (<@U0LEAD>) or an admin can end this override"},
		{"Otto (no team)", "/oncall override cancel payments", cmd("U0OUT", "C0PAYMENTS", "/oncall", "override cancel payments"), refused, "Only <@U0ALICE> (on call by it)"},
		{"Lena (lead)", "/oncall override cancel (Alice's, set by Adam)", cmd("U0LEAD", "C0PAYMENTS", "/oncall", "override cancel"), allowed, ""},

		// Incidents: anyone declares (at any severity), updates, changes
		// the severity of an open incident, adds action items and
		// resolves; the commander or an admin publishes or skips the
		// retro, and only of a severity that does not require one; once
		// resolved, the timeline and the severity (which decides whether
		// a retro is required) are the commander's, a lead's or an
		// admin's to change; an action item is closed by its owner, the
		// commander, a lead of the incident's teams or an admin; command
		// is never taken by working an incident. Every verb by every kind
		// of person is in TestIncidentVerbsByRole.
		{"Otto", "/incident publish #1", cmd("U0OUT", "C0INCIDENTS", "/incident", "publish #1"), refused, "Only <@U0ALICE> (the commander) or an admin can publish the postmortem of #1"},
		{"Lena (lead)", "/incident publish #1", cmd("U0LEAD", "C0INCIDENTS", "/incident", "publish #1"), refused, "Only <@U0ALICE> (the commander) or an admin can publish"},
		{"Bob", "clicks Publish postmortem in #1's thread", click("U0BOB", func() slackfake.Message { return retro1 }, "incident:publish"), refused, "Only <@U0ALICE> (the commander) or an admin can publish"},
		{"Bob", "/incident skip #1 REASON", cmd("U0BOB", "C0INCIDENTS", "/incident", "skip #1 Not worth it"), refused, "Only <@U0ALICE> (the commander) or an admin can skip the retro of #1"},
		{"Alice (commander)", "/incident skip #2 REASON (sev1)", cmd("U0ALICE", "C0INCIDENTS", "/incident", "skip #2 Duplicate"), refused, "SEV1 incidents need a retro, so #2 cannot be skipped"},
		{"Otto", "/incident update #2 TEXT (resolved)", cmd("U0OUT", "C0INCIDENTS", "/incident", "update #2 taking this"), refused, "#2 is resolved: only <@U0ALICE> (the commander), a lead of its teams or an admin can add to its timeline"},
		{"Otto", "/incident command #3 (Alice commands it)", cmd("U0OUT", "C0INCIDENTS", "/incident", "command #3"), refused, "Only <@U0ALICE> (the commander), a lead of its teams or an admin can hand over command of #3"},
		{"Bob", "/incident sev #2 sev3 (resolved)", cmd("U0BOB", "C0INCIDENTS", "/incident", "sev #2 sev3"), refused, "#2 is resolved: only <@U0ALICE> (the commander), a lead of its teams or an admin can change its severity"},
		{"Carol", "clicks Done on Bob's action item", forged("U0CAROL", actionDM, "incident:done"), refused, "Only <@U0BOB> (its owner), the incident's commander or a lead can close this action item"},
		{"Sam (lead of search)", "clicks Done on Bob's action item", forged("U0SAM", actionDM, "incident:done"), refused, "Only <@U0BOB> (its owner), the incident's commander or a lead can close this action item"},
		{"Otto", "/incident declare sev1 TITLE", cmd("U0OUT", "C0INCIDENTS", "/incident", "declare sev1 Payments API down"), allowed, ""},
		{"Otto", "/incident update #4 TEXT", cmd("U0OUT", "C0INCIDENTS", "/incident", "update #4 Rolling back"), allowed, ""},
		{"Carol", "/incident sev #4 sev2 (open)", cmd("U0CAROL", "C0INCIDENTS", "/incident", "sev #4 sev2"), allowed, ""},
		{"Otto", "/incident action #4 @bob TEXT", cmd("U0OUT", "C0INCIDENTS", "/incident", "action #4 <@U0BOB|bob> Check the pool size"), allowed, ""},
		{"Carol", "/incident resolve #4", cmd("U0CAROL", "C0INCIDENTS", "/incident", "resolve #4 Rolled back"), allowed, ""},
		{"Alice (commander)", "/incident sev #1 sev2 (resolved)", cmd("U0ALICE", "C0INCIDENTS", "/incident", "sev #1 sev2"), allowed, ""},
		{"Alice (commander)", "/incident skip #1 REASON", cmd("U0ALICE", "C0INCIDENTS", "/incident", "skip #1 Same cause as #3"), allowed, ""},
		{"Adam (admin)", "/incident publish #2", cmd("U0ADMIN", "C0INCIDENTS", "/incident", "publish #2"), allowed, ""},
		{"Lena (lead)", "clicks Done on Bob's action item", forged("U0LEAD", actionDM, "incident:done"), allowed, ""},
		{"Carol", "clicks Done on Bob's action item, closed now", forged("U0CAROL", actionDM, "incident:done"), refused, "Only <@U0BOB> (its owner), the incident's commander or a lead can close this action item"},

		// Digest: leads add highlights and risks for their own team,
		// admins for any.
		{"Bob", "/digest highlight TEXT", cmd("U0BOB", "C0PAYMENTS", "/digest", "highlight Shipped the new checkout"), refused, "Only team leads and admins add highlights and risks to the digest"},
		{"Otto", "/digest risk TEXT", cmd("U0OUT", "C0PAYMENTS", "/digest", "risk The sky is falling"), refused, "Only team leads and admins add highlights and risks to the digest"},
		{"Sam (lead of search)", "/digest highlight TEXT", cmd("U0SAM", "C0SEARCH", "/digest", "highlight Search is twice as fast"), allowed, ""},
		{"Lena (lead)", "/digest risk TEXT", cmd("U0LEAD", "C0PAYMENTS", "/digest", "risk PCI audit may slip"), allowed, ""},
		{"Adam (admin)", "/digest highlight payments TEXT", cmd("U0ADMIN", "C0DIGEST", "/digest", "highlight payments Checkout conversion up 3%"), allowed, ""},
	}
	for _, r := range rows {
		before := h.export()
		shown := r.act()
		h.settle()
		after := h.export()
		switch {
		case r.allowed && before == after:
			t.Errorf("%s %s: allowed, but nothing was stored; they were told %q", r.who, r.does, shown)
		case r.allowed && (strings.Contains(shown, "Only ") || strings.Contains(shown, "You are not")):
			t.Errorf("%s %s: allowed, but they were told %q", r.who, r.does, shown)
		case !r.allowed && !strings.Contains(shown, r.reason):
			t.Errorf("%s %s: refused; they were told %q, want %q", r.who, r.does, shown, r.reason)
		case !r.allowed && before != after:
			t.Errorf("%s %s: refused, yet the store changed:\n%s", r.who, r.does, firstDiff(before, after))
		}
	}

	// What the allowed rows did is visible where people look: with
	// Alice's override ended, Lena's for Carol is in force again.
	if got := h.onCallNow("U0ALICE", ""); !strings.Contains(got, "Primary: <@U0CAROL>") || !strings.Contains(got, "override") {
		t.Errorf("/oncall after the overrides:\n%s", got)
	}
	if m := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Postmortem #2", "#incidents"); !strings.Contains(readable(t, m), "Ledger down") {
		t.Errorf("published postmortem:\n%s", readable(t, m))
	}
}

// firstDiff shows where two exports start to differ.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "- " + al[i] + "\n+ " + bl[i]
		}
	}
	return "(one export is a prefix of the other)"
}
