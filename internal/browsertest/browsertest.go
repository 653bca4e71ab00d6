// Package browsertest starts Debian's headless Chromium for tests and
// drives it with chromedp. No browser is ever downloaded: without
// Chromium on the machine, a test that asks for one is skipped with a loud
// message naming the install command.
package browsertest

import (
	"context"
	"encoding/json"
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
)

// Install is how to get the browser.
const Install = "bash .ci/install-chromium.sh   (Debian: apt-get install -y chromium)"

// Find returns the browser to drive ($RITUALBOT_CHROMIUM, else chromium
// on the PATH), or skips the test loudly.
func Find(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("RITUALBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "SKIPPED: Chromium is not installed, so the page was NOT tested in a real browser.\n" +
		"Install it with: " + Install
	bar := strings.Repeat("!", 72)
	fmt.Fprintln(os.Stderr, "\n"+bar+"\n"+msg+"\n"+bar)
	t.Skip(msg)
	return ""
}

// Start starts a headless Chromium with a fresh profile and the flags that
// keep it off the network, and returns a tab's context, ended by timeout
// or at the test's end. A script error in the page fails the test.
func Start(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Find(t)
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
	// Registered after the cleanup above, so it runs first, while the
	// browser is still there: a failed test leaves a picture of the page.
	t.Cleanup(func() {
		if t.Failed() {
			Shot(ctx, t, "at-end")
		}
	})
	exceptions := chromedp.Events(ctx, cdpruntime.ExceptionThrown)
	wg.Go(func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			t.Errorf("script error in the page: %s", exceptionText(ev.ExceptionDetails))
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

// Text reads the visible text of the first element matching a CSS
// selector, once there is one. It reads in one script run: a page that
// redraws a list replaces its nodes, and a node looked up before a redraw
// reads as empty after it.
func Text(ctx context.Context, t testing.TB, sel string) string {
	t.Helper()
	q, _ := json.Marshal(sel)
	WaitJS(ctx, t, sel, fmt.Sprintf(`document.querySelector(%s) !== null`, q))
	return Eval[string](ctx, t, fmt.Sprintf(`(document.querySelector(%s) || {innerText: ''}).innerText`, q))
}

// Eval evaluates JavaScript in the page.
func Eval[T any](ctx context.Context, t testing.TB, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Do runs actions, failing the test (with a screenshot) on error.
func Do(ctx context.Context, t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		Shot(ctx, t, "failed")
		t.Fatalf("%s: %v", what, err)
	}
}

// WaitJS polls a JavaScript condition until it holds.
func WaitJS(ctx context.Context, t testing.TB, what, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		Shot(ctx, t, "failed")
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// Shot saves a screenshot as $RITUALBOT_SCREENSHOTS/NAME.png, if that
// variable names a directory, for a person to look at. A test that is
// failing (or a shot named "failed") keeps its screenshot in any case, as
// an artifact: in $TMPDIR/ritualbot-screenshots/TEST/ unless the variable
// says where, and the test's log names the file.
func Shot(ctx context.Context, t testing.TB, name string) {
	dir := os.Getenv("RITUALBOT_SCREENSHOTS")
	if dir == "" {
		if !t.Failed() && name != "failed" {
			return
		}
		dir = filepath.Join(os.TempDir(), "ritualbot-screenshots", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("screenshot %s: %v", name, err)
			return
		}
		defer t.Logf("screenshot of the page: %s", filepath.Join(dir, name+".png"))
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
