//go:build ignore

// gen_v2_deploys writes v2-23739aa.db: a store of schema 2, as the code
// before schema 3 (23739aa) left it after a few deploys, when deploys were
// stored as JSON. It compiles against that commit only:
//
//	mkdir /tmp/rb-v2 && git archive 23739aa | tar -x -C /tmp/rb-v2
//	cp store/testdata/gen_v2_deploys.go /tmp/rb-v2/
//	out=$PWD/store/testdata/v2-23739aa.db; rm -f "$out"
//	(cd /tmp/rb-v2 && go run gen_v2_deploys.go "$out")
package main

import (
	"log"
	"os"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run gen_v2_deploys.go OUT.db")
	}
	db, err := store.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	berlin := time.FixedZone("", 3600)
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, d := range []rituals.Deploy{
		{ID: "deploy:checkout-1", Source: "deploy", Service: "checkout", Environment: "production", SHA: "abc123", Status: rituals.DeploySucceeded,
			Started: t0, Finished: t0.Add(10 * time.Minute), Received: t0.Add(11 * time.Minute), CommitsFrom: rituals.CommitsFromPayload,
			Commits: []rituals.Commit{{SHA: "abc123", Time: t0.Add(-5 * time.Hour)}, {SHA: "abc122", Time: t0.Add(-20 * time.Hour)}}},
		{ID: "github:acme/search:42", Source: "github", Service: "search-api", Environment: "production", SHA: "def", Status: rituals.DeployFailed,
			Finished: time.Date(2026, 11, 24, 9, 30, 0, 0, berlin), CommitsFrom: rituals.CommitsFromPush,
			Commits: []rituals.Commit{{SHA: "def", Time: time.Date(2026, 11, 23, 18, 0, 0, 0, berlin)}}},
		{ID: "deploy:ledger-7", Source: "deploy", Service: "ledger", Environment: "production", SHA: "0f0", Status: rituals.DeploySucceeded, Finished: t0.Add(48 * time.Hour)},
	} {
		if err := db.PutDeploy(d); err != nil {
			log.Fatal(err)
		}
	}
}
