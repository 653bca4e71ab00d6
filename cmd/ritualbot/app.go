package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/internal/control"
	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/metrics"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/standup"
	"github.com/ritualbot/ritualbot/store"
)

// Env names of the secrets; they never live in the config file.
const (
	envBotToken      = "SLACK_BOT_TOKEN"
	envAppToken      = "SLACK_APP_TOKEN"
	envSigningSecret = "SLACK_SIGNING_SECRET"
	envAPIURL        = "SLACK_API_URL"
	envWebhookToken  = "RITUALBOT_WEBHOOK_TOKEN"
	envLinkSecret    = "RITUALBOT_LINK_SECRET"
)

// Main is the whole bot, wired: the real program runs it, and end-to-end
// tests run it against the fake Slack with a fake clock.
type Main struct {
	Loaded *config.Loaded
	Env    func(string) string
	Clock  rituals.Clock
	Log    zerolog.Logger

	// Test and demo knobs.
	SlackLimits  map[string]bot.Limit // client-side rate limits over Slack's tiers
	PingInterval time.Duration        // Socket Mode dead-connection timeout
	HTTPClient   *http.Client
	// RetryBackoff, if set, is the first wait before a failed send is
	// retried and before Socket Mode reconnects (default 1 s): fault tests
	// shorten it, since those waits are on the wall clock.
	RetryBackoff time.Duration
	StoreOptions []store.Option // added to the store's own (fault tests)
	// HTTPLimits, if set, replaces DefaultHTTPLimits (tests shorten the
	// timeouts).
	HTTPLimits *HTTPLimits

	DB        *store.DB
	Metrics   *metrics.Metrics
	Health    *bot.Health
	Router    *bot.Router
	Scheduler *rituals.Scheduler
	Sender    *bot.Sender
	Outbox    *rituals.DurableOutbox
	Slack     *slack.Client
	Addr      string // the HTTP server's address once listening

	cancel   context.CancelFunc
	wg       sync.WaitGroup
	intake   *bot.Intake
	stopWork context.CancelFunc // ends the intake's acknowledged work
	// groupWrites are the on-call user-group writes Slack echoes.
	groupWrites *bot.GroupWrites
	warmed      chan struct{} // closed once the member directory's first read is done
	server      *http.Server
	control     *control.Server
	listener    *httplimit.Listener
	bodies      map[string]*httplimit.Body // by endpoint path
	refusals    *httplimit.Refusals
	fatal       chan error
	closeMu     sync.Mutex
	closed      bool
	rituals     []jobSource
	limiter     *bot.RateLimiter
	directory   *bot.Directory
	// provided is what the kinds' rituals add to the bot: their jobs,
	// their background loops (Run starts them, Settle waits for them),
	// and what routes.go serves of them.
	provided provided

	// links are what the rituals read of each other.
	links
}

// links are what the rituals read of each other (rituals/links.go), in the
// running bot and in `ritualbot preview` alike. Each is set by the kind
// that provides it; read them through OnCallAt and the accessors at run
// time, not at build time, so that a ritual built before its provider
// still finds it. Each may stay nil.
type links struct {
	onCall         rituals.OnCallLookup
	onCallSchedule rituals.OnCallSchedule
	incidents      rituals.IncidentLog
	standupLog     rituals.StandupLog
	pulseTrends    rituals.PulseTrends
	demos          rituals.DemoLog
	// shadows names the newcomers shadowing on-call (nil: no onboarding
	// configured).
	shadows rituals.Shadows
	// onboardings are the newcomers' onboardings (nil: none configured).
	onboardings rituals.OnboardingLog
	// The providers behind them, which each ritual of their kind joins.
	rotations      *oncall.Rotations
	standupRecords *standup.StandupRecords
	// pages links to the bot's own pages (pages.go).
	pages rituals.Pages
	// names gives display names (nil in a preview: user IDs are shown).
	names func(ctx context.Context) map[string]string
}

// OnCallAt answers who is on call for team at an instant, if any rotation
// says so.
func (l *links) OnCallAt(team string, at time.Time) (string, bool) {
	if l.onCall == nil {
		return "", false
	}
	return l.onCall(team, at)
}

// ExecOnCallAt answers who is the exec on call for team at an instant.
func (l *links) ExecOnCallAt(team string, at time.Time) (string, bool) {
	if l.rotations == nil {
		return "", false
	}
	return l.rotations.ExecOnCall(team, at)
}

// Incidents is the incident log, nil when no incidents ritual is configured.
func (l *links) Incidents() rituals.IncidentLog { return l.incidents }

// OnCallSchedule is the rotations' shifts, nil without an oncall ritual.
func (l *links) OnCallSchedule() rituals.OnCallSchedule { return l.onCallSchedule }

// OpenCovers are the rotations' open cover requests, nil without an
// oncall ritual.
func (l *links) OpenCovers() rituals.OpenCovers {
	if l.rotations == nil {
		return nil
	}
	return l.rotations
}

// StandupLog is the standups' record, nil without a standup ritual.
func (l *links) StandupLog() rituals.StandupLog { return l.standupLog }

// PulseTrends are the pulses' published trends, nil without a pulse.
func (l *links) PulseTrends() rituals.PulseTrends { return l.pulseTrends }

// Demos is the show-and-tells' demos, nil without a showandtell ritual.
func (l *links) Demos() rituals.DemoLog { return l.demos }

// Onboardings is the onboardings, nil without an onboarding ritual.
func (l *links) Onboardings() rituals.OnboardingLog { return l.onboardings }

// Shadows names who shadows a team's on-call, nil without onboarding.
func (l *links) Shadows() rituals.Shadows { return l.shadows }

// RotationJoiner adds members to rotations (onboarding's "Add"), nil
// without an oncall ritual.
func (l *links) RotationJoiner() rituals.RotationJoiner {
	if l.rotations == nil {
		return nil
	}
	return l.rotations
}

// addRotation makes r part of the on-call lookups.
func (l *links) addRotation(r *oncall.Rotation) {
	if l.rotations == nil {
		l.rotations = &oncall.Rotations{}
		l.onCall, l.onCallSchedule = l.rotations.OnCall, l.rotations
	}
	l.rotations.List = append(l.rotations.List, r)
}

// addStandup makes s's records part of the standup log: one log across
// every standup of the config.
func (l *links) addStandup(s *standup.Standup) {
	if l.standupRecords == nil {
		l.standupRecords = &standup.StandupRecords{Store: s.Store}
		l.standupLog = l.standupRecords
	}
	l.standupRecords.Add(s)
}

// openIncidentLog reads the incidents every incidents ritual keeps in
// the store.
func (l *links) openIncidentLog(store incident.IncidentStore, cfg *rituals.Config) {
	if l.incidents == nil {
		l.incidents = &incident.IncidentRecords{Store: store, RitualTeams: incident.RitualTeams(cfg), Names: l.names}
	}
}

// jobSource is any ritual that contributes scheduled jobs.
type jobSource interface{ Jobs() []rituals.Job }

// secrets are the tokens Main needs for the configured mode.
type secrets struct {
	bot, app, signing, apiURL string
}

func (m *Main) secrets() (secrets, error) {
	env := m.Env
	s := secrets{bot: env(envBotToken), app: env(envAppToken), signing: env(envSigningSecret), apiURL: env(envAPIURL)}
	missing := func(name, what string) error {
		return fmt.Errorf("%s is not set: it must hold the %s. Create the app from `ritualbot manifest`, or try ritualbot without Slack with `ritualbot demo`", name, what)
	}
	if s.bot == "" {
		return s, missing(envBotToken, "bot token (xoxb-…) from your Slack app's OAuth & Permissions page")
	}
	switch m.Loaded.Config.Slack.Mode {
	case "http":
		if s.signing == "" {
			return s, missing(envSigningSecret, "signing secret from your Slack app's Basic Information page")
		}
	default:
		if s.app == "" {
			return s, missing(envAppToken, "app-level token (xapp-…) with connections:write, from your Slack app's Basic Information page")
		}
	}
	if s.apiURL == "" {
		s.apiURL = "https://slack.com/api/"
	}
	if s.apiURL[len(s.apiURL)-1] != '/' {
		// slack-go joins URLs by concatenation.
		s.apiURL += "/"
	}
	return s, nil
}

// Run starts the bot and returns once it is serving. Errors that end it
// later arrive on Fatal().
func (m *Main) Run(ctx context.Context) (err error) {
	if m.Clock == nil {
		m.Clock = rituals.SystemClock{}
	}
	cfg := m.Loaded.Config
	for _, w := range m.Loaded.Warnings {
		m.Log.Warn().Msg("config: " + w.Error())
	}
	sec, err := m.secrets()
	if err != nil {
		return err
	}
	m.fatal = make(chan error, 1)
	m.Metrics = metrics.New()
	m.Health = &bot.Health{}
	m.Health.SetConnected(false, "starting")
	httpClient := m.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	m.Slack = slack.New(sec.bot, slack.OptionAPIURL(sec.apiURL), slack.OptionAppLevelToken(sec.app), slack.OptionHTTPClient(httpClient))
	m.limiter = bot.NewRateLimiter(m.SlackLimits)
	m.limiter.Waited = func(method string, d time.Duration) {
		m.Metrics.RateLimitWaits.WithLabelValues(method).Observe(d.Seconds())
	}

	// Names in the config become IDs before anything uses them.
	if m.Loaded.Unresolved() > 0 {
		r := &bot.Resolver{API: m.Slack, Limiter: m.limiter}
		if err := m.Loaded.Resolve(ctx, r); err != nil {
			return err
		}
	}

	storeOpts := append([]store.Option{store.WithObserver(m.Metrics.ObserveStore), store.WithClock(m.Clock)}, m.StoreOptions...)
	m.DB, err = store.Open(cfg.Store.Path, storeOpts...)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			m.DB.Close()
		}
	}()
	if err := m.startControl(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = m.control.Shutdown(context.Background())
		}
	}()

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel

	m.Sender = &bot.Sender{
		API: m.Slack, Store: m.DB, Limiter: m.limiter, Log: m.component("sender"),
		Observe: func(method, outcome string) { m.Metrics.SlackCalls.WithLabelValues(method, outcome).Inc() },
		Now:     m.Clock.Now, Health: m.Health, Backoff: m.RetryBackoff,
		Queued:    func(n int) { m.Metrics.OutboxPending.Set(float64(n)) },
		LookAfter: httpClient.Timeout,
		Dropped:   m.messageDropped,
		Landed:    m.messageLanded,
	}
	m.Outbox = &rituals.DurableOutbox{Store: m.DB, Clock: m.Clock, Wake: m.Sender.Wake}
	m.Router = bot.NewRouter(m.component("router"))
	m.directory = &bot.Directory{API: m.Slack, Limiter: m.limiter, Now: m.Clock.Now}
	m.Scheduler = &rituals.Scheduler{
		Clock: m.Clock, Store: m.DB, CatchUp: cfg.CatchUp, Log: m.component("scheduler"),
		Fired: func(job rituals.Job, status rituals.OccurrenceStatus) {
			m.Metrics.RitualsFired.WithLabelValues(job.Ritual, job.Name, string(status)).Inc()
		},
	}
	m.limitBodies()
	if err := m.buildRituals(); err != nil {
		cancel()
		return err
	}
	jobs := m.jobs()
	m.Scheduler.SetJobs(jobs)

	// Acknowledged work outlives the request or connection that brought
	// it, and is waited for at shutdown before the store closes.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	intake := &bot.Intake{
		Router: m.Router, Log: m.component("intake"), HTTP: httpClient, Base: workCtx,
		Observe: func(kind, outcome string) { m.Metrics.Requests.WithLabelValues(kind, outcome).Inc() },
	}
	m.intake, m.stopWork = intake, stopWork
	var slackHTTP *bot.HTTPMode
	if cfg.Slack.Mode == "http" {
		slackHTTP = &bot.HTTPMode{SigningSecret: sec.signing, Intake: intake, Log: m.component("http"), Bodies: m.bodies, Refusals: m.refusals}
		m.Health.SetConnected(true, "")
	}
	// The gauge shows what the store holds from the first scrape: the
	// sender only sets it once its first read is done, and an outbox
	// left by the last run would read as empty until then.
	pending, err := m.DB.OutboxLen()
	if err != nil {
		cancel()
		return err
	}
	m.Metrics.OutboxPending.Set(float64(pending))
	mux := m.routes(slackHTTP)
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		cancel()
		return fmt.Errorf("listen on %s (http.listen): %w", cfg.HTTP.Listen, err)
	}
	m.Addr = ln.Addr().String()
	m.server, m.listener = m.newHTTPServer(ln, mux)

	m.goRun("http", func() error {
		if err := m.server.Serve(m.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	m.goRun("sender", func() error { return m.Sender.Run(runCtx) })
	// The members are read now, in the background: the first /standup
	// must open its modal within 3 s of the click, and users.list on a big
	// workspace is several rate-limited pages.
	m.warmed = make(chan struct{})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(m.warmed)
		if err := m.directory.Warm(runCtx); err != nil && runCtx.Err() == nil {
			m.Log.Warn().Err(err).Msg("could not read the workspace's members at start-up; reading them when first needed")
		}
	}()
	m.goRun("scheduler", func() error { return m.Scheduler.Run(runCtx) })
	for _, l := range m.provided.loops {
		m.goRun(l.name, func() error { return l.run(runCtx) })
	}
	if cfg.Slack.Mode != "http" {
		sm := &bot.SocketMode{API: m.Slack, Intake: intake, Health: m.Health, Log: m.component("socketmode"), PingInterval: m.PingInterval,
			Backoff: m.RetryBackoff, MaxBackoff: 60 * m.RetryBackoff,
			Reconnecting: func(reason string) { m.Metrics.Reconnects.WithLabelValues(reason).Inc() }}
		m.goRun("socketmode", func() error { return sm.Run(runCtx) })
	}
	m.Log.Info().Str("addr", m.Addr).Str("mode", cfg.Slack.Mode).Int("rituals", len(m.rituals)).Int("jobs", len(jobs)).Msg("ritualbot started")
	return nil
}

// jobs collects the rituals' jobs, plus the daily retention and the daily
// refresh that picks up members' changed time zones.
func (m *Main) jobs() []rituals.Job {
	var jobs []rituals.Job
	for _, r := range m.rituals {
		jobs = append(jobs, r.Jobs()...)
	}
	jobs = append(jobs, m.retentionJob())
	return append(jobs, rituals.Job{
		Name: "ritualbot/refresh-jobs", Ritual: "ritualbot",
		Schedule: rituals.MustParseSchedule("30 3 * * *", m.Loaded.Config.Timezone),
		Run: func(ctx context.Context, at time.Time) error {
			m.Scheduler.SetJobs(m.jobs())
			return nil
		},
	})
}

// goRun runs f in the background; an error from it is fatal to the bot.
func (m *Main) goRun(name string, f func() error) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := f(); err != nil {
			m.Log.Error().Err(err).Str("component", name).Msg("component stopped")
			select {
			case m.fatal <- err:
			default:
			}
		}
	}()
}

// Fatal delivers an error that ended a part of the bot (say, Slack
// refusing the tokens).
func (m *Main) Fatal() <-chan error { return m.fatal }

func (m *Main) component(name string) zerolog.Logger {
	return m.Log.With().Str("component", name).Logger()
}

// Close shuts down in order: stop taking requests, let in-flight work
// finish (up to 10 s), close the store.
func (m *Main) Close() error {
	m.closeMu.Lock()
	defer m.closeMu.Unlock()
	if m.closed || m.cancel == nil {
		return nil
	}
	m.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = m.server.Shutdown(ctx)
	_ = m.control.Shutdown(ctx)
	m.cancel()
	// Slack was told these were taken: finish them (their messages go to
	// the durable outbox, sent now or at the next start).
	if m.intake != nil {
		if err := m.intake.Wait(ctx); err != nil {
			m.Log.Warn().Err(err).Msg("shutdown deadline passed with acknowledged requests still being handled")
		}
		m.stopWork()
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		m.Log.Warn().Msg("shutdown deadline passed with work still running")
	}
	err := m.DB.Close()
	m.Log.Info().Msg("ritualbot stopped")
	return err
}

// Settle waits until the scheduler has handled everything due by now and
// the outbox is drained: what a test does after moving the fake clock.
func (m *Main) Settle(ctx context.Context) error {
	now := m.Clock.Now()
	if err := m.Scheduler.WaitSettled(ctx, now); err != nil {
		return err
	}
	if m.intake != nil {
		if err := m.intake.Wait(ctx); err != nil {
			return err
		}
	}
	if m.warmed != nil {
		select {
		case <-m.warmed:
		case <-ctx.Done():
			return fmt.Errorf("wait for the member directory's first read: %w", ctx.Err())
		}
	}
	for _, l := range m.provided.loops {
		if err := l.settled(ctx, now); err != nil {
			return err
		}
	}
	return m.Sender.WaitIdle(ctx)
}
