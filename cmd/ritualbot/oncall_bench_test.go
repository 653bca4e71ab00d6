package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
)

// BenchmarkOnCallCommand measures /oncall with a year of history stored:
// a handoff record a week, two overrides a day (a lead's cover and a
// planned one) and an accepted swap a week (a request and its two
// overrides), about 940 records. "router" is the server's handling of the
// command (what runs between the envelope and the ack); "socket" is the
// whole round trip through Socket Mode as Slack sees it, from sending the
// envelope to reading the ack. Both report p50 and p99 per command.
func BenchmarkOnCallCommand(b *testing.B) {
	h := startOnCallYear(b, nil)
	m, fake := h.m, h.fake
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	b.Run("router", func(b *testing.B) {
		inv := bot.Invocation{Command: "/oncall", Text: "", UserID: "U0BOB", ChannelID: "C0PAYMENTS"}
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for b.Loop() {
			start := time.Now()
			reply := m.Router.Command(ctx, inv)
			lat = append(lat, time.Since(start))
			if !strings.Contains(bot.ReplyText(reply), "Primary: <@") {
				b.Fatalf("unexpected answer: %s", bot.ReplyText(reply))
			}
		}
		benchtest.ReportLatency(b, lat)
	})
	b.Run("socket", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for b.Loop() {
			start := time.Now()
			r, err := fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/oncall", UserID: "U0BOB", ChannelID: "C0PAYMENTS"})
			lat = append(lat, time.Since(start))
			if err != nil || !strings.Contains(string(r.Ack), "Primary: \\u003c@") {
				b.Fatalf("ack %s: %v", r.Ack, err)
			}
		}
		benchtest.ReportLatency(b, lat)
	})
}

// seedOnCallYear stores a year of on-call history before now.
func seedOnCallYear(b *testing.B, path string, now time.Time) {
	b.Helper()
	db, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rot := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"}
	first := time.Date(2026, 10, 12, 10, 0, 0, 0, berlin)
	for i, at := 0, first; at.Before(now); i, at = i+1, at.AddDate(0, 0, 7) {
		if _, err := db.PutHandoff(oncall.HandoffRecord{Ritual: "payments-oncall", At: at, Primary: rot[i%4], Rotation: rot, Exec: []string{"U0EXEC1", "U0EXEC2"}[i%2], ExecRotation: []string{"U0EXEC1", "U0EXEC2"}, Recorded: at}); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for day := now.AddDate(-1, 0, 0); day.Before(now.AddDate(0, 0, 14)); day = day.AddDate(0, 0, 1) {
		for k, hour := range []int{9, 15} {
			from := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, berlin)
			o := oncall.Override{Ritual: "payments-oncall", User: rot[(n+k)%4], From: from, To: from.Add(3 * time.Hour), By: "U0LEAD", Created: from.Add(-time.Hour)}
			if _, err := db.AddOverride(o); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	// An accepted swap a week: one shift for one shift.
	for i, at := 0, now.AddDate(-1, 0, 0); at.Before(now); i, at = i+1, at.AddDate(0, 0, 7) {
		a, c := rot[i%4], rot[(i+2)%4]
		give := oncall.Span{From: at.Add(26 * time.Hour), To: at.Add(7 * 24 * time.Hour)}
		take := oncall.Span{From: at.Add(14 * 24 * time.Hour), To: at.Add(21 * 24 * time.Hour)}
		sw, err := db.PutSwap(oncall.SwapRequest{Ritual: "payments-oncall", Requester: a, Other: c, Give: give, Take: &take, Status: oncall.SwapPending, Created: at})
		if err != nil {
			b.Fatal(err)
		}
		sw.Status, sw.Answered = oncall.SwapAccepted, at.Add(time.Hour)
		if _, err := db.AcceptSwap(sw, []oncall.Override{
			{Ritual: "payments-oncall", User: c, From: give.From, To: give.To, By: c, Covering: a, Swap: sw.ID, Created: at.Add(time.Hour)},
			{Ritual: "payments-oncall", User: a, From: take.From, To: take.To, By: c, Covering: c, Swap: sw.ID, Created: at.Add(time.Hour)},
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// startOnCallYear starts the bot on a store seeded with a year of on-call
// history (and whatever more seed adds) in the payments workspace the
// on-call benchmarks share, quiet and with rate limits off.
func startOnCallYear(b *testing.B, seed func(b *testing.B, path string, now time.Time)) *harness {
	now := time.Date(2027, 10, 13, 12, 0, 0, 0, berlin)
	h := newHarness(b, onCallConfig, now, slackfake.Options{DisableRateLimits: true})
	h.quiet = true
	seedOnCallYear(b, h.storePath(), now)
	if seed != nil {
		seed(b, h.storePath(), now)
	}
	for id, name := range onCallNames {
		h.fake.AddUser(slackfake.User{ID: id, Name: name, TZ: "Europe/Berlin"})
	}
	h.fake.AddChannel(slackfake.Channel{ID: "C0PAYMENTS", Name: "payments", Members: []string{"U0BOT", "U0ALICE", "U0BOB"}})
	h.fake.AddUserGroup(slackfake.UserGroup{ID: "S0ONCALL", Handle: "payments-oncall", Users: []string{"U0ALICE"}})
	h.start()
	return h
}
