package webhooks_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
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

// benchHandler is the Alertmanager endpoint on a real store in a temp dir;
// the store's write transactions are timed into *commits. deliver does
// what the bot's sender does once Slack has the messages a request
// enqueued: takes them out of the outbox and records where they landed.
func benchHandler(b *testing.B, commits *[]time.Duration) (h http.Handler, deliver func()) {
	dir := benchtest.Dir(b)
	db, err := store.Open(filepath.Join(dir, "bench.db"), store.WithObserver(func(op string, d time.Duration) {
		if op == "save_incident" {
			*commits = append(*commits, d)
		}
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	clock := rituals.SystemClock{}
	loc, _ := time.LoadLocation("Europe/Berlin")
	x := &incident.Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Kind: rituals.KindIncidents, Channel: "C0INCIDENTS", Enabled: true},
		Settings: &incident.Settings{
			Teams: []string{"payments"}, Severities: []string{"sev1", "sev2", "sev3"}, Location: loc,
			Retro:        incident.RetroConfig{Schedule: rituals.MustParseSchedule("0 10 * * MON-FRI", loc), MinDelay: 12 * time.Hour},
			Alertmanager: &incident.AlertmanagerConfig{OpenWhen: map[string][]string{"severity": {"critical"}}, Severity: "sev1"},
		},
		Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: db, Sent: db, Clock: clock,
	}
	h = &webhooks.Alertmanager{Log: zerolog.Nop(), Sink: func(ctx context.Context, g incident.AlertGroup) (webhooks.Result, error) {
		o, n, err := x.HandleAlerts(ctx, g)
		return webhooks.Result{Outcome: o, Incident: n}, err
	}}
	deliver = func() {
		items, err := db.Pending(100)
		if err != nil {
			b.Fatal(err)
		}
		ds := make([]rituals.Delivery, 0, len(items))
		for _, it := range items {
			ds = append(ds, rituals.Delivery{Seq: it.Seq, Sent: rituals.SentMessage{
				Key: it.Message.Key, Channel: "C0INCIDENTS", TS: fmt.Sprintf("1764000000.%06d", it.Seq), Sent: time.Now()}})
		}
		if err := db.DeliveredAll(ds); err != nil {
			b.Fatal(err)
		}
	}
	return h, deliver
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
// Between requests, untimed, the messages enqueued are delivered as the
// sender would once Slack has them, so the outbox stays as short as in a
// bot that reaches Slack. It reports the wall time's p50 and p99, the
// store transaction's p99 (the part the disk decides) and the process's
// CPU per request (GC included; waiting for the disk not). Between
// requests, untimed for them, a bare six-bucket commit is timed on the
// same file system (benchtest.Floor): floor-p99-ms, and p99/floor, the
// request's p99 over the floor's in the same run.
func BenchmarkAlertmanagerWebhook(b *testing.B) {
	for _, mode := range []string{"open", "repeat", "flap"} {
		b.Run(mode+"/50-alerts", func(b *testing.B) {
			var commits []time.Duration
			h, deliver := benchHandler(b, &commits)
			floor := benchtest.NewFloor(b, benchtest.Dir(b))
			bodies := [2][]byte{groupBody("{}:{alertname=\"HighLatency\"}", 50, false), groupBody("{}:{alertname=\"HighLatency\"}", 50, true)}
			// A new group's body is the first with its shard number
			// written in place: making it is not the server's work, and
			// formatting 25 KB each time would add the test's garbage to
			// the server's collections.
			shards := groupBody("{}:{alertname=\"HighLatency\",shard=\"000000000\"}", 50, false)
			shard := bytes.Index(shards, []byte(`shard=\"`)) + len(`shard=\"`)
			durations := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				body := bodies[0]
				switch mode {
				case "flap":
					body = bodies[i%2]
				case "open":
					body = bytes.Clone(shards)
					copy(body[shard:], fmt.Sprintf("%09d", i))
				}
				req := httptest.NewRequest(http.MethodPost, "/hooks/alertmanager", bytes.NewReader(body))
				w := httptest.NewRecorder()
				cpu0, start := cpuTime(), time.Now()
				h.ServeHTTP(w, req)
				durations = append(durations, time.Since(start))
				cpu += cpuTime() - cpu0
				if w.Code != http.StatusOK || mode == "open" && !strings.Contains(w.Body.String(), `"outcome":"opened"`) {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
				b.StopTimer()
				deliver()
				floor.Commit(b)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			benchtest.ReportLatency(b, durations)
			floorP99 := benchtest.QuantileMS(floor.Lat, 0.99)
			b.ReportMetric(floorP99, "floor-p99-ms")
			if floorP99 > 0 {
				b.ReportMetric(benchtest.QuantileMS(durations, 0.99)/floorP99, "p99/floor")
			}
			// The store's share: the write transaction (the incident and
			// its messages, bbolt's two fsyncs), which the disk decides.
			b.ReportMetric(benchtest.QuantileMS(commits, 0.99), "store-p99-ms")
		})
	}
}

// BenchmarkParseAlertmanager is the parsing alone of a 50-alert body.
func BenchmarkParseAlertmanager(b *testing.B) {
	body := groupBody("{}:{alertname=\"HighLatency\"}", 50, false)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webhooks.ParseAlertmanager(body); err != nil {
			b.Fatal(err)
		}
	}
}
