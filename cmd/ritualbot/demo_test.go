package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/slackfake/web"
)

// startTestDemo runs the built-in demo on an ephemeral port.
func startTestDemo(t *testing.T) *demo.Demo {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := demoOptions(func(string) string { return "" })
	o.Listen, o.Log, o.StepPause = "127.0.0.1:0", newLogger(logs, func(string) string { return "" }), time.Millisecond
	d, err := demo.Start(ctx, o)
	if err != nil {
		t.Fatalf("start demo: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("demo Close: %v", err)
		}
		if t.Failed() {
			t.Logf("bot logs:\n%s", logs.String())
		}
	})
	return d
}

// The demo shows every ritual kind this build has: a kind added to the
// bot needs a ritual in demo/config.yaml.
func TestDemoShowsEveryKind(t *testing.T) {
	loaded, err := demo.BuiltinConfig(time.Date(2026, 11, 23, 0, 0, 0, 0, berlin), configKinds())
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range loaded.Config.Rituals {
		have[r.Kind] = true
	}
	var missing []string
	for k := range kinds {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("demo/config.yaml has no ritual of kind %s: add one (docs/DEMO.md says how)", strings.Join(missing, ", "))
	}
}

// waitIdle waits for a run of the week to end.
func waitIdle(t *testing.T, c *demo.SimTime) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		ch := c.Changed()
		if c.Status().Busy == "" {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("the run of the week did not end; clock at %s", c.Status().Now)
		}
	}
}

func TestDemoJumpsToTheNextRitual(t *testing.T) {
	d := startTestDemo(t)
	d.Time.SetPaused(true)
	if want := "Mon 07:45"; d.Start.In(berlin).Format("Mon 15:04") != want {
		t.Errorf("the demo starts at %s, want %s", d.Start.In(berlin).Format("Mon 15:04"), want)
	}
	st := d.Time.Status()
	if len(st.Upcoming) == 0 {
		t.Fatal("nothing upcoming")
	}
	first := st.Upcoming[0]
	// Dan is in Helsinki: his 09:30 comes first, at 08:30 in Berlin.
	if first.Ritual != "platform-standup" || first.What != "prompt (Europe/Helsinki)" || first.Kind != "standup" ||
		first.At.In(berlin).Format("Mon 15:04") != "Mon 08:30" {
		t.Errorf("next ritual = %+v", first)
	}
	for i := 1; i < len(st.Upcoming); i++ {
		if st.Upcoming[i].At.Before(st.Upcoming[i-1].At) {
			t.Errorf("upcoming out of order: %+v", st.Upcoming)
		}
	}
	ctx := context.Background()
	if err := d.Time.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if now := d.Clock.Now().In(berlin).Format("Mon 15:04"); now != "Mon 08:30" {
		t.Errorf("after a jump the clock reads %s", now)
	}
	if len(d.Fake.DMs("U0DAN")) != 1 || len(d.Fake.DMs("U0ALICE")) != 0 {
		t.Errorf("at 08:30 Dan has %d DMs and Alice %d, want Dan's prompt only", len(d.Fake.DMs("U0DAN")), len(d.Fake.DMs("U0ALICE")))
	}
	if err := d.Time.Next(ctx); err != nil {
		t.Fatal(err)
	}
	// 09:00: Alice's standup prompt, and the heads-up that her first
	// on-call shift starts at 10:00 (notify_before: 1h).
	if dms := texts(d.Fake.DMs("U0ALICE")); len(dms) != 2 || !containsAny(dms, "standup") || !containsAny(dms, "on call") {
		t.Errorf("at %s Alice has DMs %q, want her 09:00 prompt and her on-call heads-up", d.Clock.Now().In(berlin).Format("15:04"), dms)
	}

	// One mover at a time.
	if err := d.Time.RunWeek(); err != nil {
		t.Fatal(err)
	}
	if err := d.Time.Next(ctx); !errors.Is(err, web.ErrBusy) {
		t.Errorf("a jump during a run of the week: %v, want ErrBusy", err)
	}
	waitIdle(t, d.Time)
}

func TestDemoClockRunsAtRealSpeedUntilPaused(t *testing.T) {
	d := startTestDemo(t)
	before := d.Clock.Now()
	deadline := time.Now().Add(5 * time.Second)
	for !d.Clock.Now().After(before) {
		if time.Now().After(deadline) {
			t.Fatal("the clock did not move in real time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.Time.SetPaused(true)
	time.Sleep(2 * demo.Tick) // a tick under way may land
	paused := d.Clock.Now()
	time.Sleep(3 * demo.Tick)
	if !d.Clock.Now().Equal(paused) {
		t.Errorf("the paused clock moved from %s to %s", paused, d.Clock.Now())
	}
	if !d.Time.Status().Paused {
		t.Error("status does not say paused")
	}
}

// dayOf is the Berlin weekday of a message.
func dayOf(t *testing.T, ts string) string {
	return tsTime(t, ts).In(berlin).Format("Mon")
}

func TestDemoRunsTheWeek(t *testing.T) {
	d := startTestDemo(t)
	started := time.Now()
	if err := d.Time.RunWeek(); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, d.Time)
	elapsed := time.Since(started)
	st := d.Time.Status()
	if st.Error != "" {
		t.Fatalf("the run stopped: %s", st.Error)
	}
	if now := st.Now.In(berlin); now.Weekday() != time.Friday {
		t.Errorf("the week ended on %s, want Friday after the last ritual", now.Format("Mon 15:04"))
	}
	// Paced as a person sees it, the week still plays in under a minute.
	steps := d.Time.WeekSteps()
	if paced := time.Duration(steps)*demo.DefaultStepPause + elapsed; paced > time.Minute {
		t.Errorf("%d rituals at the default pace take %s, want under a minute", steps, paced)
	}
	t.Logf("%d ritual steps in %s (%s with the default pauses)", steps, elapsed, time.Duration(steps)*demo.DefaultStepPause+elapsed)

	days := func(channel string, match string) []string {
		var out []string
		for _, m := range d.Fake.ChannelMessages(channel) {
			if m.ThreadTS == "" && strings.Contains(m.Text+string(m.Blocks), match) {
				out = append(out, dayOf(t, m.TS))
			}
		}
		return out
	}
	// Standups Monday to Friday but Thursday, the holiday.
	for _, ch := range []string{"C0PAYMENTS", "C0PLATFORM"} {
		var standupDays []string
		for _, m := range d.Fake.ChannelMessages(ch) {
			if m.ThreadTS == "" && m.User == "U0BOT" && strings.Contains(strings.ToLower(m.Text), "standup") {
				standupDays = append(standupDays, dayOf(t, m.TS))
			}
		}
		if got := strings.Join(standupDays, " "); got != "Mon Tue Wed Fri" {
			t.Errorf("standup summaries in %s on %q, want Mon Tue Wed Fri", ch, got)
		}
	}
	for _, tc := range []struct{ channel, text, want string }{
		{"C0PAYMENTS", "Sprint planning", "Mon"},
		{"C0OPS", "operations review", "Tue"},
		{"C0PLATFORM", "Backlog triage", "Wed"},
		{"C0PAYMENTS", "Team lunch", "Fri"},
		{"C0ENGINEERING", "Demo day", "Fri"},
	} {
		if got := strings.Join(days(tc.channel, tc.text), " "); got != tc.want {
			t.Errorf("%q in %s on %q, want %s", tc.text, tc.channel, got, tc.want)
		}
	}
	// Every member is prompted in a DM on each standup day, in their zone.
	for _, u := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN", "U0ERIN", "U0FRANK"} {
		seen := map[string]bool{}
		for _, m := range d.Fake.DMs(u) {
			if strings.Contains(strings.ToLower(m.Text), "standup") {
				seen[dayOf(t, m.TS)] = true
			}
		}
		if seen["Thu"] || len(seen) != 4 {
			t.Errorf("%s got DMs on %v, want Mon Tue Wed Fri", u, seen)
		}
	}
	// The digest's deploy and DORA figures are real ones: the demo week's
	// deploys went in through POST /hooks/deploy.
	var digestText string
	for _, m := range d.Fake.ChannelMessages("C0ENGINEERING") {
		if m.ThreadTS == "" && strings.Contains(string(m.Blocks), "Lead time") {
			digestText = readable(t, m)
		}
	}
	for _, team := range []string{"Payments", "Platform"} {
		_, block, _ := strings.Cut(digestText, "*"+team+"*")
		if deploys := regexp.MustCompile(`\*Deploys\*\n(\d+) `).FindStringSubmatch(block); deploys == nil || deploys[1] == "0" ||
			strings.Contains(strings.SplitN(block, "*Time to restore*", 2)[0], "no changes shipped") {
			t.Errorf("%s in the digest shows no deploys:\n%s", team, block)
		}
	}
	// A second run plays the next week.
	if err := d.Time.RunWeek(); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, d.Time)
	if now := d.Time.Status().Now; now.Sub(st.Now) < 6*24*time.Hour {
		t.Errorf("the second run ended at %s, want the next Friday", now.In(berlin))
	}
}

func TestDemoWithAConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	err := os.WriteFile(path, []byte(`
timezone: America/New_York
store: {path: team.db}
slack: {mode: http}
http: {listen: "127.0.0.1:8080", public_url: "https://bot.example.com"}
teams:
  - {id: web, channel: "#web", members: [U0AAA0001, carol@example.com], leads: [U0AAA0001]}
rituals:
  - {name: web-standup, kind: standup, team: web, schedule: "0 10 * * MON-FRI"}
  - {name: ops, kind: reminder, channel: "#ops-review", schedule: "0 15 * * TUE", text: "Ops review"}
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := demoOptions(func(string) string { return "" })
	o.Listen, o.ConfigPath, o.Log = "127.0.0.1:0", path, newLogger(io.Discard, func(string) string { return "" })
	d, err := demo.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Time.SetPaused(true)
	var carol string
	for _, u := range d.Fake.Users() {
		if u.Email == "carol@example.com" {
			carol = u.ID
		}
	}
	if carol == "" {
		t.Fatalf("no member with carol@example.com in %+v", d.Fake.Users())
	}
	var names []string
	for _, c := range d.Fake.Channels() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "web ops-review" {
		t.Errorf("channels = %s, want the team's and the ritual's", got)
	}
	if err := d.Time.Next(ctx); err != nil {
		t.Fatal(err)
	}
	ny := mustLoad("America/New_York")
	if now := d.Clock.Now().In(ny).Format("Mon 15:04"); now != "Mon 10:00" {
		t.Errorf("first ritual at %s, want Mon 10:00 New York time", now)
	}
	if len(d.Fake.DMs("U0AAA0001")) != 1 || len(d.Fake.DMs(carol)) != 1 {
		t.Errorf("prompts: %d and %d DMs, want one each", len(d.Fake.DMs("U0AAA0001")), len(d.Fake.DMs(carol)))
	}
	// The demo keeps its store to itself, not beside the config.
	if _, err := os.Stat(filepath.Join(dir, "team.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo wrote the config's store: %v", err)
	}
}

func TestDemoCommandLine(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "ritualbot-demo-*"))
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--listen", "127.0.0.1:0"}, stdout, stderr, func(string) string { return "" })
	}()
	urlRE := regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+/) in your browser`)
	var url string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("demo exited with %d: %s%s", code, stdout, stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no URL printed: %s%s", stdout, stderr)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ritualbot demo") {
		t.Errorf("GET %s = %s", url, resp.Status)
	}
	// Ctrl-C: a clean stop, exit 0, nothing left behind.
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("demo exited with %d after Ctrl-C: %s", code, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("demo did not stop after Ctrl-C")
	}
	if after, _ := filepath.Glob(filepath.Join(os.TempDir(), "ritualbot-demo-*")); len(after) > len(before) {
		t.Errorf("temporary store left behind: %v", after)
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the page still answers after the demo stopped")
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"demo", "--listen", "0.0.0.0:8088"}, 1, "loopback only"},
		{[]string{"demo", "--listen", ":8088"}, 1, "loopback only"},
		{[]string{"validate", "--listen", "127.0.0.1:1"}, 2, "--listen is for ritualbot demo"},
	} {
		var out, errOut syncBuffer
		if code := run(context.Background(), tc.args, &out, &errOut, func(string) string { return "" }); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("ritualbot %v = %d %q, want %d saying %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
	}
	// The page's port taken: a clear error and exit 1, not a crash.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var out, errOut syncBuffer
	if code := run(context.Background(), []string{"demo", "--listen", taken.Addr().String()}, &out, &errOut, func(string) string { return "" }); code != 1 || !strings.Contains(errOut.String(), "pass --listen") {
		t.Errorf("ritualbot demo on a taken port = %d %q, want 1 saying to pass --listen", code, errOut.String())
	}
	var help syncBuffer
	run(context.Background(), []string{"help"}, &help, io.Discard, func(string) string { return "" })
	if !strings.Contains(help.String(), "ritualbot demo [--listen 127.0.0.1:8088] [--config FILE]") {
		t.Errorf("usage lacks the demo:\n%s", help.String())
	}
}

// The page works without a workspace token of any kind: the demo makes
// its own, and a real token in the environment is never used.
func TestDemoIgnoresSlackTokensInTheEnvironment(t *testing.T) {
	env := map[string]string{envBotToken: "xoxb-real", envAppToken: "xapp-real", envAPIURL: "https://slack.com/api/"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o := demoOptions(func(k string) string { return env[k] })
	o.Listen, o.Log = "127.0.0.1:0", newLogger(io.Discard, func(string) string { return "" })
	d, err := demo.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := d.Fake.SendSlashCommand(ctx, slackfake.SlashCommand{Command: "/oncall", UserID: "U0ALICE", ChannelID: "C0PAYMENTS"})
	if err != nil || !strings.Contains(string(r.Ack), "*Payments* on call") {
		t.Errorf("/oncall = %s, %v", r.Ack, err)
	}
}

// containsAny reports whether one of texts contains substr.
func containsAny(texts []string, substr string) bool {
	for _, t := range texts {
		if strings.Contains(t, substr) {
			return true
		}
	}
	return false
}
