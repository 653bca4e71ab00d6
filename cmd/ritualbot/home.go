package main

import (
	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals/home"
)

// registerHome draws each member's App Home tab when they open it, from
// whatever rituals are configured.
func (m *Main) registerHome() {
	home := &bot.HomeTab{
		API: m.Slack, Limiter: m.limiter, Log: m.component("home"),
		Home: &home.Home{
			Config: m.Loaded.Config.Config, Clock: m.Clock,
			Standups: m.StandupLog, OnCall: m.OnCallSchedule, Incidents: m.Incidents, Covers: m.OpenCovers,
			Directory: m.directory, Onboardings: m.Onboardings,
		},
	}
	home.Register(m.Router)
}
