package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
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
	fakeLimits, botLimits := loosened("users.list", "views.open", "chat.update", "chat.postMessage", "chat.postMessage/channel")
	h := newHarness(t, cfg, start, slackfake.Options{RateLimits: fakeLimits})
	h.limits = botLimits
	h.fake.AddChannel(slackfake.Channel{ID: payments, Name: "payments"})
	for _, u := range standupTeam {
		h.fake.AddUser(u)
	}
	h.start()
	return h
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

// prompts lists when the member was prompted.
// prompts and reminders are found by the outbox key each post carries as
// metadata: once acted on, a prompt is edited to confirm what was done.
func prompts(t *testing.T, h *harness, user string) []time.Time {
	return postedAt(t, withKeyPart(h.fake.DMs(user), "/prompt/"), "")
}

func reminders(t *testing.T, h *harness, user string) []time.Time {
	return postedAt(t, withKeyPart(h.fake.DMs(user), "/remind/"), "")
}

func withKeyPart(msgs []slackfake.Message, part string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range msgs {
		if strings.Contains(string(m.Metadata), part) {
			out = append(out, m)
		}
	}
	return out
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

// blockText is what a reader sees of a message's blocks, a line a part.
func blockText(t *testing.T, m slackfake.Message) string {
	t.Helper()
	return strings.Join(blockParts(t, m.Blocks), "\n")
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
				if slices.Contains(silent, m) || len(prompts(t, h, m)) == 0 || !prompts(t, h, m)[len(prompts(t, h, m))-1].After(at(t, date+" 00:00", zone.loc)) {
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
	if n := h.fake.Calls("conversations.open"); n != 0 {
		t.Errorf("conversations.open called %d times; prompts go to the user ID", n)
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

func TestStandupModalEditsAndLateAnswer(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", false)
	h.runUntil(at(t, "2026-11-23 09:05", berlin))

	// Alice opens the modal from her prompt.
	h.click("U0ALICE", "standup:answer")
	v := h.openView("U0ALICE")
	var view struct {
		Blocks []struct {
			Type     string `json:"type"`
			BlockID  string `json:"block_id"`
			Optional bool   `json:"optional"`
			Element  struct {
				Type      string `json:"type"`
				MaxLength int    `json:"max_length"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.Raw, &view); err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, b := range view.Blocks {
		if b.Type == "input" {
			inputs = append(inputs, fmt.Sprintf("%s optional=%v max=%d", b.BlockID, b.Optional, b.Element.MaxLength))
		}
	}
	if want := "[yesterday optional=false max=3000 today optional=false max=3000 notes optional=true max=3000 blockers optional=true max=3000]"; fmt.Sprint(inputs) != want {
		t.Errorf("modal inputs = %v, want %s", inputs, want)
	}

	// A required answer of blanks: Slack lets it through, the bot does
	// not, and says so on that block.
	ack := h.submit("U0ALICE", answers{"yesterday": "Fixed the ledger rounding", "today": "   "})
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(ack), &resp); err != nil || resp.ResponseAction != "errors" || resp.Errors["today"] == "" || len(resp.Errors) != 1 {
		t.Fatalf("blank required answer acked %s, want response_action errors on block today", ack)
	}
	if len(h.fake.OpenViews("U0ALICE")) != 1 {
		t.Fatal("the modal closed on an error; what Alice typed is lost")
	}
	if ack := h.submit("U0ALICE", answers{"yesterday": "Fixed the ledger rounding", "today": "Refund webhooks"}); ack != "" {
		t.Fatalf("a complete answer acked %s", ack)
	}
	// Her prompt now says so (chat.update), with Edit in place of Answer
	// and Skip.
	if prompt := withKeyPart(h.fake.DMs("U0ALICE"), "/prompt/"); len(prompt) != 1 || !prompt[0].Edited ||
		!strings.Contains(blockText(t, prompt[0]), "Answered 09:05") || !strings.Contains(blockText(t, prompt[0]), "[Edit]") || strings.Contains(blockText(t, prompt[0]), "Skip today") {
		t.Errorf("Alice's prompt after answering: %v", texts(prompt))
	}

	// Until the summary, /standup opens her answer, pre-filled, to edit.
	h.command("U0ALICE", payments, "/standup", "")
	if raw := string(h.openView("U0ALICE").Raw); !strings.Contains(raw, `"initial_value":"Refund webhooks"`) || !strings.Contains(raw, "You answered already") {
		t.Errorf("the edit modal is not pre-filled with her answer: %s", raw)
	}
	h.submit("U0ALICE", answers{"yesterday": "Fixed the ledger rounding", "today": "Refund webhooks, then the payout report"})

	// Bob answers the evening before, for Tuesday.
	h.runUntil(at(t, "2026-11-23 11:00", berlin))
	summaries := h.fake.ChannelMessages(payments)
	if len(summaries) != 1 {
		t.Fatalf("%d channel messages after Monday's summary, want 1", len(summaries))
	}
	if text := blockText(t, summaries[0]); !strings.Contains(text, "Refund webhooks, then the payout report") || strings.Contains(text, "Refund webhooks\n") || !strings.Contains(text, "1/8 answered") {
		t.Errorf("Monday's summary lacks Alice's edited answer or the count: %q", text)
	}
	h.runUntil(at(t, "2026-11-23 20:00", berlin))
	h.command("U0BOB", payments, "/standup", "")
	if raw := string(h.openView("U0BOB").Raw); !strings.Contains(raw, "Standup for *Tue 24 Nov*") && !strings.Contains(raw, "standup for *Tue 24 Nov*") {
		t.Errorf("Monday evening's /standup is not for Tuesday: %s", raw)
	}
	h.submit("U0BOB", answers{"yesterday": "Payout report", "today": "Tax export"})

	// Carol answers Monday late, from Monday's prompt: the summary is
	// edited, not posted again.
	h.click("U0CAROL", "standup:answer")
	if raw := string(h.openView("U0CAROL").Raw); !strings.Contains(raw, "Mon 23 Nov") || !strings.Contains(raw, "summary is out already") {
		t.Errorf("Carol's late modal is not for Monday: %s", raw)
	}
	h.submit("U0CAROL", answers{"yesterday": "On-call handover", "today": "Chargeback flow"})
	summaries = h.fake.ChannelMessages(payments)
	if len(summaries) != 1 || !summaries[0].Edited {
		t.Fatalf("after a late answer: %d channel messages (edited %v), want the one summary, edited", len(summaries), len(summaries) > 0 && summaries[0].Edited)
	}
	if text := blockText(t, summaries[0]); !strings.Contains(text, "Chargeback flow") || !strings.Contains(text, "(late)") || !strings.Contains(text, "2/8 answered") {
		t.Errorf("the edited summary lacks the late answer: %q", text)
	}
	// Alice's answer is in the summary; until the end of her day she may
	// still change it: the summary is edited, and says so.
	h.click("U0ALICE", "standup:answer")
	if raw := string(h.openView("U0ALICE").Raw); !strings.Contains(raw, "marked edited") {
		t.Errorf("Alice's Edit after the summary: %s", raw)
	}
	h.submit("U0ALICE", answers{"yesterday": "Fixed the ledger rounding", "today": "Refund webhooks, then the payout report and tax"})
	if text := blockText(t, h.fake.ChannelMessages(payments)[0]); !strings.Contains(text, "<@U0ALICE>* _(edited)_") || !strings.Contains(text, "payout report and tax") || !strings.Contains(text, "2/8 answered") {
		t.Errorf("the summary after Alice's edit: %q", text)
	}
	// Her day over, the button says the answer can no longer change.
	h.runUntil(at(t, "2026-11-24 00:30", berlin))
	h.clickOn("U0ALICE", withKeyPart(h.fake.DMs("U0ALICE"), "/prompt/")[0], "standup:answer")
	if eph := h.fake.Ephemerals("U0ALICE"); len(eph) == 0 || !strings.Contains(eph[len(eph)-1].Text, "can no longer change") {
		t.Errorf("Alice's Monday button after her day: %v", texts(eph))
	}

	// Tuesday: Bob, who answered ahead, is not prompted; his answer is in
	// Tuesday's summary.
	h.runUntil(at(t, "2026-11-24 11:00", berlin))
	if n := len(prompts(t, h, "U0BOB")); n != 1 {
		t.Errorf("Bob was prompted %d times, want only Monday's (he answered Tuesday's the evening before)", n)
	}
	if got := reminders(t, h, "U0BOB"); dates(got, berlin) != dates(times(berlin, t, "10:00", "2026-11-23"), berlin) {
		t.Errorf("Bob was reminded at %s, want only on Monday (he answered Tuesday's the evening before)", dates(got, berlin))
	}
	summaries = h.fake.ChannelMessages(payments)
	if len(summaries) != 2 || !strings.Contains(blockText(t, summaries[1]), "Tax export") {
		t.Fatalf("Tuesday's summary lacks Bob's answer from the evening before: %q", texts(summaries))
	}
}

func TestStandupThreadMode(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "thread", false)
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0ALICE", answers{"yesterday": "Ledger", "today": "Refunds"})
	h.answer("U0BOB", answers{"yesterday": "Payouts", "today": "Tax export", "notes": "Out at 15:00"})
	h.click("U0CAROL", "standup:skip")
	h.runUntil(at(t, "2026-11-23 11:00", berlin))

	top := topLevel(h.fake.ChannelMessages(payments))
	if len(top) != 1 {
		t.Fatalf("%d top-level messages, want the one parent", len(top))
	}
	parent := blockText(t, top[0])
	if !strings.Contains(parent, "2/7 answered · 1 skipped") || !strings.Contains(parent, "answers in the thread") || strings.Contains(parent, "Refunds") {
		t.Errorf("thread parent = %q, want the counts and no answers", parent)
	}
	replies := h.fake.Replies(payments, top[0].TS)
	if len(replies) != 2 || !strings.Contains(blockText(t, replies[0]), "Refunds") || !strings.Contains(blockText(t, replies[1]), "Out at 15:00") {
		t.Fatalf("thread replies = %q, want Alice's then Bob's answers", texts(replies))
	}

	// A late answer: the parent is edited and the answer joins the thread.
	h.click("U0DAN", "standup:answer")
	h.submit("U0DAN", answers{"yesterday": "Fraud rules", "today": "Card vault"})
	top = topLevel(h.fake.ChannelMessages(payments))
	if len(top) != 1 || !top[0].Edited || !strings.Contains(blockText(t, top[0]), "3/7 answered") {
		t.Fatalf("after a late answer: %d top-level messages, parent %q (edited %v)", len(top), blockText(t, top[0]), top[0].Edited)
	}
	replies = h.fake.Replies(payments, top[0].TS)
	if len(replies) != 3 || !strings.Contains(blockText(t, replies[2]), "Card vault") || !strings.Contains(blockText(t, replies[2]), "(late)") {
		t.Errorf("the late answer is not the thread's third reply: %q", texts(replies))
	}
}

func TestStandupBlockerAgesUntilCleared(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", false)
	work := answers{"yesterday": "Ledger", "today": "Refunds"}
	with := func(a answers, blocker string) answers {
		out := answers{"blockers": blocker}
		for k, v := range a {
			out[k] = v
		}
		return out
	}
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0ALICE", with(work, "Waiting for the staging database"))
	h.answer("U0BOB", with(work, "Security review of the tokenizer"))
	h.answer("U0CAROL", with(work, "None."))
	h.runUntil(at(t, "2026-11-23 11:00", berlin))
	mon := blockText(t, h.fake.ChannelMessages(payments)[0])
	if !strings.Contains(mon, "2 open blockers") || !strings.Contains(mon, "<@U0ALICE>: Waiting for the staging database _(open since today)_") {
		t.Errorf("Monday's summary: %q", mon)
	}
	if strings.Index(mon, "open blockers") > strings.Index(mon, "Ledger") {
		t.Errorf("blockers do not come first: %q", mon)
	}

	// Tuesday: the form shows Alice her open blocker; she keeps it.
	h.runUntil(at(t, "2026-11-24 09:05", berlin))
	h.command("U0ALICE", payments, "/standup", "")
	if raw := string(h.openView("U0ALICE").Raw); !strings.Contains(raw, `"initial_value":"Waiting for the staging database"`) {
		t.Errorf("Tuesday's form does not carry the open blocker: %s", raw)
	}
	h.submit("U0ALICE", with(work, "Waiting for the staging database"))
	h.answer("U0BOB", with(work, "Security review of the tokenizer"))
	h.runUntil(at(t, "2026-11-24 11:00", berlin))
	tue := h.fake.ChannelMessages(payments)[1]
	if text := blockText(t, tue); !strings.Contains(text, "Waiting for the staging database _(open since yesterday)_") || !strings.Contains(text, "Security review of the tokenizer _(open since yesterday)_") {
		t.Errorf("Tuesday's summary does not age the blockers: %q", text)
	}
	if open, err := h.m.StandupLog().OpenBlockers("payments"); err != nil || len(open) != 2 {
		t.Errorf("OpenBlockers = %d, %v; want 2", len(open), err)
	}

	// Bob clears his from Tuesday's summary; only he or a lead may.
	clear := func(user string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var blocks []map[string]any
		_ = json.Unmarshal(tue.Blocks, &blocks)
		for _, b := range blocks {
			acc, _ := b["accessory"].(map[string]any)
			if text, _ := b["text"].(map[string]any); acc != nil && strings.Contains(fmt.Sprint(text["text"]), "tokenizer") {
				if _, err := h.fake.SendBlockAction(ctx, user, payments, tue.TS, fmt.Sprint(acc["action_id"]), ""); err != nil {
					t.Fatal(err)
				}
				h.settle()
				return
			}
		}
		t.Fatal("no Cleared button next to Bob's blocker")
	}
	clear("U0CAROL")
	if eph := h.fake.Ephemerals("U0CAROL"); len(eph) == 0 || !strings.Contains(eph[len(eph)-1].Text, "Only <@U0BOB> or a lead") {
		t.Errorf("Carol clearing Bob's blocker: %q", texts(eph))
	}
	clear("U0BOB")
	tue = h.fake.ChannelMessages(payments)[1]
	blockers, _, _ := strings.Cut(blockText(t, tue), "*<@U0ALICE>*") // the part before the answers
	if text := blockText(t, tue); !tue.Edited || strings.Contains(blockers, "tokenizer") || !strings.Contains(blockers, "1 open blocker") {
		t.Errorf("Tuesday's summary after Bob's Cleared: %q (edited %v)", text, tue.Edited)
	}

	// Wednesday: Alice answers "nope": her blocker is cleared, after two
	// days.
	h.runUntil(at(t, "2026-11-25 09:05", berlin))
	h.answer("U0ALICE", with(work, "nope"))
	h.runUntil(at(t, "2026-11-25 11:00", berlin))
	if wed := blockText(t, h.fake.ChannelMessages(payments)[2]); !strings.Contains(wed, "No open blockers") || strings.Contains(wed, "staging") {
		t.Errorf("Wednesday's summary: %q", wed)
	}
	if open, err := h.m.StandupLog().OpenBlockers("payments"); err != nil || len(open) != 0 {
		t.Errorf("OpenBlockers after clearing = %v, %v; want none", open, err)
	}
}

func TestStandupEscapesAndKeepsLongAnswersWhole(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", false)
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	sneaky := "<!channel> deploy now & ping <@U0BOB> <https://evil.example|click> "
	long := sneaky + strings.Repeat("<&>", (3000-len(sneaky))/3) // 3,000 characters, 12,000 escaped
	h.answer("U0ALICE", answers{"yesterday": long, "today": strings.Repeat("refunds ", 250), "blockers": "<!here> " + strings.Repeat("x", 2000)})
	h.answer("U0BOB", answers{"yesterday": "a", "today": "b"})
	h.runUntil(at(t, "2026-11-23 11:00", berlin))
	msgs := h.fake.ChannelMessages(payments)
	if len(msgs) != 1 {
		t.Fatalf("%d summaries, want 1 (the fake refuses what Slack would)", len(msgs))
	}
	text := blockText(t, msgs[0])
	for _, bad := range []string{"<!channel>", "ping <@U0BOB>", "<!here>", "<https://evil"} {
		if strings.Contains(text, bad) {
			t.Errorf("the summary carries a live %s", bad)
		}
	}
	for _, want := range []string{"&lt;!channel&gt; deploy now &amp; ping &lt;@U0BOB&gt;", "refunds refunds", "&lt;!here&gt;", "*<@U0BOB>*"} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
	// Nothing is cut: Alice's long answers go on over several sections
	// (12,000 characters once escaped), whole, and Bob's follows. (The
	// blocker list at the top quotes the blocker shortened; her answer
	// below has it whole.)
	joined := strings.ReplaceAll(text, "\n", "")
	for _, whole := range []string{wire(long), strings.TrimSpace(strings.Repeat("refunds ", 250)), wire("<!here> ") + strings.Repeat("x", 2000)} {
		if !strings.Contains(joined, whole) {
			t.Errorf("the summary does not carry a whole answer of %d characters: %.80q", len(whole), whole)
		}
	}
}

func TestStandupDSTWeekInNewYork(t *testing.T) {
	// New York leaves daylight saving time on Sunday 1 November 2026.
	h := newStandupHarness(t, at(t, "2026-10-29 00:00", berlin), "channel", true)
	h.runUntil(at(t, "2026-11-04 00:00", berlin))
	want := times(newYork, t, "09:00", "2026-10-29", "2026-10-30", "2026-11-02", "2026-11-03")
	if got := prompts(t, h, "U0DAN"); dates(got, newYork) != dates(want, newYork) {
		t.Errorf("Dan prompted at %s, want %s", dates(got, newYork), dates(want, newYork))
	}
	utc := func(ts []time.Time) string { return dates(ts, time.UTC) }
	if got := prompts(t, h, "U0DAN"); len(got) == 4 && (got[1].UTC().Hour() != 13 || got[2].UTC().Hour() != 14) {
		t.Errorf("Dan's prompts in UTC %s: want 13:00 before the change and 14:00 after", utc(got))
	}
	if got, want := postedAt(t, h.fake.ChannelMessages(payments), "Payments standup"), times(newYork, t, "11:00", "2026-10-29", "2026-10-30", "2026-11-02", "2026-11-03"); dates(got, newYork) != dates(want, newYork) {
		t.Errorf("summaries at %s, want %s", dates(got, newYork), dates(want, newYork))
	}
	if got, want := prompts(t, h, "U0GITA"), times(kolkata, t, "09:00", "2026-10-29", "2026-10-30", "2026-11-02", "2026-11-03"); dates(got, kolkata) != dates(want, kolkata) {
		t.Errorf("Gita prompted at %s, want %s", dates(got, kolkata), dates(want, kolkata))
	}
}

func TestStandupCommandsAndPreview(t *testing.T) {
	h := newStandupHarness(t, at(t, "2026-11-22 12:00", berlin), "channel", false)
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0ALICE", answers{"yesterday": "Ledger", "today": "Refunds"})
	h.answer("U0BOB", answers{"yesterday": "Payouts", "today": "Tax export", "blockers": "Waiting on legal"})

	for _, c := range []struct{ user, text, want string }{
		{"U0CAROL", "help", "`/standup ooo FROM [TO]`"},
		{"U0CAROL", "help", "`/standup history [@user] [N]`"},
		{"U0CAROL", "status", `*Answered (2):* <@U0ALICE>, <@U0BOB>`},
		{"U0CAROL", "status", `*Pending (6):* <@U0CAROL>`},
		{"U0CAROL", "frobnicate", "I don't know `/standup frobnicate`"},
		{"U0CAROL", "ooo 2026-13-01", `is not a date`},
		{"U0CAROL", "ooo 2026-11-20", `in the past`},
		{"U0CAROL", "ooo tomorrow", "Out of office on Tue 24 Nov"},
		{"U0CAROL", "back", "Your planned out of office is cancelled"},
		{"U0CAROL", "back", "You are not out of office"},
		{"U0CAROL", "ooo today", "Out of office on Mon 23 Nov"},
		{"U0CAROL", "back", "Welcome back"},
		{"U0CAROL", "history U0BOB 0", "neither a @user nor a count"},
		{"U0ADMIN", "", "not in any standup"},
		// The target's standup, not the caller's: an admin in no team
		// reads Bob's, with today's answer counted as it is listed.
		{"U0ADMIN", "history <@U0BOB|bob>", "Tax export"},
		{"U0ADMIN", "history <@U0BOB|bob>", "Last 30 days: answered 1 of 1 standups"},
		{"U0ADMIN", "history <@U0NOBODY|nobody>", "<@U0NOBODY> is not in any standup"},
	} {
		ack := h.command(c.user, payments, "/standup", c.text)
		if !strings.Contains(ack, `"response_type":"ephemeral"`) || !strings.Contains(ackText(t, ack), c.want) {
			t.Errorf("/standup %s by %s answered %s, want ephemeral %q", c.text, c.user, ack, c.want)
		}
	}
	if us, ok, err := h.m.StandupLog().UserStandup(context.Background(), "U0CAROL", h.clock.Now()); err != nil || !ok || us.Date.String() != "2026-11-23" || us.Answered || us.Away {
		t.Errorf("UserStandup(Carol) = %+v, %v, %v; want Monday, not answered", us, ok, err)
	}
	if us, _, _ := h.m.StandupLog().UserStandup(context.Background(), "U0ALICE", h.clock.Now()); !us.Answered || !us.Prompt.Equal(at(t, "2026-11-23 09:00", berlin)) {
		t.Errorf("UserStandup(Alice) = %+v; want answered, prompted at 09:00", us)
	}

	h.runUntil(at(t, "2026-11-23 12:00", berlin))
	ack := ackText(t, h.command("U0CAROL", payments, "/standup", "history <@U0BOB|bob> 3"))
	if !strings.Contains(ack, "Tax export") || !strings.Contains(ack, "Last 30 days: answered 1 of 1 standups") {
		t.Errorf("/standup history @bob answered %s", ack)
	}

	// The preview reads the store as the summary would.
	h.stop()
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := preview(context.Background(), loaded, func(string) string { return "" }, "payments-standup", false, at(t, "2026-11-23 12:00", berlin), &out); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "preview", out.String(), "To C0PAYMENTS:", "Payments standup · Mon 23 Nov", "<@U0BOB>: Waiting on legal _(open since today)_", "Tax export", "2/8 answered")
}

// ackText is what a member reads of a command's acknowledgement.
func ackText(t *testing.T, ack string) string {
	t.Helper()
	if ack == "" {
		return "" // a bare acknowledgement (a modal opened)
	}
	var m struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(ack), &m); err != nil {
		t.Fatalf("ack %s: %v", ack, err)
	}
	if len(m.Blocks) == 0 {
		return m.Text
	}
	return m.Text + "\n" + blockText(t, slackfake.Message{Blocks: m.Blocks})
}
