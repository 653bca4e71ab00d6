package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

const day = 24 * time.Hour

// TestPruneKeepsWhatRetentionKeeps seeds each kind of record on both
// sides of a 90-day retention and checks what goes, with its index
// entries, and what stays: open incidents and blockers whatever their
// age, pending messages, anything younger.
func TestPruneKeepsWhatRetentionKeeps(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	old, recent := t0.Add(-100*day), t0.Add(-10*day)
	oldDay, recentDay := rituals.DateOf(old), rituals.DateOf(recent)
	for _, d := range []rituals.Date{oldDay, recentDay} {
		must(db.PutAnswer(standup.StandupAnswer{Ritual: "s", Date: d, User: "U1", Answers: map[string]string{"today": "x"}}))
		must(db.PutDay(standup.StandupDay{Ritual: "s", Date: d, Prompted: []string{"U1"}}))
		must(db.PutTally(standup.StandupTally{Ritual: "s", Team: "t", Date: d, Outcomes: map[string]standup.Outcome{"U1": standup.OutcomeAnswered}}))
	}
	must(db.PutBlocker(rituals.Blocker{ID: "b-old-cleared", Ritual: "s", User: "U1", Opened: old, Cleared: old.Add(day)}))
	must(db.PutBlocker(rituals.Blocker{ID: "b-old-open", Ritual: "s", User: "U1", Opened: old}))
	must(db.PutBlocker(rituals.Blocker{ID: "b-recent", Ritual: "s", User: "U1", Opened: old, Cleared: recent}))
	must(db.PutAway(standup.Away{User: "U1", From: oldDay, To: oldDay.AddDays(2)}))
	must(db.PutAway(standup.Away{User: "U1", From: oldDay.AddDays(1), To: recentDay.AddDays(30)}))

	incident := func(opened time.Time, resolved bool, ref string) int {
		inc := incident.Incident{Ritual: "inc", Title: ref, Status: incident.IncidentOpen, Source: "alertmanager", SourceRef: ref, Opened: opened}
		if resolved {
			inc.Status, inc.Resolved = incident.IncidentResolved, opened.Add(time.Hour)
		}
		inc, err := db.SaveIncident(inc, opened, nil)
		must(err)
		must(db.PutAction(incident.ActionItem{ID: fmt.Sprintf("%d.1", inc.Number), Ritual: "inc", Incident: inc.Number, Owner: "U1", Created: opened}))
		return inc.Number
	}
	oldResolved, oldOpen, recentResolved := incident(old, true, "g1"), incident(old, false, "g2"), incident(recent, true, "g3")
	// The announcement of an incident still open is edited when it is
	// resolved: its record stays, however old.
	for _, n := range []int{oldResolved, oldOpen} {
		key := fmt.Sprintf("incident/%d", n)
		must(db.Enqueue(old, rituals.Message{Key: key, To: "C1", Text: "x"}))
		items, _ := db.Pending(0)
		must(db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: key, Sent: old}))
	}

	for _, at := range []time.Time{old, recent} {
		id := "d-" + at.Format("0102")
		must(db.PutDeploy(rituals.Deploy{ID: id, Service: "api", SHA: "sha-" + id, Status: rituals.DeploySucceeded, Finished: at, Received: at}))
		must(db.PutPush(digest.Push{Head: "head-" + id, Received: at}))
	}
	for i, at := range []time.Time{old, recent} {
		key := fmt.Sprintf("sent-%d", i)
		must(db.Enqueue(at, rituals.Message{Key: key, To: "C1", Text: "x"}))
		items, _ := db.Pending(0)
		must(db.Delivered(items[0].Seq, rituals.SentMessage{Channel: "C1", TS: key, Sent: at}))
	}
	must(db.Enqueue(old, rituals.Message{Key: "pending", To: "C1", Text: "still to go"}))

	r := rituals.Retention{Standup: 90 * day, Incidents: 90 * day, Deploys: 90 * day, Outbox: 90 * day}
	rep, err := db.Prune(r, t0)
	must(err)
	want := PruneReport{Answers: 1, Days: 1, Tallies: 1, MemberDays: 1, Blockers: 1, Aways: 1, Incidents: 1, Actions: 1, Deploys: 1, Pushes: 1, Sent: 2}
	if rep != want {
		t.Errorf("Prune = %+v\nwant    %+v", rep, want)
	}

	if _, ok, _ := db.Answer("s", oldDay, "U1"); ok {
		t.Error("an answer older than the retention stayed")
	}
	if got, _ := db.UserAnswers("s", "U1", 10); len(got) != 1 || got[0].Date != recentDay {
		t.Errorf("the member's index lists %+v, want only the recent answer", got)
	}
	if p, _ := db.MemberParticipation("t", "U1", oldDay, recentDay); p.Days != 1 {
		t.Errorf("participation counts %d days, want 1", p.Days)
	}
	if open, _ := db.Blockers("s", true); len(open) != 1 || open[0].ID != "b-old-open" {
		t.Errorf("open blockers = %+v, want the old open one, kept", open)
	}
	if _, ok, _ := db.Blocker("b-recent"); !ok {
		t.Error("a blocker cleared within the retention went")
	}
	if aways, _ := db.Aways(oldDay); len(aways) != 1 {
		t.Errorf("aways = %+v, want the one still running", aways)
	}
	for n, want := range map[int]bool{oldResolved: false, oldOpen: true, recentResolved: true} {
		if _, ok, _ := db.Incident(n); ok != want {
			t.Errorf("incident %d kept = %v, want %v", n, ok, want)
		}
		if _, ok, _ := db.IncidentRitual(n); ok != want {
			t.Errorf("brief of incident %d kept = %v, want %v", n, ok, want)
		}
		if _, ok, _ := db.Action(fmt.Sprintf("%d.1", n)); ok != want {
			t.Errorf("action item of incident %d kept = %v, want %v", n, ok, want)
		}
	}
	if briefs, _ := db.IncidentBriefs(""); len(briefs) != 2 {
		t.Errorf("%d briefs listed after the prune, want 2 (the cache must follow)", len(briefs))
	}
	if acts, _ := db.ActionItems(""); len(acts) != 2 {
		t.Errorf("%d action items listed after the prune, want 2", len(acts))
	}
	if _, ok, _ := db.IncidentBySource("inc", "alertmanager", "g1"); ok {
		t.Error("the source index still points at a pruned incident")
	}
	oldID := "d-" + old.Format("0102")
	if _, ok, _ := db.Deploy(oldID); ok {
		t.Error("an old deploy stayed")
	}
	if ds, _ := db.DeploysWithSHA("sha-" + oldID); len(ds) != 0 {
		t.Errorf("the SHA index still finds %d pruned deploys", len(ds))
	}
	if _, ok, _ := db.Push("head-" + oldID); ok {
		t.Error("an old push stayed")
	}
	if _, ok, _ := db.Sent("sent-0"); ok {
		t.Error("an old delivery record stayed")
	}
	for n, want := range map[int]bool{oldResolved: false, oldOpen: true} {
		if _, ok, _ := db.Sent(fmt.Sprintf("incident/%d", n)); ok != want {
			t.Errorf("record of incident %d's announcement kept = %v, want %v", n, ok, want)
		}
	}
	if items, _ := db.Pending(0); len(items) != 1 {
		t.Errorf("pending = %d items, want the one pending, whatever its age", len(items))
	}

	// Again for the same instant: nothing more to do.
	if rep, err := db.Prune(r, t0); err != nil || rep.Total() != 0 {
		t.Errorf("second Prune = %+v, %v; want nothing", rep, err)
	}
	// Forever keeps everything.
	if rep, err := db.Prune(rituals.Retention{}, t0.Add(1000*day)); err != nil || rep.Total() != 0 {
		t.Errorf("Prune with forever = %+v, %v; want nothing", rep, err)
	}
}

// TestPruneInSmallTransactions shows a large prune is many small commits:
// the bot's writes never wait behind one that deletes everything.
func TestPruneInSmallTransactions(t *testing.T) {
	db := MustOpen(t)
	const n = 3*prunePerTx + 10
	err := db.update("seed", func(tx *bolt.Tx) error {
		for i := range n {
			sm := rituals.SentMessage{Key: fmt.Sprintf("m%05d", i), Channel: "C1", Sent: t0.Add(-100 * day)}
			if err := putJSON(tx.Bucket(bucketSent), []byte(sm.Key), sm); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := db.Commits()
	got, err := db.PruneSent(t0.Add(-90 * day))
	if err != nil || got != n {
		t.Fatalf("PruneSent = %d, %v; want %d", got, err, n)
	}
	if commits := db.Commits() - before; commits < n/prunePerTx {
		t.Errorf("%d records pruned in %d commits, want at most %d per commit", n, commits, prunePerTx)
	}
}
