package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// BenchmarkDeclarationDuringAStorm: 5,000 storm messages wait in the
// outbox for #incidents, delivered at Slack's real pace (one a second per
// channel, on both sides), when a person declares an incident there. Each
// iteration is one declaration, timed from the slash command to its
// announcement in the channel. Reported: that time, how many storm
// messages were posted in the channel between the command and the
// announcement (the one holding the channel's rate slot, at most), and
// how many were still queued at the end.
func BenchmarkDeclarationDuringAStorm(b *testing.B) {
	const storm = 5000
	// Slack's own per-channel pace on both sides: the point is the order
	// in which a rate-limited channel is served.
	h := newHarness(b, incidentsConfig, at(b, "2026-11-24 14:00", berlin), slackfake.Options{RateLimits: map[string]slackfake.Limit{}})
	h.quiet = true
	h.fake.AddChannel(slackfake.Channel{ID: "C0INCIDENTS", Name: "incidents", Members: []string{"U0ALICE", "U0BOT"}})
	h.fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", TZ: "Europe/Berlin"})
	h.env[envWebhookToken] = "hook-token"
	h.start()
	msgs := make([]rituals.Message, storm)
	for i := range msgs {
		msgs[i] = rituals.Message{Key: fmt.Sprintf("storm/%d", i), To: "C0INCIDENTS", Text: fmt.Sprintf("Incident #%d (SEV1): NodeDown node-%d", 1000+i, i)}
	}
	if err := h.m.DB.Enqueue(h.clock.Now(), msgs...); err != nil {
		b.Fatal(err)
	}
	h.m.Sender.Wake()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	lat := make([]time.Duration, 0, b.N)
	ahead := 0
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		title := fmt.Sprintf("Checkout down, take %d", i)
		before := len(h.fake.ChannelMessages("C0INCIDENTS"))
		start := time.Now()
		if _, err := h.fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/incident", Text: "declare sev1 " + title, UserID: "U0ALICE", ChannelID: "C0INCIDENTS"}); err != nil {
			b.Fatal(err)
		}
		at := -1
		err := h.fake.WaitFor(ctx, func() bool {
			posted := h.fake.ChannelMessages("C0INCIDENTS")
			at = slices.IndexFunc(posted, func(m slackfake.Message) bool { return strings.Contains(m.Text, title) })
			return at >= 0
		})
		if err != nil {
			b.Fatalf("declaration %d never announced: %v", i, err)
		}
		lat = append(lat, time.Since(start))
		ahead = max(ahead, at-before)
	}
	b.StopTimer()
	benchtest.ReportLatency(b, lat)
	b.ReportMetric(float64(slices.Max(lat).Milliseconds()), "max-ms")
	b.ReportMetric(float64(ahead), "storm-posts-ahead")
	if left, err := h.m.DB.Pending(0); err == nil {
		b.ReportMetric(float64(len(left)), "still-queued")
	}
}
