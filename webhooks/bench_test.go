package webhooks_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
	"github.com/ritualbot/ritualbot/webhooks"
)

// groupBody is an Alertmanager notification of n alerts in one group;
// flapping makes alert 0 resolved (to exercise timeline events).
func groupBody(groupKey string, n int, flapping bool) []byte {
	var alerts []string
	for i := 0; i < n; i++ {
		status := "firing"
		if flapping && i == 0 {
			status = "resolved"
		}
		alerts = append(alerts, fmt.Sprintf(`{"status":%q,"labels":{"alertname":"HighLatency","severity":"critical","service":"checkout","instance":"web-%d","pod":"checkout-%d"},`+
			`"annotations":{"summary":"p99 latency above 2s on web-%d","description":"The p99 latency of checkout has been above 2s for 5 minutes.","runbook_url":"https://runbooks.example.com/latency"},`+
			`"startsAt":"2026-11-24T12:%02d:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile%%280.99%%29","fingerprint":"%016x"}`,
			status, i, i, i, i%60, i+1))
	}
	return []byte(fmt.Sprintf(`{"receiver":"ritualbot","status":"firing","alerts":[%s],"groupLabels":{"alertname":"HighLatency"},`+
		`"commonLabels":{"alertname":"HighLatency","severity":"critical","service":"checkout"},"commonAnnotations":{"summary":"Checkout p99 latency above 2s"},`+
		`"externalURL":"http://alertmanager.example.com:9093","version":"4","groupKey":%q,"truncatedAlerts":0}`, strings.Join(alerts, ","), groupKey))
}

// benchHandler is the Alertmanager endpoint on a real store in a temp dir.
func benchHandler(b *testing.B) http.Handler {
	// RITUALBOT_BENCH_DIR puts the store elsewhere (a tmpfs such as
	// /dev/shm separates the server's own time from the disk's fsyncs).
	dir := b.TempDir()
	if d := os.Getenv("RITUALBOT_BENCH_DIR"); d != "" {
		var err error
		if dir, err = os.MkdirTemp(d, "bench-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	db, err := store.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	clock := rituals.SystemClock{}
	loc, _ := time.LoadLocation("Europe/Berlin")
	x := &rituals.Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Kind: rituals.KindIncidents, Channel: "C0INCIDENTS", Enabled: true},
		Settings: &rituals.IncidentsConfig{
			Teams: []string{"payments"}, Severities: []string{"sev1", "sev2", "sev3"}, Location: loc,
			Retro:        rituals.RetroConfig{Schedule: rituals.MustParseSchedule("0 10 * * MON-FRI", loc), MinDelay: 12 * time.Hour},
			Alertmanager: &rituals.AlertmanagerConfig{OpenWhen: map[string][]string{"severity": {"critical"}}, Severity: "sev1"},
		},
		Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: db, Sent: db, Clock: clock,
	}
	return &webhooks.Alertmanager{Log: zerolog.Nop(), Sink: func(ctx context.Context, g rituals.AlertGroup) (webhooks.Result, error) {
		o, n, err := x.HandleAlerts(ctx, g)
		return webhooks.Result{Outcome: o, Incident: n}, err
	}}
}

// cpuTime is the CPU the process has used (user and system), which, unlike
// wall time, does not count waiting for the disk or for a busy machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAlertmanagerWebhook measures the server time of a 50-alert
// notification, from the request to the answer: parsing, the rules, the
// incident and its messages made durable in bbolt (fsync included).
// "open" is a new group each time (an incident is created and announced);
// "repeat" is the same group again, as Alertmanager resends it every
// repeat_interval (counted, nothing posted); "flap" alternates one alert
// between firing and resolved (timeline events posted in the thread).
func BenchmarkAlertmanagerWebhook(b *testing.B) {
	for _, mode := range []string{"open", "repeat", "flap"} {
		b.Run(mode+"/50-alerts", func(b *testing.B) {
			h := benchHandler(b)
			bodies := [2][]byte{groupBody("{}:{alertname=\"HighLatency\"}", 50, false), groupBody("{}:{alertname=\"HighLatency\"}", 50, true)}
			durations := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				body := bodies[0]
				switch mode {
				case "flap":
					body = bodies[i%2]
				case "open":
					body = groupBody(fmt.Sprintf("{}:{alertname=\"HighLatency\",shard=\"%d\"}", i), 50, false)
				}
				req := httptest.NewRequest(http.MethodPost, "/hooks/alertmanager", bytes.NewReader(body))
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				durations = append(durations, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
			p := func(q float64) float64 {
				return float64(durations[int(q*float64(len(durations)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(p(0.50), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
		})
	}
}
