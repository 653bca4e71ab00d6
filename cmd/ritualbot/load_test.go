package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/webhooks"
)

// TestLoadHTTP drives the bot in HTTP mode over loopback at a fixed rate
// for a fixed time, with a year of history in the store: signed slash
// commands of every kind (reads and writes) and webhooks (Alertmanager,
// PagerDuty, deploys), as a scheduled (open-loop) stream, so a slow answer
// delays nothing else and latency counts from when a request was due. It
// reports p50, p99 and the maximum per kind, and the errors. It is not in
// `make test`:
//
//	RITUALBOT_LOAD=1 go test ./cmd/ritualbot -run TestLoadHTTP -v -timeout 5m
//
// RITUALBOT_LOAD_RATE (per second, default 200), RITUALBOT_LOAD_DURATION
// (default 30s) and RITUALBOT_LOAD_WORKERS (concurrent requests, default
// 32) change the load.
func TestLoadHTTP(t *testing.T) {
	if os.Getenv("RITUALBOT_LOAD") == "" {
		t.Skip("a load test: set RITUALBOT_LOAD=1 to run it (see docs/BENCHMARKS.md)")
	}
	rate := envInt(t, "RITUALBOT_LOAD_RATE", 200)
	workers := envInt(t, "RITUALBOT_LOAD_WORKERS", 32)
	duration := envDuration(t, "RITUALBOT_LOAD_DURATION", 30*time.Second)

	h := newWorkspaceHarness(t, "", yearEnd, slackfake.Options{DisableRateLimits: true})
	if err := h.fake.AddHistory(seedWorkspaceYear(t, h.dir+"/ritualbot.db")...); err != nil {
		t.Fatal(err)
	}
	h.startHTTP()
	latest, _, _ := h.m.DB.LatestIncident("incidents")

	type request struct {
		kind, path, body, contentType string
		header                        map[string]string
		signed                        bool
	}
	var seq atomic.Int64
	// Slack gives every command its own trigger_id; without one, the same
	// read sent twice within a second has the same signature, and the
	// bot refuses it as a replay.
	command := func(user, cmd, text string) request {
		form := url.Values{"token": {"x"}, "team_id": {"T0FAKE"}, "team_domain": {"fake"}, "channel_id": {"C0INCIDENTS"}, "channel_name": {"incidents"},
			"user_id": {user}, "user_name": {strings.ToLower(user[3:])}, "command": {cmd}, "text": {text}, "api_app_id": {"A0FAKE"},
			"is_enterprise_install": {"false"}, "response_url": {"http://127.0.0.1:1/commands/none"}, "trigger_id": {fmt.Sprintf("%d.2.3", seq.Add(1))}}
		kind := strings.TrimPrefix(cmd, "/") + " " + strings.Fields(text + " -")[0]
		return request{kind: "command " + strings.TrimSuffix(kind, " -"), path: "/slack/commands", body: form.Encode(), contentType: "application/x-www-form-urlencoded", signed: true}
	}
	bearer := map[string]string{"Authorization": "Bearer " + wsWebhookToken}
	makers := []func() request{
		func() request { return command("U0BOB", "/oncall", "") },
		func() request { return command("U0BOB", "/oncall", "schedule") },
		func() request { return command("U0BOB", "/standup", "status") },
		func() request { return command("U0ALICE", "/standup", "history <@U0BOB|bob> 10") },
		func() request { return command("U0BOB", "/incident", "list") },
		func() request { return command("U0BOB", "/incident", "actions") },
		func() request { return command("U0LEAD", "/digest", "preview") },
		func() request {
			return command("U0CAROL", "/incident", fmt.Sprintf("update #%d Still rolling back, %d", latest.Number, seq.Add(1)))
		},
		func() request {
			return command("U0LEAD", "/digest", fmt.Sprintf("highlight Shipped release %d", seq.Add(1)))
		},
		func() request {
			// Mostly Alertmanager's resends of a few groups; a new group now and then.
			g := seq.Add(1)
			if g%10 != 0 {
				g %= 5
			}
			body := amPayload("firing", fmt.Sprintf("load-%d", g), amAlert("firing", "web-1", "critical", "2027-11-22T09:00:00Z", zeroTime, fmt.Sprintf("fp%d", g)))
			return request{kind: "webhook alertmanager", path: "/hooks/alertmanager", body: body, contentType: "application/json", header: bearer}
		},
		func() request {
			n := seq.Add(1)
			body := fmt.Sprintf(`{"service":"checkout","environment":"production","sha":"load%d","status":"success","finished_at":"2027-11-22T08:%02d:00Z","commits":[{"sha":"load%d","timestamp":"2027-11-22T07:00:00Z"}]}`, n, n%60, n)
			return request{kind: "webhook deploy", path: "/hooks/deploy", body: body, contentType: "application/json", header: bearer}
		},
		func() request {
			n := seq.Add(1)
			body := pdEvent(fmt.Sprintf("ev-load-%d", n), "incident.acknowledged", "PD-LOAD", "Load")
			if n%20 == 0 {
				body = pdEvent(fmt.Sprintf("ev-load-%d", n), "incident.triggered", fmt.Sprintf("PD-LOAD-%d", n), "Latency above SLO")
			}
			return request{kind: "webhook pagerduty", path: "/hooks/pagerduty", body: body, contentType: "application/json",
				header: map[string]string{"X-PagerDuty-Signature": pdSign(wsPagerDuty, body)}}
		},
		func() request {
			body := string(githubPush)
			return request{kind: "webhook github", path: "/hooks/github", body: body, contentType: "application/json",
				header: map[string]string{"X-GitHub-Event": "push", "X-Hub-Signature-256": webhooks.Sign(wsGitHubSecret, []byte(body))}}
		},
	}

	type result struct {
		kind    string
		latency time.Duration
		err     string
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}, Timeout: 10 * time.Second}
	type job struct {
		due time.Time
		req request
	}
	jobs := make(chan job, rate*int(duration/time.Second)+1)
	results := make(chan result, cap(jobs))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := j.req
				hreq, _ := http.NewRequest(http.MethodPost, "http://"+h.m.Addr+r.path, strings.NewReader(r.body))
				hreq.Header.Set("Content-Type", r.contentType)
				for k, v := range r.header {
					hreq.Header.Set(k, v)
				}
				if r.signed {
					sig, ts := slackfake.Sign(wsSigningSecret, time.Now(), []byte(r.body))
					hreq.Header.Set("X-Slack-Signature", sig)
					hreq.Header.Set("X-Slack-Request-Timestamp", ts)
				}
				resp, err := client.Do(hreq)
				res := result{kind: r.kind}
				switch {
				case err != nil:
					res.err = err.Error()
				default:
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 300 || bytes.Contains(b, []byte("failed on our side")) {
						res.err = fmt.Sprintf("HTTP %d %.200s", resp.StatusCode, b)
					} else if r.signed && !json.Valid(b) {
						res.err = fmt.Sprintf("not JSON: %.200s", b)
					}
				}
				res.latency = time.Since(j.due)
				results <- res
			}
		}()
	}
	total := rate * int(duration/time.Second)
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		jobs <- job{due: due, req: makers[i%len(makers)]()}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	close(results)

	byKind := map[string][]time.Duration{}
	var all []time.Duration
	errs := map[string]int{}
	var firstErrs []string
	for r := range results {
		if r.err != "" {
			errs[r.kind]++
			if len(firstErrs) < 5 {
				firstErrs = append(firstErrs, r.kind+": "+r.err)
			}
			continue
		}
		byKind[r.kind] = append(byKind[r.kind], r.latency)
		all = append(all, r.latency)
	}
	pct := func(lat []time.Duration, p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		slices.Sort(lat)
		return lat[int(p*float64(len(lat)-1))]
	}
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) }
	var kinds []string
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var report strings.Builder
	fmt.Fprintf(&report, "%d requests in %s (%.0f/s asked, %.0f/s done), %d concurrent, %d errors\n", total, elapsed.Round(time.Millisecond), float64(rate), float64(total)/elapsed.Seconds(), workers, len(errs))
	fmt.Fprintf(&report, "| kind | requests | p50 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|\n")
	for _, k := range kinds {
		lat := byKind[k]
		fmt.Fprintf(&report, "| %s | %d | %s | %s | %s | %d |\n", k, len(lat)+errs[k], ms(pct(lat, .5)), ms(pct(lat, .99)), ms(pct(lat, 1)), errs[k])
	}
	fmt.Fprintf(&report, "| all | %d | %s | %s | %s | %d |\n", total, ms(pct(all, .5)), ms(pct(all, .99)), ms(pct(all, 1)), total-len(all))
	t.Log("\n" + report.String())
	for _, e := range firstErrs {
		t.Errorf("error: %s", e)
	}
	if p := pct(all, .99); p > 3*time.Second {
		t.Errorf("p99 %s is over Slack's 3 s acknowledgement deadline", p)
	}
}

// envDuration reads a duration from the environment, def if unset.
func envDuration(tb testing.TB, name string, def time.Duration) time.Duration {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		tb.Fatalf("%s=%q: want a duration such as 30s", name, v)
	}
	return d
}

// envInt reads a positive number from the environment, def if unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// TestSocketModeAcksABurstOf500Envelopes sends 500 slash commands at once
// over Socket Mode, with a year of history in the store: every envelope is
// acknowledged within Slack's 3 seconds (the fake fails a delivery that is
// not), with an answer. The race detector slows everything several times
// over, so this runs without it (`make test` runs it on its own).
func TestSocketModeAcksABurstOf500Envelopes(t *testing.T) {
	if raceDetector {
		t.Skip("a timing guarantee: measured without -race (make test runs it so)")
	}
	cfg := strings.Replace(workspaceConfig, "slack: {mode: http}\n", "", 1)
	h := newWorkspaceHarness(t, cfg, yearEnd, slackfake.Options{DisableRateLimits: true})
	h.env[envAppToken] = "xapp-fake-app-token"
	if err := h.fake.AddHistory(seedWorkspaceYear(t, h.dir+"/ritualbot.db")...); err != nil {
		t.Fatal(err)
	}
	h.start()
	commands := []slackfake.SlashCommand{
		{Command: "/oncall", UserID: "U0BOB"},
		{Command: "/standup", Text: "status", UserID: "U0ALICE"},
		{Command: "/incident", Text: "list", UserID: "U0CAROL"},
		{Command: "/oncall", Text: "schedule", UserID: "U0DAN"},
		{Command: "/incident", Text: "actions", UserID: "U0BOB"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const n = 500
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := commands[i%len(commands)]
			c.ChannelID = "C0INCIDENTS"
			r, err := h.fake.SendSlashCommand(ctx, c)
			lat[i] = time.Since(start)
			if err == nil && len(r.Ack) == 0 {
				err = fmt.Errorf("%s %s: an empty ack", c.Command, c.Text)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 5 {
				t.Errorf("envelope %d: %v", i, err)
			}
		}
	}
	slices.Sort(lat)
	t.Logf("500 envelopes at once: all acknowledged by %s (p50 %s, p99 %s); %d failed", lat[n-1].Round(time.Millisecond),
		lat[n/2].Round(time.Millisecond), lat[n*99/100].Round(time.Millisecond), failed)
	if lat[n-1] > 3*time.Second {
		t.Errorf("the last ack came after %s, over Slack's 3 s", lat[n-1])
	}
}

// TestSocketModeSlowCommandHoldsUpNoOther: while one command waits on a
// slow Slack (views.open taking 2.4 s to open a modal), other commands
// sent meanwhile are answered at once, not after it.
func TestSocketModeSlowCommandHoldsUpNoOther(t *testing.T) {
	cfg := strings.Replace(workspaceConfig, "slack: {mode: http}\n", "", 1)
	h := newWorkspaceHarness(t, cfg, at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.env[envAppToken] = "xapp-fake-app-token"
	h.start()
	h.fake.FailNext("views.open", 1, slackfake.Fault{Delay: 2400 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	slow := make(chan error, 1)
	go func() {
		_, err := h.fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/standup", UserID: "U0ALICE", ChannelID: "C0PAYMENTS"})
		slow <- err
	}()
	if err := h.fake.WaitFor(ctx, func() bool { return h.fake.Calls("views.open") > 0 }); err != nil {
		t.Fatal(err) // the slow one is under way
	}
	var wg sync.WaitGroup
	lat := make([]time.Duration, 10)
	for i := range lat {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if _, err := h.fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/oncall", UserID: "U0BOB", ChannelID: "C0PAYMENTS"}); err != nil {
				t.Error(err)
			}
			lat[i] = time.Since(start)
		}()
	}
	wg.Wait()
	if err := <-slow; err != nil {
		t.Errorf("the slow command: %v", err)
	}
	slices.Sort(lat)
	if lat[len(lat)-1] > time.Second {
		t.Errorf("while one command waited on Slack, the others took up to %s to be acknowledged (all: %v)", lat[len(lat)-1], lat)
	}
}
