package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// alertmanagerBinary finds Debian's prometheus-alertmanager (or an
// upstream alertmanager) on PATH.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("SKIPPED: no Alertmanager binary on PATH, so the real-Alertmanager test did not run. " +
		"Install it with `bash .ci/install-alertmanager.sh` (Debian's prometheus-alertmanager), which .ci/run does.")
	return ""
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRealAlertmanagerOpensAndResolvesOneIncident runs a real Alertmanager
// on loopback whose webhook receiver is the bot (with the bearer token in
// its http_config), fires an alert through Alertmanager's own API and
// resolves it.
func TestRealAlertmanagerOpensAndResolvesOneIncident(t *testing.T) {
	bin := alertmanagerBinary(t)
	h := newIncidentHarness(t, time.Now())
	h.start()

	dir := t.TempDir()
	amAddr := freePort(t)
	conf := fmt.Sprintf(`route:
  receiver: ritualbot
  group_by: [alertname]
  group_wait: 100ms
  group_interval: 300ms
  repeat_interval: 1h
receivers:
  - name: ritualbot
    webhook_configs:
      - url: http://%s/hooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: hook-token
`, h.m.Addr)
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--config.file="+filepath.Join(dir, "alertmanager.yml"), "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=", "--log.level=info")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", logs.String())
		}
	})
	base := "http://" + amAddr
	waitHTTP(t, ctx, base+"/-/ready")

	post := func(body string) {
		t.Helper()
		resp, err := http.Post(base+"/api/v2/alerts", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Alertmanager refused the alert: %s", resp.Status)
		}
	}
	start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	alert := `[{"labels": {"alertname": "CheckoutErrors", "severity": "critical", "service": "checkout", "instance": "web-1"},
  "annotations": {"summary": "Checkout error rate above 5%%"},
  "startsAt": %q, "endsAt": %q, "generatorURL": "http://prometheus.example.com:9090/graph"}]`
	post(fmt.Sprintf(alert, start, time.Now().UTC().Add(time.Hour).Format(time.RFC3339)))

	waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
	defer waitCancel()
	opened := func() bool {
		return len(find(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #1: Checkout error rate above 5%")) > 0
	}
	if err := h.fake.WaitFor(waitCtx, opened); err != nil {
		t.Fatalf("no incident announced after Alertmanager fired: %v\nbot logs:\n%s", err, grepLines(h.logs.String(), "webhook"))
	}
	// Resolving the alert through Alertmanager resolves the incident.
	post(fmt.Sprintf(alert, start, time.Now().UTC().Add(-time.Second).Format(time.RFC3339)))
	resolved := func() bool {
		msgs := h.fake.ChannelMessages("C0INCIDENTS")
		return len(msgs) > 0 && strings.Contains(readable(t, msgs[0]), "*Resolved*")
	}
	if err := h.fake.WaitFor(waitCtx, resolved); err != nil {
		t.Fatalf("the incident was not resolved after the alert was: %v\nbot logs:\n%s", err, grepLines(h.logs.String(), "webhook"))
	}
	h.settle()
	incs, err := h.m.DB.Incidents("")
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 {
		t.Fatalf("%d incidents from one alert, want exactly 1", len(incs))
	}
	if inc := incs[0]; inc.IsOpen() || inc.Source != "alertmanager" || inc.Severity != "sev1" || inc.Alerts < 2 {
		t.Errorf("incident = open %v, source %s, severity %s, %d notifications", inc.IsOpen(), inc.Source, inc.Severity, inc.Alerts)
	}
	if n := len(find(t, h.fake.ChannelMessages("C0INCIDENTS"), "Incident #")); n != 1 {
		t.Errorf("%d incidents announced, want 1", n)
	}
}

// waitHTTP waits for an endpoint of a process started by the test to
// answer 200, polling since there is nothing to be told by.
func waitHTTP(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never became ready: %v", url, err)
		case <-tick.C:
		}
	}
}
