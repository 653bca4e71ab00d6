package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// loopbackAddr is a free port on loopback for the bot's own HTTP server,
// chosen before the bot starts so that its public URL (the links it posts
// to calendar feeds and postmortems) can be that address: every link in
// the demo then opens.
func loopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo: find a port for the bot: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// seedDeploy is a deploy the demo reports, at a day and time of the demo
// week (day 0 is its Monday; negative days are the week before, which the
// digest compares with).
type seedDeploy struct {
	day      int
	at       string // "15:04" in the config's zone
	service  string
	status   string
	leadTime time.Duration // from the oldest commit to the deploy
	commits  int
}

// demoDeploys are two weeks of deploys of the demo teams' services: the
// week before the demo (the digest's "before") and the demo week itself.
var demoDeploys = []seedDeploy{
	{day: -7, at: "11:20", service: "checkout", status: "success", leadTime: 20 * time.Hour, commits: 4},
	{day: -6, at: "15:05", service: "billing", status: "success", leadTime: 30 * time.Hour, commits: 3},
	{day: -5, at: "10:40", service: "api-gateway", status: "success", leadTime: 6 * time.Hour, commits: 2},
	{day: -4, at: "16:10", service: "checkout", status: "failure", leadTime: 8 * time.Hour, commits: 2},
	{day: -3, at: "09:50", service: "ci-runners", status: "success", leadTime: 50 * time.Hour, commits: 5},
	{day: 0, at: "11:30", service: "checkout", status: "success", leadTime: 18 * time.Hour, commits: 3},
	{day: 0, at: "14:15", service: "api-gateway", status: "success", leadTime: 4 * time.Hour, commits: 1},
	{day: 1, at: "10:05", service: "billing", status: "success", leadTime: 26 * time.Hour, commits: 4},
	{day: 1, at: "15:45", service: "checkout", status: "failure", leadTime: 5 * time.Hour, commits: 2},
	{day: 1, at: "16:30", service: "checkout", status: "success", leadTime: 6 * time.Hour, commits: 3},
	{day: 2, at: "11:00", service: "ci-runners", status: "success", leadTime: 40 * time.Hour, commits: 6},
	{day: 2, at: "13:20", service: "api-gateway", status: "success", leadTime: 9 * time.Hour, commits: 2},
	{day: 4, at: "10:15", service: "billing", status: "success", leadTime: 22 * time.Hour, commits: 3},
	{day: 4, at: "12:40", service: "checkout", status: "success", leadTime: 16 * time.Hour, commits: 2},
}

// seedDeploys reports demoDeploys to the bot through its real deploy
// webhook (POST /hooks/deploy with the webhook token), as a deploy
// pipeline would, so the digest's deploy and DORA figures are real ones.
// The demo week's are reported at the start, dated in the days to come:
// the digest counts each once the simulated clock has passed it.
func seedDeploys(ctx context.Context, botAddr, token string, monday time.Time) error {
	client := &http.Client{Timeout: 10 * time.Second}
	for i, sd := range demoDeploys {
		hm, err := time.Parse("15:04", sd.at)
		if err != nil {
			return err
		}
		day := rituals.DateOf(monday).AddDays(sd.day).In(monday.Location())
		finished := day.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute)
		started := finished.Add(-6 * time.Minute)
		var commits []map[string]string
		for c := range sd.commits {
			at := finished.Add(-sd.leadTime + time.Duration(c)*time.Hour)
			commits = append(commits, map[string]string{"sha": fmt.Sprintf("%07x%d", i*97+c, c), "timestamp": at.Format(time.RFC3339)})
		}
		body, err := json.Marshal(map[string]any{
			"service": sd.service, "environment": "production", "sha": fmt.Sprintf("d3m0%03d", i), "status": sd.status,
			"started_at": started.Format(time.RFC3339), "finished_at": finished.Format(time.RFC3339), "commits": commits,
		})
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+botAddr+"/hooks/deploy", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("demo: report a deploy: %w", err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("demo: POST /hooks/deploy answered %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
		}
	}
	return nil
}
