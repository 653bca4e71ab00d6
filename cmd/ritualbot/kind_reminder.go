package main

import (
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

func init() {
	kinds[rituals.KindReminder] = kind{
		build: func(m *Main, rc *rituals.RitualConfig) (jobSource, error) {
			return &rituals.Reminder{Config: rc, Team: m.Loaded.Config.Team(rc.Team), Outbox: m.Outbox, OnCall: m.OnCallAt}, nil
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig, now time.Time) (rituals.Message, error) {
			return (&rituals.Reminder{Config: rc, Team: p.Config.Team(rc.Team)}).Message(now)
		},
	}
}
