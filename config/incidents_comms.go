package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// Bounds of an update cadence: under 5 minutes a nudge would interrupt
// the work it asks to report; over a day nobody waits that long.
const (
	minUpdateCadence = 5 * time.Minute
	maxUpdateCadence = 24 * time.Hour
)

// parseComms reads how an incidents ritual keeps people informed:
// `updates: {sev1: 30m}`, `broadcast: {sev1: ["#exec-status"]}`,
// `page_exec: [sev1]`, `channel_per_incident: true|[sev1]`, `archive_after`.
func parseComms(r *ritualReader, s *incident.Settings, hasSeverity func(string) bool) {
	c := &s.Comms
	badSev := func(m *mapping, key, sev string) {
		m.errorf(key, "%q is not one of the severities (%s)", sev, strings.Join(s.Severities, ", "))
	}
	if r.has("updates") {
		m := r.p.d.mapping(r.get("updates"), r.sub("updates"))
		c.Updates = map[string]time.Duration{}
		for _, sev := range m.order {
			if !hasSeverity(sev) {
				badSev(m, sev, sev)
				continue
			}
			d := m.duration(sev, 0)
			if d < minUpdateCadence || d > maxUpdateCadence {
				m.errorf(sev, "want an interval from 5m to 24h, e.g. %s: 30m", sev)
				continue
			}
			c.Updates[sev] = d
		}
		m.finish()
	} else {
		r.get("updates")
	}
	if r.has("broadcast") {
		m := r.p.d.mapping(r.get("broadcast"), r.sub("broadcast"))
		c.Broadcast = map[string][]string{}
		for _, sev := range m.order {
			if !hasSeverity(sev) {
				badSev(m, sev, sev)
				m.get(sev)
				continue
			}
			nodes := m.seq(sev)
			if len(nodes) == 0 {
				m.errorf(sev, "list the channels, e.g. %s: [\"#exec-status\", \"#support\"]", sev)
			}
			chans := make([]string, len(nodes))
			for i, n := range nodes {
				r.p.channelRef(n, fmt.Sprintf("%s[%d]", m.sub(sev), i), &chans[i])
			}
			c.Broadcast[sev] = chans
		}
		m.finish()
	} else {
		r.get("broadcast")
	}
	c.PageExec = r.strings("page_exec")
	if len(c.PageExec) > 0 {
		r.p.pageExec = append(r.p.pageExec, pageExecAt{node: r.keys["page_exec"], key: r.sub("page_exec"), teams: s.Teams})
	}
	for _, sev := range c.PageExec {
		if !hasSeverity(sev) {
			badSev(r.mapping, "page_exec", sev)
		}
	}
	if n := r.get("channel_per_incident"); n != nil {
		if n.Kind == yaml.ScalarNode && (n.Tag == "!!bool" || n.Value == "true" || n.Value == "false") {
			if r.boolean("channel_per_incident", false) {
				c.ChannelPerIncident = append([]string(nil), s.Severities...)
			}
		} else {
			c.ChannelPerIncident = r.strings("channel_per_incident")
			for _, sev := range c.ChannelPerIncident {
				if !hasSeverity(sev) {
					badSev(r.mapping, "channel_per_incident", sev)
				}
			}
		}
	}
	c.ArchiveAfter = r.duration("archive_after", incident.DefaultArchiveAfter)
	if r.has("archive_after") && len(c.ChannelPerIncident) == 0 {
		r.errorf("archive_after", "archive_after is for the channels of channel_per_incident, which is off")
	}
}

// pageExecAt is where an incidents ritual set page_exec, and its teams.
type pageExecAt struct {
	node  *yaml.Node
	key   string
	teams []string // none: every team
}

// warnPageExec warns of each page_exec that would page nobody: no
// enabled on-call rotation of the ritual's teams has an exec list.
func (p *parser) warnPageExec() {
	for _, pe := range p.pageExec {
		teams := pe.teams
		if len(teams) == 0 {
			for _, t := range p.cfg.Teams {
				teams = append(teams, t.ID)
			}
		}
		paged := false
		for _, rc := range p.cfg.Rituals {
			if oc := oncall.SettingsOf(rc); oc != nil && rc.Enabled && len(oc.Exec) > 0 && slices.Contains(teams, rc.Team) {
				paged = true
			}
		}
		if !paged {
			p.loaded.Warnings = append(p.loaded.Warnings, &Error{File: p.d.file, Line: pe.node.Line, Key: pe.key,
				Msg: fmt.Sprintf("nobody would be paged: no oncall rotation of %s has an `exec` list", strings.Join(teams, ", "))})
		}
	}
}
