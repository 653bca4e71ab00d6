package main

import (
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/reminder"
)

// reminderKind: the reminders, which need nothing but the outbox.
func reminderKind() kind {
	return kind{
		config: config.Reminder,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			var p provided
			for _, rc := range rcs {
				r := reminderOf(m.Loaded.Config.Config, rc, &m.links)
				r.Outbox = m.Outbox
				p.jobs = append(p.jobs, r)
			}
			return p, nil
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
