package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/slackfake"
)

// companyConfig is a realistic company: the workspace's rituals (whose
// year of history seedWorkspaceYear writes) and four more teams of ten,
// each with a standup, an on-call rotation and a reminder, one team given
// by e-mail addresses (resolved at start-up), all in one digest.
func companyConfig(listen, store string) string {
	var b strings.Builder
	cfg := strings.NewReplacer("STORE", store, `listen: "127.0.0.1:0"`, fmt.Sprintf("listen: %q", listen), "slack: {mode: http}\n", "").Replace(workspaceConfig)
	teams, rituals, _ := strings.Cut(cfg, "rituals:\n")
	b.WriteString(teams)
	for i := 1; i <= 4; i++ {
		var members []string
		for j := 1; j <= 10; j++ {
			if i == 4 {
				members = append(members, fmt.Sprintf("eng%d%02d@example.com", i, j))
			} else {
				members = append(members, fmt.Sprintf("U0T%dM%02d", i, j))
			}
		}
		fmt.Fprintf(&b, "  - {id: team%d, name: Team %d, channel: C0TEAM%d, members: [%s], leads: [%s], services: [svc%d]}\n",
			i, i, i, strings.Join(members, ", "), members[0], i)
	}
	b.WriteString("rituals:\n" + strings.Replace(rituals, "teams: [payments, search]", "teams: [payments, search, team1, team2, team3, team4]", 1))
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&b, `  - name: team%d-standup
    kind: standup
    team: team%d
    schedule: "0 9 * * MON-FRI"
    local_time: true
    remind_after: 1h
    summary_after: 2h
    summary: thread
    questions:
      - {id: yesterday, text: "What did you get done yesterday?"}
      - {id: today, text: "What are you working on today?"}
      - {id: blockers, text: "Anything blocking you?", blocker: true}
  - {name: team%d-oncall, kind: oncall, team: team%d, handoff: "0 10 * * MON", start: 2026-11-02, secondary: true, notify_before: 1d}
  - {name: team%d-planning, kind: reminder, team: team%d, schedule: "0 10 * * MON", every_weeks: 2, start: 2026-11-23, text: "Sprint planning for {{.Team}}. On call: {{.OnCall}}"}
`, i, i, i, i, i, i)
	}
	return b.String()
}

// BenchmarkStartupAndIdleRSS builds the ritualbot binary and starts it,
// in Socket Mode against a fake Slack, with the company's config
// (companyConfig: 6 teams, 17 rituals) and a year of history in the store:
// startup-ms is the time from exec to /readyz answering 200 (config read,
// names resolved through Slack, store opened, Socket Mode connected);
// idle-rss-MB is the process's resident memory (VmRSS in /proc) after it
// has idled for RITUALBOT_BENCH_IDLE (default 5s), peak-rss-MB its high
// water mark. Each iteration is a start, an idle and a SIGTERM.
//
//	go test ./cmd/ritualbot -run '^$' -bench StartupAndIdleRSS -benchtime 5x
func BenchmarkStartupAndIdleRSS(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "ritualbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	idle := envDuration(b, "RITUALBOT_BENCH_IDLE", 5*time.Second)
	fake := slackfake.New(slackfake.Options{BotToken: "xoxb-bench-bot", AppToken: "xapp-bench-app"})
	b.Cleanup(fake.Close)
	for _, u := range workspaceUsers {
		fake.AddUser(slackfake.User{ID: u.ID, Name: u.Name, TZ: "Europe/Berlin"})
	}
	for i := 1; i <= 4; i++ {
		fake.AddChannel(slackfake.Channel{ID: fmt.Sprintf("C0TEAM%d", i), Name: fmt.Sprintf("team%d", i), Members: []string{"U0BOT"}})
		for j := 1; j <= 10; j++ {
			u := slackfake.User{ID: fmt.Sprintf("U0T%dM%02d", i, j), Name: fmt.Sprintf("t%dm%d", i, j), TZ: []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata"}[j%3]}
			if i == 4 {
				u.Email = fmt.Sprintf("eng%d%02d@example.com", i, j)
			}
			fake.AddUser(u)
		}
	}
	for _, c := range []string{"C0PAYMENTS", "C0SEARCH", "C0INCIDENTS", "C0DIGEST"} {
		fake.AddChannel(slackfake.Channel{ID: c, Name: strings.ToLower(c[2:]), Members: []string{"U0BOT"}})
	}
	listen := freePort(b)
	dbPath := filepath.Join(dir, "ritualbot.db")
	seedWorkspaceYear(b, dbPath)
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(companyConfig(listen, dbPath)), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "SLACK_BOT_TOKEN=xoxb-bench-bot", "SLACK_APP_TOKEN=xapp-bench-app", "SLACK_API_URL="+fake.APIURL(),
		"RITUALBOT_LOG=json", "RITUALBOT_LOG_LEVEL=debug", "RITUALBOT_WEBHOOK_TOKEN=bench-webhook-token")

	var startup, rss, peak []float64
	for b.Loop() {
		var logs bytes.Buffer
		cmd := exec.Command(bin, "run", "--config", cfgPath)
		cmd.Env = env
		cmd.Stderr = &logs
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if err := waitReady(listen, 20*time.Second); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("%v; logs:\n%s", err, logs.String())
		}
		startup = append(startup, float64(time.Since(start).Microseconds())/1000)
		b.StopTimer()
		time.Sleep(idle) // idling is what is measured
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			b.Fatal(err)
		}
		rss = append(rss, procKB(status, "VmRSS")/1024)
		peak = append(peak, procKB(status, "VmHWM")/1024)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			b.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			b.Fatalf("ritualbot after SIGTERM: %v\n%s", err, logs.String())
		}
		for _, secret := range []string{"xoxb-bench-bot", "xapp-bench-app", "bench-webhook-token"} {
			if strings.Contains(logs.String(), secret) {
				b.Fatalf("the binary logged the secret %s", secret)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(median(startup), "startup-ms")
	b.ReportMetric(median(rss), "idle-rss-MB")
	b.ReportMetric(median(peak), "peak-rss-MB")
	fi, _ := os.Stat(dbPath)
	b.Logf("store %.1f MB; start-up (ms): %v; idle RSS (MB): %v; peak RSS (MB): %v", float64(fi.Size())/(1<<20), startup, rss, peak)
}

// waitReady polls /readyz until it answers 200.
func waitReady(addr string, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond) // polling a child process: there is nothing to wait on
	}
	return fmt.Errorf("/readyz at %s not 200 within %s", addr, limit)
}

// procKB reads a "Name:   123 kB" line of /proc/PID/status.
func procKB(status []byte, name string) float64 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb
		}
	}
	return 0
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s[len(s)/2]
}
