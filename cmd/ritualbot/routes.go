package main

import (
	"fmt"
	"net/http"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/calendar"
	"github.com/ritualbot/ritualbot/changelog"
	"github.com/ritualbot/ritualbot/webhooks"
)

// routes is every HTTP endpoint the bot serves, in one place: health and
// metrics, Slack's requests in HTTP mode, the webhooks, and the pages the
// bot links to. What a kind of ritual serves is mounted only when the
// config has a ritual of that kind.
func (m *Main) routes(slackHTTP *bot.HTTPMode) *http.ServeMux {
	mux := http.NewServeMux()
	observe := func(source string) func(string) {
		return func(outcome string) { m.Metrics.WebhookEvents.WithLabelValues(source, outcome).Inc() }
	}

	// Health and metrics.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, reason := m.Health.Connected()
		if !ok {
			http.Error(w, "not ready: Slack not connected ("+reason+")", http.StatusServiceUnavailable)
			return
		}
		if err := m.DB.Ping(); err != nil {
			http.Error(w, "not ready: store: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", m.Metrics.Handler())

	// Slack's requests in HTTP mode (POST /slack/commands,
	// /slack/interactions, /slack/events), signed with the signing secret.
	// Each endpoint's body limit is in httplimits.go.
	if slackHTTP != nil {
		slackHTTP.Register(mux)
	}

	// Webhooks: Alertmanager and deploy systems send the bearer token,
	// PagerDuty and GitHub sign their bodies.
	if len(m.provided.incidents) > 0 {
		am := &webhooks.Alertmanager{Sink: m.alertSink, Log: m.component("webhooks"),
			Observe: func(source, outcome string) { observe(source)(outcome) }, Body: m.bodies["/hooks/alertmanager"]}
		mux.Handle("POST /hooks/alertmanager", m.bearerAuth(observe("alertmanager"), am))
		mux.Handle("POST /hooks/pagerduty", &webhooks.PagerDuty{
			Secret: func() string { return m.Env(envPagerDutySecret) }, Sink: m.pagerDutySink,
			Log: m.component("webhooks"), Observe: func(source, outcome string) { observe(source)(outcome) },
			Body: m.bodies["/hooks/pagerduty"],
		})
	}
	if m.provided.deploys != nil {
		mux.Handle("POST /hooks/deploy", m.bearerAuth(observe("deploy"), &webhooks.Deploys{
			Recorder: m.deployRecorder(), Log: m.component("webhook-deploy"), Observe: observe("deploy"), Body: m.bodies["/hooks/deploy"],
		}))
	}
	// GitHub's deploys feed the digest; its issues events, action items
	// kept as issues (github_issues.go).
	if gh := m.githubHook(observe("github")); gh != nil {
		mux.Handle("POST /hooks/github", gh)
	}

	// The pages the bot links to, which need their link's signature while
	// RITUALBOT_LINK_SECRET is set.
	if len(m.provided.incidents) > 0 {
		mux.Handle("GET /incidents/{n}/postmortem.md", m.requireSignature(http.HandlerFunc(m.servePostmortem)))
		m.mountIncidentRecord(mux)
	}
	if set := m.provided.releases; set != nil {
		h := m.requireSignature(changelog.Handler(set, m.Clock, m.links.pages.Base, m.component("changelog")))
		mux.Handle("GET /releases/{$}", h)
		mux.Handle("GET /releases/feed.xml", h)
	}
	if rots := m.provided.rotations; rots != nil {
		mux.Handle("GET /oncall/{file}", m.requireSignature(calendar.Handler(rots, m.Clock, m.component("calendar"))))
	}
	return mux
}
