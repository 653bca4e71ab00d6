package main

import (
	"context"
	"net/http"

	"github.com/ritualbot/ritualbot/incidentindex"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// incidentRecord is the incident record's pages over the store: every
// incidents ritual's incidents, in the config's zone, with the team and
// severity filters the config gives.
func (m *Main) incidentRecord() *incidentindex.Pages {
	cfg := m.Loaded.Config
	var sevs []string
	for _, rc := range cfg.Rituals {
		if s := incident.SettingsOf(rc); s != nil {
			for _, sev := range s.Severities {
				sevs = rituals.AddUnique(sevs, sev)
			}
		}
	}
	return &incidentindex.Pages{
		Store: m.DB, Teams: cfg.Teams, Severities: sevs, Clock: m.Clock, Location: cfg.Timezone,
		Sign: m.links.pages.Sign, People: m.people, Log: m.component("incident-index"),
	}
}

// people are the workspace's members from the directory by user ID
// (empty when it cannot be read: the pages show IDs then).
func (m *Main) people(ctx context.Context) map[string]rituals.UserInfo {
	if m.directory == nil {
		return nil
	}
	users, err := m.directory.Users(ctx)
	if err != nil {
		return nil
	}
	return users
}

// displayNames maps user IDs to the names people see.
func (m *Main) displayNames(ctx context.Context) map[string]string {
	users := m.people(ctx)
	out := make(map[string]string, len(users))
	for id, u := range users {
		out[id] = u.Name
	}
	return out
}

// mountIncidentRecord serves GET /incidents/, /incidents/index.json and
// /actions/, each behind its link's signature while RITUALBOT_LINK_SECRET
// is set (the signature of a page's path holds for any of its filters).
func (m *Main) mountIncidentRecord(mux *http.ServeMux) {
	p := m.incidentRecord()
	mux.Handle("GET "+incidentindex.IndexPath+"{$}", m.requireSignature(http.HandlerFunc(p.ServeIndex)))
	mux.Handle("GET "+incidentindex.IndexJSONPath, m.requireSignature(http.HandlerFunc(p.ServeIndexJSON)))
	mux.Handle("GET "+incidentindex.ActionsPath+"{$}", m.requireSignature(http.HandlerFunc(p.ServeActions)))
}
