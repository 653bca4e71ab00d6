package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// With RITUALBOT_LINK_SECRET set, the calendar feeds and the postmortems
// are read through the links the bot gives in Slack, and not without them;
// without it they are open (the endpoints of docs/CONTRACT.md, as other tests read
// them).
func TestSignedPageLinks(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-24 12:00", berlin), slackfake.Options{})
	h.env[envLinkSecret] = "link-SECRET-7e6d5c"
	h.startHTTP()

	sched := h.onCallNow("U0BOB", "schedule payments 3")
	link := regexp.MustCompile(`https://ritualbot\.example\.com(/oncall/payments-oncall\.ics\?sig=[A-Za-z0-9_-]{24})\|`).FindStringSubmatch(sched)
	if link == nil {
		t.Fatalf("/oncall schedule gives no signed feed link:\n%s", sched)
	}
	if code, body := h.get(link[1]); code != 200 || !strings.Contains(body, "BEGIN:VCALENDAR") {
		t.Errorf("the feed through its link: %d %.200s", code, body)
	}
	postmortem := strings.TrimPrefix(h.m.links.pages.URL(rituals.PostmortemPath(1)), "https://ritualbot.example.com")
	for _, path := range []string{
		"/oncall/payments-oncall.ics",
		"/oncall/payments-oncall.ics?sig=AAAAAAAAAAAAAAAAAAAAAAAA",
		strings.Replace(link[1], "payments-oncall.ics", "search-oncall.ics", 1), // another page's signature
		"/incidents/1/postmortem.md",
		strings.Replace(postmortem, "/1/", "/2/", 1),
	} {
		if code, body := h.get(path); code != 401 || !strings.Contains(body, "needs the link the bot posts in Slack") {
			t.Errorf("GET %s: %d %q, want 401 saying how to get in", path, code, body)
		}
	}
	// Signed, the postmortem route answers for itself: there is no
	// incident #1 yet.
	if code, body := h.get(postmortem); code != 404 || !strings.Contains(body, "there is no incident #1") {
		t.Errorf("GET %s: %d %q", postmortem, code, body)
	}
	// Once published, the postmortem's message links to it, signed, and
	// the link opens it.
	for _, c := range []string{"declare sev3 Checkout slow", "resolve #1 Rolled back", "publish #1"} {
		if ack := ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", c)); strings.Contains(ack, "Sorry") || strings.Contains(ack, "Usage") {
			t.Fatalf("/incident %s: %s", c, ack)
		}
	}
	h.settle()
	posted := regexp.MustCompile(`https://ritualbot\.example\.com(/incidents/1/postmortem\.md\?sig=[A-Za-z0-9_-]{24})\|Postmortem as Markdown`)
	var link2 []string
	for _, m := range h.fake.ChannelMessages("C0INCIDENTS") {
		if l := posted.FindStringSubmatch(string(m.Blocks) + m.Text); l != nil {
			link2 = l
		}
	}
	if link2 == nil {
		t.Fatalf("no signed postmortem link in #incidents: %q", texts(h.fake.ChannelMessages("C0INCIDENTS")))
	}
	if code, md := h.get(link2[1]); code != 200 || !strings.Contains(md, "# Postmortem #1: Checkout slow") {
		t.Errorf("the postmortem through its link: %d %.200s", code, md)
	}
	if code, _ := h.get("/incidents/1/postmortem.md"); code != 401 {
		t.Errorf("the published postmortem without its link: %d, want 401", code)
	}

	open := newWorkspaceHarness(t, "", at(t, "2026-11-24 12:00", berlin), slackfake.Options{})
	open.startHTTP()
	if sched := open.onCallNow("U0BOB", "schedule payments 3"); !strings.Contains(sched, "https://ritualbot.example.com/oncall/payments-oncall.ics|") {
		t.Errorf("without the secret, the feed link is plain:\n%s", sched)
	}
	if code, _ := open.get("/oncall/payments-oncall.ics"); code != 200 {
		t.Errorf("without the secret, the feed is open: %d", code)
	}
}
