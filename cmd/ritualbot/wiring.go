package main

import (
	"fmt"
	"github.com/ritualbot/ritualbot/githubissues"
	"net/http"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/pulse"
	"github.com/ritualbot/ritualbot/rituals/release"
	"github.com/ritualbot/ritualbot/rituals/showandtell"
	"github.com/ritualbot/ritualbot/rituals/standup"
	"github.com/ritualbot/ritualbot/store"
	"github.com/ritualbot/ritualbot/webhooks"
)

// A kind is how one kind of ritual plugs into the bot (the table of them
// is kinds.go).
type kind struct {
	// config is how the config reads the kind's keys and checks them.
	config config.KindSpec
	// build makes the kind's rituals (rcs, in the config's order, at least
	// one) and returns what they add to the bot; buildRituals joins it to
	// the other kinds', so no kind writes Main's fields.
	build func(m *Main, rcs []*rituals.RitualConfig) (provided, error)
	// link, if set, sets the links the ritual provides on a preview, read
	// from the store, as build does on Main.
	link func(p *previewEnv, rc *rituals.RitualConfig)
	// preview returns what the ritual would post at p.Now, reading the
	// store.
	preview func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error)
}

// provided is what the rituals of one kind add to the running bot.
type provided struct {
	// jobs are the rituals' scheduled jobs, one source per ritual, in the
	// order of the rcs build was given.
	jobs []jobSource
	// slack registers the kind's commands, buttons, modals and events.
	slack slackHandlers
	// loops are background loops run beside the scheduler.
	loops []loop
	// What the other rituals read of them (links) and routes.go serves.
	standups  []*standup.Standup
	rotations *oncall.Rotations
	incidents incident.Set
	deploys   *digest.DeployLog
	releases  *release.Set
	asks      *showandtell.Set
	// issues keeps action items as GitHub issues (nil: none asks to).
	issues *githubissues.Sync
	pulses []*pulse.Pulse
	// shadows names the newcomers shadowing on-call: the onboarding
	// ritual provides it (nil: none configured).
	shadows rituals.Shadows
}

// slackHandlers is the Slack side of a kind: every kind registers its
// handlers on the router the same way, once for all its rituals.
type slackHandlers interface{ Register(r *bot.Router) }

// join adds what a kind provides to what the others did; the jobs are
// put in the config's order apart.
func (p *provided) join(q provided) {
	p.loops = append(p.loops, q.loops...)
	p.standups = append(p.standups, q.standups...)
	p.incidents = append(p.incidents, q.incidents...)
	p.pulses = append(p.pulses, q.pulses...)
	if q.rotations != nil {
		p.rotations = q.rotations
	}
	if q.deploys != nil {
		if p.deploys != nil {
			// One log for the deploy webhooks: it keeps what every kind
			// that reads it asks for.
			p.deploys.Environments = append(p.deploys.Environments, q.deploys.Environments...)
		} else {
			p.deploys = q.deploys
		}
	}
	if q.releases != nil {
		p.releases = q.releases
	}
	if q.asks != nil {
		p.asks = q.asks
	}
	if q.issues != nil {
		p.issues = q.issues
	}
	if q.shadows != nil {
		p.shadows = q.shadows
	}
}

// previewEnv is what `ritualbot preview` has: the config, the store (an
// empty throwaway one before the bot's first run), the instant previewed,
// and the links between the rituals, read from the store as the running
// bot reads them.
type previewEnv struct {
	Config *config.Config
	DB     *store.DB
	Now    time.Time
	links
	// previewPulses are the pulses whose trends the digest reads.
	previewPulses []*pulse.Pulse
}

// newPreviewEnv links the config's enabled rituals as Main does.
func newPreviewEnv(cfg *config.Config, db *store.DB, now time.Time, env func(string) string) *previewEnv {
	p := &previewEnv{Config: cfg, DB: db, Now: now}
	p.pages = pagesOf(cfg, env)
	for _, rc := range cfg.Rituals {
		if k, ok := kinds[rc.Kind]; ok && rc.Enabled && k.link != nil {
			k.link(p, rc)
		}
	}
	return p
}

// clock stands still at the instant previewed.
func (p *previewEnv) clock() rituals.Clock { return fixedClock{p.Now} }

// fixedClock reads one instant (previews).
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                         { return c.t }
func (c fixedClock) NewTimer(d time.Duration) rituals.Timer { return rituals.SystemClock{}.NewTimer(d) }

// buildRituals builds each kind's enabled rituals, registers their Slack
// handlers, and links them to each other.
func (m *Main) buildRituals() error {
	m.links.pages = pagesOf(m.Loaded.Config, m.Env)
	m.links.names = m.displayNames
	var order []string
	byKind := map[string][]*rituals.RitualConfig{}
	for _, rc := range m.Loaded.Config.Rituals {
		if !rc.Enabled {
			continue
		}
		if _, ok := kinds[rc.Kind]; !ok {
			return fmt.Errorf("ritual %s: kind %q is not available in this version", rc.Name, rc.Kind)
		}
		if byKind[rc.Kind] == nil {
			order = append(order, rc.Kind)
		}
		byKind[rc.Kind] = append(byKind[rc.Kind], rc)
	}
	jobs := map[string]jobSource{}
	for _, name := range order {
		p, err := kinds[name].build(m, byKind[name])
		if err != nil {
			return err
		}
		if len(p.jobs) != len(byKind[name]) {
			return fmt.Errorf("kind %s built %d rituals of %d", name, len(p.jobs), len(byKind[name]))
		}
		for i, rc := range byKind[name] {
			jobs[rc.Name] = p.jobs[i]
		}
		if p.slack != nil {
			p.slack.Register(m.Router)
		}
		m.provided.join(p)
	}
	m.registerHome()
	// The links the others read.
	for _, s := range m.provided.standups {
		m.addStandup(s)
	}
	if r := m.provided.rotations; r != nil {
		m.rotations, m.onCall, m.onCallSchedule = r, r.OnCall, r
	}
	if len(m.provided.incidents) > 0 {
		m.openIncidentLog(m.DB, m.Loaded.Config.Config)
	}
	if len(m.provided.pulses) > 0 {
		m.pulseTrends = pulse.Trends(m.provided.pulses)
	}
	if m.provided.shadows != nil {
		m.shadows = m.provided.shadows
	}
	// Jobs in the config's order, whatever the kinds'.
	m.rituals = nil
	for _, rc := range m.Loaded.Config.Rituals {
		if j, ok := jobs[rc.Name]; ok && rc.Enabled {
			m.rituals = append(m.rituals, j)
		}
	}
	return nil
}

// bearerAuth guards a webhook without a signature of its own with
// RITUALBOT_WEBHOOK_TOKEN, read at each request.
func (m *Main) bearerAuth(observe func(outcome string), next http.Handler) http.Handler {
	return webhooks.RequireBearer(envWebhookToken, func() string { return m.Env(envWebhookToken) }, observe, next)
}
