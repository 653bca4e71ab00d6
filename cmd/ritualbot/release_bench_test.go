package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
)

// BenchmarkReleaseNotes500 measures `/release notes 1d` (what runs between
// the request and the ack) over a day of 500 deploys of five commits
// each: read from the store, grouped and folded into one message.
func BenchmarkReleaseNotes500(b *testing.B) {
	h := newReleaseHarness(b)
	h.quiet = true
	h.start()
	end := h.clock.Now()
	for i := range 500 {
		finished := end.Add(-time.Duration(500-i) * time.Minute)
		d := rituals.Deploy{ID: fmt.Sprintf("deploy:%d", i), Source: "deploy", Service: []string{"checkout", "ledger", "search-api"}[i%3],
			Environment: "production", SHA: fmt.Sprintf("%040x", i), Status: rituals.DeploySucceeded, Started: finished.Add(-5 * time.Minute),
			Finished: finished, Version: fmt.Sprintf("v1.%d.0", i), Deployer: "U0ALICE", URL: "https://ci.example.com/run/1"}
		for j := range 5 {
			d.Commits = append(d.Commits, rituals.Commit{SHA: fmt.Sprintf("%039x%d", i, j), Time: finished.Add(-time.Hour),
				Message: []string{"feat(api): add a thing", "fix: a crash", "docs: a page"}[j%3], Author: "alice", URL: "https://git.example.com/c/1"})
		}
		if err := h.m.DB.PutDeploy(d); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	inv := bot.Invocation{Command: "/release", Text: "notes 1d", UserID: "U0ALICE", ChannelID: "C0PAYMENTS"}
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		reply := h.m.Router.Command(ctx, inv)
		lat = append(lat, time.Since(start))
		if got := bot.ReplyText(reply); !strings.Contains(got, "500 deploys of 3 services") || !strings.Contains(got, "… and 4") {
			b.Fatalf("/release notes answered %.500s", got)
		}
	}
	benchtest.ReportLatency(b, lat)
}
