// Command ritualbot runs an engineering team's weekly rituals in Slack:
// standups, on-call handoffs, incidents and retros, digests, reminders.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // zones work in scratch/distroless images without /usr/share/zoneinfo

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usageText = `ritualbot runs your team's standups, on-call, incidents and digests in Slack.

Usage:
  ritualbot [run] [--config FILE]           run the bot (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)
  ritualbot validate [--config FILE]        check the config; print each ritual's next 5 fire times
  ritualbot preview [--config FILE] [--json] RITUAL
                                            print what RITUAL would post now
  ritualbot manifest [--config FILE]        print the Slack app manifest for this config
  ritualbot backup [--config FILE] OUT      hot backup of the store, also while the bot runs
  ritualbot export [--config FILE]          all stored state as JSON on stdout
  ritualbot erase [--config FILE] USER      remove a person (member ID or e-mail) from the store, also while the bot runs
  ritualbot compact [--config FILE] OUT     compacted copy of the stopped bot's store (docs/OPERATIONS.md)
  ritualbot demo [--listen 127.0.0.1:8088] [--config FILE]
                                            try it without Slack: the bot against a local workspace in your browser

--config defaults to $RITUALBOT_CONFIG, then ./config.yaml.
`

// run is main with its dependencies injected, so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("ritualbot "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText) }
	defaultConfig := env("RITUALBOT_CONFIG")
	if defaultConfig == "" {
		defaultConfig = "config.yaml"
	}
	configPath := fs.String("config", defaultConfig, "config file")
	asJSON := fs.Bool("json", false, "preview: print Block Kit JSON")
	listen := fs.String("listen", demo.DefaultListen, "demo: where the page is served (loopback only)")
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "ritualbot %s: %v\n", cmd, err)
		return 1
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	case "demo":
		o := demoOptions(env)
		o.Listen, o.Log = *listen, newDemoLogger(stderr, env)
		if flagSet(fs, "config") {
			o.ConfigPath = *configPath
		}
		if err := demo.Run(ctx, o, stdout); err != nil {
			return fail(err)
		}
		return 0
	case "run", "validate", "preview", "manifest", "backup", "export", "erase", "compact":
		if flagSet(fs, "listen") {
			fmt.Fprintf(stderr, "ritualbot %s: --listen is for ritualbot demo; the bot listens on http.listen from the config\n", cmd)
			return 2
		}
	default:
		fmt.Fprintf(stderr, "ritualbot: unknown command %q\n\n%s", cmd, usageText)
		return 2
	}
	loaded, err := config.Load(*configPath, configKinds())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	switch cmd {
	case "validate":
		for _, w := range loaded.Warnings {
			fmt.Fprintln(stderr, "warning: "+w.Error())
		}
		notes, err := storedNotes(ctx, loaded)
		if err != nil {
			fmt.Fprintln(stderr, "warning: "+err.Error())
		}
		fmt.Fprintf(stdout, "%s: OK\n\n%s", *configPath, config.DescribeWith(loaded.Config.Config, time.Now(), 5, notes))
		return 0
	case "manifest":
		out, err := manifest(loaded)
		if err != nil {
			return fail(err)
		}
		_, _ = stdout.Write(out)
		return 0
	case "preview":
		if len(pos) != 1 {
			return fail(errors.New("name the ritual to preview: ritualbot preview RITUAL"))
		}
		notes := stdout
		if *asJSON {
			notes = stderr
		}
		if err := previewTo(ctx, loaded, env, pos[0], *asJSON, time.Now(), stdout, notes); err != nil {
			return fail(err)
		}
		return 0
	case "backup":
		if len(pos) != 1 {
			return fail(errors.New("name the backup file: ritualbot backup OUT"))
		}
		if err := backup(ctx, loaded, pos[0]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "backed up %s to %s\n", loaded.Config.Store.Path, pos[0])
		return 0
	case "export":
		if err := export(ctx, loaded, stdout); err != nil {
			return fail(err)
		}
		return 0
	case "erase":
		if len(pos) != 1 {
			return fail(errors.New("name the person to erase: ritualbot erase USER (member ID or e-mail)"))
		}
		if err := erase(ctx, loaded, env, pos[0], stdout); err != nil {
			return fail(err)
		}
		return 0
	case "compact":
		if len(pos) != 1 {
			return fail(errors.New("name the compacted copy: ritualbot compact OUT"))
		}
		if err := compact(loaded, pos[0], stdout); err != nil {
			return fail(err)
		}
		return 0
	}
	log := newLogger(stderr, env)
	m := &Main{Loaded: loaded, Env: env, Log: log}
	if err := m.Run(ctx); err != nil {
		return fail(err)
	}
	go releaseStartupGarbage(ctx, m.warmed, m.DB, log)
	select {
	case <-ctx.Done():
		log.Info().Msg("signal received; shutting down")
	case err = <-m.Fatal():
	}
	if cerr := m.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// startupSettle is how long after start-up its garbage is released.
const startupSettle = time.Second

// releaseStartupGarbage hands the heap start-up left behind back to the
// OS once the bot is ready and has read the workspace's members: parsing
// and checking the config, resolving names and reading the store allocate
// megabytes that are garbage a moment later, and the runtime's background
// scavenger returns such pages only slowly, so an idle bot would keep its
// start-up peak as resident memory. One forced collection at start costs
// a few milliseconds, once. The store file's pages that start-up mapped in
// are let go too (store.DB.ReleasePages). It waits startupSettle more for
// the work that follows readiness (Socket Mode's hello, the scheduler's
// catch-up pass), which done after the release would map pages back in.
func releaseStartupGarbage(ctx context.Context, warmed <-chan struct{}, db *store.DB, log zerolog.Logger) {
	select {
	case <-warmed:
	case <-ctx.Done():
		return
	}
	select {
	case <-time.After(startupSettle):
		debug.FreeOSMemory()
		if err := db.ReleasePages(); err != nil {
			log.Debug().Err(err).Msg("start-up: could not release the store's pages")
		}
	case <-ctx.Done():
	}
}

// flagSet reports whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseInterleaved parses flags wherever they stand among the arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newLogger builds the root logger: JSON unless RITUALBOT_LOG=console (or
// a terminal), at RITUALBOT_LOG_LEVEL (default info).
func newLogger(w io.Writer, env func(string) string) zerolog.Logger {
	format := env("RITUALBOT_LOG")
	if format == "" {
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "console"
		}
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.DateTime}
	}
	level, err := zerolog.ParseLevel(env("RITUALBOT_LOG_LEVEL"))
	if err != nil || level == zerolog.NoLevel {
		level = zerolog.InfoLevel
	}
	log := zerolog.New(w).Level(level).With().Timestamp().Logger()
	zerolog.DefaultContextLogger = &log
	return log
}

// newDemoLogger is the demo's logger: warnings and errors only unless
// RITUALBOT_LOG_LEVEL says otherwise, so the terminal stays readable.
func newDemoLogger(w io.Writer, env func(string) string) zerolog.Logger {
	if env("RITUALBOT_LOG_LEVEL") != "" {
		return newLogger(w, env)
	}
	return newLogger(w, func(k string) string {
		if k == "RITUALBOT_LOG_LEVEL" {
			return "warn"
		}
		return env(k)
	})
}

func manifest(l *config.Loaded) ([]byte, error) {
	cfg := l.Config
	in := bot.ManifestInput{Mode: cfg.Slack.Mode, PublicURL: cfg.HTTP.PublicURL, UsesEmails: l.Unresolved() > 0,
		IncidentChannels: usesIncidentChannels(cfg.Config)}
	seen := map[string]bool{}
	for _, r := range cfg.Rituals {
		if !seen[r.Kind] {
			seen[r.Kind] = true
			in.Kinds = append(in.Kinds, r.Kind)
		}
	}
	return bot.Manifest(in)
}

// preview prints what a ritual would post now; a line saying the store
// does not exist yet goes to w too, unless w takes JSON.
func preview(ctx context.Context, l *config.Loaded, env func(string) string, name string, asJSON bool, now time.Time, w io.Writer) error {
	notes := w
	if asJSON {
		notes = io.Discard
	}
	return previewTo(ctx, l, env, name, asJSON, now, w, notes)
}

// previewTo prints what a ritual would post now to w. With no store yet
// (a first config) it renders from empty data, in a throwaway store, and
// says so on notes: the configured store is never created or migrated.
func previewTo(ctx context.Context, l *config.Loaded, env func(string) string, name string, asJSON bool, now time.Time, w, notes io.Writer) error {
	cfg := l.Config
	rc := cfg.Ritual(name)
	if rc == nil {
		var names []string
		for _, r := range cfg.Rituals {
			names = append(names, r.Name)
		}
		return fmt.Errorf("no ritual named %q (the config has: %s)", name, strings.Join(names, ", "))
	}
	k, ok := kinds[rc.Kind]
	if !ok || k.preview == nil {
		return fmt.Errorf("preview of kind %q is not available", rc.Kind)
	}
	var msg rituals.Message
	read := func(db *store.DB) error {
		var err error
		msg, err = k.preview(newPreviewEnv(cfg, db, now, env), rc)
		return err
	}
	err := readStore(ctx, l, read)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(notes, "No store yet at %s: previewing from empty data (no answers, deploys or incidents).\n", cfg.Store.Path)
		err = withEmptyStore(read)
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"channel": msg.To, "text": msg.Text, "blocks": bot.RenderBlocks(msg.Blocks, 50)})
	}
	fmt.Fprintf(w, "To %s:\n%s\n", msg.To, bot.ReplyText(bot.Reply{Blocks: msg.Blocks}))
	return nil
}
