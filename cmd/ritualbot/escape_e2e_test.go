package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// hostile is text people (or a webhook) could send to make the bot ping a
// whole channel, ping someone in the bot's name, hide a link, or confuse
// a reader, as it is typed or pasted.
var hostile = []struct{ name, text string }{
	{"channel mention", "<!channel> everyone look"},
	{"here mention with label", "<!here|here> ping"},
	{"everyone mention", "<!everyone>"},
	{"user group mention", "<!subteam^S0ONCALL|@oncall> wake up"},
	{"forged user mention", "<@U0ADMIN> approved this"},
	{"an entity typed as text", "a &lt; b &amp;&amp; c > d"},
	{"masked link", "<https://evil.example/login|click here to keep your account>"},
	{"zero-width and right-to-left", "pay\u200bment <!chan\u200bnel> \u202eevil\u202c \u2066x\u2069 <\u200b!here>"},
}

// long is hostile text at 10,000 characters.
var long = strings.Repeat("<!here> ", 1250)

// wire is text as Slack sends it in a slash command or a message when it
// was typed literally: &, < and > escaped.
func wire(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// TestUserTextNeverPingsOrForges feeds hostile text through every place
// user text reaches a message (standup answers, incident titles, updates,
// pinned messages, summaries, retro answers and action items, skip
// reasons, digest highlights and risks, a reminder's inputs, Alertmanager
// titles, labels, annotations and links, PagerDuty titles, notes and
// links, deploy service names), both as typed and as Slack sends
// @channel or @someone, and asserts on what the fake Slack received:
// nothing anywhere notifies a channel, a group or the admin (who takes no
// part), hides a link, or carries a direction override; Slack accepted
// every message; and text shows as it was typed.
func TestUserTextNeverPingsOrForges(t *testing.T) {
	var notes []string
	for _, h := range hostile {
		notes = append(notes, h.text)
	}
	everything := strings.Join(notes, "\n")
	// The reminder's team is named by the config, its name inserted by the
	// template.
	cfg := strings.Replace(workspaceConfig, "rituals:\n", `  - {id: rnd, name: "R&D <!channel> <@U0ADMIN> \u202eevil", channel: C0RND, members: [U0DAN]}
rituals:
  - {name: rnd-lunch, kind: reminder, team: rnd, schedule: "30 11 * * MON", text: "Lunch for {{.Team}}, on call {{.OnCall}}"}
`, 1)
	h := newWorkspaceHarness(t, cfg, at(t, "2026-11-23 08:00", berlin), slackfake.Options{}) // a Monday
	h.fake.AddChannel(slackfake.Channel{ID: "C0RND", Name: "rnd", Members: []string{"U0BOT", "U0DAN"}})
	h.startHTTP()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Standups: answers are typed into a plain text input, as they are.
	h.runUntil(at(t, "2026-11-23 09:05", berlin))
	h.answer("U0ALICE", answers{"today": everything, "blockers": hostile[0].text})
	h.answer("U0BOB", answers{"today": long[:3000], "blockers": long[:3000]})
	h.answer("U0CAROL", answers{"today": hostile[4].text + " " + hostile[6].text, "blockers": "none"})

	declared := regexp.MustCompile(`Declared \*#([0-9]+)`)
	for i, x := range hostile {
		// As typed, and as Slack sends what it converted (@channel as
		// <!channel>, a link). The admin picked from autocomplete would be
		// a mention Alice made (kept, as TestIncident… shows), so that form
		// is left out: the admin is mentioned by nobody here.
		forms := []string{wire(x.text), x.text}
		if x.name == "forged user mention" {
			forms = forms[:1]
		}
		for _, form := range forms {
			cmd := func(text string) string {
				return ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", text))
			}
			ack := cmd("declare sev2 " + form)
			m := declared.FindStringSubmatch(ack)
			if m == nil {
				t.Fatalf("%s: declare answered %s", x.name, ack)
			}
			inc, _ := strconv.Atoi(m[1])
			cmd(fmt.Sprintf("update #%d %s", inc, form))
			cmd(fmt.Sprintf("action #%d <@U0BOB|bob> %s", inc, form))
			// Carol posts in the incident's thread, Bob pins it.
			announce, ok := lastWith(h.fake.ChannelMessages("C0INCIDENTS"), fmt.Sprintf("Incident #%d:", inc))
			if !ok {
				t.Fatalf("incident #%d was not announced", inc)
			}
			posted, _, err := h.fake.SendMessageEvent(ctx, "U0CAROL", "C0INCIDENTS", form, announce.TS)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.fake.AddReaction(ctx, "U0BOB", "C0INCIDENTS", posted.TS, "pushpin"); err != nil {
				t.Fatal(err)
			}
			h.waitFor("the pin of #"+fmt.Sprint(inc), func() bool {
				return len(find(t, h.fake.Replies("C0INCIDENTS", announce.TS), "Pinned")) > 0
			})
			cmd(fmt.Sprintf("resolve #%d %s", inc, form))
			// A retro answer with an action item, in the modal.
			cmd(fmt.Sprintf("retro #%d", inc))
			state := answers{"happened": x.text, "went_well": x.text, "action1_text": x.text}.state()
			state["action1_owner"] = map[string]any{"value": map[string]any{"type": "users_select", "selected_user": "U0BOB"}}
			if _, err := h.fake.SubmitView(ctx, "U0ALICE", h.openView("U0ALICE").ID, state); err != nil {
				t.Fatalf("%s: retro answer: %v", x.name, err)
			}
			h.settle()
			if i%2 == 1 {
				cmd(fmt.Sprintf("skip #%d %s", inc, form))
			} else {
				cmd(fmt.Sprintf("publish #%d", inc))
			}
			// Leads' notes for the digest.
			ackText(t, h.command("U0LEAD", "C0PAYMENTS", "/digest", "highlight "+form))
			ackText(t, h.command("U0LEAD", "C0PAYMENTS", "/digest", "risk "+form))
		}
		// Webhooks send text as it is.
		h.alert(fmt.Sprintf("g-%s", x.name), x.text)
		h.pagerDuty(x.name, x.text)
		h.deployOf(x.text)
	}
	// 10,000 characters: refused with the reason, or cut to fit.
	for _, c := range []struct{ user, channel, command, text, want string }{
		{"U0ALICE", "C0INCIDENTS", "/incident", "declare " + long, "under 200 characters"},
		{"U0ALICE", "C0INCIDENTS", "/incident", "update #1 " + long, "under 2,900 characters"},
		{"U0LEAD", "C0PAYMENTS", "/digest", "highlight " + long, "under 500 characters"},
	} {
		if ack := ackText(t, h.command(c.user, c.channel, c.command, c.text)); !strings.Contains(ack, c.want) {
			t.Errorf("%s of 10,000 characters answered %.300s, want %q", c.command, ack, c.want)
		}
	}
	h.alert("g-long", long)
	h.pagerDuty("long", long)

	// A week goes by: standup summaries, handoffs, retro prompts and
	// reminders, action item reminders, the reminder, the digest; each
	// member opens the App Home.
	h.runUntil(at(t, "2026-11-30 12:00", berlin))
	for _, u := range workspaceUsers {
		if _, err := h.fake.SendEvent(ctx, map[string]any{"type": "app_home_opened", "user": u.ID, "channel": "D0" + u.ID[3:], "tab": "home"}); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor("the Home tabs", func() bool { return h.fake.HomeView("U0BOB") != nil && h.fake.HomeView("U0ALICE") != nil })
	for _, u := range []string{"U0ALICE", "U0BOB", "U0LEAD"} {
		ackText(t, h.command(u, "C0INCIDENTS", "/incident", "list"))
		ackText(t, h.command(u, "C0INCIDENTS", "/incident", "actions"))
		ackText(t, h.command(u, "C0PAYMENTS", "/standup", "history <@U0BOB|bob> 5"))
		ackText(t, h.command(u, "C0PAYMENTS", "/digest", "preview"))
	}

	// Everything the fake received, as Slack would read it.
	var msgs []slackfake.Message
	for _, c := range []string{"C0PAYMENTS", "C0SEARCH", "C0INCIDENTS", "C0DIGEST", "C0RND"} {
		msgs = append(msgs, h.fake.ChannelMessages(c)...)
	}
	var views []json.RawMessage
	for _, u := range workspaceUsers {
		msgs = append(msgs, h.fake.DMs(u.ID)...)
		msgs = append(msgs, h.fake.Ephemerals(u.ID)...)
		views = append(views, h.fake.HomeView(u.ID))
		for _, v := range h.fake.OpenViews(u.ID) {
			views = append(views, v.Raw)
		}
	}
	if len(msgs) < 200 {
		t.Fatalf("only %d messages: the flow did not run", len(msgs))
	}
	for _, m := range msgs {
		if m.User != "U0BOT" {
			continue // what people posted themselves
		}
		checkInert(t, "message "+m.Channel+"/"+m.TS+" text", m.Text)
		walkTexts(t, m.Blocks, func(kind, s string) { checkText(t, "message "+m.Channel+"/"+m.TS, kind, s) })
	}
	for _, v := range views {
		walkTexts(t, v, func(kind, s string) { checkText(t, "view", kind, s) })
	}
	if logs := grepLines(h.logs.String(), `"level":"error"`); logs != "" {
		t.Errorf("errors logged (Slack refused a message?):\n%s", logs)
	}

	// Text reads as it was typed: a literal "&lt;" stays "&lt;" (sent as
	// "&amp;lt;"), in an incident update and a digest highlight alike.
	typed := "a &amp;lt; b &amp;amp;&amp;amp; c &gt; d"
	readAll := func(msgs []slackfake.Message) string {
		var out []string
		for _, m := range msgs {
			out = append(out, readable(t, m))
		}
		return strings.Join(out, "\n")
	}
	digest := readAll(h.fake.ChannelMessages("C0DIGEST"))
	incidents := readAll(h.fake.ChannelMessages("C0INCIDENTS"))
	for where, all := range map[string]string{"#eng-digest": digest, "#incidents": incidents} {
		if !strings.Contains(all, typed) {
			t.Errorf("%s does not show %q as typed (want the mrkdwn %q)", where, hostile[5].text, typed)
		}
	}
	// Mentions people make with Slack's autocomplete (sent as <@U…|name>)
	// still mention them.
	if !strings.Contains(incidents, "for <@U0BOB>") {
		t.Errorf("the action items' owners are not mentioned in #incidents")
	}
}

// walkTexts calls f with every text object of Block Kit JSON: its type
// (mrkdwn or plain_text) and text.
func walkTexts(t *testing.T, raw json.RawMessage, f func(kind, text string)) {
	t.Helper()
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("blocks %.200s: %v", raw, err)
	}
	var walk func(x any)
	walk = func(x any) {
		switch o := x.(type) {
		case map[string]any:
			if typ, ok := o["type"].(string); ok && (typ == "mrkdwn" || typ == "plain_text") {
				if s, ok := o["text"].(string); ok {
					f(typ, s)
				}
			}
			if u, ok := o["url"].(string); ok {
				f("url", u)
			}
			for _, c := range o {
				walk(c)
			}
		case []any:
			for _, c := range o {
				walk(c)
			}
		}
	}
	walk(v)
}

// checkText checks one text object: mrkdwn must be inert; plain text is
// shown verbatim by Slack, so only direction overrides matter there.
func checkText(t *testing.T, where, kind, s string) {
	t.Helper()
	switch kind {
	case "mrkdwn":
		checkInert(t, where, s)
	case "url":
		if strings.Contains(s, "evil") {
			t.Errorf("%s: a button or image links to %q", where, s)
		}
	}
	checkDirection(t, where, s)
}

// checkInert fails on mrkdwn that would notify a channel, a group or the
// admin, or show a link under other words.
func checkInert(t *testing.T, where, s string) {
	t.Helper()
	for _, bad := range []string{"<!channel", "<!here", "<!everyone", "<!subteam", "<@U0ADMIN", "<https://evil", "<\u200b!"} {
		if strings.Contains(s, bad) {
			i := strings.Index(s, bad)
			t.Errorf("%s: %q in %q", where, bad, s[max(0, i-60):min(len(s), i+80)])
			return
		}
	}
	checkDirection(t, where, s)
}

// checkDirection fails on Unicode direction overrides and isolates, which
// would reorder the bot's own words that follow user text.
func checkDirection(t *testing.T, where, s string) {
	t.Helper()
	for _, r := range s {
		if r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' {
			t.Errorf("%s: direction control %U in %q", where, r, s)
			return
		}
	}
}

// alert posts an Alertmanager notification whose summary, labels,
// annotations and external URL carry text.
func (h *harness) alert(group, text string) {
	h.t.Helper()
	payload := map[string]any{
		"version": "4", "groupKey": group, "status": "firing", "receiver": text, "truncatedAlerts": 0,
		"groupLabels":       map[string]string{"alertname": text},
		"commonLabels":      map[string]string{"alertname": text, "severity": "critical"},
		"commonAnnotations": map[string]string{"summary": text},
		"externalURL":       "https://evil.example/x|" + text + ">",
		"alerts": []any{map[string]any{
			"status": "firing", "labels": map[string]string{"alertname": text, "service": text, "severity": "critical"},
			"annotations": map[string]string{"summary": text, "description": text},
			"startsAt":    "2026-11-23T07:55:00Z", "endsAt": "0001-01-01T00:00:00Z",
			"generatorURL": "https://evil.example/graph>|<!channel>", "fingerprint": "f-" + group,
		}},
	}
	body, _ := json.Marshal(payload)
	code, out := h.post("/hooks/alertmanager", string(body), map[string]string{"Authorization": "Bearer " + wsWebhookToken})
	if code != http.StatusOK {
		h.t.Fatalf("alertmanager %s: %d %s", group, code, out)
	}
}

// pagerDuty posts a triggered incident titled text, then a note of text
// by an agent named text.
func (h *harness) pagerDuty(id, text string) {
	h.t.Helper()
	id = strings.NewReplacer(" ", "-", ",", "").Replace(id)
	for i, ev := range []map[string]any{
		{"id": "ev-t-" + id, "event_type": "incident.triggered", "resource_type": "incident", "occurred_at": "2026-11-23T07:00:00Z",
			"agent": map[string]any{"id": "PAGENT", "summary": text, "type": "user_reference"},
			"data": map[string]any{"id": "PD-" + id, "type": "incident", "html_url": "https://evil.example/pd>|<!channel>", "number": 7, "status": "triggered",
				"title": text, "urgency": "high", "service": map[string]any{"id": "PSVC", "summary": text}}},
		{"id": "ev-n-" + id, "event_type": "incident.annotated", "resource_type": "incident", "occurred_at": "2026-11-23T07:01:00Z",
			"agent": map[string]any{"id": "PAGENT", "summary": text, "type": "user_reference"},
			"data":  map[string]any{"type": "incident_note", "content": text, "incident": map[string]any{"id": "PD-" + id, "html_url": "https://evil.example"}}},
	} {
		body, _ := json.Marshal(map[string]any{"event": ev})
		code, out := h.post("/hooks/pagerduty", string(body), map[string]string{"X-PagerDuty-Signature": pdSign(wsPagerDuty, string(body))})
		if code != http.StatusOK {
			h.t.Fatalf("pagerduty %s event %d: %d %s", id, i, code, out)
		}
	}
}

// deployOf posts a production deploy of a service named text, through the
// deploy webhook and GitHub's.
func (h *harness) deployOf(text string) {
	h.t.Helper()
	at := h.clock.Now().UTC()
	body, _ := json.Marshal(map[string]any{
		"service": text, "environment": "production", "sha": fmt.Sprintf("%x", len(text)*7919), "status": "success",
		"started_at": at.Add(-10 * time.Minute).Format(time.RFC3339), "finished_at": at.Add(-time.Minute).Format(time.RFC3339),
	})
	if code, out := h.post("/hooks/deploy", string(body), map[string]string{"Authorization": "Bearer " + wsWebhookToken}); code != http.StatusOK {
		h.t.Fatalf("deploy of %q: %d %s", text, code, out)
	}
	gh, _ := json.Marshal(map[string]any{
		"action":            "created",
		"deployment_status": map[string]any{"id": len(text), "state": "success", "environment": "production", "created_at": at.Format(time.RFC3339), "updated_at": at.Format(time.RFC3339)},
		"deployment":        map[string]any{"id": len(text) + 1, "sha": fmt.Sprintf("%x", len(text)*104729), "ref": "main", "environment": "production", "created_at": at.Add(-5 * time.Minute).Format(time.RFC3339)},
		"repository":        map[string]any{"id": 1, "name": text, "full_name": "acme/" + text},
	})
	if code, out := h.post("/hooks/github", string(gh), map[string]string{
		"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": webhooks.Sign(wsGitHubSecret, gh), "X-GitHub-Delivery": fmt.Sprint(len(text)),
	}); code != http.StatusOK {
		h.t.Fatalf("GitHub deploy of %q: %d %s", text, code, out)
	}
}
