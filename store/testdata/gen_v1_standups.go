//go:build ignore

// gen_v1_standups writes v1-1ddfc36.db: standups as the store first kept
// them (1ddfc36, schema 1), before the per-member answer index
// (standup_answers_by_user) and the open-blocker index (blockers_open)
// existed: two weeks of a team's answers, skips, out-of-office stretches
// and blockers, one still open. It compiles against that commit only:
//
//	mkdir /tmp/rb-v1s && git archive 1ddfc36 | tar -x -C /tmp/rb-v1s
//	cp store/testdata/gen_v1_standups.go /tmp/rb-v1s/
//	out=$PWD/store/testdata/v1-1ddfc36.db; rm -f "$out"
//	(cd /tmp/rb-v1s && go run gen_v1_standups.go "$out")
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
		log.Fatal("usage: go run gen_v1_standups.go OUT.db")
	}
	db, err := store.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	const ritual = "payments-standup"
	qs := []rituals.Question{
		{ID: "yesterday", Text: "What did you get done yesterday?"},
		{ID: "today", Text: "What are you working on today?"},
		{ID: "blockers", Text: "Anything blocking you?", Blocker: true},
	}
	members := []string{"U0ALICE", "U0BOB", "U0CAROL"}
	first := rituals.Date{Year: 2026, Month: 11, Day: 9}
	var days []rituals.Date
	for d := first; len(days) < 10; d = d.AddDays(1) {
		if wd := d.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			days = append(days, d)
		}
	}
	for i, d := range days {
		prompt := time.Date(d.Year, d.Month, d.Day, 8, 0, 0, 0, time.UTC)
		day := rituals.StandupDay{Ritual: ritual, Date: d, Prompted: members, Summarized: prompt.Add(2 * time.Hour)}
		if i >= 7 {
			day.Away = []string{"U0CAROL"} // out of office the last three days
			day.Prompted = members[:2]
		}
		must(db.PutDay(day))
		for j, u := range day.Prompted {
			a := rituals.StandupAnswer{Ritual: ritual, Date: d, User: u, Questions: qs, Submitted: prompt.Add(time.Duration(10+j) * time.Minute),
				Answers: map[string]string{"yesterday": "Work of " + d.String(), "today": "More <work> & " + u, "blockers": "none"}}
			switch {
			case u == "U0ALICE" && i == 4:
				a = rituals.StandupAnswer{Ritual: ritual, Date: d, User: u, Skipped: true, Submitted: prompt.Add(time.Minute)}
			case u == "U0BOB" && i >= 2:
				a.Answers["blockers"] = "Waiting on the PCI audit"
			case u == "U0CAROL" && i >= 1 && i <= 3:
				a.Answers["blockers"] = "Staging DB flaky"
			case u == "U0CAROL" && i == 6:
				continue // missed the day
			}
			must(db.PutAnswer(a))
		}
	}
	opened := func(i int) time.Time {
		return time.Date(days[i].Year, days[i].Month, days[i].Day, 8, 11, 0, 0, time.UTC)
	}
	must(db.PutBlocker(rituals.Blocker{ID: ritual + "-U0BOB-1", Ritual: ritual, Team: "payments", User: "U0BOB", Text: "Waiting on the PCI audit", Opened: opened(2), Updated: opened(9)}))
	must(db.PutBlocker(rituals.Blocker{ID: ritual + "-U0CAROL-1", Ritual: ritual, Team: "payments", User: "U0CAROL", Text: "Staging DB flaky", Opened: opened(1), Updated: opened(3), Cleared: opened(4)}))
	must(db.PutBlocker(rituals.Blocker{ID: "search-standup-U0DAN-1", Ritual: "search-standup", Team: "search", User: "U0DAN", Text: "No test data", Opened: opened(5), Updated: opened(5)}))
	must(db.PutAway(rituals.Away{User: "U0CAROL", From: days[7], To: days[9], Set: opened(6)}))
}
