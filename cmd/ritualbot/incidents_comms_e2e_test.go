package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/slackfake"
)

// commsConfig: two teams, a real rotation with an exec list for
// payments, and an incidents ritual that keeps stakeholders informed.
const commsConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
admins: [U0ADMIN]
teams:
  - {id: payments, name: Payments, channel: C0PAYMENTS, members: [U0ALICE, U0BOB, U0CAROL], leads: [U0ALICE], services: [checkout]}
  - {id: platform, name: Platform, channel: C0PLATFORM, members: [U0DAN, U0ERIN], leads: [U0DAN], services: [api]}
rituals:
  - name: payments-oncall
    kind: oncall
    team: payments
    handoff: "0 10 * * MON"
    start: 2026-11-23
    rotation: [U0BOB, U0CAROL]
    exec: [U0EXEC]
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments, platform]
    retro: {schedule: "0 10 * * MON-FRI", min_delay: 12h}
    alertmanager:
      open_when: {severity: [critical]}
      severity: sev1
    updates: {sev1: 30m, sev2: 1h}
    broadcast: {sev1: ["#exec-status", "#support"], sev2: [BROADCAST2]}
    page_exec: [sev1]
    channel_per_incident: [sev1]
    archive_after: 2d
  - name: weekly-digest
    kind: digest
    channel: C0LEADS
    teams: [payments, platform]
    schedule: "0 16 * * FRI"
`

func newCommsHarness(t *testing.T, start time.Time, sev2Broadcast string) *harness {
	t.Helper()
	fakeLimits, limits := loosened("chat.postMessage/channel", "chat.update", "conversations.create", "conversations.archive")
	h := newHarness(t, strings.ReplaceAll(commsConfig, "BROADCAST2", sev2Broadcast), start, slackfake.Options{RateLimits: fakeLimits})
	h.limits = limits
	everyone := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN", "U0ERIN", "U0EXEC", "U0ADMIN"}
	for _, id := range everyone {
		h.fake.AddUser(slackfake.User{ID: id, Name: strings.ToLower(id[2:]), TZ: "Europe/Berlin"})
	}
	for _, c := range []slackfake.Channel{
		{ID: "C0PAYMENTS", Name: "payments"}, {ID: "C0PLATFORM", Name: "platform"}, {ID: "C0INCIDENTS", Name: "incidents"},
		{ID: "C0LEADS", Name: "leads"}, {ID: "C0EXECSTATUS", Name: "exec-status"}, {ID: "C0SUPPORT", Name: "support"},
	} {
		c.Members = append(slices.Clone(everyone), "U0BOT")
		h.fake.AddChannel(c)
	}
	// A private channel nobody invited the bot to.
	h.fake.AddChannel(slackfake.Channel{ID: "C0HUSH", Name: "hush", IsPrivate: true, Members: []string{"U0ALICE"}})
	h.env[envWebhookToken] = webhookToken
	return h
}

// teamAlert posts a firing Alertmanager group whose alerts carry labels.
func (h *harness) teamAlert(group, summary string, labels map[string]string) {
	h.t.Helper()
	l := map[string]string{"alertname": "Errors", "severity": "critical"}
	for k, v := range labels {
		l[k] = v
	}
	body, _ := json.Marshal(map[string]any{
		"version": "4", "groupKey": group, "status": "firing", "receiver": "ritualbot", "truncatedAlerts": 0,
		"groupLabels": map[string]string{"alertname": "Errors"}, "commonLabels": l,
		"commonAnnotations": map[string]string{"summary": summary}, "externalURL": "http://alertmanager.example.com:9093",
		"alerts": []any{map[string]any{
			"status": "firing", "labels": l, "annotations": map[string]string{"summary": summary},
			"startsAt": h.clock.Now().UTC().Format(time.RFC3339), "endsAt": zeroTime,
			"generatorURL": "http://prometheus.example.com:9090/graph", "fingerprint": "f-" + group,
		}},
	})
	if code, out := h.post("/hooks/alertmanager", string(body), map[string]string{"Authorization": "Bearer " + webhookToken}); code != http.StatusOK {
		h.t.Fatalf("alertmanager %s: %d %s", group, code, out)
	}
	h.settle()
}

// roomOf is the channel the bot made for incident n.
func roomOf(h *harness, n int) (slackfake.Channel, bool) {
	for _, c := range h.fake.Channels() {
		if strings.HasPrefix(c.Name, fmt.Sprintf("inc-%d-", n)) {
			return c, true
		}
	}
	return slackfake.Channel{}, false
}

func TestSev1FromAlertmanagerKeepsStakeholdersInformed(t *testing.T) {
	t0 := at(t, "2026-12-01 14:00", berlin) // a Tuesday; Carol on call, U0EXEC the exec
	h := newCommsHarness(t, t0, "C0SUPPORT")
	h.start()

	// A sev3 is open already: without its own channel, a bare command
	// there could mean either incident.
	if ack := h.command("U0DAN", "C0INCIDENTS", "/incident", "declare sev3 Flaky CI runner"); !strings.Contains(ack, "Declared *#1") {
		t.Fatalf("declare: %s", ack)
	}
	h.teamAlert("{}:{alertname=\"Errors\"}", "Checkout error rate above 5%", map[string]string{"team": "payments"})

	// Announced in #incidents, for payments only, with Carol (on call) in command.
	ann := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #2: Checkout error rate above 5%", "#incidents")
	wantIn(t, "announcement", readable(t, ann), "SEV1", "*Commander*\n<@U0CAROL>", "*On call*\n<@U0CAROL> (Payments)")
	if inc, _, _ := h.m.DB.Incident(2); strings.Join(inc.Teams, ",") != "payments" || !slices.Contains(inc.Participants, "U0EXEC") {
		t.Errorf("incident #2: teams %v, participants %v; want payments only, the exec a participant", inc.Teams, inc.Participants)
	}
	// In both broadcast channels, once each, in plain language.
	bcast := map[string]slackfake.Message{}
	for _, ch := range []string{"C0EXECSTATUS", "C0SUPPORT"} {
		m := one(t, h.fake.ChannelMessages(ch), "Incident #2", ch)
		wantIn(t, ch, readable(t, m), "*Severity*\nSEV1", "Investigating", "*Impact*\nPayments", "*Next update*", "of Incident #2 in <#C0INCIDENTS>")
		bcast[ch] = m
	}
	// The exec on call is DMed with the summary and the way in.
	page := h.lastDM("U0EXEC", "Incident #2")
	wantIn(t, "exec DM", readable(t, page), "exec on call for Payments", "SEV1", "Checkout error rate above 5%",
		"<@U0CAROL> is the commander", "[Join the thread]")
	wantThreadLink(t, "exec DM", page, ann)
	if n := len(find(t, h.fake.DMs("U0EXEC"), "Incident #2")); n != 1 {
		t.Errorf("the exec got %d pages, want one, edited to link the thread", n)
	}
	// Slack opens the link and tells the app of the click: nothing to say.
	h.clickOn("U0EXEC", page, incident.ActionJoinThread)
	if got := find(t, h.fake.Ephemerals("U0EXEC"), ""); len(got) > 0 {
		t.Errorf("clicking the link answered %q", got[0].Text)
	}

	// Its own channel: made, people invited, announced, linked from the thread.
	h.waitFor("the incident's channel", func() bool { _, ok := roomOf(h, 2); return ok })
	h.settle()
	room, _ := roomOf(h, 2)
	if room.Name != "inc-2-checkout-error-rate-above-5" || !slices.Contains(room.Members, "U0CAROL") || !slices.Contains(room.Members, "U0EXEC") {
		t.Errorf("room %+v: want inc-2-checkout-error-rate-above-5 with Carol and the exec", room)
	}
	one(t, h.fake.ChannelMessages(room.ID), "Incident #2: Checkout error rate above 5%", "the incident's channel")
	one(t, h.fake.Replies("C0INCIDENTS", ann.TS), "has its own channel: <#"+room.ID+">", "the thread")

	// A command typed in that channel applies to its incident, though two are open.
	h.clock.Advance(10 * time.Minute) // 14:10
	if ack := h.command("U0CAROL", room.ID, "/incident", "update Rolled back deploy 4242"); !strings.Contains(ack, "timeline of #2") {
		t.Fatalf("update in the incident's channel: %s", ack)
	}
	for ch, m := range bcast {
		one(t, h.fake.Replies(ch, m.TS), "Rolled back deploy 4242", ch+"'s thread")
		top := topLevel(h.fake.ChannelMessages(ch))[0]
		wantIn(t, ch+" after the update", readable(t, top), "*Latest update*", "Rolled back deploy 4242")
		// Its link opens the incident's thread, known since the
		// announcement landed.
		wantThreadLink(t, ch, top, ann)
	}

	// An internal note stays in the incident's thread.
	h.clock.Advance(5 * time.Minute) // 14:15
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "update --internal #2 Suspect the pool size config")
	one(t, h.fake.Replies("C0INCIDENTS", ann.TS), "Suspect the pool size config", "the thread")
	for ch, m := range bcast {
		if got := find(t, append(h.fake.Replies(ch, m.TS), h.fake.ChannelMessages(ch)...), "Suspect the pool"); len(got) > 0 {
			t.Errorf("the internal note reached %s", ch)
		}
	}

	// 30 minutes of silence after 14:10 (the note does not count): one nudge.
	nudges := func() []slackfake.Message {
		return find(t, h.fake.Replies("C0INCIDENTS", ann.TS), "no status update on #2")
	}
	h.runUntil(at(t, "2026-12-01 14:39", berlin))
	if n := len(nudges()); n != 0 {
		t.Fatalf("%d nudges before 30 minutes of silence", n)
	}
	h.runUntil(at(t, "2026-12-01 14:41", berlin))
	if got := nudges(); len(got) != 1 {
		t.Fatalf("%d nudges at 30 minutes of silence, want 1", len(got))
	} else {
		wantIn(t, "nudge", readable(t, got[0]), "<@U0CAROL>", "for 30m", "every 30m", "Since the last update:", "1 note in the thread", "<#C0EXECSTATUS>")
	}
	// One per silence, across a restart too, and none while updates keep coming.
	h.restart()
	h.runUntil(at(t, "2026-12-01 14:55", berlin))
	if n := len(nudges()); n != 1 {
		t.Fatalf("%d nudges after a restart in the same silence, want 1", n)
	}
	for _, ts := range []string{"14:55", "15:15", "15:35"} {
		h.runUntil(at(t, "2026-12-01 "+ts, berlin))
		h.command("U0CAROL", room.ID, "/incident", "update Still watching, "+ts)
	}
	h.runUntil(at(t, "2026-12-01 16:04", berlin))
	if n := len(nudges()); n != 1 {
		t.Errorf("%d nudges while updates came every 20 minutes, want still 1", n)
	}
	h.runUntil(at(t, "2026-12-01 16:06", berlin))
	if n := len(nudges()); n != 2 {
		t.Errorf("%d nudges after the next 30 minutes of silence, want 2", n)
	}

	// Resolved: the broadcast messages say so, in place.
	h.command("U0CAROL", room.ID, "/incident", "resolve Pool size raised")
	if a := topLevel(h.fake.ChannelMessages(room.ID)); len(a) != 1 || !strings.Contains(readable(t, a[0]), "*Resolved* after") {
		t.Errorf("the incident channel's announcement is not kept in step: %d messages", len(a))
	}
	for ch, m := range bcast {
		msgs := topLevel(h.fake.ChannelMessages(ch))
		if len(msgs) != 1 || !strings.Contains(readable(t, msgs[0]), "Resolved after") || msgs[0].EditCount == 0 {
			t.Errorf("%s after resolve: %d messages, first %q", ch, len(msgs), readable(t, msgs[0]))
		}
		one(t, h.fake.Replies(ch, m.TS), "*Resolved*", ch+"'s thread")
	}

	// Published on Thursday; the channel is archived two days later.
	h.runUntil(at(t, "2026-12-03 11:00", berlin))
	if ack := h.command("U0ADMIN", "C0INCIDENTS", "/incident", "publish #2"); !strings.Contains(ack, "Published") {
		t.Fatalf("publish: %s", ack)
	}
	h.runUntil(at(t, "2026-12-05 10:59", berlin))
	if r, _ := roomOf(h, 2); r.Archived {
		t.Fatal("archived before archive_after")
	}
	h.runUntil(at(t, "2026-12-05 11:01", berlin))
	if r, _ := roomOf(h, 2); !r.Archived {
		t.Error("the incident's channel was not archived 2d after the postmortem")
	}
	one(t, h.fake.Replies("C0INCIDENTS", ann.TS), "Archived #inc-2-", "the thread")
}

// Escalating to a severity that asks for more brings it in then.
// wantThreadLink checks that m links the thread of ann by its permalink,
// whose path names the thread's channel and ts, as Slack's permalinks do.
func wantThreadLink(t *testing.T, what string, m, ann slackfake.Message) {
	t.Helper()
	want := "/archives/C0INCIDENTS/p" + strings.ReplaceAll(ann.TS, ".", "")
	for _, u := range regexp.MustCompile(`https?://[^"|>\\]+`).FindAllString(string(m.Blocks), -1) {
		if p, err := url.Parse(u); err == nil && p.Path == want {
			return
		}
	}
	t.Errorf("%s does not link the thread (%s): %s", what, want, m.Blocks)
}

func TestEscalationPagesTheExecAndWidensTheBroadcast(t *testing.T) {
	h := newCommsHarness(t, at(t, "2026-12-01 14:00", berlin), "C0SUPPORT")
	h.start()
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Refunds delayed")
	one(t, h.fake.ChannelMessages("C0SUPPORT"), "Incident #1", "#support")
	if n := len(h.fake.ChannelMessages("C0EXECSTATUS")) + len(h.fake.DMs("U0EXEC")); n != 0 {
		t.Fatalf("a sev2 reached the exec: %d messages", n)
	}
	h.clock.Advance(10 * time.Minute)
	h.command("U0BOB", "C0INCIDENTS", "/incident", "sev #1 sev1")
	wantIn(t, "#exec-status", readable(t, one(t, h.fake.ChannelMessages("C0EXECSTATUS"), "Incident #1", "#exec-status")), "*Severity*\nSEV1")
	sup := topLevel(h.fake.ChannelMessages("C0SUPPORT"))
	if len(sup) != 1 || !strings.Contains(readable(t, sup[0]), "*Severity*\nSEV1") {
		t.Errorf("#support: %d messages, want its one message edited to SEV1", len(sup))
	}
	one(t, h.fake.Replies("C0SUPPORT", sup[0].TS), "SEV2 → SEV1", "#support's thread")
	h.lastDM("U0EXEC", "Incident #1")
	h.waitFor("the sev1's channel", func() bool { _, ok := roomOf(h, 1); return ok })
	h.clock.Advance(10 * time.Minute)
	h.command("U0BOB", "C0INCIDENTS", "/incident", "sev #1 sev2")
	h.command("U0BOB", "C0INCIDENTS", "/incident", "sev #1 sev1")
	if n := len(find(t, h.fake.DMs("U0EXEC"), "Incident #1")); n != 1 {
		t.Errorf("the exec was paged %d times, want once", n)
	}
}

func TestIncidentsCountOnlyUnderTheirTeamsInDigestAndDORA(t *testing.T) {
	t0 := at(t, "2026-12-01 09:00", berlin)
	h := newCommsHarness(t, t0, "C0SUPPORT")
	h.start()
	// A deploy of each team's service, each followed by an incident of that team.
	h.deploy(`{"service":"checkout","environment":"production","sha":"a1","status":"success","started_at":"2026-12-01T07:50:00Z","finished_at":"2026-12-01T08:00:00Z","commits":[{"sha":"a1","timestamp":"2026-11-30T12:00:00Z"}]}`)
	h.deploy(`{"service":"api","environment":"production","sha":"b1","status":"success","started_at":"2026-12-01T07:50:00Z","finished_at":"2026-12-01T08:00:00Z","commits":[{"sha":"b1","timestamp":"2026-11-30T12:00:00Z"}]}`)
	h.clock.Advance(10 * time.Minute)
	h.teamAlert("{}:{alertname=\"Checkout\"}", "Checkout failing", map[string]string{"service": "checkout"})
	// Alice is of payments, but names platform.
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 platform API latency high"); !strings.Contains(ack, "Declared *#2") {
		t.Fatalf("declare: %s", ack)
	}
	// Each team's App Home shows its own open incident only.
	for user, want := range map[string]string{"U0ERIN": "#2 API latency high", "U0BOB": "#1 Checkout failing"} {
		home := h.home(user)
		if !strings.Contains(home, "1 open incident") || !strings.Contains(home, want) {
			t.Errorf("App Home of %s, want only %q:\n%s", user, want, home)
		}
	}
	h.clock.Advance(40 * time.Minute)
	h.command("U0CAROL", "C0INCIDENTS", "/incident", "resolve #1")
	h.clock.Advance(40 * time.Minute)
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #2"); !strings.Contains(ack, "Resolved #2") {
		t.Errorf("resolve #2: %s", ack)
	}

	h.clock.Advance(time.Minute)
	ack := h.command("U0ALICE", "C0LEADS", "/digest", "preview")
	for _, want := range []string{"Payments: 1 deploy, 1 incident", "Platform: 1 deploy, 1 incident"} {
		if !strings.Contains(ack, want) {
			t.Errorf("digest preview lacks %q:\n%s", want, ack)
		}
	}
	if n := strings.Count(ack, "1 of 1 deploy"); n != 2 {
		t.Errorf("change failure rate: %d teams at 1 of 1 deploy, want both:\n%s", n, ack)
	}
	for _, want := range []string{"*Time to restore*\\n40m", "*Time to restore*\\n1h 20m"} { // each team's own
		if !strings.Contains(ack, want) {
			t.Errorf("time to restore %s missing:\n%s", want, ack)
		}
	}

	// Once resolved, its teams are its stewards' to change.
	if ack := h.command("U0ERIN", "C0INCIDENTS", "/incident", "team #1 platform"); !strings.Contains(ack, `only \u003c@U0CAROL\u003e (the commander), a lead of its teams or an admin can change its teams`) {
		t.Errorf("Erin changed a resolved incident's teams: %s", ack)
	}
	// Moved to payments: now both count there, none for platform.
	if ack := h.command("U0DAN", "C0INCIDENTS", "/incident", "team #2 payments"); !strings.Contains(ack, "#2 now belongs to Payments") {
		t.Errorf("/incident team: %s", ack)
	}
	ack = h.command("U0ALICE", "C0LEADS", "/digest", "preview")
	if !strings.Contains(ack, "Payments: 1 deploy, 2 incidents") || !strings.Contains(ack, "Platform: 1 deploy, 0 incidents") {
		t.Errorf("after /incident team:\n%s", ack)
	}
}

func TestIncidentCommsBadInput(t *testing.T) {
	t0 := at(t, "2026-12-01 14:00", berlin)
	h := newCommsHarness(t, t0, "C0HUSH")
	h.fake.WithholdScope("channels:manage", true)
	h.start()

	// An unknown team: refused, nothing declared.
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 #nowhere Checkout down"); !strings.Contains(ack, "`#nowhere` is not a team") {
		t.Errorf("unknown team: %s", ack)
	}
	if n := len(h.fake.ChannelMessages("C0INCIDENTS")); n != 0 {
		t.Fatalf("an unknown team declared something: %d messages", n)
	}

	// A sev2 whose stakeholder channel the bot cannot post to: the
	// commander is told once, the log says why, the incident goes on.
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Refunds delayed")
	h.waitFor("the commander told of the unreachable channel", func() bool {
		return len(find(t, h.fake.DMs("U0ALICE"), "could not post #1's status")) > 0
	})
	wantIn(t, "DM", readable(t, h.lastDM("U0ALICE", "could not post")), "<#C0HUSH>", "channel_not_found", "invite me")
	if !strings.Contains(h.logs.String(), "stakeholder channel refused") {
		t.Errorf("no clear log line:\n%s", h.logs.String())
	}
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "update #1 Refunds queue draining")
	ann := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1", "#incidents")
	one(t, h.fake.Replies("C0INCIDENTS", ann.TS), "Refunds queue draining", "the thread")
	if n := len(find(t, h.fake.DMs("U0ALICE"), "could not post")); n != 1 {
		t.Errorf("told %d times, want once", n)
	}

	// A sev1 without channels:manage: a clear note in the thread, which stays the home.
	h.teamAlert("{}:{alertname=\"Errors\"}", "Checkout down", map[string]string{"team": "payments"})
	ann2 := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #2", "#incidents")
	h.waitFor("the missing scope note", func() bool {
		return len(find(t, h.fake.Replies("C0INCIDENTS", ann2.TS), "lacks the `channels:manage` scope")) > 0
	})
	if _, ok := roomOf(h, 2); ok {
		t.Error("a channel was made without the scope")
	}
	if !strings.Contains(h.logs.String(), "missing_scope") {
		t.Error("the missing scope is not logged")
	}
	h.command("U0CAROL", "C0INCIDENTS", "/incident", "update #2 Failing over")
	one(t, h.fake.Replies("C0INCIDENTS", ann2.TS), "Failing over", "the thread")

	// With the scope but a workspace that forbids it; and a name taken.
	h.fake.WithholdScope("channels:manage", false)
	h.fake.RestrictChannelCreation(true)
	h.teamAlert("{}:{alertname=\"Api\"}", "API down", map[string]string{"team": "platform"})
	ann3 := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #3", "#incidents")
	h.waitFor("the restricted note", func() bool {
		return len(find(t, h.fake.Replies("C0INCIDENTS", ann3.TS), "does not let apps create channels")) > 0
	})
	h.fake.RestrictChannelCreation(false)
	h.fake.AddChannel(slackfake.Channel{ID: "C0TAKEN", Name: "inc-4-db-down"})
	h.teamAlert("{}:{alertname=\"Db\"}", "DB down", map[string]string{"team": "platform"})
	h.waitFor("a channel under another name", func() bool {
		for _, c := range h.fake.Channels() {
			if c.Name == "inc-4-db-down-2" {
				return true
			}
		}
		return false
	})
}

// The manifest asks for channel scopes only when incident channels are
// on (the on-call topic asks for them too, so this config has no rotation).
func TestManifestAsksForChannelScopesOnlyForIncidentChannels(t *testing.T) {
	base := "timezone: Europe/Berlin\nteams: [{id: payments, channel: C0PAY}]\nrituals:\n  - {name: incidents, kind: incidents, channel: C0INC, teams: [payments]"
	for _, on := range []bool{true, false} {
		cfg := base + "}\n"
		if on {
			cfg = base + ", channel_per_incident: [sev1]}\n"
		}
		loaded, err := config.Parse("c.yaml", []byte(cfg), configKinds())
		if err != nil {
			t.Fatal(err)
		}
		out, err := manifest(loaded)
		if err != nil {
			t.Fatal(err)
		}
		for _, scope := range []string{"channels:manage", "groups:write"} {
			if got := strings.Contains(string(out), scope); got != on {
				t.Errorf("channel_per_incident %v: %s in the manifest %v", on, scope, got)
			}
		}
	}
}

// A conversations.create that Slack carried out but whose answer was lost
// leaves one channel, which the retry adopts, not a second one.
func TestIncidentChannelAfterALostAnswerIsAdoptedNotDuplicated(t *testing.T) {
	h := newCommsHarness(t, at(t, "2026-12-01 14:00", berlin), "C0SUPPORT")
	h.fake.FailNext("conversations.create", 1, slackfake.Fault{Accepted: true, CloseConn: true})
	h.start()
	h.teamAlert("{}:{alertname=\"Errors\"}", "Checkout down", map[string]string{"team": "payments"})
	ann := one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1", "#incidents")
	h.runUntil(h.clock.Now().Add(2 * time.Minute))
	var made []slackfake.Channel
	for _, c := range h.fake.Channels() {
		if strings.HasPrefix(c.Name, "inc-1-") {
			made = append(made, c)
		}
	}
	if len(made) != 1 || made[0].Name != "inc-1-checkout-down" {
		t.Fatalf("channels made: %+v, want inc-1-checkout-down once", made)
	}
	one(t, h.fake.Replies("C0INCIDENTS", ann.TS), "has its own channel: <#"+made[0].ID+">", "the thread")
	if !slices.Contains(made[0].Members, "U0CAROL") {
		t.Errorf("the adopted channel's members %v lack the commander", made[0].Members)
	}
}

// A page_exec with no exec list in any rotation of the ritual's teams
// would page nobody: validate and start-up warn, naming the line.
func TestPageExecWithNobodyToPageIsWarned(t *testing.T) {
	noExec := strings.Replace(commsConfig, "    exec: [U0EXEC]\n", "", 1)
	line := 1 + strings.Count(noExec[:strings.Index(noExec, "page_exec:")], "\n")
	validate := func(yaml string) string {
		h := newHarness(t, strings.ReplaceAll(yaml, "BROADCAST2", "C0SUPPORT"), at(t, "2026-12-01 14:00", berlin), slackfake.Options{})
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"validate", "--config", h.cfg}, &out, &errOut, func(string) string { return "" }); code != 0 {
			t.Fatalf("validate exited %d: %s", code, errOut.String())
		}
		return errOut.String()
	}
	want := fmt.Sprintf("config.yaml:%d: rituals[1].page_exec: nobody would be paged", line)
	if got := validate(noExec); !strings.Contains(got, "warning: ") || !strings.Contains(got, want) {
		t.Errorf("validate without an exec list: stderr %q, want a warning %q", got, want)
	}
	if got := validate(commsConfig); strings.Contains(got, "warning") {
		t.Errorf("validate with an exec list warned: %q", got)
	}

	h := newCommsHarness(t, at(t, "2026-12-01 14:00", berlin), "C0SUPPORT")
	data, err := os.ReadFile(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.cfg, []byte(strings.Replace(string(data), "    exec: [U0EXEC]\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	h.start()
	if logs := grepLines(h.logs.String(), `"level":"warn"`); !strings.Contains(logs, want) {
		t.Errorf("start-up did not warn %q; warnings:\n%s", want, logs)
	}
}
