// Package metrics owns ritualbot's Prometheus collectors: what /metrics
// exposes about rituals, Slack calls, rate limiting, webhooks and the store.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, registered on their own registry so tests
// can run several bots in one process.
type Metrics struct {
	Registry       *prometheus.Registry
	RitualsFired   *prometheus.CounterVec   // ritual, job, status
	SlackCalls     *prometheus.CounterVec   // method, outcome
	RateLimitWaits *prometheus.HistogramVec // method
	Requests       *prometheus.CounterVec   // kind, outcome (slash commands, interactions, events)
	WebhookEvents  *prometheus.CounterVec   // source, outcome
	StoreLatency   *prometheus.HistogramVec // op
	OutboxPending  prometheus.Gauge
	Reconnects     *prometheus.CounterVec // reason (Socket Mode)
	HTTPRefused    *prometheus.CounterVec // endpoint, reason (the HTTP limits)
	HTTPEvicted    prometheus.Counter     // connections closed at the cap
	LogSuppressed  *prometheus.CounterVec // endpoint (refusal log lines)
}

// New returns registered collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		RitualsFired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_rituals_fired_total", Help: "Ritual occurrences handled, by ritual, job and outcome (done, failed, missed).",
		}, []string{"ritual", "job", "status"}),
		SlackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_slack_calls_total", Help: "Slack Web API calls by method and outcome (ok, error, retry, ratelimited).",
		}, []string{"method", "outcome"}),
		RateLimitWaits: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ritualbot_rate_limit_wait_seconds", Help: "Time Slack calls waited for the rate limiter, by method.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 60},
		}, []string{"method"}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_slack_requests_total", Help: "Requests from Slack (slash commands, interactions, events) by kind and outcome.",
		}, []string{"kind", "outcome"}),
		WebhookEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_webhook_events_total", Help: "Inbound webhook events by source and outcome.",
		}, []string{"source", "outcome"}),
		StoreLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ritualbot_store_seconds", Help: "Store transaction latency by operation.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5},
		}, []string{"op"}),
		OutboxPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ritualbot_outbox_pending", Help: "Messages waiting in the outbox.",
		}),
		Reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_socket_reconnects_total", Help: "Socket Mode reconnects by reason (lost, refused: Slack sent disconnect or refused the connection, auth_refused).",
		}, []string{"reason"}),
		HTTPRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_http_refused_total", Help: "Requests refused or cut off by the HTTP limits before their body was used, by endpoint and reason (too_large, busy, cut_off, unreadable).",
		}, []string{"endpoint", "reason"}),
		HTTPEvicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ritualbot_http_connections_evicted_total", Help: "Connections without a request in flight closed to stay under the connection cap.",
		}),
		LogSuppressed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ritualbot_log_lines_suppressed_total", Help: "Log lines of refused requests left out by the per-endpoint rate limit.",
		}, []string{"endpoint"}),
	}
	m.Registry.MustRegister(m.RitualsFired, m.SlackCalls, m.RateLimitWaits, m.Requests, m.WebhookEvents, m.StoreLatency, m.OutboxPending, m.Reconnects,
		m.HTTPRefused, m.HTTPEvicted, m.LogSuppressed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// ObserveStore records a store transaction's latency.
func (m *Metrics) ObserveStore(op string, d time.Duration) {
	m.StoreLatency.WithLabelValues(op).Observe(d.Seconds())
}
