package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/store"
)

// BenchmarkOnCallYearOfCoversAndDrills measures /oncall and /oncall
// schedule with a year of covers and drills stored on top of the year of
// handoffs and overrides BenchmarkOnCallCommand seeds: a taken cover
// request (its override and its record) and a drill every week.
func BenchmarkOnCallYearOfCoversAndDrills(b *testing.B) {
	h := startOnCallYear(b, seedCoversAndDrills)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, tc := range []struct{ name, text, want string }{
		{"oncall", "", "Primary: <@"},
		{"schedule", "schedule payments 6", "→"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			inv := bot.Invocation{Command: "/oncall", Text: tc.text, UserID: "U0BOB", ChannelID: "C0PAYMENTS"}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				reply := h.m.Router.Command(ctx, inv)
				lat = append(lat, time.Since(start))
				if !strings.Contains(bot.ReplyText(reply), tc.want) {
					b.Fatalf("unexpected answer: %s", bot.ReplyText(reply))
				}
			}
			benchtest.ReportLatency(b, lat)
		})
	}
}

// seedCoversAndDrills stores a year of weekly covers, each taken with its
// override, and weekly drills, before now.
func seedCoversAndDrills(b *testing.B, path string, now time.Time) {
	b.Helper()
	db, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rot := []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE"}
	for i, day := 0, now.AddDate(-1, 0, 0); day.Before(now.AddDate(0, 0, 28)); i, day = i+1, day.AddDate(0, 0, 7) {
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, berlin)
		span := oncall.Span{From: from, To: from.Add(48 * time.Hour)}
		o, err := db.AddOverride(oncall.Override{Ritual: "payments-oncall", User: rot[(i+1)%4], From: span.From, To: span.To, By: rot[(i+1)%4], Covering: rot[i%4], Created: from.Add(-72 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.PutCover(oncall.CoverRequest{Ritual: "payments-oncall", For: rot[i%4], By: rot[i%4], Span: span, Created: o.Created, TakenBy: o.User, Taken: o.Created, Override: o.ID}); err != nil {
			b.Fatal(err)
		}
		paged := from.Add(14 * time.Hour)
		if _, err := db.PutDrill(oncall.Drill{Ritual: "payments-oncall", Paged: paged, Primary: rot[i%4], Secondary: rot[(i+1)%4], AckedBy: rot[i%4], Acked: paged.Add(2 * time.Minute), Reported: paged.Add(2 * time.Minute)}); err != nil {
			b.Fatal(err)
		}
	}
}
