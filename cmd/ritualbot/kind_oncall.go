package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/standup"
	"github.com/ritualbot/ritualbot/store"
)

// onCallKind: the rotations, /oncall for them all, the on-call lookups
// the others read, and the loop keeping user groups and topics in step;
// their calendar feeds are mounted in routes.go.
func onCallKind() kind {
	return kind{
		config: config.OnCall,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			rots := &oncall.Rotations{}
			m.groupWrites = &bot.GroupWrites{} // shared by the rotations' writes and /oncall's events
			p := provided{rotations: rots, loops: []loop{{name: "oncall-keeper", run: rots.Keep, settled: rots.WaitSettled}},
				slack: &bot.OnCalls{Rotations: rots, Config: m.Loaded.Config.Config, Clock: m.Clock, FeedURL: m.feedURL, Writes: m.groupWrites}}
			for _, rc := range rcs {
				r := m.newRotation(rc)
				if err := r.Open(m.Clock.Now()); err != nil {
					return provided{}, fmt.Errorf("ritual %s: %w", rc.Name, err)
				}
				rots.List = append(rots.List, r)
				p.jobs = append(p.jobs, r)
			}
			return p, nil
		},
		link: func(p *previewEnv, rc *rituals.RitualConfig) { p.addRotation(p.rotation(rc)) },
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return p.rotation(rc).NextHandoffAnnouncement(p.Now)
		},
	}
}

// rotationOf is the on-call ritual rc, listing the incidents l reads at
// handoffs.
func rotationOf(cfg *rituals.Config, rc *rituals.RitualConfig, clock rituals.Clock, l *links) *oncall.Rotation {
	return &oncall.Rotation{Config: rc, Settings: oncall.SettingsOf(rc), Team: cfg.Team(rc.Team), Clock: clock, Incidents: l.Incidents, Shadows: l.Shadows, IsAdmin: cfg.IsAdmin}
}

func (m *Main) newRotation(rc *rituals.RitualConfig) *oncall.Rotation {
	r := rotationOf(m.Loaded.Config.Config, rc, m.Clock, &m.links)
	r.Store, r.Outbox, r.Wake, r.Directory = m.DB, m.Outbox, m.Sender.Wake, m.directory
	r.Covers, r.Drills, r.Additions, r.Availability = m.DB, m.DB, m.DB, availabilityOf(m.DB, m.Clock)
	r.Slack = &bot.OnCallSlack{API: m.Slack, Limiter: m.limiter, Writes: m.groupWrites, Observe: func(method, outcome string) {
		m.Metrics.SlackCalls.WithLabelValues(method, outcome).Inc()
	}}
	r.Log = m.component("oncall").With().Str("ritual", rc.Name).Logger()
	if unfair := oncall.UnfairLongShift(rc.Schedule, len(oncall.SettingsOf(rc).Rotation), m.Clock.Now()); unfair != "" {
		r.Log.Warn().Msg("rotation turns are uneven: " + unfair)
	}
	return r
}

// rotation is the on-call ritual rc as stored, without Slack.
func (p *previewEnv) rotation(rc *rituals.RitualConfig) *oncall.Rotation {
	r := rotationOf(p.Config.Config, rc, p.clock(), &p.links)
	r.Store, r.Additions = p.DB, p.DB
	return r
}

// feedURL is where a rotation's calendar feed is reached from outside.
func (m *Main) feedURL(ritual string) string { return m.links.pages.URL(rituals.FeedPath(ritual)) }

// loop is a ritual's own background loop, run beside the scheduler.
type loop struct {
	name    string
	run     func(ctx context.Context) error
	settled func(ctx context.Context, t time.Time) error
}

// availabilityOf is the one record of who is away: the stretches
// `/standup ooo` and `/oncall away` store (in the standups' bucket) and
// Slack statuses.
func availabilityOf(db *store.DB, clock rituals.Clock) *oncall.Availability {
	return &oncall.Availability{
		Stored: func(from rituals.Date) ([]oncall.Absence, error) {
			aways, err := db.Aways(from)
			out := make([]oncall.Absence, len(aways))
			for i, a := range aways {
				out[i] = oncall.Absence{User: a.User, From: a.From, To: a.To, Why: oncall.WhyOOO}
			}
			return out, err
		},
		Put: func(a oncall.Absence) error {
			return db.PutAway(standup.Away{User: a.User, From: a.From, To: a.To, Set: clock.Now()})
		},
		StatusAway: standup.AwayByStatus,
	}
}
