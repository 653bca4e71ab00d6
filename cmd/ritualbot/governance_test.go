package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/slackfake"
)

// exported is `ritualbot export` read back: bucket → key → value.
type exported struct {
	Buckets map[string]map[string]json.RawMessage `json:"buckets"`
}

// runCLI runs a ritualbot command as the binary would, with the harness's
// environment, and returns its exit code and output.
func (h *harness) runCLI(args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut, func(k string) string { return h.env[k] })
	return code, out.String(), errOut.String()
}

func (h *harness) exportCLI() (string, exported) {
	h.t.Helper()
	code, out, stderr := h.runCLI("export", "--config", h.cfg)
	if code != 0 {
		h.t.Fatalf("ritualbot export: exit %d: %s", code, stderr)
	}
	var e exported
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		h.t.Fatalf("the export is not JSON: %v", err)
	}
	return out, e
}

// TestRetentionYearShrinksAndCompacts runs the bot over a store holding a
// year of the workspace (seedWorkspaceYear) with a 90-day retention: the
// daily job, through the scheduler, leaves exactly the records of the last
// 90 days (and the incidents still open), once; `ritualbot compact` then
// gives a file that exports the same at a fraction of the size.
func TestRetentionYearShrinksAndCompacts(t *testing.T) {
	cfg := workspaceConfig + "retention: {standup: 90d, incidents: 90d, deploys: 90d, outbox: 90d}\n"
	start := at(t, "2027-11-23 04:00", berlin) // the Tuesday after yearEnd, before the job
	h := newWorkspaceYearHarness(t, cfg, start)

	// What should stay, from how the year was written.
	jobAt := at(t, "2027-11-23 04:15", berlin)
	cut := jobAt.Add(-90 * 24 * time.Hour)
	cutDay := rituals.DateOf(cut)
	want := map[string]int{}
	seeded := map[string]int{}
	first := yearEnd.AddDate(-1, 0, 0)
	blockers := 0
	for d := rituals.DateOf(first); d.Before(rituals.DateOf(yearEnd)); d = d.AddDays(1) {
		if wd := d.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		kept := !d.Before(cutDay)
		for b, n := range map[string]int{"standup_answers": 3, "standup_days": 1, "standup_tallies": 1, "standup_member_days": 3} {
			seeded[b] += n
			if kept {
				want[b] += n
			}
		}
		if d.Day%7 == 0 {
			blockers++
			seeded["blockers"]++
			prompt := d.In(berlin).Add(9 * time.Hour)
			if !prompt.Before(yearEnd.AddDate(0, 0, -10)) || !prompt.AddDate(0, 0, 3).Before(cut) {
				want["blockers"]++
			}
		}
	}
	for at := first.Add(14 * time.Hour); at.Before(yearEnd); at = at.Add(56 * time.Hour) {
		seeded["incidents"]++
		open := !at.Before(yearEnd.AddDate(0, 0, -3))
		if open || !at.Add(90*time.Minute).Before(cut) {
			want["incidents"]++
			want["incident_briefs"]++
			want["incident_actions"] += 2
		}
	}
	for day := first; day.Before(yearEnd); day = day.AddDate(0, 0, 1) {
		for k := 0; k < 3; k++ {
			seeded["deploys"] += 2
			if fin := time.Date(day.Year(), day.Month(), day.Day(), 10+2*k, 0, 0, 0, berlin); !fin.Before(cut) {
				want["deploys"] += 2
				want["deploy_ids"] += 2
				want["deploy_shas"] += 2
			}
		}
	}
	if want["standup_answers"]*3 > seeded["standup_answers"] || want["deploys"]*3 > seeded["deploys"] || want["incidents"]*3 > seeded["incidents"] {
		t.Fatalf("the year is not a year: keep %v of %v", want, seeded)
	}

	h.startHTTP()
	h.runUntil(at(t, "2027-11-23 04:20", berlin))
	h.stop()
	_, e := h.exportCLI()
	for b, n := range want {
		if got := len(e.Buckets[b]); got != n {
			t.Errorf("%s holds %d records after the retention, want %d (of %d seeded)", b, got, n, seeded[b])
		}
	}
	for key, v := range e.Buckets["sent"] {
		var sm rituals.SentMessage
		if err := json.Unmarshal(v, &sm); err != nil || sm.Sent.Before(cut) {
			t.Errorf("sent %s (%s) outlived the outbox retention", key, sm.Sent)
		}
	}
	var ran []string
	for key, v := range e.Buckets["occurrences"] {
		var o rituals.Occurrence
		if err := json.Unmarshal(v, &o); err == nil && o.Job == "ritualbot/retention" && o.Status == rituals.OccurrenceDone {
			ran = append(ran, key)
		}
	}
	if len(ran) != 1 {
		t.Errorf("the retention job ran %d times (%q), want once", len(ran), ran)
	}

	// bbolt never shrinks the file; a compacted copy holds what is live.
	out := filepath.Join(h.dir, "compacted.db")
	code, stdout, stderr := h.runCLI("compact", "--config", h.cfg, out)
	if code != 0 {
		t.Fatalf("ritualbot compact: exit %d: %s", code, stderr)
	}
	before, after := fileSize(t, h.storePath()), fileSize(t, out)
	live := liveBytes(t, out)
	t.Logf("%s; live keys and values %d bytes", strings.TrimSpace(stdout), live)
	// Full pages of what is live, plus bbolt's own: at most twice the
	// keys and values and 64 KiB, and well under the pruned file.
	if after > 2*live+64<<10 || after*2 > before {
		t.Errorf("compacted %d bytes to %d with %d bytes live; want at most %d and under half", before, after, live, 2*live+64<<10)
	}
	exportOf := func(path string) string {
		h.t.Helper()
		cfg := strings.Replace(cfg, "STORE", path, 1)
		p := filepath.Join(h.dir, filepath.Base(path)+".yaml")
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := h.runCLI("export", "--config", p)
		if code != 0 {
			t.Fatalf("export of %s: %s", path, stderr)
		}
		return out
	}
	if exportOf(h.storePath()) != exportOf(out) {
		t.Error("the compacted store exports differently from the original")
	}
	if code, _, stderr := h.runCLI("compact", "--config", h.cfg, out); code == 0 || !strings.Contains(stderr, "exists") {
		t.Errorf("compact over an existing file: exit %d, %s", code, stderr)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// liveBytes sums the keys and values of the bbolt file at path.
func liveBytes(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			n += int64(len(name))
			return b.ForEach(func(k, v []byte) error { n += int64(len(k) + len(v)); return nil })
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEraseLeavesNoTraceInExport erases Bob from a store holding a year
// of the workspace and a morning of the running bot (his answer, Alice's
// answer mentioning him, an incident he declared and updated): the export
// names him nowhere, not even inside a mention, while his team-mates'
// records and the incident stay.
func TestEraseLeavesNoTraceInExport(t *testing.T) {
	h := newWorkspaceYearHarness(t, "", at(t, "2027-11-22 08:55", berlin))
	h.startHTTP()
	h.runUntil(at(t, "2027-11-22 09:05", berlin))
	h.answer("U0ALICE", answers{"today": "Pairing with <@U0BOB> on the checkout", "blockers": "none"})
	h.answer("U0BOB", answers{"today": "Fixing the flaky test", "blockers": "Waiting on <@U0CAROL>'s review"})
	h.command("U0BOB", "C0INCIDENTS", "/incident", "declare sev2 Checkout slow for <@U0ALICE>")
	h.runUntil(at(t, "2027-11-22 10:30", berlin))
	h.stop()
	before, _ := h.exportCLI()
	if !strings.Contains(before, "<@U0BOB>") {
		t.Fatal("the store does not mention Bob to begin with")
	}

	code, stdout, stderr := h.runCLI("erase", "--config", h.cfg, "U0BOB")
	if code != 0 {
		t.Fatalf("ritualbot erase: exit %d: %s", code, stderr)
	}
	t.Logf("ritualbot erase U0BOB:\n%s", stdout)
	for _, want := range []string{"erased U0BOB", "standup answers", "incidents ", "incident_actions", "oncall_overrides"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("erase printed no %q:\n%s", want, stdout)
		}
	}
	if regexp.MustCompile(`removed: 0 standup answers`).MatchString(stdout) {
		t.Errorf("erase removed none of Bob's answers:\n%s", stdout)
	}

	after, e := h.exportCLI()
	if trace := regexp.MustCompile(`U0BOB\b`).FindAllStringIndex(after, -1); len(trace) > 0 {
		t.Errorf("the export names U0BOB %d times after erasing him, e.g. …%s…", len(trace), after[max(0, trace[0][0]-100):min(len(after), trace[0][1]+40)])
	}
	for _, want := range []string{"Pairing with a former member on the checkout", "Checkout slow for <@U0ALICE>", "U0CAROL", `"Commander":"a former member"`} {
		if !strings.Contains(after, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	if len(e.Buckets["incidents"]) == 0 || len(e.Buckets["standup_answers"]) == 0 {
		t.Error("erasing Bob took others' records with him")
	}

	// An e-mail is looked up in Slack, as the config's are; without a
	// token to ask with, the error says what to do.
	h.fake.AddUser(slackfake.User{ID: "U0GONE", Name: "gone", Email: "gone@example.com"})
	if code, stdout, stderr := h.runCLI("erase", "--config", h.cfg, "gone@example.com"); code != 0 || !strings.Contains(stdout, "erased U0GONE") {
		t.Errorf("erase by e-mail: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := h.runCLI("erase", "--config", h.cfg, "nobody@example.com"); code == 0 || !strings.Contains(stderr, "nobody@example.com") {
		t.Errorf("erase of an e-mail Slack does not know: exit %d: %s", code, stderr)
	}
	delete(h.env, envBotToken)
	if code, _, stderr := h.runCLI("erase", "--config", h.cfg, "gone@example.com"); code == 0 || !strings.Contains(stderr, "give the member ID") {
		t.Errorf("erase by e-mail without a token: exit %d: %s", code, stderr)
	}
}

// TestEraseThroughTheRunningBot erases Bob while the bot runs: the CLI
// finds the bot on its control socket and the bot erases him from the store
// it holds; the export (through the socket too) names him nowhere, and the
// bot goes on with its day, naming "a former member" where he was.
func TestEraseThroughTheRunningBot(t *testing.T) {
	h := newWorkspaceYearHarness(t, "", at(t, "2027-11-22 08:55", berlin))
	h.startHTTP()
	h.runUntil(at(t, "2027-11-22 09:05", berlin))
	h.answer("U0ALICE", answers{"today": "Pairing with <@U0BOB> on the checkout", "blockers": "none"})
	h.answer("U0BOB", answers{"today": "Fixing the flaky test", "blockers": "none"})
	h.command("U0BOB", "C0INCIDENTS", "/incident", "declare sev2 Checkout slow")
	h.settle()

	code, stdout, stderr := h.runCLI("erase", "--config", h.cfg, "U0BOB")
	if code != 0 {
		t.Fatalf("ritualbot erase on the running bot: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "erased U0BOB") || strings.Contains(stdout, "removed: 0 standup answers") {
		t.Errorf("erase printed:\n%s", stdout)
	}
	if h.m == nil || h.m.DB.Ping() != nil {
		t.Fatal("the bot stopped holding its store")
	}
	after, _ := h.exportCLI()
	if trace := regexp.MustCompile(`U0BOB\b`).FindAllStringIndex(after, -1); len(trace) > 0 {
		t.Errorf("the export names U0BOB %d times after erasing him, e.g. …%s…", len(trace), after[max(0, trace[0][0]-100):min(len(after), trace[0][1]+40)])
	}
	if !strings.Contains(after, "Pairing with a former member on the checkout") {
		t.Error("Alice's answer is gone or unchanged")
	}

	// The bot goes on: Bob's incident, now a former member's, is updated
	// and resolved by Alice; nothing mentions "<@a former member>".
	inc, _, _ := h.m.DB.LatestIncident("incidents")
	n := fmt.Sprint(inc.Number)
	for _, cmd := range []string{"update #" + n + " Rolled back", "resolve #" + n + " Fixed"} {
		if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", cmd); !strings.Contains(ack, "#"+n) {
			t.Errorf("/incident %s: %s", cmd, ack)
		}
	}
	h.runUntil(at(t, "2027-11-22 11:00", berlin))
	for _, m := range h.fake.ChannelMessages("C0INCIDENTS") {
		if strings.Contains(m.Text, "<@a former member>") || strings.Contains(string(m.Blocks), "<@a former member>") {
			t.Errorf("a broken mention in the incident channel: %s", readable(t, m))
		}
	}
	// The retros of incidents he took part in go out today: to the others.
	if got := find(t, h.fake.ChannelMessages("C0INCIDENTS"), "please share what you saw: a former member"); len(got) == 0 {
		t.Error("no retro names a former member: the test no longer shows what it should")
	}
	if logs := h.logs.String(); strings.Contains(logs, "dropping it") {
		t.Errorf("the bot tried to send to a former member:\n%s", grepLines(logs, "dropping it"))
	}
	if ack := h.command("U0ALICE", "C0INCIDENTS", "/incident", "list"); strings.Contains(ack, "U0BOB") {
		t.Errorf("/incident list names Bob after his erasure: %s", ack)
	}
	_, e := h.exportCLI()
	if len(e.Buckets["incidents"]) == 0 {
		t.Fatal("no incidents left")
	}
}
