package store

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

func deployIDs(ds []rituals.Deploy) string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, " ")
}

// The recent deploys are read from memory between writes: each kind of
// write (a new deploy, one replaced, one pruned) shows at the next read.
func TestRecentDeploysShowEveryWriteAtOnce(t *testing.T) {
	db := MustOpen(t)
	put := func(id string, at time.Time, status string) {
		t.Helper()
		if err := db.PutDeploy(rituals.Deploy{ID: id, Service: "checkout", Environment: "production", SHA: id, Status: status, Finished: at}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(from, to time.Time) []rituals.Deploy {
		t.Helper()
		got, err := db.DeploysBetween(from, to)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for i := range 5 {
		put(fmt.Sprintf("d%d", i), t0.Add(time.Duration(i)*time.Hour), rituals.DeploySucceeded)
	}
	now := t0.Add(10 * time.Hour)
	if got := deployIDs(read(t0, now)); got != "d0 d1 d2 d3 d4" {
		t.Fatalf("first read = %s", got)
	}
	// From memory: a range that starts later, and one that ends earlier
	// (the end excluded, as the keys compare).
	writes := db.deploys.writes.Load()
	if got := deployIDs(read(t0.Add(time.Hour), now.Add(time.Hour))); got != "d1 d2 d3 d4" {
		t.Errorf("later range = %s", got)
	}
	if got := deployIDs(read(t0.Add(time.Hour), t0.Add(3*time.Hour))); got != "d1 d2" {
		t.Errorf("[1h, 3h) = %s, want d1 d2", got)
	}
	if got := deployIDs(read(t0.Add(3*time.Hour), t0.Add(3*time.Hour))); got != "" {
		t.Errorf("an empty range = %s", got)
	}
	// An append to what it returned copies: the next read is unchanged.
	got := read(t0, t0.Add(2*time.Hour))
	_ = append(got, rituals.Deploy{ID: "appended"})
	if got := deployIDs(read(t0, now)); got != "d0 d1 d2 d3 d4" {
		t.Errorf("after an append by a caller = %s", got)
	}
	if db.deploys.writes.Load() != writes {
		t.Errorf("reads counted as writes: %d, then %d", writes, db.deploys.writes.Load())
	}

	put("d5", t0.Add(5*time.Hour), rituals.DeploySucceeded)
	if got := deployIDs(read(t0, now)); got != "d0 d1 d2 d3 d4 d5" {
		t.Errorf("after a new deploy = %s", got)
	}
	put("d2", t0.Add(6*time.Hour), rituals.DeployFailed) // reported again, finished later
	if got := read(t0, now); deployIDs(got) != "d0 d1 d3 d4 d5 d2" || got[5].Status != rituals.DeployFailed {
		t.Errorf("after a replaced deploy = %s (%+v)", deployIDs(got), got[len(got)-1])
	}
	if _, err := db.Prune(rituals.Retention{Deploys: 24 * time.Hour}, t0.Add(24*time.Hour+90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := deployIDs(read(t0, now)); got != "d3 d4 d5 d2" {
		t.Errorf("after pruning what finished before 1h30 = %s", got)
	}
	// A range that starts earlier than the one kept is read again.
	put("early", t0.Add(-time.Hour), rituals.DeploySucceeded)
	read(t0, now)
	if got := deployIDs(read(t0.Add(-2*time.Hour), now)); got != "early d3 d4 d5 d2" {
		t.Errorf("an earlier range = %s", got)
	}
}

// Past maxRecentDeployBytes the deploys are decoded for the call only,
// and read right all the same.
func TestRecentDeploysOverTheBoundAreNotKept(t *testing.T) {
	db := MustOpen(t)
	notes := strings.Repeat("n", 64<<10)
	n := maxRecentDeployBytes/len(notes) + 5
	var want []string
	for i := range n {
		id := fmt.Sprintf("d%03d", i)
		want = append(want, id)
		if err := db.PutDeploy(rituals.Deploy{ID: id, Service: "checkout", Environment: "release", Notes: notes, Finished: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.DeploysBetween(t0, t0.Add(10*time.Minute))
	if err != nil || deployIDs(got) != strings.Join(want[:10], " ") {
		t.Fatalf("first ten = %s, %v", deployIDs(got), err)
	}
	if db.deploys.ok {
		t.Errorf("%d deploys of %d KB kept, over the bound of %d KB", n, len(notes)>>10, maxRecentDeployBytes>>10)
	}
	got, err = db.DeploysBetween(t0, t0.Add(time.Duration(n)*time.Minute))
	if err != nil || deployIDs(got) != strings.Join(want, " ") {
		t.Fatalf("all = %s, %v", deployIDs(got), err)
	}
	// A range within the bound is kept.
	if got, err := db.DeploysBetween(t0.Add(time.Duration(n-3)*time.Minute), t0.Add(time.Duration(n)*time.Minute)); err != nil || len(got) != 3 {
		t.Fatalf("the last three = %s, %v", deployIDs(got), err)
	}
	if !db.deploys.ok || len(db.deploys.items) != 3 {
		t.Errorf("the last three deploys were not kept: %d", len(db.deploys.items))
	}
	if slices.ContainsFunc(db.deploys.items, func(d rituals.Deploy) bool { return d.Notes != notes }) {
		t.Error("a kept deploy lost its notes")
	}
}

// A past range of a large store is read alone: the deploys after it,
// more than could be kept, are neither decoded nor counted whole.
func TestRecentDeploysPastRangeOfALargeStore(t *testing.T) {
	db := MustOpen(t)
	maxCount := maxRecentDeployBytes / int(unsafe.Sizeof(rituals.Deploy{}))
	n := maxCount + 10
	err := db.update("test_put_deploys", func(tx *bolt.Tx) error {
		for i := range n {
			d := rituals.Deploy{ID: fmt.Sprintf("d%05d", i), Service: "checkout", Environment: "production", Finished: t0.Add(time.Duration(i) * time.Minute)}
			if err := putDeploy(tx.Bucket(bucketDeploys), d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := db.DeploysBetween(t0.Add(time.Minute), t0.Add(4*time.Minute))
	runtime.ReadMemStats(&after)
	if err != nil || deployIDs(got) != "d00001 d00002 d00003" {
		t.Fatalf("a past range = %s, %v", deployIDs(got), err)
	}
	if bytes := after.TotalAlloc - before.TotalAlloc; bytes > 256<<10 || db.deploys.ok {
		t.Errorf("reading 3 deploys allocated %d KB, kept %v", bytes>>10, db.deploys.ok)
	}
	// The latest ones fit, and are kept.
	got, err = db.DeploysBetween(t0.Add(time.Duration(n-5)*time.Minute), t0.Add(time.Duration(n)*time.Minute))
	if err != nil || len(got) != 5 || !db.deploys.ok {
		t.Errorf("the latest five = %s, %v; kept %v", deployIDs(got), err, db.deploys.ok)
	}
}
