package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// The memory the hostile-load test allows, stated in docs/SECURITY.md:
// the process's RSS grows by at most floodRSSBound over its size before
// the flood, and the Go heap in use stays under floodHeapBound. Before the
// HTTP limits, 100 slow bodies to /hooks/pagerduty alone took RSS from
// 33 MB to 524 MB.
const (
	floodRSSBound  = 96 << 20
	floodHeapBound = 64 << 20
)

// TestHostileLoadStaysBoundedAndHealthzAnswers floods the running bot as
// an attacker on the network would: 200 slow-body requests to each /hooks
// and /slack endpoint (headers, then 1 KiB of a body as long as the
// endpoint takes, then nothing), and 10,000 connections that never send a
// byte. Throughout, /healthz answers on a new connection, the open
// connections stay under the cap, memory stays under the stated bound,
// and signed or authenticated deliveries to every endpoint still succeed.
func TestHostileLoadStaysBoundedAndHealthzAnswers(t *testing.T) {
	idle := 10_000
	// Each idle connection costs this process one descriptor (the bot
	// closes its side at the cap), each slow one at most two.
	if have := raiseFileLimit(t, idle+3*1400+2048); have < idle+3*1400+2048 {
		idle = have - 3*1400 - 2048
		t.Logf("RLIMIT_NOFILE is %d: opening %d idle connections instead of 10,000", have, idle)
	}
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	lim := DefaultHTTPLimits()
	// The production wiring and limits, but a newcomer may cut off any
	// older unfinished body at once: no request of this test waits out
	// the grace of a slow one.
	lim.BodyGrace = 0
	h.setup = func(m *Main) { m.HTTPLimits = &lim }
	h.startHTTP()
	addr := h.m.Addr

	runtime.GC()
	baseRSS, baseHeap := memory(t)
	peakRSS, peakHeap := baseRSS, baseHeap
	checkpoint := func(when string) {
		t.Helper()
		fresh := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := fresh.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatalf("%s: /healthz: %v (%d connections open)", when, err, h.m.listener.Open())
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: /healthz answered %d", when, resp.StatusCode)
		}
		if open := h.m.listener.Open(); open > lim.MaxConns {
			t.Errorf("%s: %d connections open, over the cap of %d", when, open, lim.MaxConns)
		}
		rss, heap := memory(t)
		peakRSS, peakHeap = max(peakRSS, rss), max(peakHeap, heap)
	}

	var conns []net.Conn
	var connsMu sync.Mutex
	hold := func(c net.Conn) {
		if c == nil {
			return
		}
		connsMu.Lock()
		conns = append(conns, c)
		connsMu.Unlock()
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	endpoints := slices.Sorted(func(yield func(string) bool) {
		for p := range endpointBodies {
			if !yield(p) {
				return
			}
		}
	})
	chunk := bytes.Repeat([]byte("a"), 1024)
	for _, path := range endpoints {
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			path, addr, endpointBodies[path].limit)
		for range 200 {
			c := dial(t, addr)
			if c == nil {
				t.FailNow()
			}
			hold(c)
			if _, err := io.WriteString(c, head); err != nil {
				t.Fatal(err)
			}
			// The bot may have answered and closed already (a missing
			// bearer token is refused before any body is read).
			_, _ = c.Write(chunk)
		}
		checkpoint("200 slow bodies to " + path)
	}

	// Idle connections, dialled a few at a time so the listen backlog is
	// not the limit.
	for done := 0; done < idle; {
		n := min(1000, idle-done)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < n; i += 8 {
					hold(dial(t, addr))
				}
			}()
		}
		wg.Wait()
		done += n
		checkpoint(fmt.Sprintf("%d idle connections", done))
	}

	// What the bot's real senders send still goes through, each on a
	// connection of its own as under a flood a reused one may be gone.
	command := url.Values{
		"team_id": {"T0FAKE"}, "channel_id": {"C0INCIDENTS"}, "user_id": {"U0ALICE"}, "user_name": {"alice"},
		"command": {"/incident"}, "text": {"declare sev2 Checkout under attack"}, "api_app_id": {"A0FAKE"},
		"response_url": {h.fake.APIURL()}, "trigger_id": {"1.2.3"},
	}.Encode()
	sig, ts := slackfake.Sign(wsSigningSecret, time.Now(), []byte(command))
	pd := pdEvent("01FLOOD", "incident.triggered", "QFLOOD", "Payments API latency")
	alert := amPayload("firing", "flood", amAlert("firing", "web-1", "critical", "2026-11-23T06:55:00Z", zeroTime, "f1"))
	deploy := `{"service":"checkout","environment":"production","sha":"c1","status":"success","finished_at":"2026-11-23T06:30:00Z"}`
	for _, d := range []struct {
		path, body string
		header     map[string]string
		want       string
	}{
		{"/slack/commands", command, map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": sig, "X-Slack-Request-Timestamp": ts}, "Checkout under attack"},
		{"/hooks/github", githubPush, map[string]string{"X-GitHub-Event": "push", "X-GitHub-Delivery": "d1", "X-Hub-Signature-256": webhooks.Sign(wsGitHubSecret, []byte(githubPush))}, "recorded"},
		{"/hooks/pagerduty", pd, map[string]string{"X-PagerDuty-Signature": pdSign(wsPagerDuty, pd)}, "incident"},
		{"/hooks/alertmanager", alert, map[string]string{"Authorization": "Bearer " + wsWebhookToken}, "opened"},
		{"/hooks/deploy", deploy, map[string]string{"Authorization": "Bearer " + wsWebhookToken}, "recorded"},
	} {
		code, out := postFresh(t, "http://"+addr+d.path, d.body, d.header)
		if code != http.StatusOK || !strings.Contains(out, d.want) {
			t.Errorf("%s during the flood: %d %s", d.path, code, out)
		}
		checkpoint("a genuine delivery to " + d.path)
	}

	t.Logf("RSS %.1f MB before the flood, %.1f MB at its peak (+%.1f MB); Go heap in use at most %.1f MB",
		mb(baseRSS), mb(peakRSS), mb(peakRSS-baseRSS), mb(peakHeap))
	// The race detector's shadow memory multiplies RSS: its bound holds
	// without -race, the heap's always.
	if (peakRSS-baseRSS > floodRSSBound && !raceDetector) || peakHeap > floodHeapBound {
		t.Errorf("RSS grew by %.1f MB (bound %.0f MB), heap peaked at %.1f MB (bound %.0f MB)",
			mb(peakRSS-baseRSS), mb(floodRSSBound), mb(peakHeap), mb(floodHeapBound))
	}
	_, metrics := h.get("/metrics")
	for _, want := range []string{`ritualbot_http_refused_total{endpoint="/slack/commands",reason="cut_off"}`, "ritualbot_http_connections_evicted_total"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "ritualbot_http"))
		}
	}
}

// TestRefusedDeliveriesLogBoundedLines sends 20 GitHub deliveries with a
// wrong signature and a 60 KB X-GitHub-Delivery header: the log grows by a
// few lines of bounded length, and the lines left out are counted.
func TestRefusedDeliveriesLogBoundedLines(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	lim := DefaultHTTPLimits()
	lim.RefusalLogEvery = time.Hour // the burst only, whatever the machine's speed
	h.setup = func(m *Main) { m.HTTPLimits = &lim }
	h.startHTTP()

	huge := strings.Repeat("d", 60_000)
	before := len(h.logs.String())
	for range 20 {
		code, _ := postFresh(t, "http://"+h.m.Addr+"/hooks/github", githubPush, map[string]string{
			"X-GitHub-Event": "push", "X-GitHub-Delivery": huge, "X-Hub-Signature-256": webhooks.Sign("not-the-secret", []byte(githubPush)),
		})
		if code != http.StatusUnauthorized {
			t.Fatalf("a forged delivery answered %d", code)
		}
	}
	grown := h.logs.String()[before:]
	lines := strings.Count(grown, "GitHub webhook with a missing or wrong signature refused")
	if len(grown) > 20*512 || lines != lim.RefusalLogBurst {
		t.Errorf("the log grew by %d bytes in %d refusal lines; want at most %d bytes, %d lines", len(grown), lines, 20*512, lim.RefusalLogBurst)
	}
	_, metrics := h.get("/metrics")
	if want := `ritualbot_log_lines_suppressed_total{endpoint="/hooks/github"} 10`; !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s:\n%s", want, grepLines(metrics, "suppressed"))
	}
}

// postFresh posts on a connection of its own and returns the status and
// the answer.
func postFresh(t *testing.T, target, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func dial(t *testing.T, addr string) net.Conn {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Error(err)
		return nil
	}
	return c
}

// raiseFileLimit raises this process's soft RLIMIT_NOFILE towards want,
// within the hard limit, and returns the limit now in force.
func raiseFileLimit(t *testing.T, want int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < uint64(want) {
		lim.Cur = min(uint64(want), lim.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
	}
	return int(min(lim.Cur, 1<<30))
}

// memory is this process's resident set (VmRSS) and the Go heap in use.
func memory(t *testing.T) (rss, heap uint64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc to read RSS from: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			rss = kb << 10
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return rss, ms.HeapInuse
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// TestStalledRequestsAreClosed: a POST whose body never comes, and a
// keep-alive connection left idle, are closed by the server's read and
// idle timeouts (shortened here) instead of staying open for good.
func TestStalledRequestsAreClosed(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	lim := DefaultHTTPLimits()
	lim.ReadTimeout, lim.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	h.setup = func(m *Main) { m.HTTPLimits = &lim }
	h.startHTTP()

	for _, tc := range []struct{ name, send string }{
		{"headers and no body", "POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"},
		{"idle after a request", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		c := dial(t, h.m.Addr)
		if c == nil {
			t.FailNow()
		}
		defer c.Close()
		if _, err := io.WriteString(c, tc.send); err != nil {
			t.Fatal(err)
		}
		// Far longer than the timeouts: reaching it means nothing closed.
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		got, err := io.ReadAll(c)
		if err != nil {
			t.Errorf("%s: the connection stayed open: %v (read %q)", tc.name, err, got)
		}
	}
}

// TestUnauthenticatedBodiesAreRefusedUnread: where the credential is a
// header (the bearer token) or cannot be checked (no secret set), the
// answer comes before any of the body, and the connection closes rather
// than wait for the rest of it.
func TestUnauthenticatedBodiesAreRefusedUnread(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	delete(h.env, envGitHubSecret)
	delete(h.env, envPagerDutySecret)
	h.startHTTP()

	for _, path := range []string{"/hooks/alertmanager", "/hooks/deploy", "/hooks/github", "/hooks/pagerduty"} {
		c := dial(t, h.m.Addr)
		if c == nil {
			t.FailNow()
		}
		defer c.Close()
		// A body announced and never sent.
		if _, err := io.WriteString(c, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		// Far shorter than the read timeout (30 s): reaching it means the
		// bot waited on the body.
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c)
		if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 401") || !strings.Contains(string(got), "Connection: close") {
			t.Errorf("%s: %v, answered %q; want 401 at once and the connection closed", path, err, got)
		}
	}
}
