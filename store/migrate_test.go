package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// openFixture copies a store file from testdata (opening migrates in
// place) and opens it.
func openFixture(t *testing.T, name string) *DB {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "ritualbot.db")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return mustOpenPath(t, path)
}

// The first commit's store (3ee8239): occurrences and the outbox open, are
// brought to the current schema, and read as they were written.
func TestOpenStoreOfTheFirstRelease(t *testing.T) {
	db := openFixture(t, "v1-3ee8239.db")
	if got, want := schemaOf(t, db), db.schemaVersion(); got != want {
		t.Errorf("schema after opening = %d, want %d", got, want)
	}
	o, ok, err := db.LastOccurrence("coffee")
	if err != nil || !ok || o.Status != rituals.OccurrenceDone || o.At.Format("2006-01-02 15:04") != "2026-11-20 08:30" {
		t.Errorf("last coffee occurrence = %+v %v %v", o, ok, err)
	}
	o, ok, err = db.LastOccurrence("lunch")
	if err != nil || !ok || o.Status != rituals.OccurrenceRunning {
		t.Errorf("a run cut short stays running, to be run again: %+v %v %v", o, ok, err)
	}
	pending, err := db.Pending(10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range pending {
		keys = append(keys, fmt.Sprintf("%s update=%v attempts=%d", it.Message.Key, it.Message.Update, it.Attempts))
	}
	want := []string{"lunch@2026-11-20T10:30:00Z update=false attempts=1", "coffee@2026-11-17T08:30:00Z update=true attempts=0"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("pending = %q, want %q", keys, want)
	}
	if pending[0].Message.Blocks[0].Text != "Team lunch!" {
		t.Errorf("pending message decoded as %+v", pending[0].Message)
	}
	sent, ok, err := db.Sent("coffee@2026-11-16T08:30:00Z")
	if err != nil || !ok || sent.TS != "1763281800.000100" {
		t.Errorf("sent = %+v %v %v", sent, ok, err)
	}
	// Enqueueing a key already sent says nothing twice, as before.
	if err := db.Enqueue(t0, rituals.Message{Key: "coffee@2026-11-16T08:30:00Z", To: "C0PAYMENTS", Text: "again"}); err != nil {
		t.Fatal(err)
	}
	if after, _ := db.Pending(10); len(after) != 2 {
		t.Errorf("a sent key was queued again: %d pending", len(after))
	}
}

// Standups as the store first kept them (1ddfc36), before the per-member
// answer and open-blocker indexes: after opening, /standup history and the
// open blockers answer exactly as they do from a store written by today's
// code with the same records.
func TestOpenStoreOfStandupsBeforeTheirIndexes(t *testing.T) {
	old := openFixture(t, "v1-1ddfc36.db")
	fresh := MustOpen(t)
	const ritual = "payments-standup"
	from, to := rituals.Date{Year: 2026, Month: 11, Day: 1}, rituals.Date{Year: 2026, Month: 11, Day: 30}
	days, err := old.Days(ritual, from, to)
	if err != nil || len(days) != 10 {
		t.Fatalf("days = %d, %v; want 10", len(days), err)
	}
	for _, d := range days {
		if err := fresh.PutDay(d); err != nil {
			t.Fatal(err)
		}
		answers, err := old.Answers(ritual, d.Date)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range answers {
			if err := fresh.PutAnswer(a); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, err := old.Blockers("", false)
	if err != nil || len(all) != 3 {
		t.Fatalf("blockers = %d, %v; want 3", len(all), err)
	}
	for _, b := range all {
		if err := fresh.PutBlocker(b); err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"U0ALICE", "U0BOB", "U0CAROL", "U0DAN"} {
		for _, n := range []int{1, 5, 50} {
			got, err := old.UserAnswers(ritual, user, n)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.UserAnswers(ritual, user, n)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("history of %s, %d: %d answers, want %d (%v)", user, n, len(got), len(want), dates(got))
			}
		}
	}
	if got, _ := old.UserAnswers(ritual, "U0BOB", 50); len(got) != 10 {
		t.Errorf("Bob's history holds %d answers, want his 10", len(got))
	}
	for _, r := range []string{ritual, "search-standup", ""} {
		got, err := old.Blockers(r, true)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fresh.Blockers(r, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Errorf("open blockers of %q: %v, want %v", r, ids(got), ids(want))
		}
	}
	// Later writes keep the rebuilt indexes in step.
	bob := all[0]
	for _, b := range all {
		if b.User == "U0BOB" {
			bob = b
		}
	}
	bob.Cleared = t0
	if err := old.PutBlocker(bob); err != nil {
		t.Fatal(err)
	}
	if open, _ := old.Blockers(ritual, true); len(open) != 0 {
		t.Errorf("Bob's cleared blocker is still open: %v", ids(open))
	}
}

func dates(as []standup.StandupAnswer) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Date.String())
	}
	return out
}

func ids(bs []rituals.Blocker) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}

// A schema-1 store written by the code just before schema 2 had its
// indexes already: migrating it changes no answer.
func TestMigratingAStoreThatHadItsIndexesChangesNothing(t *testing.T) {
	db := MustOpen(t)
	d := rituals.Date{Year: 2026, Month: 11, Day: 23}
	for i := 0; i < 6; i++ {
		a := standup.StandupAnswer{Ritual: "r", Date: d.AddDays(i), User: "U0BOB", Answers: map[string]string{"today": fmt.Sprint(i)}, Skipped: i == 3}
		if err := db.PutAnswer(a); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []rituals.Blocker{
		{ID: "b1", Ritual: "r", User: "U0BOB", Text: "x", Opened: t0},
		{ID: "b2", Ritual: "r", User: "U0BOB", Text: "y", Opened: t0, Cleared: t0},
	} {
		if err := db.PutBlocker(b); err != nil {
			t.Fatal(err)
		}
	}
	history, _ := db.UserAnswers("r", "U0BOB", 10)
	open, _ := db.Blockers("r", true)
	setSchema(t, db, 1)
	path := db.Path()
	db.Close()

	db = mustOpenPath(t, path)
	if got := schemaOf(t, db); got != db.schemaVersion() {
		t.Fatalf("schema = %d after migrating", got)
	}
	if got, _ := db.UserAnswers("r", "U0BOB", 10); !reflect.DeepEqual(got, history) || len(got) != 5 {
		t.Errorf("history after migrating: %v, want %v", dates(got), dates(history))
	}
	if got, _ := db.Blockers("r", true); !reflect.DeepEqual(got, open) || len(got) != 1 {
		t.Errorf("open blockers after migrating: %v, want %v", ids(got), ids(open))
	}
}

// Incidents stored before their briefs existed get them when the store is
// migrated: lists and the digest find them.
func TestMigrationBuildsIncidentBriefs(t *testing.T) {
	db := MustOpen(t)
	for i := 1; i <= 3; i++ {
		inc := incident.Incident{Ritual: "incidents", Title: fmt.Sprint("Outage ", i), Severity: "sev2", Teams: []string{"payments"}, Status: incident.IncidentOpen, Opened: t0.Add(time.Duration(i) * time.Hour)}
		if i == 2 {
			inc.Status, inc.Resolved, inc.Retro.Due = incident.IncidentResolved, inc.Opened.Add(time.Hour), inc.Opened.Add(24*time.Hour)
		}
		if _, err := db.SaveIncident(inc, t0, nil); err != nil {
			t.Fatal(err)
		}
	}
	want, err := db.IncidentBriefs("")
	if err != nil || len(want) != 3 {
		t.Fatalf("briefs = %v, %v", want, err)
	}
	// As older code left it: no briefs, schema 1.
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketIncidentBriefs) }); err != nil {
		t.Fatal(err)
	}
	setSchema(t, db, 1)
	path := db.Path()
	db.Close()

	db = mustOpenPath(t, path)
	got, err := db.IncidentBriefs("incidents")
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("briefs after migrating:\n%+v\nwant\n%+v", got, want)
	}
	if got[1].Resolved.IsZero() || got[1].RetroDue.IsZero() || got[0].Title != "Outage 1" {
		t.Errorf("briefs lost fields: %+v", got)
	}
}

// BenchmarkMigrateYearOfStandups measures the schema 1 → 2 migration of a
// year of a 50-team company's standups (50 teams of 8, 260 days: 104,000
// answers and 2,600 blockers, 130 incidents), as a store opened by the new
// release runs it once.
//
//	go test ./store -run '^$' -bench MigrateYearOfStandups -benchtime 3x
func BenchmarkMigrateYearOfStandups(b *testing.B) {
	db := MustOpen(b)
	first := rituals.Date{Year: 2025, Month: 12, Day: 1}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		answers, blockers, incidents := tx.Bucket(bucketAnswers), tx.Bucket(bucketBlockers), tx.Bucket(bucketIncidents)
		days := 0
		for d := first; days < 260; d = d.AddDays(1) {
			if wd := d.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			days++
			for team := 0; team < 50; team++ {
				ritual := fmt.Sprintf("team%02d-standup", team)
				for m := 0; m < 8; m++ {
					user := fmt.Sprintf("U%02d%02d", team, m)
					a := standup.StandupAnswer{Ritual: ritual, Date: d, User: user, Submitted: t0,
						Answers: map[string]string{"yesterday": "Reviewed the payment retries", "today": "Ship the ledger migration", "blockers": "none"}}
					if err := putJSON(answers, joinKey(ritual, d.String(), user), a); err != nil {
						return err
					}
				}
				if days%10 == 0 {
					bl := rituals.Blocker{ID: fmt.Sprintf("%s-%d", ritual, days), Ritual: ritual, User: "U0000", Text: "Waiting on review", Opened: t0}
					if days < 250 {
						bl.Cleared = t0
					}
					if err := putJSON(blockers, []byte(bl.ID), bl); err != nil {
						return err
					}
				}
			}
			if days%2 == 0 {
				inc := incident.Incident{Number: days / 2, Ritual: "incidents", Title: "Checkout errors", Severity: "sev2", Status: incident.IncidentResolved, Opened: t0, Resolved: t0}
				if err := putJSON(incidents, seqKey(uint64(inc.Number)), inc); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	path := db.Path()
	db.Close()
	benchMigration(b, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, []byte{0, 0, 0, 1})
	})
}

// benchMigration times opening the store at path, each time after
// downgrade (untimed) has put it back to an older schema in one
// transaction of bbolt's own.
func benchMigration(b *testing.B, path string, downgrade func(tx *bolt.Tx) error) {
	for b.Loop() {
		b.StopTimer()
		raw, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			b.Fatal(err)
		}
		err = raw.Update(downgrade)
		raw.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		db, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// The store of the last schema-2 release (23739aa), with deploys stored as
// JSON: opening it encodes them, and they read as they were written.
func TestOpenSchema2StoreWithDeploys(t *testing.T) {
	db := openFixture(t, "v2-23739aa.db")
	if got, want := schemaOf(t, db), db.schemaVersion(); got != want {
		t.Errorf("schema after opening = %d, want %d", got, want)
	}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	all, err := db.DeploysBetween(t0.Add(-24*time.Hour), t0.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range all {
		got = append(got, fmt.Sprintf("%s %s %s %s %d", d.ID, d.Status, d.Finished.Format(time.RFC3339), d.CommitsFrom, len(d.Commits)))
	}
	want := []string{
		"deploy:checkout-1 success 2026-11-23T09:10:00Z payload 2",
		"github:acme/search:42 failure 2026-11-24T09:30:00+01:00 push 1",
		"deploy:ledger-7 success 2026-11-25T09:00:00Z  0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deploys after opening:\n%q\nwant\n%q", got, want)
	}
	if c := all[0].Commits; c[0].SHA != "abc123" || !c[0].Time.Equal(t0.Add(-5*time.Hour)) || !all[0].Received.Equal(t0.Add(11*time.Minute)) {
		t.Errorf("checkout deploy = %+v", all[0])
	}
	if ds, err := db.DeploysWithSHA("def"); err != nil || len(ds) != 1 || ds[0].Service != "search-api" {
		t.Errorf("DeploysWithSHA(def) = %+v %v", ds, err)
	}
	// Replacing a migrated deploy replaces it.
	d := all[2]
	d.Status = rituals.DeployFailed
	if err := db.PutDeploy(d); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := db.Deploy(d.ID); err != nil || !ok || got.Status != rituals.DeployFailed {
		t.Errorf("Deploy(%s) after replacing = %+v %v %v", d.ID, got, ok, err)
	}
}
