package main

import (
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/reminder"
)

func init() {
	kinds[rituals.KindReminder] = kind{
		build: func(m *Main, rc *rituals.RitualConfig) (jobSource, error) {
			r := reminderOf(m.Loaded.Config.Config, rc, &m.links)
			r.Outbox = m.Outbox
			return r, nil
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			return reminderOf(p.Config.Config, rc, &p.links).Message(p.Now)
		},
	}
}

// reminderOf is the reminder ritual rc, naming who is on call from l.
func reminderOf(cfg *rituals.Config, rc *rituals.RitualConfig, l *links) *reminder.Reminder {
	return &reminder.Reminder{Config: rc, Team: cfg.Team(rc.Team), OnCall: l.OnCallAt}
}
