package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/slackfake"
)

const twoIncidentRituals = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
teams:
  - {id: payments, channel: C0PAYMENTS, members: [U0ALICE]}
  - {id: platform, channel: C0PLATFORM, members: [U0BOB]}
rituals:
  - {name: payments-incidents, kind: incidents, channel: C0PAYINC, teams: [payments]}
  - name: platform-incidents
    kind: incidents
    channel: C0PLATINC
    teams: [platform]
    pagerduty: {services: [PF9KMXH]}
`

func TestSeveralIncidentRitualsShareNumbersAndRouteByChannelAndService(t *testing.T) {
	fast := slackfake.Limit{PerMinute: 6000, Burst: 100}
	h := newHarness(t, twoIncidentRituals, at(t, "2026-11-24 10:00", berlin), slackfake.Options{RateLimits: map[string]slackfake.Limit{"chat.postMessage/channel": fast}})
	h.limits = map[string]bot.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}
	for _, c := range []string{"C0PAYMENTS", "C0PLATFORM", "C0PAYINC", "C0PLATINC"} {
		h.fake.AddChannel(slackfake.Channel{ID: c, Name: strings.ToLower(c[1:]), Members: []string{"U0ALICE", "U0BOB", "U0BOT"}})
	}
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	h.fake.AddUser(slackfake.User{ID: "U0BOB", Name: "bob"})
	h.env[envPagerDutySecret] = "pd-secret"
	h.start()

	h.command("U0ALICE", "C0PAYMENTS", "/incident", "declare Card payments slow")
	h.command("U0BOB", "C0PLATFORM", "/incident", "declare sev1 Kubernetes API unreachable")
	body := pdEvent("01EVT", "incident.triggered", "QPD1", "Disk full on db-3")
	if code, resp := h.post("/hooks/pagerduty", body, map[string]string{"X-PagerDuty-Signature": pdSign("pd-secret", body)}); code != http.StatusOK || !strings.Contains(resp, `"incident":3`) {
		t.Fatalf("PagerDuty event: %d %s", code, resp)
	}
	h.settle()
	one(t, h.fake.ChannelMessages("C0PAYINC"), "Incident #1: Card payments slow", "the payments incidents channel")
	one(t, h.fake.ChannelMessages("C0PLATINC"), "Incident #2: Kubernetes API unreachable", "the platform incidents channel")
	// The PagerDuty service is listed by the platform ritual.
	one(t, h.fake.ChannelMessages("C0PLATINC"), "Incident #3: Disk full on db-3", "the platform incidents channel")
	// #N reaches the incident whichever channel the command is typed in.
	if ack := h.command("U0ALICE", "C0PLATFORM", "/incident", "update #1 Card processor recovered"); !strings.Contains(ack, "Added to the timeline of #1") {
		t.Errorf("update #1 from another channel: %s", ack)
	}
	h.settle()
	one(t, h.fake.Replies("C0PAYINC", h.fake.ChannelMessages("C0PAYINC")[0].TS), "Card processor recovered", "the thread of #1")
}
