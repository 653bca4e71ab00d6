package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/internal/githubfake"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/webhooks"
)

// Action items become GitHub issues (against a local fake of GitHub's
// REST API): a failure holds up nothing and is retried; Done in Slack
// closes the issue; an issue closed on GitHub marks its item done.
func TestActionItemsAsGitHubIssues(t *testing.T) {
	const token, secret = "ghp-TEST-token-5e4d", "gh-hook-secret"
	gh := githubfake.New(token)
	defer gh.Close()
	h := newIncidentHarnessFast(t, at(t, "2026-11-30 10:00", berlin), "chat.update", "chat.postMessage")
	cfg, err := os.ReadFile(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.cfg, append(cfg, "    actions: {github: {repo: acme/payments, labels: [postmortem]}}\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	h.env[envGitHubToken], h.env[envGitHubAPIURL], h.env[envGitHubSecret] = token, gh.APIURL(), secret
	h.start()

	// GitHub is down when the first item is added: the incident goes on.
	gh.FailNext(1)
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	h.clock.Advance(time.Hour)
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #1")
	if ack := ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Alert on pool saturation due 2026-12-11")); !strings.Contains(ack, "Action item 1.1 of #1") {
		t.Fatalf("/incident action answered %s", ack)
	}
	h.settle()
	bobDM := one(t, h.fake.DMs("U0BOB"), "gave you an action item", "Bob's DMs")
	if n := len(gh.Issues("acme/payments")); n != 0 {
		t.Fatalf("%d issues while GitHub answers 502", n)
	}
	// Retried after its backoff.
	h.clock.Advance(30 * time.Second)
	h.settle()
	issues := gh.Issues("acme/payments")
	if len(issues) != 1 {
		t.Fatalf("issues after the retry: %+v (calls %v)", issues, gh.Calls())
	}
	is := issues[0]
	if is.Title != "[incident #1] Alert on pool saturation" || strings.Join(is.Labels, ",") != "postmortem" || is.State != "open" ||
		!strings.Contains(is.Body, "Action item 1.1 of incident #1: Checkout returns 500s") || !strings.Contains(is.Body, "- Owner: @bob") || !strings.Contains(is.Body, "- Due: 2026-12-11") {
		t.Errorf("issue = %+v", is)
	}
	if bad := gh.Refused(); len(bad) != 1 || !strings.Contains(bad[0], "502") {
		t.Errorf("GitHub refused %v, want only the injected 502", bad)
	}

	// Done in Slack closes the issue.
	h.clickOn("U0BOB", bobDM, incident.ActionItemDone)
	h.settle()
	if is := gh.Issues("acme/payments")[0]; is.State != "closed" || is.StateReason != "completed" {
		t.Errorf("after Done in Slack the issue is %s (%s)", is.State, is.StateReason)
	}

	// Closed on GitHub: the item is done, the thread says so.
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0CAROL|carol> Show config changes in deploy diffs")
	h.settle()
	if n := len(gh.Issues("acme/payments")); n != 2 {
		t.Fatalf("%d issues, want 2", n)
	}
	gh.CloseIssue("acme/payments", 2)
	body := (`{"action":"closed","issue":{"number":2,"html_url":"https://github.com/acme/payments/issues/2","state":"closed","title":"x"},"repository":{"name":"payments","full_name":"acme/payments"},"sender":{"login":"carol"}}`)
	if code, out := h.post("/hooks/github", body, map[string]string{"X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-2", "X-Hub-Signature-256": webhooks.Sign(secret, []byte(body))}); code != 200 || !strings.Contains(out, "updated") {
		t.Fatalf("issues webhook: %d %s", code, out)
	}
	h.settle()
	a, _, _ := h.m.DB.Action("1.2")
	if a.Open() {
		t.Error("the item of the issue closed on GitHub is still open")
	}
	thread := h.fake.Replies("C0INCIDENTS", h.fake.ChannelMessages("C0INCIDENTS")[0].TS)
	one(t, thread, "*Action item done*: its issue was closed <https://github.com/acme/payments/issues/2|on GitHub>", "the thread")
	patches := 0
	for _, c := range gh.Calls() {
		if strings.HasPrefix(c, "PATCH /repos/acme/payments/issues/2") {
			patches++
		}
	}
	if patches != 0 {
		t.Errorf("the bot set issue #2's state %d times after GitHub closed it", patches)
	}
	// A reopened issue opens the item again.
	reopen := strings.Replace(body, `"action":"closed"`, `"action":"reopened"`, 1)
	if code, out := h.post("/hooks/github", reopen, map[string]string{"X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-3", "X-Hub-Signature-256": webhooks.Sign(secret, []byte(reopen))}); code != 200 || !strings.Contains(out, "updated") {
		t.Errorf("reopen webhook: %d %s", code, out)
	}
	if a, _, _ := h.m.DB.Action("1.2"); !a.Open() {
		t.Error("reopened issue, item still done")
	}
	if strings.Contains(h.logs.String(), token) {
		t.Error("the GitHub token is in the log")
	}
}
