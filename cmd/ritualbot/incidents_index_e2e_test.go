package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ritualbot/ritualbot/internal/browsertest"
	"github.com/ritualbot/ritualbot/slackfake"
)

// declareSeries declares n incidents a day apart, resolving each an hour
// after: alternating sev1 and sev3, or with quiet, sev3 ones whose retro
// is skipped at once (a long series then prompts nobody, and DMs paced
// at Slack's one a second per conversation do not slow the test).
func declareSeries(t *testing.T, h *harness, n int, quiet bool) {
	t.Helper()
	for i := 1; i <= n; i++ {
		sev := "sev3"
		if i%2 == 1 && !quiet {
			sev = "sev1"
		}
		if ack := ackText(t, h.command("U0ALICE", "C0INCIDENTS", "/incident", fmt.Sprintf("declare %s Outage number %d", sev, i))); !strings.Contains(ack, "Declared") {
			t.Fatalf("declare %d: %s", i, ack)
		}
		h.clock.Advance(time.Hour)
		h.command("U0ALICE", "C0INCIDENTS", "/incident", fmt.Sprintf("resolve #%d Fixed", i))
		if quiet {
			h.command("U0ALICE", "C0INCIDENTS", "/incident", fmt.Sprintf("skip #%d A drill of the list", i))
		}
		h.clock.Advance(23 * time.Hour)
	}
	h.settle()
}

// /incident list pages through more than a week; its link to the record
// is signed for the index and any filters; a mention in a title is a
// name everywhere.
func TestIncidentListPagesAndLinksTheRecord(t *testing.T) {
	h := newIncidentHarnessFast(t, at(t, "2026-10-01 09:00", berlin), "chat.update", "chat.postMessage")
	h.env[envLinkSecret] = "link-SECRET-1a2b"
	h.fake.AddUser(slackfake.User{ID: "U0ERIN", Name: "erin", RealName: "Erin Example", TZ: "Europe/Berlin"})
	h.start()
	declareSeries(t, h, 20, true)

	week := ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list"))
	if strings.Contains(week, "Outage number 12 ") || !strings.Contains(week, "Outage number 20") {
		t.Errorf("the default list is not the last week:\n%s", week)
	}
	all := ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list all"))
	wantIn(t, "/incident list all", all, "All incidents", "*#20* SEV3 · Outage number 20", "*#6* SEV3", "Page 1 of 2 (20 incidents).", "Next: `/incident list all 2`.")
	if strings.Contains(all, "*#5* ") {
		t.Error("page 1 holds more than 15 incidents")
	}
	page2 := ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list all 2"))
	wantIn(t, "/incident list all 2", page2, "*#5* SEV3 · Outage number 5", "*#1* SEV3 · Outage number 1", "Page 2 of 2")
	days := ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list 10d"))
	if !strings.Contains(days, "*#11* ") || strings.Contains(days, "*#10* ") {
		t.Errorf("/incident list 10d:\n%s", days)
	}
	for _, bad := range []string{"list forever", "list all 3", "list 0d"} {
		if ack := ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", bad)); !strings.Contains(ack, "page") && !strings.Contains(ack, "`open`, `all`") {
			t.Errorf("/incident %s answered %s", bad, ack)
		}
	}

	// The record's link, as posted: signed, with the filters of the list.
	open := ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list open"))
	wantIn(t, "/incident list open", open, "No incidents in that range.")
	link := regexp.MustCompile(`<https://ritualbot\.example\.com(/incidents/\?sig=[A-Za-z0-9_-]+)&amp;from=(\d{4}-\d\d-\d\d)\|the incident record>`).FindStringSubmatch(days)
	if link == nil {
		t.Fatalf("/incident list 10d gives no signed link to the record:\n%s", days)
	}
	if code, page := h.get(link[1] + "&from=" + link[2]); code != 200 || !strings.Contains(page, "Incidents 1–10 of 10") {
		t.Errorf("the record through the posted link: %d\n%s", code, page)
	}
	// The signature holds for other filters of the same page, not for
	// another page or none.
	if code, page := h.get(link[1] + "&severity=sev3&q=outage+number+1"); code != 200 || !strings.Contains(page, "Incidents 1–11 of 11") {
		t.Errorf("the record with other filters: %d", code)
	}
	sig := strings.TrimPrefix(link[1], "/incidents/?")
	for _, path := range []string{"/incidents/", "/incidents/?severity=sev1", "/incidents/index.json?" + sig, "/actions/?" + sig} {
		if code, _ := h.get(path); code != 401 {
			t.Errorf("GET %s = %d, want 401", path, code)
		}
	}

	// A picked mention in a title is the person's name in the header,
	// the list, the record and the postmortem; a pasted <!channel> stays
	// inert text.
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Ledger stuck after <@U0ERIN|erin>'s migration &lt;!channel&gt;")
	h.settle()
	ann := readable(t, one(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #21:", "#incidents"))
	wantIn(t, "announcement", ann, "Incident #21: Ledger stuck after @erin's migration <!channel>")
	if strings.Contains(ann, "U0ERIN") {
		t.Errorf("the announcement shows the user ID:\n%s", ann)
	}
	wantIn(t, "/incident list", ackText(t, h.command("U0BOB", "C0INCIDENTS", "/incident", "list open")), "Ledger stuck after @erin's migration &lt;!channel&gt;")
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "resolve #21")
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "publish #21")
	pm := h.m.links.pages.URL("/incidents/21/postmortem.md")
	if code, md := h.get(strings.TrimPrefix(pm, "https://ritualbot.example.com")); code != 200 || !strings.Contains(md, `# Postmortem #21: Ledger stuck after @erin's migration \<!channel\>`) {
		t.Errorf("postmortem.md: %d\n%s", code, md)
	}
	// The record's free text finds the incident by the display or the
	// full name of the person its title mentions.
	for _, q := range []string{"@erin", "erin+example", "EXAMPLE+ledger"} {
		if code, page := h.get(link[1] + "&q=" + q); code != 200 || !strings.Contains(page, "Incidents 1–1 of 1") || !strings.Contains(page, `id="incident-21"`) {
			t.Errorf("the record searched for %q (%d) does not list #21 alone", q, code)
		}
	}
}

// The record in a real browser: the page reads without JavaScript, its
// form filters by team, severity, dates and text, the signature rides
// along, and the postmortem link opens the Markdown.
func TestIncidentRecordInChromium(t *testing.T) {
	browsertest.Find(t)
	h := newIncidentHarnessFast(t, at(t, "2026-10-01 09:00", berlin), "chat.update", "chat.postMessage")
	h.env[envLinkSecret] = "link-SECRET-1a2b"
	h.start()
	declareSeries(t, h, 6, false)
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "publish #3")
	h.settle()

	ctx := browsertest.Start(t, 60*time.Second)
	base := "http://" + h.m.Addr
	index := strings.TrimPrefix(h.m.links.pages.URL("/incidents/"), "https://ritualbot.example.com")
	browsertest.Do(ctx, t, "open the record", chromedp.Navigate(base+index), chromedp.WaitVisible("#incidents"))
	if got := browsertest.Text(ctx, t, "#count"); got != "Incidents 1–6 of 6, newest first." {
		t.Errorf("count = %q", got)
	}
	if row := browsertest.Text(ctx, t, "#incident-3"); !strings.Contains(row, "Outage number 3") || !strings.Contains(row, "Payments") ||
		!strings.Contains(row, "SEV1") || !strings.Contains(row, "1h") || !strings.Contains(row, "resolved") || !strings.Contains(row, "postmortem published") {
		t.Errorf("row #3 = %q", row)
	}
	browsertest.Shot(ctx, t, "incident-record")

	// Filter as a person would: pick sev1, type a word, submit the form.
	browsertest.Do(ctx, t, "filter sev1 and 'number 5'",
		chromedp.SetValue(`select[name=severity]`, "sev1"),
		chromedp.SendKeys(`input[name=q]`, "number 5"),
		chromedp.Click(`#filters button`),
		// Only the page the form loads marks sev1 selected in its HTML.
		chromedp.WaitReady(`select[name=severity] option[selected][value="sev1"]`))
	browsertest.WaitJS(ctx, t, "the filtered list", `document.querySelectorAll('#incidents tbody tr').length === 1`)
	if u := browsertest.Eval[string](ctx, t, `location.search`); !strings.Contains(u, "sig=") || !strings.Contains(u, "severity=sev1") {
		t.Errorf("the form dropped the signature or the filter: %s", u)
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(browsertest.Eval[string](ctx, t, `location.search`), "?"))
	if q.Get("q") != "number 5" {
		t.Errorf("q = %q", q.Get("q"))
	}
	// A date range that holds none.
	browsertest.Do(ctx, t, "a range before any incident",
		chromedp.Navigate(base+index+"&to=2026-09-01"), chromedp.WaitVisible("#empty"))
	// The postmortem's link, as the page gives it, opens it (a browser
	// downloads text/markdown rather than showing it, so it is fetched).
	browsertest.Do(ctx, t, "back to the record", chromedp.Navigate(base+index), chromedp.WaitVisible(`#incident-3 a`))
	href := browsertest.Eval[string](ctx, t, `document.querySelector('#incident-3 a').href`)
	if code, md := h.get(strings.TrimPrefix(href, base)); code != 200 || !strings.Contains(md, "# Postmortem #3: Outage number 3") {
		t.Errorf("the postmortem link %s: %d", href, code)
	}
}
