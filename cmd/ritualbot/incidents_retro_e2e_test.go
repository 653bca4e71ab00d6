package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

func TestRequiredRetrosAreRemindedUntilPublishedOthersMayBeSkipped(t *testing.T) {
	h := newIncidentHarness(t, at(t, "2026-11-23 09:30", berlin)) // Monday
	h.start()
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev1 Payments down")
	h.command("U0BOB", "C0INCIDENTS", "/incident", "declare Typo on the status page")
	h.settle()
	// Two open incidents: without #N the bot asks which (it cannot know
	// the thread a slash command was typed in).
	if ack := h.command("U0BOB", "C0INCIDENTS", "/incident", "update fixed it"); !strings.Contains(ack, "Several incidents could be meant") || !strings.Contains(ack, "#2 Typo on the status page") {
		t.Errorf("ambiguous update answered %s", ack)
	}
	h.runUntil(at(t, "2026-11-23 11:00", berlin))
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1")
	h.command("U0BOB", "C0INCIDENTS", "/incident", "resolve #2 Fixed the typo")
	h.settle()
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Write the payments runbook"); !strings.Contains(ack, "Action item 1.1 of #1") {
		t.Errorf("/incident action answered %s", ack)
	}
	h.settle()
	one(t, h.fake.DMs("U0BOB"), "<@U0ALICE> gave you an action item from incident *#1: Payments down*:\nWrite the payments runbook", "Bob's DMs")
	list := h.command("U0CAROL", "C0PAYMENTS", "/incident", "list")
	for _, want := range []string{"*#1* SEV1 · Payments down", "*#2* SEV3 · Typo on the status page", "resolved after 1h 30m"} {
		if !strings.Contains(list, want) {
			t.Errorf("/incident list lacks %q: %s", want, list)
		}
	}
	help := h.command("U0CAROL", "C0PAYMENTS", "/incident", "help")
	for _, verb := range []string{"declare [SEV] [TEAM…] TITLE", "update [--internal] [#N] TEXT", "team [#N] TEAM…", "sev [#N] SEV", "resolve [#N] [SUMMARY]", "action [#N] @owner TEXT [due DATE]", "actions", "publish [#N]", "skip [#N] REASON"} {
		if !strings.Contains(help, verb) {
			t.Errorf("/incident help lacks %q", verb)
		}
	}

	// Monday 11:00 + 12h: prompts on Tuesday 10:00.
	h.runUntil(at(t, "2026-11-24 10:00", berlin))
	thread2 := h.fake.Replies("C0INCIDENTS", one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #2", "#incidents").TS)
	prompt2 := one(t, thread2, "Retro time for #2", "thread of #2")
	if r := readable(t, prompt2); !strings.Contains(r, "[Skip this retro]") || !strings.Contains(r, "optional") {
		t.Errorf("a sev3 prompt offers no skip:\n%s", r)
	}
	one(t, h.fake.DMs("U0ALICE"), "You took part in incident *#1", "Alice's DMs")

	// A sev1 retro cannot be skipped; the sev3 one can, with a reason.
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "skip #1 not needed"); !strings.Contains(ack, "SEV1 incidents need a retro") {
		t.Errorf("skipping a sev1 retro answered %s", ack)
	}
	h.clickOn("U0CAROL", prompt2, incident.ActionRetroSkip)
	if v := h.fake.OpenViews("U0CAROL"); len(v) != 0 {
		t.Errorf("Carol (not the commander) got the skip form")
	}
	h.clickOn("U0BOB", prompt2, incident.ActionRetroSkip)
	v := h.openView("U0BOB")
	if _, err := h.fake.SubmitView(h.ctx(), "U0BOB", v.ID, map[string]map[string]any{"reason": {"value": text("A typo; nothing to learn.")}}); err != nil {
		t.Fatal(err)
	}
	h.settle()
	one(t, h.fake.Replies("C0INCIDENTS", prompt2.ThreadTS), "*Retro skipped* by <@U0BOB>: A typo; nothing to learn.", "thread of #2")

	// Wednesday: the sev1 retro is reminded (commander, and Carol, on
	// call, who has not answered); the skipped one is not.
	h.runUntil(at(t, "2026-11-25 10:00", berlin))
	one(t, h.fake.DMs("U0ALICE"), "The postmortem of *#1: Payments down* (SEV1) is not published yet", "Alice's DMs")
	one(t, h.fake.DMs("U0CAROL"), "the retro of *#1: Payments down* is still open", "Carol's DMs")
	if n := len(find(t, h.fake.DMs("U0BOB"), "#2")); n != 1 {
		t.Errorf("Bob has %d DMs about #2, want only its prompt", n)
	}
	h.runUntil(at(t, "2026-11-26 10:00", berlin))
	if n := len(find(t, h.fake.DMs("U0ALICE"), "is not published yet")); n != 2 {
		t.Errorf("%d reminders to publish by Thursday, want 2", n)
	}
	// An admin may publish for the commander; then the reminders stop.
	if ack := h.command("U0ADMIN", "C0INCIDENTS", "/incident", "publish #1"); !strings.Contains(ack, "Published the postmortem of #1") {
		t.Errorf("admin publish answered %s", ack)
	}
	h.settle()
	h.runUntil(at(t, "2026-11-27 10:00", berlin))
	if n := len(find(t, h.fake.DMs("U0ALICE"), "is not published yet")); n != 2 {
		t.Errorf("%d reminders after publishing, want still 2", n)
	}
	if code, md := h.get("/incidents/1/postmortem.md"); code != 200 || !strings.Contains(md, "_No answers._") || !strings.Contains(md, "Published 2026-11-26 10:00 CET by @admin.") {
		t.Errorf("postmortem of #1: %d\n%s", code, md)
	}

	// `ritualbot preview` shows the latest incident's postmortem.
	h.stop()
	var out, errOut strings.Builder
	if code := run(h.ctx(), []string{"preview", "--config", h.cfg, "incidents"}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("preview exited %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Postmortem #2: Typo on the status page") || !strings.Contains(out.String(), "Fixed the typo") {
		t.Errorf("preview:\n%s", out.String())
	}
}

func TestManifestAsksWhatIncidentsNeed(t *testing.T) {
	var out, errOut strings.Builder
	if code := run(context.Background(), []string{"manifest", "--config", "../../config.example.yaml"}, &out, &errOut, func(string) string { return "" }); code != 0 {
		t.Fatalf("manifest exited %d: %s", code, errOut.String())
	}
	// Pins are read with conversations.replies, thread commands arrive as
	// app_mention events.
	wantIn(t, "manifest", out.String(), "reactions:read", "channels:history", "app_mentions:read", "- reaction_added", "- app_mention", "command: /incident")
}
