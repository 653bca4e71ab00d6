package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

const releaseConfig = `
timezone: Europe/Berlin
store: {path: STORE}
http: {listen: "127.0.0.1:0", public_url: "https://ritualbot.example.com"}
admins: [U0ADMIN]
teams:
  - {id: payments, name: Payments, channel: C0PAYMENTS, members: [U0ALICE, U0BOB], leads: [U0ALICE], services: [checkout, ledger]}
  - {id: search, name: Search, channel: C0SEARCH, members: [U0DAN], leads: [U0DAN], services: [search-api]}
rituals:
  - name: releases
    kind: release
    channel: C0RELEASES
    teams: [payments, search]
  - name: daily-releases
    kind: release
    channel: C0BATCH
    mode: batch
    schedule: "0 17 * * *"
    teams: [payments, search]
  - name: incidents
    kind: incidents
    channel: C0INCIDENTS
    teams: [payments]
  - name: weekly-digest
    kind: digest
    channel: C0DIGEST
    schedule: "0 16 * * FRI"
    failure_window: 2h
`

// releaseWeek is 12 deploys of 3 services from Monday to Thursday: the
// fifth fails, and an incident follows the seventh (checkout, Wednesday
// 10:00) by 30 minutes, within the digest's 2h failure window.
type weekDeploy struct {
	service, at, status string
}

var releaseWeek = []weekDeploy{
	{"checkout", "2026-11-23 10:00", "success"}, {"ledger", "2026-11-23 12:00", "success"}, {"search-api", "2026-11-23 15:00", "success"},
	{"checkout", "2026-11-24 10:00", "success"}, {"ledger", "2026-11-24 12:00", "failure"}, {"search-api", "2026-11-24 15:00", "success"},
	{"checkout", "2026-11-25 10:00", "success"}, {"ledger", "2026-11-25 12:00", "success"}, {"search-api", "2026-11-25 15:00", "success"},
	{"checkout", "2026-11-26 10:00", "success"}, {"ledger", "2026-11-26 12:00", "success"}, {"search-api", "2026-11-26 15:00", "success"},
}

// deployBody is deploy i of the week: version v1.i.0, by Alice, with a
// feature, a fix and a chore.
func deployBody(t *testing.T, i int, d weekDeploy) string {
	finished := at(t, d.at, berlin)
	commits := []map[string]string{
		{"sha": fmt.Sprintf("f%06d", i), "timestamp": finished.Add(-5 * time.Hour).Format(time.RFC3339), "message": fmt.Sprintf("feat(api): feature %d", i), "author": "alice", "url": fmt.Sprintf("https://git.example.com/c/f%06d", i)},
		{"sha": fmt.Sprintf("x%06d", i), "timestamp": finished.Add(-4 * time.Hour).Format(time.RFC3339), "message": fmt.Sprintf("fix: bug %d <!channel> *loud*", i), "author": "bob"},
		{"sha": fmt.Sprintf("c%06d", i), "timestamp": finished.Add(-3 * time.Hour).Format(time.RFC3339), "message": fmt.Sprintf("chore: tidy %d", i)},
	}
	b, err := json.Marshal(map[string]any{
		"service": d.service, "environment": "production", "sha": fmt.Sprintf("%07d0abcdef", i), "status": d.status,
		"started_at": finished.Add(-6 * time.Minute).Format(time.RFC3339), "finished_at": finished.Format(time.RFC3339),
		"version": fmt.Sprintf("v1.%d.0", i), "deployer": "U0ALICE", "url": fmt.Sprintf("https://ci.example.com/run/%d", i), "commits": commits,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newReleaseHarness(t testing.TB) *harness {
	t.Helper()
	fast := bot.Limit{PerMinute: 6000, Burst: 100}
	h := newHarness(t, releaseConfig, at(t, "2026-11-23 08:00", berlin), slackfake.Options{RateLimits: map[string]slackfake.Limit{"chat.postMessage/channel": {PerMinute: 6000, Burst: 100}}})
	h.limits = map[string]bot.Limit{"chat.postMessage/channel": fast}
	for _, c := range []string{"C0RELEASES", "C0BATCH", "C0INCIDENTS", "C0DIGEST", "C0PAYMENTS", "C0SEARCH"} {
		h.fake.AddChannel(slackfake.Channel{ID: c, Name: strings.ToLower(c[2:]), Members: []string{"U0ALICE", "U0BOB", "U0DAN", "U0BOT"}})
	}
	for _, u := range []slackfake.User{{ID: "U0ALICE", Name: "alice"}, {ID: "U0BOB", Name: "bob"}, {ID: "U0DAN", Name: "dan"}} {
		u.TZ = "Europe/Berlin"
		h.fake.AddUser(u)
	}
	h.env[envWebhookToken] = webhookToken
	return h
}

func TestReleaseNotesForAWeekOfDeploys(t *testing.T) {
	h := newReleaseHarness(t)
	h.start()
	for i, d := range releaseWeek {
		h.runUntil(at(t, d.at, berlin).Add(time.Minute))
		h.deploy(deployBody(t, i+1, d))
		if i == 6 {
			h.runUntil(at(t, "2026-11-25 10:30", berlin))
			h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout errors after deploy")
		}
	}
	// A deploy of a service nobody announces, twice: stored, not
	// announced, logged once.
	h.deploy(`{"service":"mystery","environment":"production","sha":"abc","status":"success","finished_at":"2026-11-26T16:00:00Z"}`)
	h.deploy(`{"service":"mystery","environment":"production","sha":"abd","status":"success","finished_at":"2026-11-26T16:01:00Z"}`)
	h.runUntil(at(t, "2026-11-27 18:30", berlin))

	// each: 11 notes and 1 failure line, top level, in order.
	var top []slackfake.Message
	for _, m := range h.fake.ChannelMessages("C0RELEASES") {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			top = append(top, m)
		}
	}
	notes, failed := messagesWith(top, "Released "), messagesWith(top, "failed or was rolled back")
	if len(notes) != 11 || len(failed) != 1 || len(top) != 12 {
		t.Fatalf("#releases has %d notes and %d failure lines of %d posts, want 11 and 1 of 12:\n%s", len(notes), len(failed), len(top), strings.Join(texts(top), "\n---\n"))
	}
	wantIn(t, "the failure line", readable(t, failed[0]), "*ledger* v1.5.0 to production failed", "<@U0ALICE>", "<https://ci.example.com/run/5|the deploy>")
	first := readable(t, notes[0])
	wantIn(t, "the first note", first, "Released checkout v1.1.0 to production", "*Features* (1)", "*api:* feature 1 (<https://git.example.com/c/f000001|f000001>) — alice",
		"*Fixes* (1)", "*Other changes* (1)", "chore: tidy 1", "*Deployed by*\n<@U0ALICE>", "*Duration*\n6m")
	for _, n := range notes {
		if s := readable(t, n); strings.Contains(s, "<!channel>") || strings.Contains(s, "*loud*") {
			t.Errorf("a commit message is not inert:\n%s", s)
		}
	}
	for _, name := range []string{"mystery"} {
		if len(find(t, h.fake.ChannelMessages("C0RELEASES"), name)) > 0 || len(find(t, h.fake.ChannelMessages("C0BATCH"), name)) > 0 {
			t.Errorf("%s was announced", name)
		}
	}
	if n := strings.Count(h.logs.String(), "no release ritual announces"); n != 1 {
		t.Errorf("the unknown service was logged %d times, want once", n)
	}
	if d, ok, err := h.m.DB.Deploy("deploy:mystery/production/abc/2026-11-26T16:00:00Z"); err != nil || !ok || d.Service != "mystery" {
		t.Errorf("the unknown service's deploy was not stored: %v %v", ok, err)
	}

	// The incident reply, in the thread of the seventh deploy's note.
	seventh := one(t, notes, "checkout v1.7.0", "#releases")
	replies := messagesWith(h.fake.Replies("C0RELEASES", seventh.TS), "Incident #1")
	if len(replies) != 1 {
		t.Fatalf("%d incident replies under the v1.7.0 note, want 1", len(replies))
	}
	wantIn(t, "the incident reply", readable(t, replies[0]), "*Checkout errors after deploy*", "opened 30m after this deploy of *checkout* v1.7.0",
		"<https://ritualbot.example.com/incidents/1/postmortem.md|the incident's record>")
	for _, n := range notes {
		if n.TS != seventh.TS && len(messagesWith(h.fake.Replies("C0RELEASES", n.TS), "Incident #")) > 0 {
			t.Errorf("an incident reply under another note:\n%s", readable(t, n))
		}
	}

	// batch: one note a day Monday to Thursday, none on Friday.
	var batches []slackfake.Message
	for _, m := range h.fake.ChannelMessages("C0BATCH") {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			batches = append(batches, m)
		}
	}
	if len(batches) != 4 {
		t.Fatalf("%d batch notes, want 4 (Mon–Thu):\n%s", len(batches), strings.Join(texts(batches), "\n---\n"))
	}
	tue := readable(t, batches[1])
	wantIn(t, "Tuesday's batch", tue, "2 deploys of 3 services", "*Deployed*", "*checkout* v1.4.0", "*search-api* v1.6.0",
		"*Failed or rolled back*", "*ledger* v1.5.0", "*Features* (2)", "*Fixes* (2)")
	wed := batches[2]
	if r := messagesWith(h.fake.Replies("C0BATCH", wed.TS), "Incident #1"); len(r) != 1 {
		t.Errorf("%d incident replies under Wednesday's batch, want 1", len(r))
	}

	// /release notes checkout: the week's changelog, to Alice only.
	h.command("U0ALICE", "C0PAYMENTS", "/release", "notes checkout 7d")
	eph := h.fake.Ephemerals("U0ALICE")
	notesReply := readable(t, eph[len(eph)-1])
	wantIn(t, "/release notes checkout", notesReply, "checkout since", "4 deploys of 1 service", "*Features* (4)", "feature 10")
	if strings.Contains(notesReply, "ledger") {
		t.Errorf("/release notes checkout lists ledger:\n%s", notesReply)
	}

	// The page and the feed show the same 12 deploys.
	code, page := h.get("/releases/")
	if code != http.StatusOK {
		t.Fatalf("/releases/: %d %s", code, page)
	}
	for i, d := range releaseWeek {
		if !strings.Contains(page, fmt.Sprintf("%s v1.%d.0 to production", d.service, i+1)) {
			t.Errorf("/releases/ lacks %s v1.%d.0", d.service, i+1)
		}
	}
	if strings.Contains(page, "<!channel>") || strings.Contains(page, "mystery") {
		t.Error("/releases/ shows raw commit text or an unannounced service")
	}
	code, xml := h.get("/releases/feed.xml")
	if code != http.StatusOK {
		t.Fatalf("/releases/feed.xml: %d %s", code, xml)
	}
	feed, err := gofeed.NewParser().ParseString(xml)
	if err != nil {
		t.Fatalf("the Atom feed does not parse: %v\n%s", err, xml)
	}
	if feed.FeedType != "atom" || len(feed.Items) != 12 {
		t.Fatalf("feed: type %s, %d items, want atom with 12", feed.FeedType, len(feed.Items))
	}
	if it := feed.Items[0]; it.Title != "search-api v1.12.0 to production" || !strings.Contains(it.Content, "feature 12") ||
		!strings.Contains(it.Content, "&lt;!channel&gt;") || it.Link != "https://ritualbot.example.com/releases/#d-deploy-search-api-production-00000120abcdef-2026-11-26T13-54-00Z" {
		t.Errorf("the newest entry: %q %q %q", it.Title, it.Link, it.Content)
	}
	if it := feed.Items[7]; it.Title != "ledger v1.5.0 to production (failed)" {
		t.Errorf("the failed deploy's entry: %q", it.Title)
	}
}

// `ritualbot preview` works for a release ritual before the bot ever ran:
// with no store it says what it would post, and creates none.
// /release notes keeps what it read between deploys: each deploy reported
// (a new one, one reported again with another status) shows in the next
// call, with no time passing.
func TestReleaseNotesShowEachDeployAtOnce(t *testing.T) {
	h := newReleaseHarness(t)
	h.start()
	notes := func() string {
		t.Helper()
		h.command("U0ALICE", "C0PAYMENTS", "/release", "notes 7d")
		eph := h.fake.Ephemerals("U0ALICE")
		if len(eph) == 0 {
			t.Fatal("/release notes answered nothing")
		}
		return readable(t, eph[len(eph)-1])
	}
	h.runUntil(at(t, "2026-11-26 18:00", berlin))
	for i, d := range releaseWeek[:4] {
		h.deploy(deployBody(t, i+1, d))
	}
	wantIn(t, "/release notes after 4 deploys", notes(), "4 deploys of 3 services", "*checkout* v1.4.0", "*Features* (4)")
	if again := notes(); !strings.Contains(again, "4 deploys of 3 services") {
		t.Errorf("/release notes asked again:\n%s", again)
	}
	h.deploy(deployBody(t, 5, releaseWeek[4]))
	h.deploy(deployBody(t, 6, releaseWeek[5]))
	got := notes()
	wantIn(t, "/release notes right after 2 more deploys (one failed)", got, "5 deploys of 3 services", "*search-api* v1.6.0", "*Failed or rolled back*", "*ledger* v1.5.0")
	// The failed deploy reported again, succeeded (its ID is its
	// service, environment, SHA and finish).
	h.deploy(strings.Replace(deployBody(t, 5, releaseWeek[4]), `"status":"failure"`, `"status":"success"`, 1))
	got = notes()
	wantIn(t, "/release notes after the failed deploy succeeded", got, "6 deploys of 3 services", "*ledger* v1.5.0")
	if strings.Contains(got, "Failed or rolled back") {
		t.Errorf("/release notes still shows the deploy failed:\n%s", got)
	}
}

func TestReleasePreviewWithNoStore(t *testing.T) {
	h := newReleaseHarness(t)
	for _, tc := range []struct{ ritual, want string }{
		{"releases", "No deploy of its services in the last week"},
		{"daily-releases", "Nothing deployed yet for the batch of"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(h.ctx(), []string{"preview", tc.ritual, "--config", h.cfg}, &stdout, &stderr, func(k string) string { return h.env[k] })
		if code != 0 || !strings.Contains(stdout.String(), tc.want) {
			t.Errorf("preview %s: exit %d, %s%s; want %q", tc.ritual, code, stdout.String(), stderr.String(), tc.want)
		}
	}
	if _, err := os.Stat(h.storePath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("preview created the store: %v", err)
	}
}

// A deploy of 5,000 commits is one note, folded, that Slack (the strict
// fake) takes; the commit text stays inert.
func TestReleaseNoteOfAHugeDeploy(t *testing.T) {
	h := newReleaseHarness(t)
	h.start()
	var commits []string
	for i := range 5000 {
		msg := []string{"feat(ui): screen %d", "fix: crash %d <!channel> *bold* `x`", "chore: bump %d"}[i%3]
		commits = append(commits, fmt.Sprintf(`{"sha":"%040d","timestamp":"2026-11-22T10:00:00Z","message":%q,"url":"https://git.example.com/c/%d"}`, i, fmt.Sprintf(msg, i), i))
	}
	h.deploy(`{"service":"checkout","environment":"production","sha":"9f2c1e0","status":"success","finished_at":"2026-11-23T07:00:00Z",
	 "version":"v9.0.0","commits":[` + strings.Join(commits, ",") + `]}`)
	msgs := h.fake.ChannelMessages("C0RELEASES")
	if len(msgs) != 1 {
		t.Fatalf("%d messages for one deploy, want 1 note", len(msgs))
	}
	note := readable(t, msgs[0])
	wantIn(t, "the note", note, "Released checkout v9.0.0", "*Features* (667)", "*Fixes* (667)", "*Other changes* (666)", "… and 652 more",
		"and 3000 more commits")
	if strings.Contains(note, "<!channel>") || strings.Contains(note, "*bold*") {
		t.Errorf("commit text is not inert:\n%s", note)
	}
}

// A published GitHub release with a 100 KB body is announced once, its
// body clipped with a link to the release; a draft's edit is not.
func TestGitHubReleaseIsAnnouncedClipped(t *testing.T) {
	h := newReleaseHarness(t)
	h.env[envGitHubSecret] = githubSecret
	h.start()
	body := "## What's new\n<!channel> *everything* " + strings.Repeat("Lorem ipsum dolor sit amet. ", 100*1024/28)
	event := func(action string) string {
		b, err := json.Marshal(map[string]any{"action": action,
			"release": map[string]any{"id": 77, "tag_name": "v3.0.0", "name": "Checkout 3", "body": body, "draft": false,
				"html_url": "https://github.com/acme/checkout/releases/tag/v3.0.0", "published_at": "2026-11-23T07:30:00Z", "author": map[string]any{"login": "alice"}},
			"repository": map[string]any{"name": "checkout", "full_name": "acme/checkout"}})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, action := range []string{"created", "published"} {
		ev := event(action)
		code, out := h.post("/hooks/github", ev, map[string]string{"X-GitHub-Event": "release", "X-Hub-Signature-256": webhooks.Sign(githubSecret, []byte(ev)),
			"X-GitHub-Delivery": action})
		if code/100 != 2 {
			t.Fatalf("release %s: %d %s", action, code, out)
		}
	}
	msgs := h.fake.ChannelMessages("C0RELEASES")
	if len(msgs) != 1 {
		t.Fatalf("%d messages for one published release, want 1", len(msgs))
	}
	note := readable(t, msgs[0])
	wantIn(t, "the release note", note, "Released checkout v3.0.0", "## What's new", "<https://github.com/acme/checkout/releases/tag/v3.0.0|Read the full notes>")
	if strings.Contains(note, "<!channel>") || len(note) > 4000 {
		t.Errorf("the body is not inert or not clipped (%d bytes)", len(note))
	}
}

// A GitHub deployment of a pushed SHA gets a note listing the push's
// commits, grouped, with their links and authors.
func TestGitHubDeploymentNoteListsThePush(t *testing.T) {
	h := newReleaseHarness(t)
	h.env[envGitHubSecret] = githubSecret
	h.clock.Set(at(t, "2026-11-24 12:35", berlin))
	h.start()
	push := `{"ref": "refs/heads/main", "after": "5e1f0c2a9b", "deleted": false,
	  "commits": [
	    {"id": "1111111aaa", "message": "feat(cards): retry card auth (#42)\n\nbody", "timestamp": "2026-11-24T09:00:00+01:00",
	     "url": "https://github.com/acme/checkout/commit/1111111aaa", "author": {"name": "Alice", "username": "alice"}},
	    {"id": "5e1f0c2a9b", "message": "fix: <!here> rounding", "timestamp": "2026-11-24T10:15:00+01:00",
	     "url": "https://github.com/acme/checkout/commit/5e1f0c2a9b", "author": {"name": "Bob"}}],
	  "head_commit": {"id": "5e1f0c2a9b", "timestamp": "2026-11-24T10:15:00+01:00"},
	  "repository": {"id": 123, "name": "checkout", "full_name": "acme/checkout"}}`
	if code, out := h.github("push", push, webhooks.Sign(githubSecret, []byte(push))); code != http.StatusOK {
		t.Fatalf("push: %d %s", code, out)
	}
	if code, out := h.github("deployment_status", githubDeployment, webhooks.Sign(githubSecret, []byte(githubDeployment))); code != http.StatusOK {
		t.Fatalf("deployment_status: %d %s", code, out)
	}
	note := readable(t, one(t, h.fake.ChannelMessages("C0RELEASES"), "Released checkout", "#releases"))
	wantIn(t, "the note", note, "Released checkout 5e1f0c2 to production", "*Features* (1)", "*cards:* retry card auth (#42) (<https://github.com/acme/checkout/commit/1111111aaa|1111111>) — alice",
		"*Fixes* (1)", "rounding", "— Bob", "*Duration*\n10m")
	if strings.Contains(note, "<!here>") {
		t.Errorf("a commit message is not inert:\n%s", note)
	}
}
