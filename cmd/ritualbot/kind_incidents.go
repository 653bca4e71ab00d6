package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/webhooks"
)

// envPagerDutySecret holds the HMAC secret of the PagerDuty webhook
// subscription.
const envPagerDutySecret = "PAGERDUTY_WEBHOOK_SECRET"

// incidentsKind: the incidents rituals, /incident for them all, and the
// incident log the others read; the webhooks and postmortems they take
// are mounted in routes.go.
func incidentsKind() kind {
	return kind{
		config: config.Incidents,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			cfg := m.Loaded.Config
			desk := &bot.Incidents{Views: m.Slack, Slack: m.Slack, Limiter: m.limiter, Clock: m.Clock, Log: m.component("incidents")}
			p := provided{slack: desk}
			watch := &incident.Watch{Clock: m.Clock, Log: m.component("incidents")}
			for _, rc := range rcs {
				x := incidentsOf(cfg.Config, rc, m.DB, m.Clock, &m.links)
				x.Outbox, x.Sent, x.Wake, x.Directory, x.IsAdmin = m.Outbox, m.DB, m.Sender.Wake, m.directory, cfg.IsAdmin
				m.withComms(x, watch)
				desk.Add(x)
				p.incidents = append(p.incidents, x)
				p.jobs = append(p.jobs, x)
			}
			p.loops = []loop{{name: "incident-watch", run: watch.Run, settled: watch.WaitSettled}}
			if s := m.issueSync(p.incidents); s != nil {
				p.issues = s
				p.loops = append(p.loops, loop{name: "github-issues", run: s.Run, settled: s.WaitSettled})
			}
			return p, nil
		},
		link: func(p *previewEnv, rc *rituals.RitualConfig) {
			p.openIncidentLog(p.DB, p.Config.Config)
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return incidentsOf(p.Config.Config, rc, p.DB, p.clock(), &p.links).Preview()
		},
	}
}

// incidentsOf is the incidents ritual rc keeping its incidents in store,
// naming whoever l says is on call.
func incidentsOf(cfg *rituals.Config, rc *rituals.RitualConfig, store incident.IncidentStore, clock rituals.Clock, l *links) *incident.Incidents {
	return &incident.Incidents{
		Config: rc, Settings: incident.SettingsOf(rc), Teams: cfg.Teams, Store: store, Clock: clock,
		OnCall: l.OnCallAt, Pages: l.pages, Shadows: l.Shadows,
	}
}

// alertSink hands an Alertmanager notification to the incidents rituals.
func (m *Main) alertSink(ctx context.Context, g incident.AlertGroup) (webhooks.Result, error) {
	outcome, n, err := m.provided.incidents.HandleAlerts(ctx, g)
	return webhooks.Result{Outcome: outcome, Incident: n}, err
}

// pagerDutySink takes a PagerDuty event once: its id is remembered for
// webhooks.DeliveryKeep, so a retry or a replay of it does nothing however
// many deliveries came in between.
func (m *Main) pagerDutySink(ctx context.Context, ev incident.PagerDutyEvent) (webhooks.Result, error) {
	d := m.webhookDeliveries()
	if seen, err := d.Seen("pagerduty", ev.ID); err != nil {
		return webhooks.Result{}, fmt.Errorf("read the PagerDuty deliveries taken: %w", err)
	} else if seen {
		return webhooks.Result{Outcome: incident.OutcomeDuplicate}, nil
	}
	res, err := m.applyPagerDuty(ctx, ev)
	if err != nil {
		return res, err
	}
	if err := d.Record("pagerduty", ev.ID); err != nil {
		// Taken, not remembered: the incident's own delivery list still
		// catches a prompt retry.
		log := m.component("webhooks")
		log.Error().Err(err).Msg("remember a PagerDuty delivery")
	}
	return res, nil
}

// webhookDeliveries remembers the webhook deliveries taken, in the store.
func (m *Main) webhookDeliveries() *webhooks.Deliveries {
	return &webhooks.Deliveries{Store: m.DB, Now: m.Clock.Now}
}

// applyPagerDuty hands a PagerDuty event to the incidents rituals.
func (m *Main) applyPagerDuty(ctx context.Context, ev incident.PagerDutyEvent) (webhooks.Result, error) {
	outcome, n, err := m.provided.incidents.HandlePagerDuty(ctx, ev)
	return webhooks.Result{Outcome: outcome, Incident: n}, err
}

// servePostmortem serves a published postmortem as Markdown.
func (m *Main) servePostmortem(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		http.Error(w, "want /incidents/N/postmortem.md with N an incident number", http.StatusNotFound)
		return
	}
	inc, ok, err := m.DB.Incident(n)
	switch {
	case err != nil:
		m.Log.Error().Err(err).Int("incident", n).Msg("read incident for its postmortem")
		http.Error(w, "could not read the incident", http.StatusInternalServerError)
		return
	case !ok:
		http.Error(w, fmt.Sprintf("there is no incident #%d", n), http.StatusNotFound)
		return
	case inc.Retro.Postmortem == "":
		http.Error(w, fmt.Sprintf("the postmortem of incident #%d is not published yet", n), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	_, _ = w.Write([]byte(inc.Retro.Postmortem))
}
