package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
	"github.com/ritualbot/ritualbot/webhooks"
)

// A kind is how one kind of ritual plugs into the bot: each kind's file
// registers one in init, so adding a kind touches no other wiring.
type kind struct {
	// build makes the ritual from its config; it may register commands,
	// buttons and events on m.Router, and sets the links it provides.
	build func(m *Main, rc *rituals.RitualConfig) (jobSource, error)
	// link, if set, sets the links the ritual provides on a preview, read
	// from the store, as build does on Main.
	link func(p *previewEnv, rc *rituals.RitualConfig)
	// preview returns what the ritual would post at p.Now, reading the
	// store.
	preview func(p *previewEnv, rc *rituals.RitualConfig) (rituals.Message, error)
}

var kinds = map[string]kind{}

// previewEnv is what `ritualbot preview` has: the config, the store (nil
// before the bot's first run), the instant previewed, and the links
// between the rituals, read from the store as the running bot reads them.
type previewEnv struct {
	Config *rituals.Config
	DB     *store.DB
	Now    time.Time
	links
}

// newPreviewEnv links the config's enabled rituals as Main does.
func newPreviewEnv(cfg *rituals.Config, db *store.DB, now time.Time, env func(string) string) *previewEnv {
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

// buildRituals turns each enabled ritual of the config into its domain
// object.
func (m *Main) buildRituals() error {
	m.rituals = nil
	m.links.pages = pagesOf(m.Loaded.Config, m.Env)
	for _, rc := range m.Loaded.Config.Rituals {
		if !rc.Enabled {
			continue
		}
		k, ok := kinds[rc.Kind]
		if !ok {
			return fmt.Errorf("ritual %s: kind %q is not available in this version", rc.Name, rc.Kind)
		}
		r, err := k.build(m, rc)
		if err != nil {
			return fmt.Errorf("ritual %s: %w", rc.Name, err)
		}
		m.rituals = append(m.rituals, r)
	}
	return nil
}

// routes mounts the bot's own endpoints.
func (m *Main) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ok, reason := m.Health.Connected()
		if !ok {
			http.Error(w, "not ready: Slack not connected ("+reason+")", http.StatusServiceUnavailable)
			return
		}
		if err := m.DB.Ping(); err != nil {
			http.Error(w, "not ready: store: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", m.Metrics.Handler())
}

// bearerAuth guards a webhook without a signature of its own with
// RITUALBOT_WEBHOOK_TOKEN, read at each request.
func (m *Main) bearerAuth(observe func(outcome string), next http.Handler) http.Handler {
	return webhooks.RequireBearer(envWebhookToken, func() string { return m.Env(envWebhookToken) }, observe, next)
}
