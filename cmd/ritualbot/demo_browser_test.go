package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ritualbot/ritualbot/internal/browsertest"
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
}
