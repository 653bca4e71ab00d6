package main

import (
	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// onboardingKind: the teams' onboardings, /onboard for them all, the
// shadows the on-call and the incidents read, and the onboardings the
// digest and the App Home show.
func onboardingKind() kind {
	return kind{
		config: config.Onboarding,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			cfg := m.Loaded.Config.Config
			set := &onboarding.Set{IsAdmin: cfg.IsAdmin, Clock: m.Clock}
			people := &bot.People{API: m.Slack, Limiter: m.limiter}
			for _, rc := range rcs {
				r := onboardingOf(cfg, rc, m.DB, m.Clock, &m.links)
				r.Outbox, r.People, r.Directory = m.Outbox, people, m.directory
				// A newcomer in a zone no job covers needs its 10:00 job
				// from now on, not from tomorrow's refresh.
				r.Rescheduled = func() { m.Scheduler.SetJobs(m.jobs()) }
				set.List = append(set.List, r)
			}
			m.links.onboardings = set
			p := provided{shadows: set.Shadows, slack: &bot.Onboardings{Set: set, Views: m.Slack, Limiter: m.limiter}}
			for _, r := range set.List {
				p.jobs = append(p.jobs, r)
			}
			return p, nil
		},
		link: func(p *previewEnv, rc *rituals.RitualConfig) {
			if p.DB == nil {
				return
			}
			set, _ := p.links.onboardings.(*onboarding.Set)
			if set == nil {
				set = &onboarding.Set{IsAdmin: p.Config.Config.IsAdmin, Clock: p.clock()}
				p.links.onboardings = set
				p.links.shadows = set.Shadows
			}
			set.List = append(set.List, onboardingOf(p.Config.Config, rc, p.DB, p.clock(), &p.links))
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return onboardingOf(p.Config.Config, rc, nil, p.clock(), &p.links).Preview(p.Now), nil
		},
	}
}

// onboardingOf is the onboarding ritual rc over store, reading who is on
// call and the rotations through l.
func onboardingOf(cfg *rituals.Config, rc *rituals.RitualConfig, store onboarding.Store, clock rituals.Clock, l *links) *onboarding.Ritual {
	return &onboarding.Ritual{
		Config: rc, Settings: onboarding.SettingsOf(rc), Team: cfg.Team(rc.Team), Store: store, Clock: clock,
		Zone: cfg.Timezone, IsAdmin: cfg.IsAdmin, OnCall: l.OnCallAt, Rotation: l.RotationJoiner,
	}
}
