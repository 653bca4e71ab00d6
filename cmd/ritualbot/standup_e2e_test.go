package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/bot/slackfake"
	"github.com/ritualbot/ritualbot/rituals"
)

var (
	newYork = mustLoad("America/New_York")
	kolkata = mustLoad("Asia/Kolkata")
)

// standupConfig is a team of eight in three zones. SUMMARY and LOCAL are
// filled in per test.
const standupConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0"}
catch_up: 2h
admins: [U0ADMIN]
holidays: [2026-11-27]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB, U0CAROL, U0DAN, U0ERIN, U0FRANK, U0GITA, U0HARI]
    leads: [U0ALICE]
rituals:
  - name: payments-standup
    kind: standup
    team: payments
    schedule: "0 9 * * MON-FRI"
    local_time: LOCAL
    remind_after: 1h
    summary_after: 2h
    summary: SUMMARY
    questions:
      - {id: yesterday, text: "What did you get done yesterday?"}
      - {id: today, text: "What are you working on today?"}
      - {id: notes, text: "Anything else?", optional: true}
      - {id: blockers, text: "Anything blocking you?", blocker: true}
`

var standupTeam = []slackfake.User{
	{ID: "U0ALICE", Name: "alice", TZ: "Europe/Berlin"},
	{ID: "U0BOB", Name: "bob", TZ: "Europe/Berlin"},
	{ID: "U0CAROL", Name: "carol", TZ: "Europe/Berlin"},
	{ID: "U0DAN", Name: "dan", TZ: "America/New_York"},
	{ID: "U0ERIN", Name: "erin", TZ: "America/New_York"},
	{ID: "U0FRANK", Name: "frank", TZ: "America/New_York"},
	{ID: "U0GITA", Name: "gita", TZ: "Asia/Kolkata"},
	{ID: "U0HARI", Name: "hari", TZ: "Asia/Kolkata"},
	{ID: "U0ADMIN", Name: "admin", TZ: "Europe/Berlin"},
}

const payments = "C0PAYMENTS"

// newStandupHarness starts a bot with the standup team. A simulated week
// takes a second or two of wall time, while Slack's limits are per wall
// minute: users.list (Tier 2, read every ten simulated minutes for
// statuses), views.open and chat.update (a week of answers) and
// chat.postMessage (a week of DMs and summaries) would hold the test back
// for seconds, so the test raises those limits on both sides. The
// benchmark in standup_bench_test.go measures Slack's real limits.
func newStandupHarness(t *testing.T, start time.Time, summary string, localTime bool) *harness {
	t.Helper()
	cfg := strings.NewReplacer("SUMMARY", summary, "LOCAL", fmt.Sprint(localTime)).Replace(standupConfig)
	fast := slackfake.Limit{PerMinute: 6000, Burst: 1000}
	h := newHarness(t, cfg, start, slackfake.Options{RateLimits: map[string]slackfake.Limit{
		"users.list": fast, "views.open": fast, "chat.update": fast, "chat.postMessage": fast, "chat.postMessage:channel": fast}})
	h.limits = map[string]bot.Limit{}
	for _, m := range []string{"users.list", "views.open", "chat.update", "chat.postMessage", "chat.postMessage/channel"} {
		h.limits[m] = bot.Limit{PerMinute: fast.PerMinute, Burst: fast.Burst}
	}
	h.fake.AddChannel(slackfake.Channel{ID: payments, Name: "payments"})
	for _, u := range standupTeam {
		h.fake.AddUser(u)
	}
	h.start()
	return h
}

// answers are a member's values by question (block) ID.
type answers map[string]string

// state is view_submission's view.state.values for answers: block ID →
// action ID → the plain_text_input's state.
func (a answers) state() map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, v := range a {
		out[id] = map[string]any{"value": map[string]any{"type": "plain_text_input", "value": v}}
	}
	return out
}

// openView returns the member's top modal.
func (h *harness) openView(user string) slackfake.View {
	h.t.Helper()
	views := h.fake.OpenViews(user)
	if len(views) == 0 {
		h.t.Fatalf("%s has no open modal", user)
	}
	return views[len(views)-1]
}

// submit submits the member's open modal with a, as Slack sends a
// view_submission, and returns the ack.
func (h *harness) submit(user string, a answers) string {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := h.fake.SubmitView(ctx, user, h.openView(user).ID, a.state())
	if err != nil {
		h.t.Fatalf("%s submits: %v", user, err)
	}
	h.settle()
	return string(r.Ack)
}

// answer is a member typing /standup and submitting the modal.
func (h *harness) answer(user string, a answers) {
	h.t.Helper()
	if ack := h.command(user, payments, "/standup", ""); strings.Contains(ack, `"text":"`) && !strings.Contains(ack, `"text":""`) {
		h.t.Fatalf("/standup by %s answered %s, want the modal", user, ack)
	}
	if ack := h.submit(user, a); ack != "" {
		h.t.Fatalf("%s's answer was refused: %s", user, ack)
	}
	if len(h.fake.OpenViews(user)) != 0 {
		h.t.Fatalf("%s's modal stayed open after submitting", user)
	}
}

// click uses a button of the member's latest DM that has it.
func (h *harness) click(user, actionID string) {
	h.t.Helper()
	msg, ok := lastWith(h.fake.DMs(user), actionID)
	if !ok {
		h.t.Fatalf("%s has no DM with a %s button", user, actionID)
	}
	h.clickOn(user, msg, actionID)
}

func (h *harness) clickOn(user string, msg slackfake.Message, actionID string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.fake.SendBlockAction(ctx, user, msg.Channel, msg.TS, actionID, ""); err != nil {
		h.t.Fatalf("%s clicks %s: %v", user, actionID, err)
	}
	h.settle()
}

func lastWith(msgs []slackfake.Message, substr string) (slackfake.Message, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(string(msgs[i].Blocks), substr) {
			return msgs[i], true
		}
	}
	return slackfake.Message{}, false
}

// prompts lists when the member was prompted.
func prompts(t *testing.T, h *harness, user string) []time.Time {
	return postedAt(t, h.fake.DMs(user), "Time for the Payments standup")
}

func reminders(t *testing.T, h *harness, user string) []time.Time {
	return postedAt(t, h.fake.DMs(user), "is still open")
}

// topLevel keeps messages that are not thread replies.
func topLevel(msgs []slackfake.Message) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range msgs {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			out = append(out, m)
		}
	}
	return out
}

// blockText is what a reader sees of a message's blocks: every text in
// them, in order.
func blockText(t *testing.T, m slackfake.Message) string {
	t.Helper()
	var blocks []any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", m.TS, err)
	}
	var out []string
	var walk func(x any)
	walk = func(x any) {
		switch v := x.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				out = append(out, s)
			}
			for k, c := range v {
				if k != "text" || fmt.Sprint(c) != c {
					walk(c)
				}
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	for _, b := range blocks {
		walk(b)
	}
	return strings.Join(out, "\n")
}

func dates(ts []time.Time, loc *time.Location) string { return fmtTimes(ts, loc) }

func times(loc *time.Location, t *testing.T, hm string, days ...string) []time.Time {
	var out []time.Time
	for _, d := range days {
		out = append(out, at(t, d+" "+hm, loc))
	}
	return out
}

func TestStandupWeekInThreeZones(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", true) // a Sunday
	if ack := h.command("U0ERIN", payments, "/standup", "ooo 2026-11-25 2026-11-26"); !strings.Contains(ack, "Out of office from Wed 25 Nov to Thu 26 Nov") {
		t.Fatalf("/standup ooo answered %s", ack)
	}
	everyone := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN", "U0ERIN", "U0FRANK", "U0GITA", "U0HARI"}
	full := answers{"yesterday": "Reviewed the refunds PR", "today": "Ship the refunds API", "blockers": "none"}
	// Each zone's members answer a few minutes after their prompt; who
	// does not is listed per day.
	day := func(date string, silent ...string) {
		for _, zone := range []struct {
			loc     *time.Location
			members []string
		}{{kolkata, everyone[6:8]}, {berlin, everyone[0:3]}, {newYork, everyone[3:6]}} {
			h.runUntil(at(t, date+" 09:05", zone.loc))
			for _, m := range zone.members {
				if contains(silent, m) || len(prompts(t, h, m)) == 0 || !prompts(t, h, m)[len(prompts(t, h, m))-1].After(at(t, date+" 00:00", zone.loc)) {
					continue
				}
				if m == "U0BOB" && date == "2026-11-23" {
					h.click(m, "standup:skip")
					continue
				}
				h.answer(m, full)
			}
		}
		h.runUntil(at(t, date+" 23:00", berlin))
	}
	day("2026-11-23", "U0FRANK", "U0HARI")
	day("2026-11-24", "U0FRANK")
	day("2026-11-25", "U0FRANK")
	h.fake.SetUserStatus("U0CAROL", "Vacation", ":palm_tree:")
	day("2026-11-26", "U0FRANK")
	day("2026-11-27") // a holiday
	h.fake.SetUserStatus("U0CAROL", "", "")
	h.runUntil(at(t, "2026-11-30 15:30", berlin))

	// Prompts: 09:00 local, weekdays only, none on the holiday, none
	// while away.
	weekdays := []string{"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-30"}
	want := map[string][]time.Time{
		"U0ALICE": times(berlin, t, "09:00", weekdays...),
		"U0BOB":   times(berlin, t, "09:00", weekdays...),
		"U0CAROL": times(berlin, t, "09:00", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-30"),
		"U0DAN":   times(newYork, t, "09:00", weekdays...),
		"U0ERIN":  times(newYork, t, "09:00", "2026-11-23", "2026-11-24", "2026-11-30"),
		"U0FRANK": times(newYork, t, "09:00", weekdays...),
		"U0GITA":  times(kolkata, t, "09:00", weekdays...),
		"U0HARI":  times(kolkata, t, "09:00", weekdays...),
	}
	zones := map[string]*time.Location{"U0ALICE": berlin, "U0BOB": berlin, "U0CAROL": berlin, "U0DAN": newYork, "U0ERIN": newYork, "U0FRANK": newYork, "U0GITA": kolkata, "U0HARI": kolkata}
	for _, m := range everyone {
		if got := prompts(t, h, m); dates(got, zones[m]) != dates(want[m], zones[m]) {
			t.Errorf("%s prompted at %s, want %s", m, dates(got, zones[m]), dates(want[m], zones[m]))
		}
	}
	// Reminders: one an hour after the prompt, only to who neither
	// answered nor skipped; never to the away.
	wantReminded := map[string][]time.Time{
		"U0HARI":  times(kolkata, t, "10:00", "2026-11-23", "2026-11-30"),
		"U0FRANK": times(newYork, t, "10:00", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"),
	}
	// Nobody answers on the last Monday: the morning zones are nudged
	// before the test ends.
	for _, m := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0GITA"} {
		wantReminded[m] = times(zones[m], t, "10:00", "2026-11-30")
	}
	for _, m := range everyone {
		if got := reminders(t, h, m); dates(got, zones[m]) != dates(wantReminded[m], zones[m]) {
			t.Errorf("%s reminded at %s, want %s", m, dates(got, zones[m]), dates(wantReminded[m], zones[m]))
		}
	}
	// One summary a standup day, 11:00 in the zone whose morning comes
	// last, with the right counts; nothing on the holiday.
	summaries := h.fake.ChannelMessages(payments)
	wantSummaries := times(newYork, t, "11:00", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26")
	if got := postedAt(t, summaries, "Payments standup"); dates(got, newYork) != dates(wantSummaries, newYork) || len(summaries) != 4 {
		t.Fatalf("summaries at %s (%d messages), want one at each of %s", dates(got, newYork), len(summaries), dates(wantSummaries, newYork))
	}
	for i, want := range []string{
		"5/7 answered · 1 skipped", // Frank and Hari silent, Bob skipped
		"7/8 answered",
		"6/7 answered · 1 away", // Erin out of office
		"5/6 answered · 2 away", // and Carol on vacation by her status
	} {
		text := blockText(t, summaries[i])
		if !strings.Contains(text, want) || !strings.Contains(summaries[i].Text, want) {
			t.Errorf("summary %d says %q, want %q", i, text, want)
		}
		if strings.Contains(text, "U0FRANK") {
			t.Errorf("summary %d names Frank, who did not answer: %q", i, text)
		}
	}
	if text := blockText(t, summaries[3]); !strings.Contains(text, "Away: carol, erin") {
		t.Errorf("Thursday's summary does not list who is away: %q", text)
	}
	if text := blockText(t, summaries[0]); !strings.Contains(text, "Skipped: bob") || strings.Count(text, "Ship the refunds API") != 5 {
		t.Errorf("Monday's summary lacks the skip or the five answers: %q", text)
	}

	// The digest's view: participation filed per day.
	p, err := h.m.StandupLog().Participation("payments", at(t, "2026-11-23 00:00", berlin), at(t, "2026-11-30 00:00", berlin))
	if err != nil {
		t.Fatal(err)
	}
	if want := (rituals.Participation{Days: 4, Expected: 29, Answered: 23, Skipped: 1, Away: 3}); p != want {
		t.Errorf("Participation = %+v, want %+v", p, want)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
