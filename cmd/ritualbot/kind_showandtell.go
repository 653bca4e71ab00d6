package main

import (
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/rituals/showandtell"
)

// showAndTellKind: the show-and-tells, /demo for them all, and the asks
// after a release (through the deploy webhooks' recorder).
func showAndTellKind() kind {
	return kind{
		config: config.ShowAndTell,
		build: func(m *Main, rcs []*rituals.RitualConfig) (provided, error) {
			set := &showandtell.Set{Clock: m.Clock}
			for _, rc := range rcs {
				s := showAndTellOf(m.Loaded.Config.Config, rc, m.DB)
				s.Outbox, s.Clock = m.Outbox, m.Clock
				set.List = append(set.List, s)
			}
			m.links.demos = set
			// The asks follow production deploys, which the deploy log
			// keeps whether or not a digest is configured.
			p := provided{asks: set, deploys: &digest.DeployLog{Store: m.DB, Clock: m.Clock},
				slack: &bot.ShowAndTells{Set: set, Views: m.Slack, Limiter: m.limiter, Clock: m.Clock}}
			for _, s := range set.List {
				p.jobs = append(p.jobs, s)
			}
			return p, nil
		},
		link: func(p *previewEnv, rc *rituals.RitualConfig) {
			if p.DB == nil {
				return
			}
			set, _ := p.links.demos.(*showandtell.Set)
			if set == nil {
				set = &showandtell.Set{Clock: p.clock()}
				p.links.demos = set
			}
			set.List = append(set.List, showAndTellOf(p.Config.Config, rc, p.DB))
		},
		preview: func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error) {
			var store showandtell.Store = noSignUps{}
			if p.DB != nil {
				store = p.DB
			}
			s := showAndTellOf(p.Config.Config, rc, store)
			s.Clock = p.clock()
			demoAt := s.DemoFor(p.Now)
			if demoAt.IsZero() {
				text := "The schedule has no demo day ahead; nothing would be posted."
				return rituals.Message{To: s.Channel(), Text: text, Blocks: []rituals.Block{rituals.Section(text)}}, nil
			}
			return s.Agenda(demoAt)
		},
	}
}

// showAndTellOf is the show-and-tell ritual rc over store.
func showAndTellOf(cfg *rituals.Config, rc *rituals.RitualConfig, store showandtell.Store) *showandtell.ShowAndTell {
	st := showandtell.SettingsOf(rc)
	s := &showandtell.ShowAndTell{Config: rc, Settings: st, Team: cfg.Team(rc.Team), Owners: map[string]*rituals.Team{}, Store: store}
	for _, id := range st.Teams {
		if t := cfg.Team(id); t != nil {
			s.Teams = append(s.Teams, t)
			for _, svc := range t.Services {
				if _, taken := s.Owners[strings.ToLower(svc)]; !taken {
					s.Owners[strings.ToLower(svc)] = t
				}
			}
		}
	}
	return s
}

// noSignUps is the store of a preview without one: nobody signed up yet.
type noSignUps struct{}

func (noSignUps) PutSignUp(showandtell.SignUp) error { return nil }
func (noSignUps) SignUps(string, time.Time, time.Time) ([]showandtell.SignUp, error) {
	return nil, nil
}
func (noSignUps) RemoveSignUp(string, time.Time, string) (bool, error) { return false, nil }
func (noSignUps) PutRecording(showandtell.Recording) error             { return nil }
func (noSignUps) Recording(string, time.Time) (showandtell.Recording, bool, error) {
	return showandtell.Recording{}, false, nil
}
