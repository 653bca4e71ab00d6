package main

import (
	"fmt"
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
	if !strings.Contains(eph, "Payments on call") || !strings.Contains(eph, "The rotation starts Mon") || !strings.Contains(eph, "Only visible to you") {
		t.Errorf("/oncall ephemeral = %q", eph)
	}
	browsertest.Shot(ctx, t, "oncall")

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
}
