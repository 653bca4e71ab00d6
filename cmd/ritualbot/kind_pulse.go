package main

import (
	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// pulseKind: the anonymous team-health pulses and /pulse for them all.
func pulseKind() kind {
	return kind{
		config: config.Pulse,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			desk := &bot.Pulses{Views: m.Slack, Limiter: m.limiter, Config: m.Loaded.Config.Config}
			p := provided{slack: desk}
			for _, rc := range rcs {
				pl := pulseOf(m.Loaded.Config.Config, rc, m.DB, m.Clock)
				pl.Outbox = m.Outbox
				desk.Add(pl)
				p.jobs = append(p.jobs, pl)
				p.pulses = append(p.pulses, pl)
			}
			return p, nil
		},
		link: func(p *previewEnv, rc *rituals.RitualConfig) {
			p.previewPulses = append(p.previewPulses, pulseOf(p.Config.Config, rc, p.DB, p.clock()))
			p.pulseTrends = pulse.Trends(p.previewPulses)
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return pulseOf(p.Config.Config, rc, p.DB, p.clock()).Preview(p.Now)
		},
	}
}

// pulseOf is the pulse ritual rc keeping its rounds in store.
func pulseOf(cfg *rituals.Config, rc *rituals.RitualConfig, store pulse.Store, clock rituals.Clock) *pulse.Pulse {
	return &pulse.Pulse{Config: rc, Settings: pulse.SettingsOf(rc), Team: cfg.Team(rc.Team), Store: store, Clock: clock}
}
