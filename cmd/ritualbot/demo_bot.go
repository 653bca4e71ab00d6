package main

import (
	"context"

	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/rituals"
)

// demoBot is Main as the demo package drives it.
type demoBot struct{ m *Main }

var _ demo.Bot = demoBot{}

func (b demoBot) Settle(ctx context.Context) error { return b.m.Settle(ctx) }
func (b demoBot) Jobs() []rituals.Job              { return b.m.Scheduler.Jobs() }
func (b demoBot) Connected() (bool, string)        { return b.m.Health.Connected() }
func (b demoBot) Changed() <-chan struct{}         { return b.m.Health.Changed() }
func (b demoBot) Fatal() <-chan error              { return b.m.Fatal() }
func (b demoBot) Addr() string                     { return b.m.Addr }
func (b demoBot) Close() error                     { return b.m.Close() }

// startDemoBot runs the real Main for `ritualbot demo` on the fake
// workspace's tokens and URL; the rest of its environment is env.
func startDemoBot(env func(string) string) demo.StartFunc {
	return func(ctx context.Context, c demo.BotConfig) (demo.Bot, error) {
		m := &Main{Loaded: c.Loaded, Clock: c.Clock, Log: c.Log, SlackLimits: c.SlackLimits, Env: func(k string) string {
			switch k {
			case envBotToken:
				return c.BotToken
			case envAppToken:
				return c.AppToken
			case envAPIURL:
				return c.APIURL
			case envSigningSecret:
				return ""
			case envWebhookToken:
				return c.WebhookToken
			}
			return env(k)
		}}
		if err := m.Run(ctx); err != nil {
			return nil, err
		}
		return demoBot{m}, nil
	}
}

// demoOptions are the demo's options for env.
func demoOptions(env func(string) string) demo.Options {
	return demo.Options{WebhookToken: env(envWebhookToken), StartBot: startDemoBot(env), Kinds: configKinds()}
}
