package main

import (
	"context"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// standupKind: the standups, /standup for them all, and the standup log
// the others read.
func standupKind() kind {
	return kind{
		config: config.Standup,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			desk := &bot.Standups{Views: m.Slack, Limiter: m.limiter, Config: m.Loaded.Config.Config, Clock: m.Clock}
			desk.AwaySet = func(ctx context.Context, user string) (int, error) {
				if m.rotations == nil {
					return 0, nil
				}
				return m.rotations.AbsenceEntered(ctx, user, m.Clock.Now())
			}
			p := provided{slack: desk}
			for _, rc := range rcs {
				s := standupOf(m.Loaded.Config.Config, rc, m.DB, m.Clock, &m.links)
				s.Outbox, s.Directory = m.Outbox, m.directory
				desk.Add(s)
				p.standups = append(p.standups, s)
				p.jobs = append(p.jobs, standupJobs{s, m.component("standup")})
			}
			return p, nil
		},
		link: func(p *previewEnv, rc *rituals.RitualConfig) {
			p.addStandup(standupOf(p.Config.Config, rc, p.DB, p.clock(), &p.links))
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return standupOf(p.Config.Config, rc, p.DB, p.clock(), &p.links).SummaryPreview(context.Background(), p.Now)
		},
	}
}

// standupOf is the standup ritual rc keeping its records in store, asking
// whoever l says is on call the on-call questions.
func standupOf(cfg *rituals.Config, rc *rituals.RitualConfig, store standup.StandupStore, clock rituals.Clock, l *links) *standup.Standup {
	return &standup.Standup{Config: rc, Settings: standup.SettingsOf(rc), Team: cfg.Team(rc.Team), Store: store, Clock: clock, OnCall: l.OnCallAt}
}

// standupJobs adapts a standup, whose jobs depend on its members' zones,
// to the scheduler.
type standupJobs struct {
	s   *standup.Standup
	log zerolog.Logger
}

func (j standupJobs) Jobs() []rituals.Job {
	jobs, err := j.s.Jobs(context.Background())
	if err != nil {
		j.log.Warn().Err(err).Msg("prompting in the ritual's time zone until members' zones can be read")
	}
	return jobs
}
