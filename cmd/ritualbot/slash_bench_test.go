package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// BenchmarkSlashCommandsYear measures the server's handling of every kind
// of slash command (what runs between the request and the ack) with a year
// of the workspace's history in the store (seedWorkspaceYear): reads of
// each ritual, and writes, which commit to disk. It reports p50 and p99
// per command, and the store's commits per command: those of the command
// and those of delivering the messages it sent (the sender's, which run
// beside the next commands). RITUALBOT_BENCH_DIR puts the store elsewhere
// (a tmpfs, to tell the server's time from the disk's).
func BenchmarkSlashCommandsYear(b *testing.B) {
	m := yearBot(b)
	latest, ok, err := m.DB.LatestIncident("incidents")
	if err != nil || !ok || !latest.IsOpen() {
		b.Fatalf("the seeded year ends without an open incident: %+v %v", latest, err)
	}
	for _, c := range []struct {
		name, user, command, text, want string
	}{
		{"oncall", "U0BOB", "/oncall", "", "Primary: <@"},
		{"oncall-schedule", "U0BOB", "/oncall", "schedule", "next 6 shifts"},
		{"standup-status", "U0BOB", "/standup", "status", "Answered"},
		{"standup-history", "U0ALICE", "/standup", "history <@U0BOB|bob> 10", "Last 10 standup answers"},
		{"incident-list", "U0BOB", "/incident", "list", "Incidents: open and this week"},
		{"incident-actions", "U0BOB", "/incident", "actions", "open action item"},
		{"digest-preview", "U0LEAD", "/digest", "preview", "Weekly digest"},
		// Updates go round the year's incidents: one incident with
		// thousands of updates is no incident people run. Most of them
		// are resolved, whose timelines only a lead (or the commander,
		// or an admin) may add to.
		{"write/incident-update", "U0LEAD", "/incident", "update #%d Rolled back the deploy", "Added to the timeline"},
		{"write/standup-ooo", "U0BOB", "/standup", "ooo 2027-12-24 2027-12-31", "Out of office"},
		{"write/digest-highlight", "U0LEAD", "/digest", "highlight Shipped the new checkout", "Added to the highlights"},
		{"write/oncall-override", "U0LEAD", "/oncall", "override <@U0CAROL|carol> 1h", "is on call"},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			inv := bot.Invocation{Command: c.command, Text: c.text, UserID: c.user, ChannelID: "C0INCIDENTS"}
			lat := make([]time.Duration, 0, b.N)
			commits := m.DB.Commits()
			for i := 0; b.Loop(); i++ {
				if strings.Contains(c.text, "%d") {
					inv.Text = fmt.Sprintf(c.text, 1+i%latest.Number)
				}
				start := time.Now()
				reply := m.Router.Command(ctx, inv)
				lat = append(lat, time.Since(start))
				if got := bot.ReplyText(reply); !strings.Contains(got, c.want) {
					b.Fatalf("%s %s answered %.500s, want %q", c.command, c.text, got, c.want)
				}
			}
			benchtest.ReportLatency(b, lat)
			if err := m.Settle(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(m.DB.Commits()-commits)/float64(len(lat)), "commits/op")
		})
	}
}

// yearBot runs the workspace's bot on a store with a year of history, at
// yearEnd.
func yearBot(b *testing.B) *Main {
	b.Helper()
	dir := benchtest.Dir(b)
	history := seedWorkspaceYear(b, filepath.Join(dir, "ritualbot.db"))
	return workspaceBot(b, dir, yearEnd, history...)
}

// workspaceBot runs the workspace's bot (workspaceConfig, HTTP mode) with
// its store in dir, on a fake clock at now, against a fake Slack with no
// rate limits (benchmarks and fuzzing drive it through its router), until
// the test ends. The fake holds history, the messages Slack kept from
// before now.
func workspaceBot(tb testing.TB, dir string, now time.Time, history ...slackfake.Message) *Main {
	tb.Helper()
	return workspaceBotWith(tb, workspaceConfig, dir, now, history...)
}

// workspaceBotWith is workspaceBot on the config cfg (workspaceConfig
// with more rituals, say).
func workspaceBotWith(tb testing.TB, cfg, dir string, now time.Time, history ...slackfake.Message) *Main {
	tb.Helper()
	return workspaceBotConfigured(tb, cfg, dir, now, nil, history...)
}

// workspaceBotConfigured is workspaceBotWith with configure, if set,
// called on Main before it runs (store options, Slack limits).
func workspaceBotConfigured(tb testing.TB, cfg, dir string, now time.Time, configure func(*Main), history ...slackfake.Message) *Main {
	tb.Helper()
	clock := rituals.NewFakeClock(now)
	fake := slackfake.New(slackfake.Options{Now: clock.Now, SigningSecret: wsSigningSecret, DisableRateLimits: true})
	tb.Cleanup(fake.Close)
	for _, u := range workspaceUsers {
		u.TZ = "Europe/Berlin"
		fake.AddUser(u)
	}
	for _, c := range []string{"C0PAYMENTS", "C0SEARCH", "C0INCIDENTS", "C0DIGEST"} {
		fake.AddChannel(slackfake.Channel{ID: c, Name: strings.ToLower(c[2:]), Members: []string{"U0BOT"}})
	}
	if err := fake.AddHistory(history...); err != nil {
		tb.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(strings.ReplaceAll(cfg, "STORE", filepath.Join(dir, "ritualbot.db"))), 0o600); err != nil {
		tb.Fatal(err)
	}
	loaded, err := config.Load(cfgPath, configKinds())
	if err != nil {
		tb.Fatal(err)
	}
	env := map[string]string{envBotToken: "xoxb-fake-bot-token", envSigningSecret: wsSigningSecret, envAPIURL: fake.APIURL(),
		envWebhookToken: wsWebhookToken, envPagerDutySecret: wsPagerDuty, envGitHubSecret: wsGitHubSecret}
	fast := bot.Limit{PerMinute: 1e6, Burst: 1000}
	m := &Main{Loaded: loaded, Env: func(k string) string { return env[k] }, Clock: clock, Log: zerolog.Nop(),
		SlackLimits: map[string]bot.Limit{"chat.postMessage": fast, "chat.postMessage/channel": fast, "chat.update": fast, "users.list": fast}}
	if configure != nil {
		configure(m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	if err := m.Settle(ctx); err != nil {
		tb.Fatal(err)
	}
	return m
}
