package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
)

const showAndTellConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
teams:
  - {id: payments, name: Payments, channel: C0PAYMENTS, members: [U0ALICE, U0BOB], leads: [U0BOB], services: [checkout]}
  - {id: search, name: Search, channel: C0SEARCH, members: [U0DAN], leads: [U0DAN], services: [search-api]}
rituals:
  - name: demo-day
    kind: showandtell
    channel: C0DEMOS
    schedule: "0 15 * * FRI"
    teams: [payments, search]
    signup_close: 2h
  - name: weekly-digest
    kind: digest
    channel: C0DIGEST
    schedule: "0 18 * * FRI"
`

func shipped(service, deployer, version, finished string) string {
	b, _ := json.Marshal(map[string]any{"service": service, "environment": "production", "sha": "abc" + version, "status": "success",
		"finished_at": finished, "version": version, "deployer": deployer})
	return string(b)
}

// TestShowAndTellFromReleaseToRecording: two teams ship; Alice (the
// deployer) is asked once though she ships twice and signs up from the
// DM; the search team's lead (its deployer is a CI login) declines. The
// agenda is posted at sign-up close with one speaker; at the end of the
// day a reply asks for the recording, whose link is kept with the agenda.
func TestShowAndTellFromReleaseToRecording(t *testing.T) {
	h := newHarness(t, showAndTellConfig, at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	for _, c := range []string{"C0DEMOS", "C0PAYMENTS", "C0SEARCH", "C0DIGEST"} {
		h.fake.AddChannel(slackfake.Channel{ID: c, Name: strings.ToLower(c[2:]), Members: []string{"U0ALICE", "U0BOB", "U0DAN", "U0BOT"}})
	}
	for _, u := range []slackfake.User{{ID: "U0ALICE", Name: "alice"}, {ID: "U0BOB", Name: "bob"}, {ID: "U0DAN", Name: "dan"}} {
		u.TZ = "Europe/Berlin"
		h.fake.AddUser(u)
	}
	h.env[envWebhookToken] = webhookToken
	h.start()

	h.runUntil(at(t, "2026-11-23 10:01", berlin))
	h.deploy(shipped("checkout", "U0ALICE", "v2.0.0", "2026-11-23T09:00:00Z"))
	h.deploy(shipped("search-api", "dan-ci", "v7.1.0", "2026-11-23T08:30:00Z"))
	h.runUntil(at(t, "2026-11-24 10:01", berlin))
	h.deploy(shipped("checkout", "U0ALICE", "v2.1.0", "2026-11-24T09:00:00Z"))

	asks := func(user string) int {
		n := 0
		for _, m := range h.fake.DMs(user) {
			if strings.Contains(m.Text, "show-and-tell") {
				n++
			}
		}
		return n
	}
	if n := asks("U0ALICE"); n != 1 {
		t.Fatalf("Alice got %d asks for two releases in one week; want one", n)
	}
	ask := h.lastDM("U0ALICE", "show-and-tell")
	if !strings.Contains(ask.Text, "You shipped *checkout v2.0.0*") || !strings.Contains(ask.Text, "Friday's show-and-tell") {
		t.Fatalf("the ask says %q", ask.Text)
	}
	if asks("U0DAN") != 1 || asks("U0BOB") != 0 {
		t.Fatalf("asks: Dan %d (the lead of search, whose deployer is no member), Bob %d", asks("U0DAN"), asks("U0BOB"))
	}
	h.clickOn("U0ALICE", ask, "showandtell:signup")
	h.clickOn("U0DAN", h.lastDM("U0DAN", "show-and-tell"), "showandtell:decline")
	if got := h.lastDM("U0ALICE", "show-and-tell"); !strings.Contains(string(got.Blocks), "Signed up") {
		t.Fatalf("the ask was not marked signed up: %s", got.Blocks)
	}
	if list := h.command("U0ALICE", "C0DEMOS", "/demo", "list"); !strings.Contains(list, "checkout v2.0.0") || strings.Contains(list, "U0DAN") {
		t.Fatalf("/demo list = %q", list)
	}

	// Dan changes his mind twice: on the agenda, then off it.
	if got := h.command("U0DAN", "C0DEMOS", "/demo", "add Search relevance"); !strings.Contains(got, `2. \u003c@U0DAN\u003e — Search relevance _(Search)_`) {
		t.Fatalf("/demo add = %q; want Dan second, after Alice", got)
	}
	if got := h.command("U0DAN", "C0DEMOS", "/demo", "remove"); !strings.Contains(got, "off the agenda") || strings.Contains(got, "@U0DAN") {
		t.Fatalf("/demo remove = %q", got)
	}
	h.runUntil(at(t, "2026-11-27 12:59", berlin))
	if msgs := h.fake.ChannelMessages("C0DEMOS"); len(msgs) != 0 {
		t.Fatalf("posted before sign-up close: %+v", msgs)
	}
	h.runUntil(at(t, "2026-11-27 13:01", berlin))
	msgs := h.fake.ChannelMessages("C0DEMOS")
	if len(msgs) != 1 {
		t.Fatalf("want the agenda alone at 13:00, got %d messages", len(msgs))
	}
	agenda := msgs[0]
	if !strings.Contains(agenda.Text, "1. <@U0ALICE> — checkout v2.0.0 _(Payments)_") || strings.Contains(agenda.Text, "\n2. ") {
		t.Fatalf("agenda = %q", agenda.Text)
	}
	if got := tsTime(t, agenda.TS); !got.Equal(at(t, "2026-11-27 13:00", berlin)) {
		t.Fatalf("agenda posted at %v", got)
	}
	// Signed up after the close: next week's agenda, not this one.
	if got := h.command("U0DAN", "C0DEMOS", "/demo", "add Late topic"); !strings.Contains(got, "Fri 4 Dec 15:00") {
		t.Fatalf("/demo add after close = %q; want next week's demo day", got)
	}

	h.runUntil(at(t, "2026-11-27 17:01", berlin))
	replies := h.fake.Replies("C0DEMOS", agenda.TS)
	var ask2 slackfake.Message
	for _, r := range replies {
		if strings.Contains(r.Text, "recording") {
			ask2 = r
		}
	}
	if ask2.TS == "" {
		t.Fatalf("no reply asks for the recording: %+v", replies)
	}
	h.clickOn("U0BOB", ask2, "showandtell:recording")
	h.submit("U0BOB", answers{"url": "https://video.example.com/demo-day-47"})
	var updated slackfake.Message
	for _, m := range h.fake.ChannelMessages("C0DEMOS") {
		if m.TS == agenda.TS {
			updated = m
		}
	}
	if !updated.Edited || !strings.Contains(string(updated.Blocks), "https://video.example.com/demo-day-47") {
		t.Fatalf("the agenda does not show the recording: %s", updated.Blocks)
	}
	// The digest lists what was demoed, with the recording.
	h.runUntil(at(t, "2026-11-27 18:01", berlin))
	digests := h.fake.ChannelMessages("C0DIGEST")
	if len(digests) == 0 || !strings.Contains(string(digests[0].Blocks), "checkout v2.0.0") || !strings.Contains(string(digests[0].Blocks), "video.example.com/demo-day-47") {
		t.Fatalf("the digest does not list the demo: %+v", digests)
	}
	h.stop()
	db, err := store.Open(h.storePath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	demoAt := at(t, "2026-11-27 15:00", berlin)
	rec, ok, err := db.Recording("demo-day", demoAt)
	if err != nil || !ok || rec.URL != "https://video.example.com/demo-day-47" || rec.By != "U0BOB" {
		t.Fatalf("kept recording = %+v, %v, %v", rec, ok, err)
	}
	list, _ := db.SignUps("demo-day", demoAt, demoAt)
	if len(list) != 1 || list[0].User != "U0ALICE" || list[0].Team != "payments" {
		t.Fatalf("sign-ups = %+v", list)
	}
}
