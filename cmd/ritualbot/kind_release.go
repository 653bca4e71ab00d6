package main

import (
	"context"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/rituals/release"
	"github.com/ritualbot/ritualbot/rituals/showandtell"
	"github.com/ritualbot/ritualbot/webhooks"
)

// releaseKind: the release notes, /release for them all, and the deploy
// webhooks they announce from (mounted in routes.go, with the pages).
func releaseKind() kind {
	return kind{
		config: config.Release,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			logger := m.component("release")
			set := &release.Set{Unknown: func(service string) {
				logger.Info().Str("service", service).
					Msg("a deploy of a service no release ritual announces was stored, not announced (said once per service until restart)")
			}}
			// Published GitHub releases are kept for the notes too.
			log := &digest.DeployLog{Store: m.DB, Clock: m.Clock, Environments: []string{digest.ReleaseEnvironment}}
			for _, rc := range rcs {
				r := releaseOf(m.Loaded.Config.Config, rc, m.DB.DeploysBetween, &m.links)
				r.Outbox, r.Clock = m.Outbox, m.Clock
				set.List = append(set.List, r)
				for _, e := range r.Settings.Environments {
					if !digest.IsProduction(e) {
						log.Environments = append(log.Environments, e)
					}
				}
			}
			p := provided{releases: set, deploys: log, slack: &bot.Releases{Set: set, Clock: m.Clock}}
			for _, r := range set.List {
				p.jobs = append(p.jobs, r)
			}
			return p, nil
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			var history rituals.DeployHistory = func(_, _ time.Time) ([]rituals.Deploy, error) { return nil, nil }
			if p.DB != nil {
				history = p.DB.DeploysBetween
			}
			r := releaseOf(p.Config.Config, rc, history, &p.links)
			r.Clock = p.clock()
			return releasePreview(r, p.Now)
		},
	}
}

// releasePreview is what r would post next: the batch due at its next
// occurrence, or in each mode the note of the latest deploy of a week.
func releasePreview(r *release.Release, now time.Time) (rituals.Message, error) {
	if r.Settings.Mode == release.ModeBatch {
		at := r.Config.Schedule.Next(now)
		msgs, err := r.Batch(at)
		if err != nil || len(msgs) > 0 {
			return firstOf(msgs), err
		}
		text := "Nothing deployed yet for the batch of " + at.In(r.Location()).Format("Mon 2 Jan 15:04") + "; nothing would be posted."
		return rituals.Message{To: r.Channel(), Text: text, Blocks: []rituals.Block{rituals.Section(text)}}, nil
	}
	deploys, err := r.Deploys(now.Add(-release.DefaultSince), now)
	if err != nil {
		return rituals.Message{}, err
	}
	for i := len(deploys) - 1; i >= 0; i-- {
		if d := deploys[i]; r.Covers(d) && !d.Failed() {
			text, blocks := release.Note(d, r.Location(), r.Settings.IncludeCommits)
			return rituals.Message{To: r.Channel(), Text: text, Blocks: blocks}, nil
		}
	}
	text := "No deploy of its services in the last week; each deploy reported gets its note as it comes."
	return rituals.Message{To: r.Channel(), Text: text, Blocks: []rituals.Block{rituals.Section(text)}}, nil
}

func firstOf(msgs []rituals.Message) rituals.Message {
	if len(msgs) == 0 {
		return rituals.Message{}
	}
	return msgs[0]
}

// releaseOf is the release ritual rc over the deploys of history, with
// the failure window of the config's first digest and its incidents
// read through l when the config has an incidents ritual.
func releaseOf(cfg *rituals.Config, rc *rituals.RitualConfig, history rituals.DeployHistory, l *links) *release.Release {
	s := release.SettingsOf(rc)
	r := &release.Release{Config: rc, Settings: s, Team: cfg.Team(rc.Team), Services: map[string][]string{}, Deploys: history,
		FailureWindow: config.DefaultFailureWindow, Pages: l.pages}
	owners := digest.TeamServices(cfg.Teams)
	for _, id := range s.Teams {
		if t := cfg.Team(id); t != nil {
			for _, svc := range t.Services {
				r.Services[strings.ToLower(svc)] = owners[strings.ToLower(svc)]
			}
		}
	}
	for _, svc := range s.Services {
		r.Services[strings.ToLower(svc)] = owners[strings.ToLower(svc)]
	}
	incidents := false
	for _, other := range cfg.Rituals {
		if !other.Enabled {
			continue
		}
		if d := digest.SettingsOf(other); d != nil && r.FailureWindow == config.DefaultFailureWindow {
			r.FailureWindow = d.FailureWindow
		}
		incidents = incidents || other.Kind == rituals.KindIncidents
	}
	if incidents {
		r.Incidents = l.Incidents
	}
	return r
}

// announcingDeploys records each deploy in the log, then hands it to the
// release rituals. A redelivery is handed again: the outbox's keys say
// nothing twice, and a deploy whose announcement failed gets it then.
type announcingDeploys struct {
	*digest.DeployLog
	releases *release.Set
	// asks, if set, asks who shipped to demo it at a show-and-tell.
	asks *showandtell.Set
}

func (a announcingDeploys) RecordDeploy(ctx context.Context, d rituals.Deploy) (digest.DeployOutcome, string, error) {
	outcome, reason, err := a.DeployLog.RecordDeploy(ctx, d)
	if err != nil || outcome == digest.DeployIgnored {
		return outcome, reason, err
	}
	stored, ok, err := a.Store.Deploy(d.ID)
	if err != nil || !ok {
		return outcome, reason, err
	}
	if a.releases != nil {
		if err := a.releases.Announce(ctx, stored); err != nil {
			return "", "", err
		}
	}
	if a.asks != nil {
		if err := a.asks.Announce(ctx, stored); err != nil {
			return "", "", err
		}
	}
	return outcome, reason, nil
}

// deployRecorder is what the deploy webhooks feed: the deploy log, and
// the release rituals when there are some.
func (m *Main) deployRecorder() webhooks.DeployRecorder {
	if m.provided.releases == nil && m.provided.asks == nil {
		return m.provided.deploys
	}
	return announcingDeploys{DeployLog: m.provided.deploys, releases: m.provided.releases, asks: m.provided.asks}
}
