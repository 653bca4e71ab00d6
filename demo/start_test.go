package demo

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// fakeBot stands in for the real bot, which the demo package cannot
// import: it records where the clock was each time it was asked to settle.
type fakeBot struct {
	clock   rituals.Clock
	jobs    []rituals.Job
	settled []time.Time
	closed  bool
}

func (b *fakeBot) Settle(context.Context) error {
	b.settled = append(b.settled, b.clock.Now())
	return nil
}
func (b *fakeBot) Jobs() []rituals.Job       { return b.jobs }
func (b *fakeBot) Connected() (bool, string) { return true, "" }
func (b *fakeBot) Changed() <-chan struct{}  { return make(chan struct{}) }
func (b *fakeBot) Fatal() <-chan error       { return nil }
func (b *fakeBot) Addr() string              { return "127.0.0.1:1" }
func (b *fakeBot) Close() error {
	b.closed = true
	return nil
}

func TestStartRunsTheBotItIsGivenAgainstTheFake(t *testing.T) {
	var got BotConfig
	bot := &fakeBot{}
	o := Options{
		Listen: "127.0.0.1:0", Log: zerolog.Nop(), WebhookToken: "hook-token", Kinds: demoKinds,
		Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, berlin) },
		StartBot: func(_ context.Context, c BotConfig) (Bot, error) {
			got, bot.clock = c, c.Clock
			bot.jobs = []rituals.Job{{Name: "standup/prompt", Ritual: "standup", Schedule: rituals.MustParseSchedule("0 9 * * MON-FRI", berlin)}}
			return bot, nil
		},
	}
	d, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	d.Time.SetPaused(true)
	store := got.Loaded.Config.Store.Path
	if !strings.HasPrefix(got.BotToken, "xoxb-demo-") || !strings.HasPrefix(got.AppToken, "xapp-demo-") || got.APIURL != d.Fake.APIURL() ||
		got.WebhookToken != "hook-token" || got.Loaded.Config.Slack.Mode != "socket" || !strings.Contains(store, "ritualbot-demo-") {
		t.Errorf("the bot was started with %+v, store %s", got, store)
	}
	// The demo week starts on its Monday at 07:45; the first jump lands on
	// the job's next occurrence, where the bot is asked to settle.
	if err := d.Time.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if now := d.Clock.Now().In(berlin).Format("Mon 2 Jan 15:04"); now != "Mon 23 Nov 09:00" {
		t.Errorf("after a jump the clock reads %s", now)
	}
	if n := len(bot.settled); n < 2 || !bot.settled[n-1].Equal(d.Clock.Now()) {
		t.Errorf("settled at %v, want at start and at the jump", bot.settled)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if !bot.closed {
		t.Error("Close left the bot running")
	}
	if _, err := os.Stat(filepath.Dir(store)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo's store is left behind: %v", err)
	}
}

func TestStartLeavesNothingWhenTheBotDoesNotStart(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "ritualbot-demo-*"))
	boom := errors.New("boom")
	_, err := Start(context.Background(), Options{Listen: "127.0.0.1:0", Log: zerolog.Nop(), Kinds: demoKinds,
		StartBot: func(context.Context, BotConfig) (Bot, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Errorf("Start = %v, want the bot's error", err)
	}
	if after, _ := filepath.Glob(filepath.Join(os.TempDir(), "ritualbot-demo-*")); len(after) > len(before) {
		t.Errorf("a failed start left %v", after)
	}
	// The page's port taken: the bot started is stopped again.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	bot := &fakeBot{}
	_, err = Start(context.Background(), Options{Listen: taken.Addr().String(), Log: zerolog.Nop(), Kinds: demoKinds,
		StartBot: func(_ context.Context, c BotConfig) (Bot, error) { bot.clock = c.Clock; return bot, nil }})
	if err == nil || !strings.Contains(err.Error(), "--listen") || !bot.closed {
		t.Errorf("Start on a taken port = %v; bot closed: %v", err, bot.closed)
	}
	if after, _ := filepath.Glob(filepath.Join(os.TempDir(), "ritualbot-demo-*")); len(after) > len(before) {
		t.Errorf("a failed start left %v", after)
	}
	if _, err := Start(context.Background(), Options{Listen: "0.0.0.0:0", StartBot: func(context.Context, BotConfig) (Bot, error) { return &fakeBot{}, nil }}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("a non-loopback address: %v", err)
	}
}
