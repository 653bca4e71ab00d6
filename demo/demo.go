// Package demo is `ritualbot demo`: the real bot against the project's
// fake Slack (slackfake), on simulated time, with the fake's web page
// (slackfake/web) for a person to use. Nothing leaves the machine: every
// listener is on loopback and no token is needed. The bot itself is
// started through Options.StartBot, since the wiring lives in the command.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/rs/zerolog"
	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/slackfake/web"
)

//go:embed config.yaml workspace.yaml
var demoFiles embed.FS

// DefaultListen is where the page is served unless told otherwise.
const DefaultListen = "127.0.0.1:8088"

// Bot is the running bot as the demo drives it.
type Bot interface {
	// Settle waits until the bot has handled everything due at the
	// clock's time and delivered what it had to say.
	Settle(ctx context.Context) error
	// Jobs are the scheduler's jobs.
	Jobs() []rituals.Job
	// Connected says whether the bot is connected to Slack, and if not why;
	// Changed is closed when that may have changed.
	Connected() (bool, string)
	Changed() <-chan struct{}
	// Fatal delivers an error that stopped the bot.
	Fatal() <-chan error
	// Addr is the bot's own HTTP server's address.
	Addr() string
	Close() error
}

// BotConfig is what the demo starts the bot with.
type BotConfig struct {
	// Loaded is the config, set to a temporary store, HTTP on loopback
	// and Socket Mode.
	Loaded *config.Loaded
	Clock  rituals.Clock
	Log    zerolog.Logger
	// The fake workspace's tokens and Web API URL: the bot takes these,
	// never a token from the environment.
	BotToken, AppToken, APIURL string
	// WebhookToken is what the bot's /hooks/* endpoints expect.
	WebhookToken string
	// SlackLimits are the bot's client-side Slack limits.
	SlackLimits map[string]bot.Limit
}

// StartFunc starts the bot; it returns once the bot runs.
type StartFunc func(context.Context, BotConfig) (Bot, error)

// Options are the demo's knobs; tests shorten the pauses.
type Options struct {
	Listen     string // where the page is served; loopback only
	ConfigPath string // empty: the built-in demo config and workspace
	// WebhookToken is the bot's webhook token; empty: a random one.
	WebhookToken string
	// StartBot starts the real bot.
	StartBot StartFunc
	// Kinds is the bot's table of ritual kinds, which the config is read
	// with.
	Kinds config.Kinds
	Log   zerolog.Logger
	// Now is the wall clock the demo week is chosen by.
	Now func() time.Time
	// StepPause is how long "run the week" lingers on each ritual.
	StepPause time.Duration
}

// Demo is a running demo.
type Demo struct {
	URL   string
	Start time.Time // where simulated time started
	Fake  *slackfake.Server
	Clock *rituals.FakeClock
	Time  *SimTime
	Bot   Bot
	page  *web.Server
	srv   *http.Server
	dir   string
	// WebhookToken is what the bot's /hooks/* endpoints expect.
	WebhookToken string
}

// demoWeek holds the dates the built-in config's placeholders stand for.
type demoWeek struct {
	Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday string
}

// demoMonday is the Monday of the week of now, in loc, at midnight.
func demoMonday(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	back := (int(local.Weekday()) + 6) % 7
	d := local.AddDate(0, 0, -back)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

func weekOf(monday time.Time) demoWeek {
	day := func(i int) string { return monday.AddDate(0, 0, i).Format(time.DateOnly) }
	return demoWeek{day(0), day(1), day(2), day(3), day(4), day(5), day(6)}
}

// demoConfig is the built-in config with the demo week's dates filled in.
// Its placeholders use [[ ]], so the reminders' own {{.Team}} templates
// pass through untouched.
func demoConfig(monday time.Time) ([]byte, error) {
	src, err := demoFiles.ReadFile("config.yaml")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("demo/config.yaml").Delims("[[", "]]").Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, weekOf(monday)); err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	return b.Bytes(), nil
}

// BuiltinConfig loads the built-in config for the week of now in its own
// time zone, with the bot's kinds: a first reading tells the zone, the
// second has the dates.
func BuiltinConfig(now time.Time, kinds config.Kinds) (*config.Loaded, error) {
	const name = "demo/config.yaml (built in)"
	var loaded *config.Loaded
	monday := demoMonday(now, time.UTC)
	for range 2 {
		data, err := demoConfig(monday)
		if err != nil {
			return nil, err
		}
		if loaded, err = config.Parse(name, data, kinds); err != nil {
			return nil, err
		}
		monday = demoMonday(now, loaded.Config.Timezone)
	}
	return loaded, nil
}

// workspace is the fake Slack's content: demo/workspace.yaml's shape.
type workspace struct {
	Users      []wsUser    `yaml:"users"`
	Channels   []wsChannel `yaml:"channels"`
	UserGroups []wsGroup   `yaml:"usergroups"`
}

type wsUser struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	RealName string `yaml:"real_name"`
	Email    string `yaml:"email"`
	TZ       string `yaml:"tz"`
}

type wsChannel struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Topic   string   `yaml:"topic"`
	Private bool     `yaml:"private"`
	Members []string `yaml:"members"`
}

type wsGroup struct {
	ID     string   `yaml:"id"`
	Handle string   `yaml:"handle"`
	Name   string   `yaml:"name"`
	Users  []string `yaml:"users"`
}

func builtinWorkspace() (*workspace, error) {
	src, err := demoFiles.ReadFile("workspace.yaml")
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var ws workspace
	if err := dec.Decode(&ws); err != nil {
		return nil, fmt.Errorf("demo/workspace.yaml: %w", err)
	}
	return &ws, nil
}

// sampleNames name the people of a workspace made up from a config that
// names them only by ID.
var sampleNames = []string{"Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yara"}

// workspaceFromConfig makes up a workspace holding everyone and every
// channel a config names in its teams, admins and rituals' channels:
// users by ID or e-mail (in the config's zone), channels by ID or #name,
// the bot in each channel.
func workspaceFromConfig(cfg *rituals.Config) *workspace {
	ws := &workspace{}
	seen := map[string]bool{}
	addUser := func(ref string) {
		if ref == "" || seen[ref] {
			return
		}
		seen[ref] = true
		n := len(ws.Users)
		first := sampleNames[n%len(sampleNames)]
		if n >= len(sampleNames) {
			first += fmt.Sprint(n/len(sampleNames) + 1)
		}
		u := wsUser{ID: ref, Name: strings.ToLower(first), RealName: first, TZ: cfg.Timezone.String()}
		if strings.Contains(ref, "@") {
			local, _, _ := strings.Cut(ref, "@")
			u.ID = fmt.Sprintf("U0DEMO%04d", n+1)
			u.Name, u.RealName, u.Email = local, local, ref
		}
		ws.Users = append(ws.Users, u)
	}
	for _, id := range cfg.Admins {
		addUser(id)
	}
	for _, t := range cfg.Teams {
		for _, id := range append(slices.Clone(t.Members), t.Leads...) {
			addUser(id)
		}
	}
	userIDs := func(refs []string) []string {
		var out []string
		for _, ref := range refs {
			for _, u := range ws.Users {
				if (u.ID == ref || u.Email == ref) && !slices.Contains(out, u.ID) {
					out = append(out, u.ID)
				}
			}
		}
		return out
	}
	var everyone []string
	for _, u := range ws.Users {
		everyone = append(everyone, u.ID)
	}
	addChannel := func(ref, fallbackName string, members []string) {
		if ref == "" {
			return
		}
		for i, c := range ws.Channels {
			if c.ID == ref || "#"+c.Name == ref {
				for _, m := range members {
					if !slices.Contains(c.Members, m) {
						ws.Channels[i].Members = append(ws.Channels[i].Members, m)
					}
				}
				return
			}
		}
		c := wsChannel{ID: ref, Name: fallbackName, Members: append(slices.Clone(members), "U0BOT")}
		if name, ok := strings.CutPrefix(ref, "#"); ok {
			c.ID, c.Name = fmt.Sprintf("C0DEMO%04d", len(ws.Channels)+1), name
		}
		ws.Channels = append(ws.Channels, c)
	}
	for _, t := range cfg.Teams {
		addChannel(t.Channel, t.ID, userIDs(append(slices.Clone(t.Members), t.Leads...)))
	}
	for _, r := range cfg.Rituals {
		addChannel(r.Channel, r.Name, everyone)
	}
	return ws
}

// seed puts a workspace into the fake.
func seed(f *slackfake.Server, ws *workspace) {
	for _, u := range ws.Users {
		f.AddUser(slackfake.User{ID: u.ID, Name: u.Name, RealName: u.RealName, Email: u.Email, TZ: u.TZ})
	}
	for _, c := range ws.Channels {
		f.AddChannel(slackfake.Channel{ID: c.ID, Name: c.Name, Topic: c.Topic, IsPrivate: c.Private, Members: c.Members})
	}
	for _, g := range ws.UserGroups {
		f.AddUserGroup(slackfake.UserGroup{ID: g.ID, Handle: g.Handle, Name: g.Name, Users: g.Users})
	}
}

// checkLoopback refuses a listen address that is not on loopback: the
// page lets anyone who reaches it act as any member.
func checkLoopback(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: want host:port such as %s", listen, DefaultListen)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q: the demo page lets whoever opens it act as anyone, so it listens on loopback only (127.0.0.1, ::1 or localhost)", listen)
}

func randomToken(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// relaxedLimits lift the bot's client-side Slack limits: the demo plays a
// week in a minute, and Slack's limits are per minute of real time.
func relaxedLimits() map[string]bot.Limit {
	out := map[string]bot.Limit{}
	for method := range bot.DefaultLimits() {
		out[method] = bot.Limit{PerMinute: 600000, Burst: 10000}
	}
	return out
}

// Start starts the fake workspace, the bot and the page.
func Start(ctx context.Context, o Options) (_ *Demo, err error) {
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StartBot == nil {
		return nil, errors.New("demo: no way to start the bot")
	}
	if err := checkLoopback(o.Listen); err != nil {
		return nil, err
	}
	var loaded *config.Loaded
	var ws *workspace
	if o.ConfigPath == "" {
		if loaded, err = BuiltinConfig(o.Now(), o.Kinds); err != nil {
			return nil, err
		}
		if ws, err = builtinWorkspace(); err != nil {
			return nil, err
		}
	} else {
		if loaded, err = config.Load(o.ConfigPath, o.Kinds); err != nil {
			return nil, err
		}
		ws = workspaceFromConfig(loaded.Config.Config)
	}
	cfg := loaded.Config
	mon := demoMonday(o.Now(), cfg.Timezone)
	start := time.Date(mon.Year(), mon.Month(), mon.Day(), 7, 45, 0, 0, cfg.Timezone)

	// d, not the named result, which a failed return sets to nil before
	// this cleanup runs.
	d := &Demo{Start: start, Clock: rituals.NewFakeClock(start)}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if d.dir, err = os.MkdirTemp("", "ritualbot-demo-"); err != nil {
		return nil, err
	}
	cfg.Store.Path = filepath.Join(d.dir, "ritualbot.db")
	if cfg.HTTP.Listen, err = loopbackAddr(); err != nil {
		return nil, err
	}
	cfg.HTTP.PublicURL = "http://" + cfg.HTTP.Listen
	cfg.Slack.Mode = "socket"

	botToken, appToken := randomToken("xoxb-demo-"), randomToken("xapp-demo-")
	d.Fake = slackfake.New(slackfake.Options{BotToken: botToken, AppToken: appToken, Now: d.Clock.Now, DisableRateLimits: true})
	seed(d.Fake, ws)
	d.WebhookToken = o.WebhookToken
	if d.WebhookToken == "" {
		d.WebhookToken = randomToken("demo-")
	}
	d.Bot, err = o.StartBot(ctx, BotConfig{
		Loaded: loaded, Clock: d.Clock, Log: o.Log,
		BotToken: botToken, AppToken: appToken, APIURL: d.Fake.APIURL(), WebhookToken: d.WebhookToken,
		SlackLimits: relaxedLimits(),
	})
	if err != nil {
		return nil, err
	}
	if err := waitConnected(ctx, d.Bot, 20*time.Second); err != nil {
		return nil, err
	}
	if o.ConfigPath == "" {
		// Without them the demo still runs; its digest has no deploys.
		if err := seedDeploys(ctx, d.Bot.Addr(), d.WebhookToken, mon); err != nil {
			o.Log.Warn().Err(err).Msg("the demo week's deploys were not recorded")
		}
		// The newcomer of the demo week joins #platform: its lead is asked
		// whether to start her onboarding.
		if _, err := d.Fake.JoinChannel(ctx, "U0HANA", "C0PLATFORM", "U0FRANK"); err != nil {
			o.Log.Warn().Err(err).Msg("the demo week's newcomer did not join #platform")
		}
	}
	settleCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = d.Bot.Settle(settleCtx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("demo: the bot did not settle at start: %w", err)
	}

	d.Time = newSimTime(d.Bot, cfg.Config, d.Clock)
	if o.StepPause > 0 {
		d.Time.stepPause = o.StepPause
	}
	d.Time.start()
	d.page = &web.Server{Fake: d.Fake, Clock: d.Time, Title: "ritualbot demo", Commands: demoCommands(), Intro: demoIntro(cfg.Config)}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (pass --listen 127.0.0.1:PORT for another port)", o.Listen, err)
	}
	d.URL = "http://" + ln.Addr().String() + "/"
	d.srv = &http.Server{Handler: d.page.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = d.srv.Serve(ln) }()
	return d, nil
}

func waitConnected(ctx context.Context, b Bot, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		changed := b.Changed()
		if ok, _ := b.Connected(); ok {
			return nil
		}
		select {
		case <-changed:
		case err := <-b.Fatal():
			return fmt.Errorf("demo: the bot stopped: %w", err)
		case <-ctx.Done():
			_, why := b.Connected()
			return fmt.Errorf("demo: the bot did not connect to the fake Slack (%s)", why)
		}
	}
}

func demoCommands() []web.Command {
	var out []web.Command
	for _, c := range bot.Commands() {
		out = append(out, web.Command{Name: c.Name, Hint: c.UsageHint})
	}
	return out
}

func demoIntro(cfg *rituals.Config) []string {
	return []string{
		"*This is a local Slack workspace running the real ritualbot.* Nothing leaves your machine; time is simulated, starting on a Monday morning (" + cfg.Timezone.String() + ").",
		"Try `/standup` to answer today's standup, `/standup status`, `/oncall`, `/incident declare sev2 Checkout errors`, or, as Frank, start the newcomer Hana's onboarding from his DM. *Jump to next ritual* moves time to the next prompt, reminder or summary; *Run the week* plays Monday to Friday in under a minute.",
		"Pick who you are at the top right, or click a person on the left: each member sees their own DMs, modals and ephemeral replies.",
	}
}

// Close shuts the demo down: the page, the clock, the bot, the fake, and
// the temporary store.
func (d *Demo) Close() error {
	var errs []error
	if d.page != nil {
		d.page.Close()
	}
	if d.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := d.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("page server: %w", err))
		}
		cancel()
	}
	if d.Time != nil {
		d.Time.close()
	}
	if d.Bot != nil {
		if err := d.Bot.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if d.Fake != nil {
		d.Fake.Close()
	}
	if d.dir != "" {
		if err := os.RemoveAll(d.dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run is `ritualbot demo`: it serves until ctx ends (Ctrl-C).
func Run(ctx context.Context, o Options, stdout io.Writer) error {
	d, err := Start(ctx, o)
	if err != nil {
		if ctx.Err() != nil {
			return nil // Ctrl-C while starting
		}
		return err
	}
	fmt.Fprintf(stdout, "ritualbot demo: the real bot against a local Slack workspace, on simulated time from %s.\n",
		d.Start.Format("Mon 2 Jan 2006 15:04 MST"))
	fmt.Fprintf(stdout, "\n  Open %s in your browser.\n\n", d.URL)
	fmt.Fprintf(stdout, "The bot's own endpoints (metrics, webhooks) are at http://%s with RITUALBOT_WEBHOOK_TOKEN=%s.\nCtrl-C stops the demo and deletes its data.\n", d.Bot.Addr(), d.WebhookToken)
	select {
	case <-ctx.Done():
	case err = <-d.Bot.Fatal():
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
