package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/internal/browsertest"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// The demo as a person uses it: a real Chromium (Debian's, never a
// downloaded one) drives the page the demo serves, while the real bot
// answers through the fake Slack.

func TestDemoInBrowser(t *testing.T) {
	ctx := browsertest.Start(t, 60*time.Second)
	d := startTestDemo(t)

	// Open the page as Alice in #payments.
	err := chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"#as=U0ALICE&c=C0PAYMENTS"),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0PAYMENTS"].active`)),
		chromedp.WaitVisible(chromedp.CSS(`#clock-now`)),
	)
	if err != nil {
		browsertest.Shot(ctx, t, "open")
		t.Fatalf("open the page: %v", err)
	}
	browsertest.WaitJS(ctx, t, "the simulated time", `document.querySelector('#clock-now').textContent.includes('07:4')`)

	// The intro shows in the first channel only, and once closed stays
	// closed, across a reload too.
	browsertest.WaitJS(ctx, t, "the intro in #payments", `!document.querySelector('#intro').hidden`)
	browsertest.Do(ctx, t, "open #engineering", chromedp.Click(chromedp.CSS(`#sidebar [data-conv="C0ENGINEERING"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0ENGINEERING"].active`)))
	if !browsertest.Eval[bool](ctx, t, `document.querySelector('#intro').hidden`) {
		t.Error("the intro shows in #engineering too")
	}
	browsertest.Do(ctx, t, "close the intro", chromedp.Click(chromedp.CSS(`#sidebar [data-conv="C0PAYMENTS"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#intro .close`)), chromedp.Click(chromedp.CSS(`#intro .close`)))
	browsertest.Do(ctx, t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0PAYMENTS"].active`)))
	browsertest.WaitJS(ctx, t, "the page drawn again", `Number(document.body.dataset.rendered || 0) > 0`)
	if !browsertest.Eval[bool](ctx, t, `document.querySelector('#intro').hidden`) {
		t.Error("the intro is back after closing it and reloading")
	}

	// The sidebar shows who is in each user group.
	browsertest.WaitJS(ctx, t, "@payments-oncall in the sidebar", `(document.querySelector('#groups [data-group="S0PAYONCALL"]') || {}).innerText?.includes('@payments-oncall')`)
	if g := browsertest.Text(ctx, t, `#groups [data-group="S0PAYONCALL"]`); !strings.Contains(g, "Alice Adams") {
		t.Errorf("@payments-oncall in the sidebar: %q, want its member Alice Adams", g)
	}
	if now := browsertest.Text(ctx, t, "#clock-now"); !strings.Contains(now, "Mon") || !strings.Contains(now, "Europe/Berlin") {
		t.Errorf("clock shows %q, want Monday morning in Europe/Berlin", now)
	}

	// Act as Bob with the "you are" picker.
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#you-are'); s.value = 'U0BOB'; s.dispatchEvent(new Event('change')); })()`),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.WaitJS(ctx, t, "Bob to be the acting member", `location.hash.includes('as=U0BOB') && document.querySelector('#people .me').dataset.user === 'U0BOB'`)

	// /standup opens the answer modal.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#composer-text`)),
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/standup"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.modal [data-block-id="yesterday"] textarea`)),
	)
	if err != nil {
		browsertest.Shot(ctx, t, "standup-modal")
		t.Fatalf("/standup did not open the modal: %v", err)
	}
	if title := browsertest.Text(ctx, t, ".modal h2"); title != "Standup" {
		t.Errorf("modal title %q", title)
	}
	// Submitting with a required answer missing shows the error on its block,
	// as Slack's client does, and sends nothing.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="yesterday"] textarea`), "Closed the refunds epic"),
		chromedp.Click(chromedp.CSS(`.modal .submit`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal [data-block-id="today"].has-error .error`)),
	)
	if err != nil {
		t.Fatalf("required-field check: %v", err)
	}
	browsertest.Shot(ctx, t, "modal-error")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="today"] textarea`), "Pairing with Carol on *payouts*"),
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="blockers"] textarea`), "Waiting for the PSP sandbox keys"),
		chromedp.Click(chromedp.CSS(`.modal .submit`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.modal`)),
	)
	if err != nil {
		browsertest.Shot(ctx, t, "modal-submit")
		t.Fatalf("submitting the standup: %v", err)
	}

	// /oncall answers with an ephemeral message only Bob sees.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/oncall"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#messages .msg.ephemeral`)),
	)
	if err != nil {
		t.Fatalf("/oncall: %v", err)
	}
	eph := browsertest.Text(ctx, t, "#messages .msg.ephemeral")
	// The start is a Slack date token, which the client shows as a date in
	// the reader's zone (never the token itself).
	if !strings.Contains(eph, "Payments on call") || !regexp.MustCompile(`The rotation starts \d{1,2} [A-Z][a-z]{2} 20\d\d`).MatchString(eph) || strings.Contains(eph, "date_short_pretty") || !strings.Contains(eph, "Only visible to you") {
		t.Errorf("/oncall ephemeral = %q", eph)
	}
	browsertest.Shot(ctx, t, "oncall")

	// Every link the bot posts opens: its public URL is its own address.
	browsertest.Do(ctx, t, "/oncall schedule",
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/oncall schedule payments"+kb.Enter))
	feed := `[...document.querySelectorAll('#messages .msg.ephemeral a')].map(a => a.href).find(h => h.startsWith('http://` + d.Bot.Addr() + `/oncall/')) || ''`
	browsertest.WaitJS(ctx, t, "the calendar link in /oncall schedule", feed+` !== ''`)
	if href := browsertest.Eval[string](ctx, t, feed); href != "" {
		resp, err := http.Get(href)
		if err != nil {
			t.Fatalf("open the calendar link %s: %v", href, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
			t.Errorf("the calendar link %s answered %d %s", href, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}

	// Jump ritual by ritual to 17:00, when the standup summary is due in
	// #payments (09:00 in New York + summary_after 2h); then it must show.
	for i := 0; d.Clock.Now().In(berlin).Format("15:04") != "17:00"; i++ {
		if i == 20 {
			t.Fatalf("no jump reached 17:00 in %d jumps; clock at %q", i, browsertest.Text(ctx, t, "#clock-now"))
		}
		moves, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.moves || '0'`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#jump-next`))); err != nil {
			t.Fatal(err)
		}
		browsertest.WaitJS(ctx, t, "the jump to show", fmt.Sprintf(`document.body.dataset.moves !== %q && !document.querySelector('#jump-next').disabled`, moves))
	}
	browsertest.WaitJS(ctx, t, "the standup summary in #payments", `[...document.querySelectorAll('#messages .msg')].some(m => m.innerText.includes('Payments standup'))`)
	if now := browsertest.Text(ctx, t, "#clock-now"); !strings.Contains(now, "17:00") {
		t.Errorf("summary seen at %q, want 17:00", now)
	}
	// The summary posts its answers in a thread; open it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#messages .thread-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#thread .msg`)),
	)
	if err != nil {
		t.Fatalf("open the summary's thread: %v", err)
	}
	browsertest.WaitJS(ctx, t, "Bob's answer in the thread", `document.querySelector('#thread').innerText.includes('Closed the refunds epic')`)
	thread := browsertest.Text(ctx, t, "#thread")
	if !strings.Contains(thread, "Waiting for the PSP sandbox keys") {
		t.Errorf("thread lacks Bob's blocker: %q", thread)
	}
	browsertest.Shot(ctx, t, "summary")

	// A conversation opens at its newest message, wherever another was
	// scrolled to; a message arriving below what is read shows a marker.
	for i := range 16 {
		for _, c := range []string{"C0PAYMENTS", "C0ENGINEERING"} {
			if _, _, err := d.Fake.SendMessageEvent(context.Background(), "U0CAROL", c, fmt.Sprintf("Deploy notes, part %d", i+1), ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	browsertest.WaitJS(ctx, t, "Carol's notes", `document.querySelector('#messages').innerText.includes('Deploy notes, part 16')`)
	const atBottom = `(() => { const l = document.querySelector('#messages'); return l.scrollHeight - l.scrollTop - l.clientHeight < 40; })()`
	if !browsertest.Eval[bool](ctx, t, `(() => { const l = document.querySelector('#messages'); return l.scrollHeight > l.clientHeight + 200; })()`) {
		t.Fatal("#payments does not overflow its pane: the scrolling checks would prove nothing")
	}
	browsertest.Do(ctx, t, "open #engineering, scroll it up, then open #payments",
		chromedp.Click(chromedp.CSS(`#sidebar [data-conv="C0ENGINEERING"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0ENGINEERING"].active`)))
	browsertest.WaitJS(ctx, t, "#engineering drawn, overflowing", `document.querySelector('#messages').innerText.includes('Deploy notes, part 16') && document.querySelector('#messages').scrollHeight > document.querySelector('#messages').clientHeight + 100`)
	browsertest.Do(ctx, t, "scroll #engineering up, then open #payments",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#messages').scrollTop = 0`),
		chromedp.Click(chromedp.CSS(`#sidebar [data-conv="C0PAYMENTS"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0PAYMENTS"].active`)))
	browsertest.WaitJS(ctx, t, "#payments drawn", `document.querySelector('#messages').innerText.includes('Deploy notes, part 16')`)
	if !browsertest.Eval[bool](ctx, t, atBottom) {
		browsertest.Shot(ctx, t, "opened-not-at-newest")
		t.Error("#payments opened away from its newest message")
	}
	browsertest.Do(ctx, t, "scroll up", chromedp.Evaluate[chromedp.Void](`document.querySelector('#messages').scrollTop = 0`))
	if _, _, err := d.Fake.SendMessageEvent(context.Background(), "U0CAROL", "C0PAYMENTS", "One more thing about the deploy", ""); err != nil {
		t.Fatal(err)
	}
	browsertest.WaitJS(ctx, t, "the new-message marker", `!document.querySelector('#new-marker').hidden`)
	if browsertest.Eval[bool](ctx, t, atBottom) {
		t.Error("the page moved under the reader instead of showing the marker")
	}
	browsertest.Shot(ctx, t, "new-message-marker")
	browsertest.Do(ctx, t, "click the marker", chromedp.Click(chromedp.CSS(`#new-marker`)))
	browsertest.WaitJS(ctx, t, "the newest message in view, the marker gone", atBottom+` && document.querySelector('#new-marker').hidden`)

	demoIncidentLoopInBrowser(ctx, t, d)
	demoDigestInBrowser(ctx, t)
}

// An incident declared in the page is seen through its retro and its
// postmortem (whose link opens) to a closed action item, in one sitting:
// the time controls reach the retro prompt.
func demoIncidentLoopInBrowser(ctx context.Context, t *testing.T, d *demo.Demo) {
	actAs(ctx, t, "U0ALICE")
	click(ctx, t, "open #incidents", `#sidebar [data-conv="C0INCIDENTS"]`)
	browsertest.WaitJS(ctx, t, "#incidents open", `document.querySelector('#sidebar [data-conv="C0INCIDENTS"].active') !== null`)
	for _, c := range []struct{ command, shows string }{
		{"/incident declare sev2 Checkout returns 500s", "Checkout returns 500s"},
		{"/incident action #1 @bob Add a canary stage to checkout deploys", "Add a canary stage"},
		{"/incident resolve #1 Rolled back the deploy", "Rolled back the deploy"},
	} {
		browsertest.Do(ctx, t, c.command, chromedp.SendKeys(chromedp.CSS(`#composer-text`), c.command+kb.Enter))
		browsertest.WaitJS(ctx, t, "the answer to "+c.command, jsString(`document.querySelector('#messages').innerText.includes(%s)`, c.shows))
	}

	// In Alice's conversation with the app, jump ritual by ritual until
	// the retro prompt comes.
	openAppMessages(ctx, t)
	const publish = `#messages [data-action-id="` + incident.ActionRetroPublish + `"]`
	for i := 0; !browsertest.Eval[bool](ctx, t, jsString(`document.querySelector(%s) !== null`, publish)); i++ {
		if i == 20 {
			t.Fatalf("no retro prompt after %d jumps; clock at %q", i, browsertest.Text(ctx, t, "#clock-now"))
		}
		jumpNext(ctx, t)
	}
	if now := browsertest.Text(ctx, t, "#clock-now"); !strings.Contains(now, "Tue") {
		t.Errorf("the retro prompt came %q, want the next day", now)
	}
	browsertest.Shot(ctx, t, "retro-prompt")
	click(ctx, t, "publish the postmortem", publish)
	confirmIfAsked(ctx, t)

	// The postmortem is posted in #incidents, and its link opens.
	click(ctx, t, "open #incidents", `#sidebar [data-conv="C0INCIDENTS"]`)
	browsertest.WaitJS(ctx, t, "#incidents open", `document.querySelector('#sidebar [data-conv="C0INCIDENTS"].active') !== null`)
	link := `[...document.querySelectorAll('#messages .msg a')].map(a => a.href).find(h => h.startsWith('http://` + d.Bot.Addr() + `/incidents/1/postmortem.md')) || ''`
	browsertest.WaitJS(ctx, t, "the postmortem's link in #incidents", link+` !== ''`)
	href := browsertest.Eval[string](ctx, t, link)
	resp, err := http.Get(href)
	if err != nil {
		t.Fatalf("open the postmortem link %s: %v", href, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Checkout returns 500s") || !strings.Contains(string(body), "Add a canary stage") {
		t.Errorf("the postmortem link %s answered %d:\n%.400s", href, resp.StatusCode, body)
	}
	browsertest.Shot(ctx, t, "postmortem")

	// Bob closes his action item from its DM.
	actAs(ctx, t, "U0BOB")
	openAppMessages(ctx, t)
	const done = `#messages [data-action-id="` + incident.ActionItemDone + `"]`
	browsertest.WaitJS(ctx, t, "Bob's action item with its Done button", jsString(`document.querySelector(%s) !== null`, done))
	count := jsString(`document.querySelectorAll(%s).length`, done)
	before := browsertest.Eval[int](ctx, t, count)
	click(ctx, t, "Bob clicks Done", done)
	browsertest.WaitJS(ctx, t, "the action item marked done", fmt.Sprintf(`%s < %d && document.querySelector('#messages').innerText.includes('Done ✓')`, count, before))
}

// A run of the week ends with the weekly digest in #engineering, showing
// the deploys the demo seeded.
func demoDigestInBrowser(ctx context.Context, t *testing.T) {
	moves := browsertest.Eval[string](ctx, t, `document.body.dataset.moves || '0'`)
	click(ctx, t, "run the week", `#run-week`)
	click(ctx, t, "open #engineering", `#sidebar [data-conv="C0ENGINEERING"]`)
	browsertest.WaitJS(ctx, t, "the run of the week to end", fmt.Sprintf(`document.body.dataset.moves !== %q && !document.querySelector('#timebar').classList.contains('busy')`, moves))
	if now := browsertest.Text(ctx, t, "#clock-now"); !strings.Contains(now, "Fri") {
		t.Errorf("the run of the week ended %q, want Friday", now)
	}
	const digest = `[...document.querySelectorAll('#messages .msg')].map(m => m.innerText).filter(t => t.includes('Lead time')).pop() || ''`
	browsertest.WaitJS(ctx, t, "the digest in #engineering", digest+` !== ''`)
	text := browsertest.Eval[string](ctx, t, digest)
	browsertest.Shot(ctx, t, "digest")
	for _, team := range []string{"Payments", "Platform"} {
		_, block, _ := strings.Cut(text, team)
		if m := regexp.MustCompile(`Deploys\s+(\d+) ·`).FindStringSubmatch(block); m == nil || m[1] == "0" ||
			strings.Contains(block, "no changes shipped") || strings.Contains(block, "no deploys recorded") {
			t.Errorf("%s in the digest shows no deploys:\n%s", team, text)
		}
	}
}

// jsString formats a script with Go strings quoted as JavaScript ones.
func jsString(format string, args ...string) string {
	quoted := make([]any, len(args))
	for i, a := range args {
		q, _ := json.Marshal(a)
		quoted[i] = string(q)
	}
	return fmt.Sprintf(format, quoted...)
}

// actAs picks the acting member with the "you are" picker.
func actAs(ctx context.Context, t *testing.T, user string) {
	t.Helper()
	browsertest.Do(ctx, t, "act as "+user, chromedp.Evaluate[chromedp.Void](jsString(
		`(() => { const s = document.querySelector('#you-are'); s.value = %s; s.dispatchEvent(new Event('change')); })()`, user)))
	browsertest.WaitJS(ctx, t, user+" to be the acting member", jsString(`document.querySelector('#people .me').dataset.user === %s`, user))
}

// openAppMessages opens the acting member's conversation with the app.
func openAppMessages(ctx context.Context, t *testing.T) {
	t.Helper()
	app := browsertest.Eval[string](ctx, t, `[...document.querySelectorAll('#sidebar .side-section')].find(s => s.querySelector('.side-title').textContent === 'Apps').querySelector('.side-item').dataset.conv`)
	click(ctx, t, "open the app", jsString(`#sidebar [data-conv=%s]`, app))
	browsertest.WaitJS(ctx, t, "the app's tabs", `!document.querySelector('#app-tabs').hidden`)
	click(ctx, t, "open its Messages tab", `#app-tabs [data-tab="messages"]`)
	browsertest.WaitJS(ctx, t, "the app's Messages tab", `document.querySelector('#app-tabs .tab.active').dataset.tab === 'messages' && !document.querySelector('#messages').hidden`)
}

// jumpNext clicks "Jump to next ritual" and waits for the page to show
// what the bot did.
func jumpNext(ctx context.Context, t *testing.T) {
	t.Helper()
	moves := browsertest.Eval[string](ctx, t, `document.body.dataset.moves || '0'`)
	browsertest.WaitJS(ctx, t, "the jump button", `!document.querySelector('#jump-next').disabled`)
	click(ctx, t, "jump to the next ritual", `#jump-next`)
	browsertest.WaitJS(ctx, t, "the jump to show", fmt.Sprintf(`document.body.dataset.moves !== %q && !document.querySelector('#jump-next').disabled`, moves))
}

// confirmIfAsked accepts a button's confirmation dialog, if it has one.
func confirmIfAsked(ctx context.Context, t *testing.T) {
	t.Helper()
	if browsertest.Eval[bool](ctx, t, `!document.querySelector('#confirm-layer').hidden`) {
		click(ctx, t, "confirm", `#confirm-layer .btn.primary, #confirm-layer .btn.danger`)
	}
}

// click clicks what a selector finds, looked up and clicked in one script
// run: the page redraws its sidebar and conversation as the bot acts, and
// a node found before a redraw is gone after it.
func click(ctx context.Context, t *testing.T, what, sel string) {
	t.Helper()
	browsertest.WaitJS(ctx, t, what, jsString(`document.querySelector(%s) !== null`, sel))
	browsertest.Do(ctx, t, what, chromedp.Evaluate[chromedp.Void](jsString(`document.querySelector(%s).click()`, sel)))
}
