package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// Plain fakes of the other rituals' logs (rituals/links.go), with function
// fields. The standup, on-call and incidents rituals that provide them are
// built on other branches; the digest reads them through Main's accessors,
// so a test sets them on Main.

type fakeStandupLog struct {
	ParticipationFn func(team string, from, to time.Time) (rituals.Participation, error)
	OpenBlockersFn  func(team string) ([]rituals.Blocker, error)
	UserStandupFn   func(ctx context.Context, user string, now time.Time) (rituals.UserStandup, bool, error)
}

func (f *fakeStandupLog) Participation(team string, from, to time.Time) (rituals.Participation, error) {
	return f.ParticipationFn(team, from, to)
}
func (f *fakeStandupLog) OpenBlockers(team string) ([]rituals.Blocker, error) {
	return f.OpenBlockersFn(team)
}
func (f *fakeStandupLog) UserStandup(ctx context.Context, user string, now time.Time) (rituals.UserStandup, bool, error) {
	return f.UserStandupFn(ctx, user, now)
}

type fakeIncidentLog struct {
	IncidentsBetweenFn func(team string, from, to time.Time) ([]rituals.IncidentBrief, error)
	OpenIncidentsFn    func(team string) ([]rituals.IncidentBrief, error)
	ActionsFn          func(team string) ([]rituals.ActionBrief, error)
	OpenActionsFn      func(user string) ([]rituals.ActionBrief, error)
}

func (f *fakeIncidentLog) IncidentsBetween(team string, from, to time.Time) ([]rituals.IncidentBrief, error) {
	return f.IncidentsBetweenFn(team, from, to)
}
func (f *fakeIncidentLog) OpenIncidents(team string) ([]rituals.IncidentBrief, error) {
	return f.OpenIncidentsFn(team)
}
func (f *fakeIncidentLog) Actions(team string) ([]rituals.ActionBrief, error) {
	return f.ActionsFn(team)
}
func (f *fakeIncidentLog) OpenActions(user string) ([]rituals.ActionBrief, error) {
	return f.OpenActionsFn(user)
}

type fakeOnCallSchedule struct {
	ShiftsBetweenFn func(team string, from, to time.Time) ([]rituals.ShiftBrief, error)
	NextShiftFn     func(user string, at time.Time) (rituals.ShiftBrief, bool, error)
}

func (f *fakeOnCallSchedule) ShiftsBetween(team string, from, to time.Time) ([]rituals.ShiftBrief, error) {
	return f.ShiftsBetweenFn(team, from, to)
}
func (f *fakeOnCallSchedule) NextShift(user string, at time.Time) (rituals.ShiftBrief, bool, error) {
	return f.NextShiftFn(user, at)
}

const digestConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
admins: [U0ADMIN]
teams:
  - id: payments
    name: Payments
    channel: C0PAYMENTS
    members: [U0ALICE, U0BOB, U0CAROL]
    leads: [U0ALICE]
    services: [checkout, ledger]
  - id: search
    name: Search
    channel: C0SEARCH
    members: [U0DAN]
    leads: [U0DAN]
    services: [search-api]
rituals:
  - name: weekly-digest
    kind: digest
    channel: C0DIGEST
    schedule: "0 16 * * FRI"
    teams: [payments, search]
`

const githubSecret = "github-secret-1"

// digestWorld is two weeks of a team's life, as the other rituals would
// report it: the hand-made facts the expected figures are computed from.
type digestWorld struct {
	t     *testing.T
	clock *rituals.FakeClock
}

func (w digestWorld) at(s string) time.Time { return at(w.t, s, berlin) }

func (w digestWorld) incidents() []rituals.IncidentBrief {
	return []rituals.IncidentBrief{
		// Week 1: at night, no deploy in the 24 hours before; its retro
		// was published in time.
		{Number: 1, Title: "Ledger lag", Severity: "sev2", Commander: "U0BOB", Teams: []string{"payments"}, Source: "alertmanager",
			Opened: w.at("2026-11-14 03:00"), Resolved: w.at("2026-11-14 04:30"), Alerts: 2,
			RetroDue: w.at("2026-11-18 12:00"), RetroPublished: w.at("2026-11-19 10:00")},
		// Week 2: 1h30 after the GitHub deploy of checkout, which caused
		// it; its retro is overdue. Reported twice, as an incident log
		// fed by several events might: it counts once.
		{Number: 2, Title: "Checkout errors", Severity: "sev1", Commander: "U0ALICE", Teams: []string{"payments"}, Source: "slack",
			Opened: w.at("2026-11-24 14:00"), Resolved: w.at("2026-11-24 15:00"), Alerts: 3, RetroDue: w.at("2026-11-26 12:00")},
		{Number: 2, Title: "Checkout errors", Severity: "sev1", Commander: "U0ALICE", Teams: []string{"payments"}, Source: "slack",
			Opened: w.at("2026-11-24 14:00"), Alerts: 3, RetroDue: w.at("2026-11-26 12:00")},
		// Week 2: 25 hours after the last deploy, so no deploy's fault;
		// still open.
		{Number: 3, Title: "Refund queue backlog", Severity: "sev3", Commander: "U0CAROL", Teams: []string{"payments"}, Source: "pagerduty",
			Opened: w.at("2026-11-27 10:00"), Alerts: 1},
	}
}

func (w digestWorld) actions() []rituals.ActionBrief {
	return []rituals.ActionBrief{
		{ID: "a1", Incident: 1, Owner: "U0BOB", Text: "Alert on ledger lag", Due: rituals.Date{Year: 2026, Month: 11, Day: 20},
			Created: w.at("2026-11-19 10:00"), Closed: w.at("2026-11-25 10:00")},
		{ID: "a2", Incident: 2, Owner: "U0ALICE", Text: "Roll back checkout faster", Due: rituals.Date{Year: 2026, Month: 11, Day: 25},
			Created: w.at("2026-11-24 15:00")},
		{ID: "a3", Incident: 2, Owner: "U0CAROL", Text: "Canary checkout deploys", Created: w.at("2026-11-24 15:00")},
	}
}

// shifts: weekly handoffs on Monday at 09:00, Alice and Bob in turn.
func (w digestWorld) shifts() []rituals.ShiftBrief {
	var out []rituals.ShiftBrief
	start := w.at("2026-11-02 09:00")
	for i := 0; i < 8; i++ {
		user := "U0ALICE"
		if i%2 == 1 {
			user = "U0BOB"
		}
		out = append(out, rituals.ShiftBrief{Ritual: "payments-oncall", Team: "payments", User: user,
			Start: start.AddDate(0, 0, 7*i), End: start.AddDate(0, 0, 7*(i+1))})
	}
	return out
}

func (w digestWorld) install(m *Main) {
	now := w.clock.Now
	m.incidents = &fakeIncidentLog{
		IncidentsBetweenFn: func(team string, from, to time.Time) ([]rituals.IncidentBrief, error) {
			var out []rituals.IncidentBrief
			for _, in := range w.incidents() {
				if team == "payments" && !in.Opened.Before(from) && in.Opened.Before(to) && !in.Opened.After(now()) {
					out = append(out, in)
				}
			}
			return out, nil
		},
		OpenIncidentsFn: func(team string) ([]rituals.IncidentBrief, error) {
			var out []rituals.IncidentBrief
			for _, in := range w.incidents() {
				if team == "payments" && in.Resolved.IsZero() && !in.Opened.After(now()) && in.Number != 2 {
					out = append(out, in)
				}
			}
			return out, nil
		},
		ActionsFn: func(team string) ([]rituals.ActionBrief, error) {
			var out []rituals.ActionBrief
			for _, a := range w.actions() {
				if team == "payments" && !a.Created.After(now()) {
					out = append(out, a)
				}
			}
			return out, nil
		},
		OpenActionsFn: func(user string) ([]rituals.ActionBrief, error) {
			var out []rituals.ActionBrief
			for _, a := range w.actions() {
				if a.Owner == user && !a.Done() && !a.Created.After(now()) {
					out = append(out, a)
				}
			}
			return out, nil
		},
	}
	m.standupLog = &fakeStandupLog{
		// Week 1: 15 member-days, 13 answered. Week 2: 15 asked, 11
		// answered, 1 skipped, 2 away (Carol out of office Thursday and
		// Friday). Before that, no standup.
		ParticipationFn: func(team string, from, to time.Time) (rituals.Participation, error) {
			if team != "payments" {
				return rituals.Participation{}, nil
			}
			switch {
			case from.Equal(w.at("2026-11-13 16:00")):
				return rituals.Participation{Days: 5, Expected: 15, Answered: 13}, nil
			case from.Equal(w.at("2026-11-20 16:00")):
				return rituals.Participation{Days: 5, Expected: 15, Answered: 11, Skipped: 1, Away: 2}, nil
			}
			return rituals.Participation{}, nil
		},
		OpenBlockersFn: func(team string) ([]rituals.Blocker, error) {
			all := []rituals.Blocker{
				{ID: "b1", Ritual: "payments-standup", Team: "payments", User: "U0BOB", Text: "Waiting on PCI audit sign-off", Opened: w.at("2026-11-18 10:00")},
				{ID: "b2", Ritual: "payments-standup", Team: "payments", User: "U0CAROL", Text: "Staging DB <flaky> & slow", Opened: w.at("2026-11-26 10:00")},
			}
			var out []rituals.Blocker
			for _, b := range all {
				if team == "payments" && !b.Opened.After(now()) {
					out = append(out, b)
				}
			}
			return out, nil
		},
		UserStandupFn: func(_ context.Context, user string, at time.Time) (rituals.UserStandup, bool, error) {
			if user != "U0ALICE" && user != "U0BOB" {
				return rituals.UserStandup{}, false, nil
			}
			return rituals.UserStandup{Ritual: "payments-standup", Team: "payments", Date: rituals.DateOf(at.In(berlin)),
				Prompt: w.at("2026-11-27 09:00"), Answered: user == "U0ALICE"}, true, nil
		},
	}
	m.onCallSchedule = &fakeOnCallSchedule{
		ShiftsBetweenFn: func(team string, from, to time.Time) ([]rituals.ShiftBrief, error) {
			var out []rituals.ShiftBrief
			for _, s := range w.shifts() {
				if team == s.Team && s.Start.Before(to) && s.End.After(from) {
					out = append(out, s)
				}
			}
			return out, nil
		},
		NextShiftFn: func(user string, at time.Time) (rituals.ShiftBrief, bool, error) {
			for _, s := range w.shifts() {
				if s.User == user && s.End.After(at) {
					return s, true, nil
				}
			}
			return rituals.ShiftBrief{}, false, nil
		},
	}
}

func (h *harness) github(event, body, signature string) (int, string) {
	h.t.Helper()
	return h.post("/hooks/github", body, map[string]string{
		"X-GitHub-Event": event, "X-Hub-Signature-256": signature, "X-GitHub-Delivery": "d-" + event,
	})
}

const githubDeployment = `{
  "action": "created",
  "deployment_status": {"id": 9001, "state": "success", "environment": "production",
    "created_at": "2026-11-24T11:30:00Z", "updated_at": "2026-11-24T11:30:00Z", "creator": {"login": "github-actions[bot]"}},
  "deployment": {"id": 4242, "sha": "5e1f0c2a9b", "ref": "main", "task": "deploy", "payload": {},
    "original_environment": "production", "environment": "production", "created_at": "2026-11-24T11:20:00Z",
    "updated_at": "2026-11-24T11:30:00Z", "production_environment": true},
  "repository": {"id": 123, "name": "checkout", "full_name": "acme/checkout"},
  "sender": {"login": "github-actions[bot]"}
}`

const githubPush = `{
  "ref": "refs/heads/main", "before": "0d1a2b3c4d", "after": "5e1f0c2a9b", "deleted": false,
  "commits": [{"id": "5e1f0c2a9b", "distinct": true, "message": "Retry card auth (#42)", "timestamp": "2026-11-24T10:15:00+01:00",
    "author": {"name": "Alice", "email": "alice@example.com"}}],
  "head_commit": {"id": "5e1f0c2a9b", "timestamp": "2026-11-24T10:15:00+01:00"},
  "repository": {"id": 123, "name": "checkout", "full_name": "acme/checkout"}
}`

func newDigestHarness(t *testing.T) (*harness, digestWorld) {
	// A restart opens a second connection within a minute: more than
	// Slack's Tier 1 allows apps.connections.open, which is not what
	// these tests are about.
	opts := slackfake.Options{RateLimits: map[string]slackfake.Limit{"apps.connections.open": {PerMinute: 60, Burst: 20}}}
	h := newHarness(t, digestConfig, at(t, "2026-11-16 08:00", berlin), opts)
	h.env[envWebhookToken] = webhookToken
	h.env[envGitHubSecret] = githubSecret
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0BOT", "U0ALICE", "U0BOB", "U0CAROL"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0SEARCH", Name: "search", Members: []string{"U0BOT", "U0DAN"}})
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "eng-digest", Members: []string{"U0BOT", "U0ALICE", "U0ADMIN"}})
	for _, u := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN", "U0ADMIN"} {
		h.fake.AddUser(slackfake.User{ID: u, Name: strings.ToLower(u[3:]), TZ: "Europe/Berlin"})
	}
	return h, digestWorld{t: t, clock: h.clock}
}

func TestDigestOverTwoWeeks(t *testing.T) {
	h, world := newDigestHarness(t)
	h.start()
	world.install(h.m)

	// Week 1. Deploys through the deploy webhook, one to staging.
	h.runUntil(world.at("2026-11-17 10:05"))
	h.deploy(`{"service":"checkout","environment":"production","sha":"c1","status":"success",
	  "started_at":"2026-11-17T08:55:00Z","finished_at":"2026-11-17T09:00:00Z",
	  "commits":[{"sha":"c1","timestamp":"2026-11-16T09:00:00Z"}]}`) // lead time 24h
	if code, out := h.post("/hooks/deploy", `{"service":"checkout","environment":"staging","sha":"c1","status":"success","finished_at":"2026-11-17T08:00:00Z"}`,
		map[string]string{"Authorization": "Bearer " + webhookToken}); code != http.StatusAccepted || !strings.Contains(out, "only production deploys count") {
		t.Errorf("staging deploy: %d %s, want 202 ignored", code, out)
	}
	if code, _ := h.post("/hooks/deploy", `{}`, map[string]string{"Authorization": "Bearer wrong"}); code != http.StatusUnauthorized {
		t.Errorf("deploy with a wrong token: %d, want 401", code)
	}
	if code, out := h.post("/hooks/deploy", `{"service":"checkout"}`, map[string]string{"Authorization": "Bearer " + webhookToken}); code != http.StatusBadRequest || !strings.Contains(out, "environment") {
		t.Errorf("malformed deploy: %d %s, want 400 with the reason", code, out)
	}
	h.runUntil(world.at("2026-11-18 15:05"))
	h.deploy(`{"service":"ledger","environment":"production","sha":"c2","status":"success",
	  "finished_at":"2026-11-18T14:00:00Z","commits":[{"sha":"c2","timestamp":"2026-11-18T10:00:00Z"}]}`) // 4h
	if ack := h.command("U0ALICE", "C0PAYMENTS", "/digest", "highlight Ledger migrated to the new cluster"); !strings.Contains(ack, "Added to the highlights of *Payments*") ||
		!strings.Contains(ack, "Fri 20 Nov at 16:00") {
		t.Errorf("highlight ack = %s", ack)
	}
	h.runUntil(world.at("2026-11-20 16:30"))

	digests := h.fake.ChannelMessages("C0DIGEST")
	if len(digests) != 2 { // the digest and its chart
		t.Fatalf("%d messages in the digest channel after week 1, want the digest and its chart: %q", len(digests), texts(digests))
	}
	week1 := strings.Join(blockParts(t, digests[0].Blocks), "\n")
	wantIn(t, "week 1 digest", week1,
		"*Postmortems:* <https://ritualbot.example.com/incidents/1/postmortem.md|#1 Ledger lag>",
		"• Ledger migrated to the new cluster — <@U0ALICE>",
		"*Deploys*\n2 · 0.3/day ↑ 2 :large_green_circle:",
	)

	// Week 2. A failed deploy of checkout, then its redeploy.
	h.runUntil(world.at("2026-11-23 14:05"))
	h.deploy(`{"service":"checkout","environment":"production","sha":"c3","status":"failure",
	  "started_at":"2026-11-23T09:50:00Z","finished_at":"2026-11-23T10:00:00Z","commits":[{"sha":"c3","timestamp":"2026-11-23T08:00:00Z"}]}`)
	h.deploy(`{"service":"checkout","environment":"production","sha":"c3","status":"success",
	  "started_at":"2026-11-23T12:50:00Z","finished_at":"2026-11-23T13:00:00Z",
	  "commits":[{"sha":"c3","timestamp":"2026-11-23T08:00:00Z"},{"sha":"c4","timestamp":"2026-11-20T16:00:00Z"}]}`) // 5h, 69h

	// GitHub: the push of a squash merge, then the deployment. A forged
	// delivery is refused and stores nothing; a redelivery counts once.
	h.runUntil(world.at("2026-11-24 12:35"))
	if code, _ := h.github("push", githubPush, webhooks.Sign(githubSecret, []byte(githubPush))); code != http.StatusOK {
		t.Fatalf("push: %d", code)
	}
	if code, _ := h.github("deployment_status", githubDeployment, webhooks.Sign("not the secret", []byte(githubDeployment))); code != http.StatusUnauthorized {
		t.Errorf("forged deployment_status: %d, want 401", code)
	}
	if _, ok, _ := h.m.DB.Deploy("github:acme/checkout:4242"); ok {
		t.Fatal("a deployment with a bad signature was stored")
	}
	for i, want := range []string{`"outcome":"recorded"`, `"outcome":"duplicate"`} {
		code, out := h.github("deployment_status", githubDeployment, webhooks.Sign(githubSecret, []byte(githubDeployment)))
		if code != http.StatusOK || !strings.Contains(out, want) {
			t.Errorf("delivery %d: %d %s, want %s", i+1, code, out, want)
		}
	}
	_, metrics := h.get("/metrics")
	for _, want := range []string{`ritualbot_webhook_events_total{outcome="duplicate",source="github"} 1`, `ritualbot_webhook_events_total{outcome="unauthorized",source="github"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "webhook"))
		}
	}

	// Highlights and risks: from the lead; a member may not; an admin names the team.
	h.runUntil(world.at("2026-11-25 11:00"))
	h.command("U0ALICE", "C0PAYMENTS", "/digest", "highlight Card retries shipped: checkout errors down 40%")
	if ack := h.command("U0BOB", "C0PAYMENTS", "/digest", "risk We are all doomed"); !strings.Contains(ack, "Only team leads and admins") {
		t.Errorf("a member's risk: %s", ack)
	}
	if ack := h.command("U0ADMIN", "C0DIGEST", "/digest", "highlight Reindex finished two days early"); !strings.Contains(ack, "start with the team") {
		t.Errorf("an admin without a team: %s", ack)
	}
	h.command("U0ADMIN", "C0DIGEST", "/digest", "highlight search Reindex finished two days early")
	h.runUntil(world.at("2026-11-26 10:05"))
	h.command("U0ALICE", "C0PAYMENTS", "/digest", "risk PCI audit sign-off is late; the <!channel> Q1 launch may slip")
	h.deploy(`{"service":"ledger","environment":"production","sha":"c5","status":"success",
	  "finished_at":"2026-11-26T08:00:00Z","commits":[{"sha":"c5","timestamp":"2026-11-25T08:00:00Z"}]}`) // 24h
	h.deploy(`{"service":"search-api","environment":"production","sha":"s1","status":"success","finished_at":"2026-11-26T09:00:00Z"}`)
	h.deploy(`{"service":"billing","environment":"production","sha":"x1","status":"success","finished_at":"2026-11-26T09:00:00Z"}`)

	// Anyone may preview, only they see it.
	if ack := h.command("U0BOB", "C0PAYMENTS", "/digest", "preview"); !strings.Contains(ack, `"response_type":"ephemeral"`) || !strings.Contains(ack, "Preview, only you see it") ||
		!strings.Contains(ack, "Card retries shipped") {
		t.Errorf("preview ack = %.600s", ack)
	}

	h.runUntil(world.at("2026-11-27 16:30"))
	digests = h.fake.ChannelMessages("C0DIGEST")
	if len(digests) != 4 {
		t.Fatalf("%d messages in the digest channel, want two digests with a chart each: %q", len(digests), texts(digests))
	}
	if n := len(h.fake.ChannelMessages("C0PAYMENTS")) + len(h.fake.ChannelMessages("C0SEARCH")); n != 0 {
		t.Errorf("%d messages in the team channels, want the digest in its own channel only", n)
	}
	d := digests[2]
	if got := tsTime(t, d.TS); !got.Equal(world.at("2026-11-27 16:00")) {
		t.Errorf("digest posted at %s, want Friday 16:00", got.In(berlin))
	}
	got := blockParts(t, d.Blocks)
	// Figures computed by hand from the facts above (week 2 against week 1).
	want := []string{
		"Weekly digest · week to Fri 27 Nov",
		"Each figure against the week before · :large_green_circle: good news · :red_circle: bad news · :white_circle: no change",
		"*Payments*",
		// Succeeded: the checkout redeploy, the GitHub deploy (once), ledger. Week 1: 2.
		"*Deploys*\n3 · 0.4/day ↑ 1 :large_green_circle:\n_weekly cadence · 1 failed_",
		// Changes: 5h, 69h (c4), 2h15m (the squash commit), 24h → median 14h30m; week 1: 24h, 4h → 14h.
		"*Lead time*\n14h 30m ↑ 30m :red_circle:\n_median of 4 changes_",
		// Incident #2 came 1h30 after the GitHub deploy; #3 25h after the last.
		"*Change failure rate*\n33% ↑ 33 pts :red_circle:\n_1 of 3 deploys_",
		"*Time to restore*\n1h ↓ 30m :large_green_circle:\n_median of 1_",
		"*Incidents*\n2 ↑ 1 :red_circle:\n_sev1 1 · sev3 1_",
		// 11 of 15−1 skipped = 79%; week 1 13 of 15 = 87%.
		"*Standups*\n79% answered ↓ 8 pts :red_circle:\n_11 of 14 · 3 away_",
		"*Open blockers*\n2\n_oldest 9 days_",
		"*Action items*\n1 overdue ↑ 1 :red_circle:\n_2 open · 2 opened · 1 closed_",
		"*Retros*\n1 overdue ↑ 1 :red_circle:\n_0 published_",
		// 2 incidents over 2 shifts (week 1: 1 over 2); 4 alerts.
		"*On-call load*\n1.0 incidents/shift ↑ 0.5 :red_circle:\n_2 shifts · 2.0 alerts/shift · 0 out of hours_",
		"*Open blockers:* <@U0BOB> Waiting on PCI audit sign-off _(9 days)_ · <@U0CAROL> Staging DB &lt;flaky&gt; &amp; slow _(1 day)_\n" +
			"*Incidents:* #2 Checkout errors _(sev1, restored in 1h)_ · #3 Refund queue backlog _(sev3, open)_",
		":star: *Highlights*\n• Card retries shipped: checkout errors down 40% — <@U0ALICE>\n" +
			":warning: *Risks*\n• PCI audit sign-off is late; the @channel Q1 launch may slip — <@U0ALICE>", // @channel as words: it pings nobody
		"*Search*",
		"*Deploys*\n1 · 0.1/day ↑ 1 :large_green_circle:\n_monthly cadence_",
		"*Lead time*\n—\n_no changes shipped_",
		"*Change failure rate*\n0%\n_0 of 1 deploy_",
		"*Time to restore*\n—\n_nothing restored_",
		"*Incidents*\n0 → same :white_circle:\n_none_",
		"*Standups*\n—\n_no standups held_",
		"*Open blockers*\n0\n_none_",
		"*Action items*\n0 overdue → same :white_circle:\n_0 open · 0 opened · 0 closed_",
		"*Retros*\n0 overdue → same :white_circle:\n_0 published_",
		":star: *Highlights*\n• Reindex finished two days early — <@U0ADMIN>",
		"Deploys of services no team lists: billing (1). Add them to a team's `services` to count them.",
		"[Useful]", "[Not useful]", "[What's missing?]", // the readers' feedback
	}
	if strings.Join(got, "\n~~~\n") != strings.Join(want, "\n~~~\n") {
		t.Errorf("week 2 digest:\n%s\n\nwant:\n%s", strings.Join(got, "\n~~~\n"), strings.Join(want, "\n~~~\n"))
	}
	if strings.Contains(strings.Join(got, "\n"), "Ledger migrated") {
		t.Error("week 1's highlight, archived once shown, came back in week 2")
	}

	// The chart: uploaded through the three steps, a PNG, shared to the
	// digest channel right after each digest.
	files := h.fake.Files()
	if len(files) != 2 {
		t.Fatalf("%d files uploaded, want a chart per digest", len(files))
	}
	chart := files[1]
	if chart.Filetype != "png" || chart.Filename != "weekly-digest-2026-11-27.png" || len(chart.Channels) != 1 || chart.Channels[0] != "C0DIGEST" {
		t.Errorf("chart = %s %s shared to %v", chart.Filename, chart.Filetype, chart.Channels)
	}
	if _, err := png.Decode(bytes.NewReader(chart.Bytes)); err != nil {
		t.Errorf("the chart does not decode as a PNG: %v", err)
	}
	if len(digests[3].Files) != 1 || digests[3].Files[0] != chart.ID || !strings.Contains(digests[3].Text, "Trends over the last 8 weeks") {
		t.Errorf("the message after the digest = %q with files %v, want the chart", digests[3].Text, digests[3].Files)
	}
	for _, m := range []string{"files.getUploadURLExternal", "upload", "files.completeUploadExternal"} {
		if n := h.fake.Calls(m); n != 2 {
			t.Errorf("%s called %d times, want 2", m, n)
		}
	}

	// A restart re-runs nothing: no digest twice.
	h.restart()
	world.install(h.m)
	h.runUntil(world.at("2026-11-27 17:00"))
	if n := len(h.fake.ChannelMessages("C0DIGEST")); n != 4 {
		t.Errorf("%d messages after a restart, want still 4", n)
	}

	// The App Home of two members.
	alice, bob := h.home("U0ALICE"), h.home("U0BOB")
	wantIn(t, "Alice's Home", alice,
		":memo: *Standup*\nFri 27 Nov 09:00 · :white_check_mark: answered",
		":pager: *Your next on-call shift* for *Payments*: Mon 30 Nov 09:00 – Mon 7 Dec 09:00",
		":clipboard: *Your action items* (1 open)\n• #2 Roll back checkout faster _(due Wed 25 Nov, overdue)_",
		"*Payments*\n:rotating_light: 1 open incident\n• #3 Refund queue backlog _(sev3, open 7h, led by <@U0CAROL>)_\n:construction: 2 open blockers",
	)
	wantIn(t, "Bob's Home", bob,
		":memo: *Standup*\nFri 27 Nov 09:00 · :hourglass_flowing_sand: not answered yet: `/standup` to answer",
		":pager: *On call now* for *Payments*, until Mon 30 Nov 09:00",
		":clipboard: *Your action items*\nNone open. :tada:",
		"• <@U0BOB> Waiting on PCI audit sign-off _(9 days)_",
	)
}

// However many teams, the digest stays within Block Kit's limits (the fake
// refuses a message over 50 blocks, a section over 3000 characters or
// over 10 fields): with many teams, a line each in the message and their
// details in its thread.
// /digest preview reads the deploys kept from its last call while none
// came: each deploy reported (a new one, one reported again as failed),
// and each highlight, shows in the next preview.
func TestDigestPreviewShowsEachWriteAtOnce(t *testing.T) {
	h, world := newDigestHarness(t)
	h.start()
	h.runUntil(world.at("2026-11-17 10:05"))
	preview := func() string {
		t.Helper()
		ack := h.command("U0BOB", "C0PAYMENTS", "/digest", "preview")
		var r struct{ Text string }
		if err := json.Unmarshal([]byte(ack), &r); err != nil {
			t.Fatalf("preview ack %q: %v", ack, err)
		}
		return r.Text + "\n" + ack
	}
	wantIn(t, "the first preview", preview(), "Payments: 0 deploys; Search: 0 deploys")
	h.deploy(`{"service":"checkout","environment":"production","sha":"c1","status":"success","finished_at":"2026-11-17T09:00:00Z","commits":[{"sha":"c1","timestamp":"2026-11-16T09:00:00Z"}]}`)
	wantIn(t, "the preview after a deploy", preview(), "Payments: 1 deploy; Search: 0 deploys", `*Lead time*\n1d\n`)
	h.deploy(`{"service":"search-api","environment":"production","sha":"s1","status":"success","finished_at":"2026-11-17T08:30:00Z"}`)
	wantIn(t, "the preview after a second deploy", preview(), "Payments: 1 deploy; Search: 1 deploy")
	// The same deploy reported again, failed (its ID is its service,
	// environment, SHA and finish): no longer a deploy that counts.
	h.deploy(`{"service":"search-api","environment":"production","sha":"s1","status":"failure","finished_at":"2026-11-17T08:30:00Z"}`)
	wantIn(t, "the preview after the second deploy failed", preview(), "Payments: 1 deploy; Search: 0 deploys", "1 failed")
	h.command("U0ALICE", "C0PAYMENTS", "/digest", "highlight Ledger migrated to the new cluster")
	h.runUntil(world.at("2026-11-17 10:06")) // the preview's week ends before now
	wantIn(t, "the preview after a highlight", preview(), "Ledger migrated to the new cluster")
}

func TestDigestOfManyTeamsStaysWithinBlockKit(t *testing.T) {
	var cfg strings.Builder
	cfg.WriteString("timezone: Europe/Berlin\nstore: {path: STORE}\nhttp: {listen: \"127.0.0.1:0\"}\nteams:\n")
	const teams = 24
	for i := 0; i < teams; i++ {
		fmt.Fprintf(&cfg, "  - {id: team%02d, name: \"Team %02d with a rather long name & more\", members: [U0M%02d], leads: [U0M%02d], services: [svc%02d]}\n", i, i, i, i, i)
	}
	cfg.WriteString("rituals:\n  - {name: org-digest, kind: digest, channel: C0DIGEST, schedule: \"0 16 * * FRI\"}\n")
	h := newHarness(t, cfg.String(), at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.env[envWebhookToken] = webhookToken
	h.fake.AddChannel(slackfake.Channel{ID: "C0DIGEST", Name: "eng-digest", Members: []string{"U0BOT"}})
	h.start()
	for i := 0; i < teams; i++ {
		h.fake.AddUser(slackfake.User{ID: fmt.Sprintf("U0M%02d", i), Name: fmt.Sprintf("m%02d", i)})
		h.deploy(fmt.Sprintf(`{"service":"svc%02d","environment":"production","sha":"s%d","status":"success","finished_at":"2026-11-24T10:00:00Z",
		  "commits":[{"sha":"c%d","timestamp":"2026-11-23T10:00:00Z"}]}`, i, i, i))
		h.command(fmt.Sprintf("U0M%02d", i), "C0DIGEST", "/digest", "risk "+strings.Repeat("A long risk. ", 35))
	}
	h.runUntil(at(t, "2026-11-27 16:30", berlin))
	var msgs []slackfake.Message
	for _, m := range h.fake.ChannelMessages("C0DIGEST") {
		if m.ThreadTS == "" {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) != 2 || !strings.HasPrefix(msgs[0].Text, "Weekly digest") || len(msgs[1].Files) != 1 {
		t.Fatalf("%d top-level messages, want the digest and its chart", len(msgs))
	}
	replies := h.fake.Replies("C0DIGEST", msgs[0].TS)
	var parts []string
	for _, m := range append([]slackfake.Message{msgs[0]}, replies...) {
		parts = append(parts, blockParts(t, m.Blocks)...)
	}
	all := strings.Join(parts, "\n")
	for i := 0; i < teams; i++ {
		if n := strings.Count(all, fmt.Sprintf("*Team %02d with a rather long name &amp; more*", i)); n != 2 {
			t.Errorf("team %02d shows %d times, want a line in the digest and its block in the thread", i, n)
		}
	}
	if len(replies) < 2 {
		t.Errorf("%d replies in the thread, want the teams' details over several", len(replies))
	}
	if strings.Contains(h.logs.String(), "Slack refused") {
		t.Errorf("Slack refused part of the digest:\n%s", grepLines(h.logs.String(), "refused"))
	}
}

func TestCLIPreviewOfTheDigest(t *testing.T) {
	h, _ := newDigestHarness(t)
	h.start()
	h.deploy(`{"service":"checkout","environment":"production","sha":"c1","status":"success",
	  "finished_at":"2026-11-16T07:30:00Z","commits":[{"sha":"c1","timestamp":"2026-11-16T05:30:00Z"}]}`)
	h.command("U0ALICE", "C0PAYMENTS", "/digest", "risk Card network outage &lt;next week&gt;")
	help := h.command("U0BOB", "C0PAYMENTS", "/digest", "help")
	for _, want := range []string{"/digest preview [DIGEST]", "/digest highlight [TEAM] TEXT", "/digest risk [TEAM] TEXT", "/digest help"} {
		if !strings.Contains(help, want) {
			t.Errorf("/digest help lacks %q: %s", want, help)
		}
	}
	h.stop()

	// As `ritualbot preview --config FILE weekly-digest` on Monday noon.
	loaded, err := config.Load(h.cfg, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := func(k string) string { return h.env[k] }
	if err := preview(context.Background(), loaded, env, "weekly-digest", false, at(t, "2026-11-16 12:00", berlin), &out); err != nil {
		t.Fatalf("preview: %v", err)
	}
	text := out.String()
	wantIn(t, "preview", text, "To C0DIGEST:", "Weekly digest · week to", "*Deploys*\n1 · 0.1/day", "*Lead time*\n2h", "Card network outage &lt;next week&gt;")
	manifestYAML, err := manifest(loaded)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"files:write", "app_home_opened", "home_tab_enabled: true", "command: /digest"} {
		if !strings.Contains(string(manifestYAML), want) {
			t.Errorf("the manifest of a digest config lacks %s", want)
		}
	}
	if strings.Contains(text, "*Incidents*") {
		t.Errorf("the config has no incidents ritual, yet the preview shows incidents:\n%s", text)
	}
}
