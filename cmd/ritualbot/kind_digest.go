package main

import (
	"context"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/chart"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// envGitHubSecret is the HMAC secret of the GitHub webhook.
const envGitHubSecret = "GITHUB_WEBHOOK_SECRET"

// digestKind: the digests, /digest for them all, and the deploys they
// read (the deploy webhooks, mounted in routes.go).
func digestKind() kind {
	return kind{
		config: config.Digest,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			desk := &bot.Digests{Config: m.Loaded.Config.Config, Clock: m.Clock,
				Notes:    &digest.DigestNotes{Config: m.Loaded.Config.Config, Store: m.DB, Clock: m.Clock},
				Feedback: m.DB, Views: m.Slack, Limiter: m.limiter}
			p := provided{slack: desk, deploys: &digest.DeployLog{Store: m.DB, Clock: m.Clock}}
			for _, rc := range rcs {
				d := digestOf(m.Loaded.Config.Config, rc, m.DB, m.Clock, &m.links)
				d.Outbox, d.Chart, d.Feedback = m.Outbox, chart.TrendPNG, m.DB
				desk.Add(d)
				p.jobs = append(p.jobs, d)
			}
			return p, nil
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
		Standups: l.StandupLog, OnCall: l.OnCallSchedule, Incidents: l.Incidents, Pulses: l.PulseTrends, Demos: l.Demos,
		Onboardings: l.Onboardings,
	}
}
