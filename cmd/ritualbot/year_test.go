package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/standup"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
)

// yearEnd is "now" for a workspace with a year of history: a Monday
// morning, a year after the on-call rotation of workspaceConfig started.
var yearEnd = time.Date(2027, 11, 22, 10, 30, 0, 0, berlin)

// newWorkspaceYearHarness is newWorkspaceHarness (configYAML defaults to
// workspaceConfig) over a store holding a year of the workspace
// (seedWorkspaceYear), its incident announcements in the fake's history.
func newWorkspaceYearHarness(t *testing.T, configYAML string, start time.Time) *harness {
	t.Helper()
	h := newWorkspaceHarness(t, configYAML, start, slackfake.Options{})
	if err := h.fake.AddHistory(seedWorkspaceYear(t, h.storePath())...); err != nil {
		t.Fatal(err)
	}
	return h
}

// seedWorkspaceYear fills the store at path with a year of the
// workspace's life (workspaceConfig) before yearEnd, through the store's
// own writes: every weekday's standup (answers of the three members, some
// skipped, the day's tally, blockers opened and cleared), the on-call
// handoffs and two overrides a day, three incidents a week with their
// timelines, retros and action items, two digest notes a week per team
// and three production deploys a day per service, with a sent message per
// incident announcement so threads are found. It returns those
// announcements as Slack holds them, for a fake Slack's AddHistory: a
// command in an incident's thread replies under its announcement, which
// must be there.
//
// Writing it is some 8,000 commits, each synced to disk; it is written once
// per test binary, on a RAM disk when there is one, and copied.
func seedWorkspaceYear(tb testing.TB, path string) []slackfake.Message {
	tb.Helper()
	yearOnce.Do(func() {
		dir, err := os.MkdirTemp(ramDisk(), "ritualbot-year-")
		if err != nil {
			yearErr = err
			return
		}
		yearFile = filepath.Join(dir, "year.db")
		yearHistory, yearErr = writeWorkspaceYear(tb, yearFile)
	})
	if yearErr != nil {
		tb.Fatal(yearErr)
	}
	data, err := os.ReadFile(yearFile)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return yearHistory
}

var (
	yearOnce    sync.Once
	yearFile    string
	yearHistory []slackfake.Message
	yearErr     error
)

// ramDisk is /dev/shm when it exists, else the temporary directory.
func ramDisk() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

func writeWorkspaceYear(tb testing.TB, path string) ([]slackfake.Message, error) {
	db, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	start := yearEnd.AddDate(-1, 0, 0)
	members := []string{"U0ALICE", "U0BOB", "U0CAROL"}
	qs := []rituals.Question{{ID: "today", Text: "What are you working on today?"}, {ID: "blockers", Text: "Anything blocking you?", Blocker: true}}

	// Standups.
	blockers := 0
	for d := rituals.DateOf(start); d.Before(rituals.DateOf(yearEnd)); d = d.AddDays(1) {
		if wd := d.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		prompt := d.In(berlin).Add(9 * time.Hour)
		must(db.PutDay(standup.StandupDay{Ritual: "payments-standup", Date: d, Prompted: members, Summarized: prompt.Add(time.Hour)}))
		tally := standup.StandupTally{Ritual: "payments-standup", Team: "payments", Date: d, At: prompt, Outcomes: map[string]standup.Outcome{}}
		for i, u := range members {
			a := standup.StandupAnswer{Ritual: "payments-standup", Date: d, User: u, Questions: qs, Submitted: prompt.Add(time.Duration(5+i) * time.Minute),
				Answers: map[string]string{"today": fmt.Sprintf("Work on ticket %d of %s", d.Day, u), "blockers": "none"}}
			outcome := standup.OutcomeAnswered
			if (d.Day+i)%11 == 0 {
				a = standup.StandupAnswer{Ritual: "payments-standup", Date: d, User: u, Skipped: true, Submitted: prompt}
				outcome = standup.OutcomeSkipped
			}
			must(db.PutAnswer(a))
			tally.Outcomes[u] = outcome
		}
		must(db.PutTally(tally))
		if d.Day%7 == 0 {
			blockers++
			b := rituals.Blocker{ID: fmt.Sprintf("payments-standup-U0BOB-%d", blockers), Ritual: "payments-standup", Team: "payments", User: "U0BOB",
				Text: "Waiting on review", Opened: prompt, Updated: prompt}
			if prompt.Before(yearEnd.AddDate(0, 0, -10)) {
				b.Cleared = prompt.AddDate(0, 0, 3)
			}
			must(db.PutBlocker(b))
		}
	}

	// On-call: weekly handoffs, two overrides a day.
	rot := []string{"U0ALICE", "U0BOB", "U0CAROL"}
	first := time.Date(2026, 11, 2, 10, 0, 0, 0, berlin)
	for i, at := 0, first; at.Before(yearEnd); i, at = i+1, at.AddDate(0, 0, 7) {
		_, err := db.PutHandoff(oncall.HandoffRecord{Ritual: "payments-oncall", At: at, Primary: rot[i%3], Rotation: rot, Recorded: at})
		must(err)
	}
	for n, day := 0, start; day.Before(yearEnd); day = day.AddDate(0, 0, 1) {
		for _, hour := range []int{9, 15} {
			from := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, berlin)
			_, err := db.AddOverride(oncall.Override{Ritual: "payments-oncall", User: rot[n%3], From: from, To: from.Add(3 * time.Hour), By: "U0LEAD", Created: from.Add(-time.Hour)})
			must(err)
			n++
		}
	}

	// Incidents, three a week; the last few still open.
	var history []slackfake.Message
	n := 0
	for at := start.Add(14 * time.Hour); at.Before(yearEnd); at = at.Add(56 * time.Hour) {
		n++
		inc := incident.Incident{Ritual: "incidents", Title: fmt.Sprintf("Checkout errors, wave %d", n), Severity: []string{"sev1", "sev2", "sev3"}[n%3],
			Commander: rot[n%3], Participants: []string{rot[n%3], rot[(n+1)%3]}, Teams: []string{"payments"}, Status: incident.IncidentOpen, Source: incident.SourceSlack, Opened: at}
		for e := 0; e < 8; e++ {
			inc.Timeline = append(inc.Timeline, incident.TimelineEvent{At: at.Add(time.Duration(e) * 10 * time.Minute), Kind: incident.EventUpdate, By: rot[e%3],
				Text: fmt.Sprintf("Update %d: looked at dashboards, rolled back the deploy, watched the error rate fall", e)})
		}
		if at.Before(yearEnd.AddDate(0, 0, -3)) {
			inc.Status, inc.Resolved = incident.IncidentResolved, at.Add(90*time.Minute)
			inc.Retro.Due = at.Add(24 * time.Hour)
			inc.Retro.Answers = []incident.RetroAnswer{{User: rot[n%3], Answers: map[string]string{"happened": "A bad deploy", "went_well": "Fast rollback"}, Submitted: at.Add(30 * time.Hour)}}
			if n%4 != 0 {
				inc.Retro.Published, inc.Retro.PublishedBy = at.Add(48*time.Hour), rot[n%3]
				inc.Retro.Postmortem = "# Postmortem\n\nA bad deploy."
			}
		}
		inc, err := db.SaveIncident(inc, at, nil)
		must(err)
		for k := 1; k <= 2; k++ {
			a := incident.ActionItem{ID: fmt.Sprintf("%d.%d", inc.Number, k), Ritual: "incidents", Incident: inc.Number, Owner: rot[(n+k)%3],
				Text: "Alert on the error rate", Due: rituals.DateOf(at.AddDate(0, 0, 14)), Created: at.Add(time.Hour), CreatedBy: rot[n%3], Teams: []string{"payments"}}
			if n%3 != 0 {
				a.Closed, a.ClosedBy = at.AddDate(0, 0, 10), a.Owner
			}
			must(db.PutAction(a))
		}
		key := fmt.Sprintf("incident/%d", inc.Number)
		must(db.Enqueue(at, rituals.Message{Key: key, To: "C0INCIDENTS", Text: inc.Title}))
		items, err := db.Pending(1)
		must(err)
		ts := fmt.Sprintf("%d.000100", at.Unix())
		must(db.Delivered(items[0].Seq, rituals.SentMessage{Key: key, Channel: "C0INCIDENTS", TS: ts, Sent: at}))
		history = append(history, slackfake.Message{Channel: "C0INCIDENTS", TS: ts, User: "U0BOT", Text: inc.Title})
	}

	// Digest notes and deploys.
	for week, at := 0, start; at.Before(yearEnd); week, at = week+1, at.AddDate(0, 0, 7) {
		for _, team := range []string{"payments", "search"} {
			for k, kind := range []string{digest.NoteHighlight, digest.NoteRisk} {
				must(db.PutNote(digest.DigestNote{ID: fmt.Sprintf("%s-%d-%d", team, week, k), Team: team, Kind: kind, Text: "Shipped the thing", Author: "U0LEAD", Created: at.Add(time.Duration(k) * time.Hour)}))
			}
		}
	}
	for day := start; day.Before(yearEnd); day = day.AddDate(0, 0, 1) {
		for _, svc := range []string{"checkout", "search-api"} {
			for k := 0; k < 3; k++ {
				fin := time.Date(day.Year(), day.Month(), day.Day(), 10+2*k, 0, 0, 0, berlin)
				sha := fmt.Sprintf("%s-%s-%d", svc, day.Format("20060102"), k)
				status := rituals.DeploySucceeded
				if (day.Day()+k)%17 == 0 {
					status = rituals.DeployFailed
				}
				must(db.PutDeploy(rituals.Deploy{ID: "deploy:" + sha, Source: "deploy", Service: svc, Environment: "production", SHA: sha, Status: status,
					Started: fin.Add(-10 * time.Minute), Finished: fin, Received: fin, CommitsFrom: rituals.CommitsFromPayload,
					Commits: []rituals.Commit{{SHA: sha, Time: fin.Add(-5 * time.Hour)}, {SHA: sha + "p", Time: fin.Add(-20 * time.Hour)}}}))
			}
		}
	}
	return history, nil
}

// removeYearStore deletes the year of data the benchmarks built, if any
// (TestMain calls it after the run).
func removeYearStore() {
	if yearFile != "" {
		os.RemoveAll(filepath.Dir(yearFile))
	}
}
