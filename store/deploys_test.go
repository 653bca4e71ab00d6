package store

import (
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

func TestDeploysReplaceByIDAndReadByFinish(t *testing.T) {
	db := MustOpen(t)
	d := rituals.Deploy{ID: "github:acme/checkout:1", Service: "checkout", Environment: "production", SHA: "abc",
		Status: rituals.DeployFailed, Finished: t0.Add(time.Hour)}
	if err := db.PutDeploy(d); err != nil {
		t.Fatal(err)
	}
	// The same deploy reported again, finished later and with another SHA:
	// one record, found under its new finish time and SHA only.
	d.Status, d.Finished, d.SHA = rituals.DeploySucceeded, t0.Add(3*time.Hour), "def"
	if err := db.PutDeploy(d); err != nil {
		t.Fatal(err)
	}
	other := rituals.Deploy{ID: "deploy:ledger", Service: "ledger", Environment: "production", SHA: "def",
		Status: rituals.DeploySucceeded, Finished: t0.Add(2 * time.Hour)}
	if err := db.PutDeploy(other); err != nil {
		t.Fatal(err)
	}
	all, err := db.DeploysBetween(t0, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].ID != "deploy:ledger" || all[1].ID != d.ID || all[1].Status != rituals.DeploySucceeded {
		t.Fatalf("DeploysBetween = %+v, want ledger then the replaced checkout deploy", all)
	}
	if got, _ := db.DeploysBetween(t0.Add(2*time.Hour), t0.Add(3*time.Hour)); len(got) != 1 || got[0].ID != "deploy:ledger" {
		t.Errorf("[2h, 3h) = %+v, want ledger only (the end is excluded)", got)
	}
	if got, _ := db.DeploysWithSHA("abc"); len(got) != 0 {
		t.Errorf("old SHA still indexed: %+v", got)
	}
	if got, _ := db.DeploysWithSHA("def"); len(got) != 2 {
		t.Errorf("DeploysWithSHA(def) = %d deploys, want 2", len(got))
	}
	got, ok, err := db.Deploy(d.ID)
	if err != nil || !ok || !got.Finished.Equal(d.Finished) {
		t.Errorf("Deploy(%s) = %+v %v %v", d.ID, got, ok, err)
	}
	if err := db.PutPush(digest.Push{Head: "def", Commits: []rituals.Commit{{SHA: "c1", Time: t0}}}); err != nil {
		t.Fatal(err)
	}
	if p, ok, _ := db.Push("def"); !ok || len(p.Commits) != 1 {
		t.Errorf("Push(def) = %+v %v", p, ok)
	}
}

func TestNotesByTeamAndWindowArchivedOnce(t *testing.T) {
	db := MustOpen(t)
	put := func(id, team string, at time.Time) {
		t.Helper()
		if err := db.PutNote(digest.DigestNote{ID: id, Team: team, Kind: digest.NoteRisk, Text: id, Created: at}); err != nil {
			t.Fatal(err)
		}
	}
	put("a", "payments", t0)
	put("b", "payments", t0.Add(time.Hour))
	put("c", "pay", t0.Add(time.Hour)) // a team whose id is a prefix of another's
	put("d", "payments", t0.Add(7*24*time.Hour))
	got, err := db.Notes("payments", t0, t0.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "b" {
		t.Fatalf("Notes = %+v, want a and b", got)
	}
	if err := db.ArchiveNotes([]string{"a", "missing"}, "weekly@1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.ArchiveNotes([]string{"a"}, "monthly@2", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Notes("payments", t0, t0.Add(time.Minute))
	if len(got) != 1 || got[0].ArchivedBy != "weekly@1" || !got[0].Archived.Equal(t0.Add(time.Hour)) {
		t.Errorf("archived note = %+v, want archived by the first digest that showed it", got)
	}
	if got, _ := db.Notes("pay", t0, t0.Add(24*time.Hour)); len(got) != 1 || got[0].ID != "c" {
		t.Errorf("Notes(pay) = %+v, want c only", got)
	}
}
