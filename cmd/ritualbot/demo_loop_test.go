package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/slackfake"
)

// demoCommand types a slash command in the demo's workspace and returns
// what the member reads of the acknowledgement.
func demoCommand(t *testing.T, d *demo.Demo, user, channel, command, text string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := d.Fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: command, Text: text, UserID: user, ChannelID: channel})
	if err != nil {
		t.Fatalf("%s %s: %v", command, text, err)
	}
	if err := d.Bot.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", "&amp;", "&").Replace(string(r.Ack))
}

// demoLink finds a link to the bot's own pages in text and opens it.
func demoLink(t *testing.T, d *demo.Demo, what, text, path string) {
	t.Helper()
	m := regexp.MustCompile(`http://` + regexp.QuoteMeta(d.Bot.Addr()) + regexp.QuoteMeta(path) + `[^|>"\s]*`).FindString(text)
	if m == "" {
		t.Errorf("%s: no link to http://%s%s… in\n%s", what, d.Bot.Addr(), path, text)
		return
	}
	resp, err := http.Get(m)
	if err != nil {
		t.Errorf("%s: GET %s: %v", what, m, err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Errorf("%s: GET %s = %d %.200s", what, m, resp.StatusCode, body)
	}
}

// In the demo every link the bot posts opens (its public URL is its own
// loopback address), and one sitting sees an incident through its retro
// and postmortem to a closed action item.
func TestDemoLinksOpenAndTheIncidentLoopFitsASitting(t *testing.T) {
	d := startTestDemo(t)
	d.Time.SetPaused(true)
	ctx := context.Background()

	sched := demoCommand(t, d, "U0ALICE", "C0PAYMENTS", "/oncall", "schedule payments")
	demoLink(t, d, "the calendar feed in /oncall schedule", sched, "/oncall/payments-oncall.ics")

	// Monday afternoon: declared, resolved.
	start := d.Start.In(berlin) // Monday 07:45
	if err := demo.RunClockUntil(ctx, d.Bot, d.Clock, start.Add(5*time.Hour+30*time.Minute), berlin, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	demoCommand(t, d, "U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Checkout returns 500s")
	d.Clock.Advance(40 * time.Minute)
	demoCommand(t, d, "U0ALICE", "C0INCIDENTS", "/incident", "resolve #1 Rolled back the deploy")

	// "Jump to next ritual" reaches the retro prompt the same day.
	var retro slackfake.Message
	for i := 0; retro.TS == ""; i++ {
		if i == 20 {
			t.Fatalf("no retro prompt for Alice after %d jumps; clock at %s", i, d.Clock.Now().In(berlin))
		}
		if err := d.Time.Next(ctx); err != nil {
			t.Fatal(err)
		}
		for _, m := range d.Fake.DMs("U0ALICE") {
			if strings.Contains(string(m.Blocks), incident.ActionRetroPublish) {
				retro = m
			}
		}
	}
	if got := tsTime(t, retro.TS).In(berlin).Format("Mon 15:04"); got != "Mon 16:00" {
		t.Errorf("the retro prompt came %s, want Mon 16:00 (min_delay 2h)", got)
	}
	demoCommand(t, d, "U0ALICE", "C0INCIDENTS", "/incident", "action #1 <@U0BOB|bob> Add a canary stage to checkout deploys")
	if _, err := d.Fake.SendBlockAction(ctx, "U0ALICE", retro.Channel, retro.TS, incident.ActionRetroPublish, ""); err != nil {
		t.Fatal(err)
	}
	if err := d.Bot.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	var postmortem string
	for _, m := range d.Fake.ChannelMessages("C0INCIDENTS") {
		if strings.Contains(m.Text, "Postmortem") {
			postmortem = string(m.Blocks)
		}
	}
	demoLink(t, d, "the postmortem", strings.NewReplacer(`\u0026`, "&", "&amp;", "&").Replace(postmortem), "/incidents/1/postmortem.md")

	// Bob closes his action item from its DM.
	var owned slackfake.Message
	for _, m := range d.Fake.DMs("U0BOB") {
		if strings.Contains(string(m.Blocks), incident.ActionItemDone) {
			owned = m
		}
	}
	if owned.TS == "" {
		t.Fatalf("Bob has no DM with his action item: %q", texts(d.Fake.DMs("U0BOB")))
	}
	if _, err := d.Fake.SendBlockAction(ctx, "U0BOB", owned.Channel, owned.TS, incident.ActionItemDone, ""); err != nil {
		t.Fatal(err)
	}
	if err := d.Bot.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sameMessage(t, d.Fake.DMs("U0BOB"), owned); !strings.Contains(string(got.Blocks), "Done") || strings.Contains(string(got.Blocks), incident.ActionItemDone) {
		t.Errorf("Bob's action item after Done: %s", got.Blocks)
	}
}
