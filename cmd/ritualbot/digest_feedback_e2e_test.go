package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// TestDigestFeedbackSummarizedToTheLeads: three readers answer Friday's
// digest, two with its buttons (one changing their vote) and one with
// "What's missing?"; each click is thanked at once, only to the reader;
// on Monday morning the leads of the digest's teams get one summary each,
// and /digest feedback shows the trend.
func TestDigestFeedbackSummarizedToTheLeads(t *testing.T) {
	h := newHarness(t, digestConfig, at(t, "2026-11-26 08:00", berlin), slackfake.Options{})
	h.env[envWebhookToken] = webhookToken
	readers := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN"}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0BOT", "U0ALICE", "U0BOB", "U0CAROL"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0SEARCH", Name: "search", Members: []string{"U0BOT", "U0DAN"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "eng-digest", Members: append([]string{"U0BOT"}, readers...)})
	for _, u := range append(readers, "U0ADMIN") {
		h.fake.AddUser(slackfake.User{ID: u, Name: strings.ToLower(u[3:]), TZ: "Europe/Berlin"})
	}
	h.start()
	h.runUntil(at(t, "2026-11-27 16:30", berlin))

	var digestMsg slackfake.Message
	for _, m := range h.fake.ChannelMessages("C0DIGEST") {
		if strings.HasPrefix(m.Text, "Weekly digest") {
			digestMsg = m
		}
	}
	if digestMsg.TS == "" {
		t.Fatalf("no digest posted: %q", texts(h.fake.ChannelMessages("C0DIGEST")))
	}
	wantIn(t, "the digest", strings.Join(blockParts(t, digestMsg.Blocks), "\n"), "Useful", "Not useful", "What's missing?")

	h.clickOn("U0BOB", digestMsg, "digest:not_useful")
	h.clickOn("U0BOB", digestMsg, "digest:useful") // changes his vote
	h.clickOn("U0CAROL", digestMsg, "digest:not_useful")
	for user, want := range map[string]string{"U0BOB": "Glad the digest helps", "U0CAROL": "Thanks for saying so"} {
		eph := h.fake.Ephemerals(user)
		if len(eph) == 0 || !strings.Contains(eph[len(eph)-1].Text, want) {
			t.Errorf("%s's ephemerals = %q, want the thanks %q", user, texts(eph), want)
		}
	}
	if len(h.fake.Ephemerals("U0ALICE")) != 0 {
		t.Errorf("a reader's thanks reached someone else: %q", texts(h.fake.Ephemerals("U0ALICE")))
	}

	h.clickOn("U0DAN", digestMsg, "digest:missing")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.fake.SubmitViewInputs(ctx, "U0DAN", h.openView("U0DAN").ID, map[string]map[string]string{
		"missing":   {"value": "Release notes per team <!channel>"},
		"deploys":   {"value": "less"},
		"lead_time": {"value": "more"},
	}); err != nil {
		t.Fatal(err)
	}
	h.settle()

	// Monday 09:00: the week's summary to each lead, once.
	h.runUntil(at(t, "2026-11-30 09:30", berlin))
	for _, lead := range []string{"U0ALICE", "U0DAN"} {
		m := h.lastDM(lead, "Feedback on the weekly-digest digest")
		wantIn(t, lead+"'s summary", strings.Join(blockParts(t, m.Blocks), "\n"),
			"1 useful, 1 not useful", "Release notes per team &lt;!channel&gt;", "More of:* Lead time (1)", "Less of:* Deploys (1)")
		if n := len(messagesWith(h.fake.DMs(lead), "Feedback on the weekly-digest digest")); n != 1 {
			t.Errorf("%s got %d summaries, want 1", lead, n)
		}
	}
	for _, reader := range []string{"U0BOB", "U0CAROL"} {
		if len(messagesWith(h.fake.DMs(reader), "Feedback on the")) != 0 {
			t.Errorf("%s, not a lead, got the summary", reader)
		}
	}
	if strings.Contains(strings.Join(texts(h.fake.DMs("U0ALICE")), "\n"), "Consider dropping") {
		t.Error("a figure one reader of three wants less of was suggested for removal")
	}

	trend := h.command("U0ALICE", "C0PAYMENTS", "/digest", "feedback 2")
	wantIn(t, "/digest feedback 2", trend, "last 2 weeks", "Fri 27 Nov", ":thumbsup: 1 · :thumbsdown: 1 · 1 written", "Less of:* Deploys (1)")
	if strings.Contains(trend, "Release notes") {
		t.Error("/digest feedback shows a reader's text to whoever asks; only the leads' summary carries it")
	}
	if got := h.command("U0ALICE", "C0PAYMENTS", "/digest", "feedback 1 week"); !strings.Contains(got, "last 1 week*") || !strings.Contains(got, "Fri 27 Nov") {
		t.Errorf("/digest feedback 1 week = %s", got)
	}
	if got := h.command("U0ALICE", "C0PAYMENTS", "/digest", "feedback"); !strings.Contains(got, "last 4 weeks") {
		t.Errorf("/digest feedback = %s, want the last 4 weeks", got)
	}
	if got := h.command("U0ALICE", "C0PAYMENTS", "/digest", "feedback 99"); !strings.Contains(got, "N weeks from 1 to 52") {
		t.Errorf("/digest feedback 99 = %s", got)
	}
}
