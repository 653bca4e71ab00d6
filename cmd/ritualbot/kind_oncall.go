package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/calendar"
	"github.com/ritualbot/ritualbot/rituals"
)

func init() {
	kinds[rituals.KindOnCall] = kind{
		build: func(m *Main, rc *rituals.RitualConfig) (jobSource, error) {
			r := m.newRotation(rc)
			if err := r.Open(m.Clock.Now()); err != nil {
				return nil, err
			}
			if m.rotations == nil {
				m.startOnCall()
			}
			m.rotations.List = append(m.rotations.List, r)
			return r, nil
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig, now time.Time) (rituals.Message, error) {
			r := &rituals.Rotation{Config: rc, Settings: rc.OnCall, Team: p.Config.Team(rc.Team), Clock: fixedClock{now}}
			if p.DB != nil {
				r.Store = p.DB
			}
			return r.NextHandoffAnnouncement(now)
		},
	}
}

func (m *Main) newRotation(rc *rituals.RitualConfig) *rituals.Rotation {
	cfg := m.Loaded.Config
	return &rituals.Rotation{
		Config: rc, Settings: rc.OnCall, Team: cfg.Team(rc.Team),
		Store: m.DB, Outbox: m.Outbox, Clock: m.Clock, Directory: m.directory,
		Slack: &bot.OnCallSlack{API: m.Slack, Limiter: m.limiter, Observe: func(method, outcome string) {
			m.Metrics.SlackCalls.WithLabelValues(method, outcome).Inc()
		}},
		Incidents: m.Incidents,
		IsAdmin:   cfg.IsAdmin,
		Log:       m.component("oncall").With().Str("ritual", rc.Name).Logger(),
	}
}

// startOnCall wires what all rotations share, once: the lookups other
// rituals read, /oncall, the calendar feeds and the loop keeping user
// groups and topics in step.
func (m *Main) startOnCall() {
	m.rotations = &rituals.Rotations{}
	m.onCall = m.rotations.OnCall
	m.onCallSchedule = m.rotations
	(&bot.OnCalls{Rotations: m.rotations, Config: m.Loaded.Config, Clock: m.Clock, FeedURL: m.feedURL}).Register(m.Router)
	m.mux.Handle("GET /oncall/{file}", calendar.Handler(m.rotations, m.Clock, m.component("calendar")))
	m.loops = append(m.loops, loop{
		name:    "oncall-keeper",
		run:     m.rotations.Keep,
		settled: m.rotations.WaitSettled,
	})
}

// feedURL is where a rotation's calendar feed is reached from outside.
func (m *Main) feedURL(ritual string) string {
	base := m.Loaded.Config.HTTP.PublicURL
	if base == "" {
		return ""
	}
	return fmt.Sprintf("%s/oncall/%s.ics", base, ritual)
}

// loop is a ritual's own background loop, run beside the scheduler.
type loop struct {
	name    string
	run     func(ctx context.Context) error
	settled func(ctx context.Context, t time.Time) error
}
