package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

const remindersConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
catch_up: 2h
holidays: [2026-11-26]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB]
    leads: [U0ALICE]
rituals:
  - name: sprint-planning
    kind: reminder
    team: payments
    schedule: "0 10 * * MON"
    text: "Sprint planning for {{.Team}} on {{.Date}}"
  - name: backlog-triage
    kind: reminder
    channel: C0TRIAGE
    schedule: "0 14 * * WED"
    every_weeks: 2
    start: 2026-11-18
    text: "Fortnightly backlog triage"
  - name: coffee
    kind: reminder
    team: payments
    schedule: "30 8 * * MON-FRI"
    text: "Coffee at 8:30 for {{.Team}}"
`

func newReminderHarness(t *testing.T, start time.Time) *harness {
	return newReminderHarnessWith(t, start, slackfake.Options{})
}

func newReminderHarnessWith(t *testing.T, start time.Time, opts slackfake.Options) *harness {
	h := newHarness(t, remindersConfig, start, opts)
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments"})
	h.fake.AddChannel(slackfake.Channel{ID: "C0TRIAGE", Name: "triage"})
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", TZ: "Europe/Berlin"})
	h.fake.AddUser(slackfake.User{ID: "U0BOB", Name: "bob", TZ: "Europe/Berlin"})
	return h
}

func TestTwoWeeksOfRemindersPostOnceAtLocalTimes(t *testing.T) {
	h := newReminderHarness(t, at(t, "2026-11-22 12:00", berlin)) // a Sunday
	h.start()
	h.runUntil(at(t, "2026-12-06 23:00", berlin))

	payments := h.fake.ChannelMessages("C0PAYMENTS")
	wantPlanning := []time.Time{at(t, "2026-11-23 10:00", berlin), at(t, "2026-11-30 10:00", berlin)}
	if got := postedAt(t, payments, "Sprint planning for Payments"); fmtTimes(got, berlin) != fmtTimes(wantPlanning, berlin) {
		t.Errorf("sprint planning posted at %s, want %s", fmtTimes(got, berlin), fmtTimes(wantPlanning, berlin))
	}
	var wantCoffee []time.Time
	for _, d := range []string{"11-23", "11-24", "11-25", "11-27", "11-30", "12-01", "12-02", "12-03", "12-04"} {
		wantCoffee = append(wantCoffee, at(t, "2026-"+d+" 08:30", berlin)) // 11-26 is a holiday
	}
	if got := postedAt(t, payments, "Coffee at 8:30"); fmtTimes(got, berlin) != fmtTimes(wantCoffee, berlin) {
		t.Errorf("coffee posted at %s, want %s", fmtTimes(got, berlin), fmtTimes(wantCoffee, berlin))
	}
	if got := postedAt(t, h.fake.ChannelMessages("C0TRIAGE"), "Fortnightly backlog triage"); fmtTimes(got, berlin) != fmtTimes([]time.Time{at(t, "2026-12-02 14:00", berlin)}, berlin) {
		t.Errorf("triage posted at %s, want only Wed 12-02 14:00 (the off week skipped)", fmtTimes(got, berlin))
	}
	if planning := texts(messagesWith(payments, "Sprint planning")); len(planning) == 0 || !strings.Contains(planning[0], "Monday 23 November") {
		t.Errorf("{{.Date}} not rendered in the ritual's zone: %q", planning)
	}
	if n := len(payments) + len(h.fake.ChannelMessages("C0TRIAGE")); n != 12 {
		t.Errorf("%d messages in all, want 12", n)
	}
}

func TestRestartRunsMissedOccurrenceWithinCatchUpOnce(t *testing.T) {
	// Six connections in a few seconds: more than Slack's Tier 1 burst for
	// apps.connections.open, which is not what this test is about.
	opts := slackfake.Options{RateLimits: map[string]slackfake.Limit{"apps.connections.open": {PerMinute: 60, Burst: 20}}}
	h := newReminderHarnessWith(t, at(t, "2026-11-23 08:00", berlin), opts) // Monday
	h.start()
	h.runUntil(at(t, "2026-11-23 09:00", berlin))
	if n := len(postedAt(t, h.fake.ChannelMessages("C0PAYMENTS"), "Coffee")); n != 1 {
		t.Fatalf("%d coffee reminders on Monday, want 1", n)
	}

	// Down over Tuesday's 08:30; back at 09:45, within catch_up (2h).
	h.stop()
	h.clock.Set(at(t, "2026-11-24 09:45", berlin))
	h.start()
	for i := 0; i < 3; i++ {
		h.restart() // restarts never post twice
	}
	got := postedAt(t, h.fake.ChannelMessages("C0PAYMENTS"), "Coffee")
	if len(got) != 2 {
		t.Fatalf("%d coffee reminders after a restart within catch_up, want 2: %s", len(got), fmtTimes(got, berlin))
	}
	if !got[1].Equal(at(t, "2026-11-24 09:45", berlin)) {
		t.Errorf("caught-up reminder posted at %s, want at start-up 09:45", fmtTimes(got[1:], berlin))
	}

	// Down over Wednesday's 08:30; back at 11:00, past catch_up: missed.
	h.stop()
	h.clock.Set(at(t, "2026-11-25 11:00", berlin))
	h.start()
	if n := len(postedAt(t, h.fake.ChannelMessages("C0PAYMENTS"), "Coffee")); n != 2 {
		t.Errorf("%d coffee reminders after an outage past catch_up, want still 2", n)
	}
	if !strings.Contains(grepLines(h.logs.String(), "missed occurrence"), `"job":"coffee","at":"2026-11-25T08:30:00+01:00"`) {
		t.Errorf("the missed occurrence was not logged; logs:\n%s", h.logs.String())
	}
	// Thursday is a holiday, Friday posts again as usual.
	h.runUntil(at(t, "2026-11-27 09:00", berlin))
	if n := len(postedAt(t, h.fake.ChannelMessages("C0PAYMENTS"), "Coffee")); n != 3 {
		t.Errorf("%d coffee reminders by Friday, want 3", n)
	}
}

func TestRateLimitedPostsArriveOnceAfterRetryAfter(t *testing.T) {
	h := newReminderHarness(t, at(t, "2026-11-23 08:00", berlin))
	h.start()
	h.fake.FailNext("chat.postMessage", 2, slackfake.Fault{Status: 429, RetryAfter: 1})
	h.runUntil(at(t, "2026-11-23 10:00", berlin)) // coffee 08:30 and planning 10:00
	payments := h.fake.ChannelMessages("C0PAYMENTS")
	if len(postedAt(t, payments, "Coffee")) != 1 || len(postedAt(t, payments, "Sprint planning")) != 1 {
		t.Fatalf("after 429s want each message once, got %q", texts(payments))
	}
	if n := h.fake.Calls("chat.postMessage"); n != 4 {
		t.Errorf("chat.postMessage called %d times, want 4 (2 refused with 429, 2 accepted)", n)
	}
	_, metrics := h.get("/metrics")
	if !strings.Contains(metrics, `ritualbot_slack_calls_total{method="chat.postMessage",outcome="ratelimited"} 2`) {
		t.Errorf("/metrics does not count the rate-limited calls:\n%s", grepLines(metrics, "slack_calls"))
	}
}
