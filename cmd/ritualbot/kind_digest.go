package main

import (
	"context"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/chart"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/webhooks"
)

// envGitHubSecret is the HMAC secret of the GitHub webhook.
const envGitHubSecret = "GITHUB_WEBHOOK_SECRET"

func init() {
	kinds[rituals.KindDigest] = kind{
		build: func(m *Main, rc *rituals.RitualConfig) (jobSource, error) {
			d := digestOf(m.Loaded.Config.Config, rc, m.DB, m.Clock, &m.links)
			d.Outbox, d.Chart = m.Outbox, chart.TrendPNG
			if m.digests == nil {
				m.digests = &bot.Digests{Config: m.Loaded.Config.Config, Clock: m.Clock,
					Notes: &digest.DigestNotes{Config: m.Loaded.Config.Config, Store: m.DB, Clock: m.Clock}}
				m.mountDeployHooks()
			}
			m.digests.Add(m.Router, d)
			return d, nil
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return digestOf(p.Config.Config, rc, p.DB, p.clock(), &p.links).Preview(context.Background(), p.Now)
		},
	}
}

// digestOf is the digest ritual rc reading the store and, through l, the
// other rituals' logs.
func digestOf(cfg *rituals.Config, rc *rituals.RitualConfig, store digest.DigestStore, clock rituals.Clock, l *links) *digest.Digest {
	var teams []*rituals.Team
	for _, id := range digest.SettingsOf(rc).Teams {
		if t := cfg.Team(id); t != nil {
			teams = append(teams, t)
		}
	}
	return &digest.Digest{
		Config: rc, Settings: digest.SettingsOf(rc), Teams: teams, AllTeams: cfg.Teams,
		Store: store, Clock: clock, Pages: l.pages, Holidays: cfg.Holidays,
		Standups: l.StandupLog, OnCall: l.OnCallSchedule, Incidents: l.Incidents,
	}
}

// mountDeployHooks serves the deploy webhooks that feed the digests.
func (m *Main) mountDeployHooks() {
	log := &digest.DeployLog{Store: m.DB, Clock: m.Clock}
	observe := func(source string) func(string) {
		return func(outcome string) { m.Metrics.WebhookEvents.WithLabelValues(source, outcome).Inc() }
	}
	m.mux.Handle("POST /hooks/deploy", m.bearerAuth(observe("deploy"), &webhooks.Deploys{
		Recorder: log, Log: m.component("webhook-deploy"), Observe: observe("deploy"), Body: m.bodies["/hooks/deploy"],
	}))
	m.mux.Handle("POST /hooks/github", &webhooks.GitHub{
		Secret: m.Env(envGitHubSecret), Recorder: log, Log: m.component("webhook-github"), Observe: observe("github"),
		Deliveries: m.webhookDeliveries(),
		Body:       m.bodies["/hooks/github"], Refusals: m.refusals,
	})
}
