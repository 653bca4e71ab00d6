package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The demo as a person uses it: a real Chromium (Debian's, never a
// downloaded one) drives the page the demo serves, while the real bot
// answers through the fake Slack.

const chromiumInstall = "bash .ci/install-chromium.sh   (Debian: apt-get install -y chromium)"

// findChromium returns the browser to drive, or skips the test loudly.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("RITUALBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "SKIPPED: Chromium is not installed, so the demo page was NOT tested in a real browser.\n" +
		"Install it with: " + chromiumInstall
	fmt.Fprintln(os.Stderr, "\n"+strings.Repeat("!", 72)+"\n"+msg+"\n"+strings.Repeat("!", 72))
	t.Skip(msg)
	return ""
}

// browser starts a headless Chromium with a fresh profile, with the flags
// that keep it off the network (see /work/.library/env/machines/go.md).
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1400, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		wg.Wait()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	// A script error in the page fails the test with its message.
	exceptions := chromedp.Events(ctx, cdpruntime.ExceptionThrown)
	console := chromedp.Events(ctx, cdpruntime.ConsoleAPICalled)
	wg.Go(func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			t.Errorf("script error in the page: %s", exceptionText(ev.ExceptionDetails))
		}
	})
	wg.Go(func() {
		for ev, err := range console {
			if err != nil {
				return
			}
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			t.Logf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	})
	return ctx
}

func exceptionText(d *cdpruntime.ExceptionDetails) string {
	if d == nil {
		return "?"
	}
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg = d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d:%d)", msg, d.URL, d.LineNumber, d.ColumnNumber)
}

// startTestDemo runs the built-in demo on an ephemeral port.
func startTestDemo(t *testing.T) *demo {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := startDemo(ctx, demoOptions{
		Listen: "127.0.0.1:0", Log: newLogger(logs, func(string) string { return "" }),
		StepPause: time.Millisecond,
	})
	if err != nil {
		t.Fatalf("start demo: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("demo Close: %v", err)
		}
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs.String())
		}
	})
	return d
}

// textOf reads an element's visible text.
func textOf(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// waitJS polls a JavaScript condition until it holds.
func waitJS(ctx context.Context, t *testing.T, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		shot(ctx, t, "failed")
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// shot saves a screenshot to $RITUALBOT_SCREENSHOTS, if set, to look at.
func shot(ctx context.Context, t *testing.T, name string) {
	dir := os.Getenv("RITUALBOT_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

func TestDemoInBrowser(t *testing.T) {
	ctx := browser(t, 60*time.Second)
	d := startTestDemo(t)

	// Open the page as Alice in #payments.
	err := chromedp.Do(ctx,
		chromedp.Navigate(d.URL+"#as=U0ALICE&c=C0PAYMENTS"),
		chromedp.WaitVisible(chromedp.CSS(`#sidebar [data-conv="C0PAYMENTS"].active`)),
		chromedp.WaitVisible(chromedp.CSS(`#clock-now`)),
	)
	if err != nil {
		shot(ctx, t, "open")
		t.Fatalf("open the page: %v", err)
	}
	waitJS(ctx, t, "the simulated time", `document.querySelector('#clock-now').textContent.includes('07:4')`)
	if now := textOf(ctx, t, "#clock-now"); !strings.Contains(now, "Mon") || !strings.Contains(now, "Europe/Berlin") {
		t.Errorf("clock shows %q, want Monday morning in Europe/Berlin", now)
	}

	// Act as Bob with the "you are" picker.
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#you-are'); s.value = 'U0BOB'; s.dispatchEvent(new Event('change')); })()`),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitJS(ctx, t, "Bob to be the acting member", `location.hash.includes('as=U0BOB') && document.querySelector('#people .me').dataset.user === 'U0BOB'`)

	// /standup opens the answer modal.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#composer-text`)),
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "/standup"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.modal [data-block-id="yesterday"] textarea`)),
	)
	if err != nil {
		shot(ctx, t, "standup-modal")
		t.Fatalf("/standup did not open the modal: %v", err)
	}
	if title := textOf(ctx, t, ".modal h2"); title != "Standup" {
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
	shot(ctx, t, "modal-error")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="today"] textarea`), "Pairing with Carol on *payouts*"),
		chromedp.SendKeys(chromedp.CSS(`.modal [data-block-id="blockers"] textarea`), "Waiting for the PSP sandbox keys"),
		chromedp.Click(chromedp.CSS(`.modal .submit`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.modal`)),
	)
	if err != nil {
		shot(ctx, t, "modal-submit")
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
	eph := textOf(ctx, t, "#messages .msg.ephemeral")
	if !strings.Contains(eph, "No on-call rotation is configured") || !strings.Contains(eph, "Only visible to you") {
		t.Errorf("/oncall ephemeral = %q", eph)
	}
	shot(ctx, t, "oncall")

	// Jump ritual by ritual until the standup summary is in #payments.
	summary := `[...document.querySelectorAll('#messages .msg')].some(m => m.innerText.includes('Payments standup'))`
	for i := 0; ; i++ {
		found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](summary))
		if err != nil {
			t.Fatal(err)
		}
		if found {
			break
		}
		if i == 20 {
			shot(ctx, t, "no-summary")
			t.Fatalf("no standup summary in #payments after %d jumps; clock at %q", i, textOf(ctx, t, "#clock-now"))
		}
		moves, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.moves || '0'`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#jump-next`))); err != nil {
			t.Fatal(err)
		}
		waitJS(ctx, t, "the jump to show", fmt.Sprintf(`document.body.dataset.moves !== %q && !document.querySelector('#jump-next').disabled`, moves))
	}
	if now := textOf(ctx, t, "#clock-now"); !strings.Contains(now, "17:00") {
		t.Errorf("summary seen at %q, want 17:00 (09:00 in New York + summary_after 2h)", now)
	}
	// The summary posts its answers in a thread; open it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#messages .thread-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#thread .msg`)),
	)
	if err != nil {
		t.Fatalf("open the summary's thread: %v", err)
	}
	waitJS(ctx, t, "Bob's answer in the thread", `document.querySelector('#thread').innerText.includes('Closed the refunds epic')`)
	thread := textOf(ctx, t, "#thread")
	if !strings.Contains(thread, "Waiting for the PSP sandbox keys") {
		t.Errorf("thread lacks Bob's blocker: %q", thread)
	}
	shot(ctx, t, "summary")
}
