package main

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals"
)

func init() {
	kinds[rituals.KindStandup] = kind{
		build: func(m *Main, rc *rituals.RitualConfig) (jobSource, error) {
			s := m.newStandup(rc)
			if m.standups == nil {
				m.standups = &bot.Standups{Views: m.Slack, Limiter: m.limiter, Config: m.Loaded.Config, Clock: m.Clock}
				// One log across every standup of the config, for the
				// digest and the App Home.
				m.standupLog = &rituals.StandupRecords{Store: m.DB}
			}
			m.standups.Add(m.Router, s)
			m.standupLog.(*rituals.StandupRecords).Add(s)
			return standupJobs{s, m.component("standup")}, nil
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig, now time.Time) (rituals.Message, error) {
			if p.DB == nil {
				return rituals.Message{}, fmt.Errorf("no store yet at %s: a standup summary is built from stored answers, so run the bot first", p.Config.Store.Path)
			}
			s := &rituals.Standup{Config: rc, Settings: rc.Standup, Team: p.Config.Team(rc.Team), Store: p.DB, Clock: fixedClock{now}}
			return s.SummaryPreview(context.Background(), now)
		},
	}
}

func (m *Main) newStandup(rc *rituals.RitualConfig) *rituals.Standup {
	return &rituals.Standup{
		Config: rc, Settings: rc.Standup, Team: m.Loaded.Config.Team(rc.Team),
		Outbox: m.Outbox, Store: m.DB, Directory: m.directory, Clock: m.Clock, OnCall: m.OnCallAt,
	}
}

// standupJobs adapts a standup, whose jobs depend on its members' zones,
// to the scheduler.
type standupJobs struct {
	s   *rituals.Standup
	log zerolog.Logger
}

func (j standupJobs) Jobs() []rituals.Job {
	jobs, err := j.s.Jobs(context.Background())
	if err != nil {
		j.log.Warn().Err(err).Msg("prompting in the ritual's time zone until members' zones can be read")
	}
	return jobs
}

// fixedClock reads one instant (previews).
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) NewTimer(d time.Duration) rituals.Timer { return rituals.SystemClock{}.NewTimer(d) }
