package store

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

func date(s string) rituals.Date {
	d, err := rituals.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestUserAnswersNewestFirstWithoutSkips(t *testing.T) {
	db := MustOpen(t)
	d := date("2026-03-02")
	for i := 0; i < 10; i++ {
		for _, u := range []string{"U1", "U10", "U2"} {
			a := standup.StandupAnswer{Ritual: "daily", Date: d.AddDays(i), User: u, Answers: map[string]string{"today": fmt.Sprint(i)}, Skipped: u == "U1" && i == 8}
			if err := db.PutAnswer(a); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Another ritual whose name starts the same must not leak in.
	if err := db.PutAnswer(standup.StandupAnswer{Ritual: "daily-2", Date: d.AddDays(20), User: "U1"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.UserAnswers("daily", "U1", 3)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, a := range got {
		if a.User != "U1" || a.Ritual != "daily" {
			t.Errorf("got an answer of %s in %s", a.User, a.Ritual)
		}
		days = append(days, a.Date.String())
	}
	if fmt.Sprint(days) != "[2026-03-11 2026-03-09 2026-03-08]" {
		t.Errorf("UserAnswers = %v, want the last three, the skip on 03-10 left out", days)
	}
	// Rewriting an answer does not duplicate it.
	if err := db.PutAnswer(standup.StandupAnswer{Ritual: "daily", Date: d.AddDays(9), User: "U1", Answers: map[string]string{"today": "edited"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.UserAnswers("daily", "U1", 2); len(got) != 2 || got[0].Answers["today"] != "edited" || got[1].Date != d.AddDays(7) {
		t.Errorf("after an edit UserAnswers = %+v", got)
	}
	if day, err := db.Answers("daily", d); err != nil || len(day) != 3 {
		t.Errorf("Answers of a day = %d, %v; want 3", len(day), err)
	}
}

func TestBlockersOpenIndex(t *testing.T) {
	db := MustOpen(t)
	put := func(b rituals.Blocker) {
		t.Helper()
		if err := db.PutBlocker(b); err != nil {
			t.Fatal(err)
		}
	}
	put(rituals.Blocker{ID: "a", Ritual: "daily", User: "U1", Text: "VPN", Opened: t0})
	put(rituals.Blocker{ID: "b", Ritual: "daily", User: "U2", Text: "review", Opened: t0})
	put(rituals.Blocker{ID: "c", Ritual: "daily-2", User: "U3", Text: "legal", Opened: t0})
	put(rituals.Blocker{ID: "a", Ritual: "daily", User: "U1", Text: "VPN", Opened: t0, Cleared: t0.Add(48 * time.Hour)})
	ids := func(bs []rituals.Blocker) string {
		var out []string
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return fmt.Sprint(out)
	}
	for _, c := range []struct {
		ritual string
		open   bool
		want   string
	}{
		{"daily", true, "[b]"},
		{"daily", false, "[a b]"},
		{"daily-2", true, "[c]"},
		{"", true, "[b c]"},
		{"", false, "[a b c]"},
	} {
		got, err := db.Blockers(c.ritual, c.open)
		if err != nil || ids(got) != c.want {
			t.Errorf("Blockers(%q, %v) = %s, %v; want %s", c.ritual, c.open, ids(got), err, c.want)
		}
	}
	if b, ok, err := db.Blocker("a"); err != nil || !ok || b.Open() || b.AgeDays(t0.Add(100*time.Hour)) != 2 {
		t.Errorf("Blocker(a) = %+v, %v, %v", b, ok, err)
	}
}

func TestTalliesAndMemberParticipation(t *testing.T) {
	db := MustOpen(t)
	d := date("2026-03-02")
	for i := 0; i < 14; i++ {
		day := d.AddDays(i)
		out := map[string]standup.Outcome{"U1": standup.OutcomeAnswered, "U2": standup.OutcomeMissing, "U3": standup.OutcomeAway}
		if i%2 == 0 {
			out["U2"] = standup.OutcomeSkipped
		}
		tally := standup.StandupTally{Ritual: "daily", Team: "payments", Date: day, At: day.Time().Add(8 * time.Hour), Outcomes: out}
		if err := db.PutTally(tally); err != nil {
			t.Fatal(err)
		}
	}
	// A second standup of the team, and another team whose id starts the same.
	if err := db.PutTally(standup.StandupTally{Ritual: "weekly", Team: "payments", Date: d.AddDays(3), Outcomes: map[string]standup.Outcome{"U1": standup.OutcomeMissing}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutTally(standup.StandupTally{Ritual: "x", Team: "payments-eu", Date: d.AddDays(3), Outcomes: map[string]standup.Outcome{"U1": standup.OutcomeAnswered}}); err != nil {
		t.Fatal(err)
	}
	// Filing a day again replaces it.
	if err := db.PutTally(standup.StandupTally{Ritual: "daily", Team: "payments", Date: d, At: d.Time(), Outcomes: map[string]standup.Outcome{"U1": standup.OutcomeAnswered, "U2": standup.OutcomeAnswered, "U3": standup.OutcomeAway}}); err != nil {
		t.Fatal(err)
	}

	tallies, err := db.Tallies("payments", d, d.AddDays(6))
	if err != nil {
		t.Fatal(err)
	}
	var sum rituals.Participation
	for _, tc := range tallies {
		sum = sum.Plus(tc.Counts)
	}
	// Days 0..6 of daily (day 0 refiled) and day 3 of weekly.
	if want := (rituals.Participation{Days: 8, Expected: 15, Answered: 8, Skipped: 3, Away: 7}); sum != want || len(tallies) != 8 {
		t.Errorf("Tallies sum = %+v over %d, want %+v over 8", sum, len(tallies), want)
	}
	p, err := db.MemberParticipation("payments", "U2", d.AddDays(1), d.AddDays(4))
	if err != nil {
		t.Fatal(err)
	}
	if want := (rituals.Participation{Days: 4, Expected: 4, Skipped: 2}); p != want {
		t.Errorf("MemberParticipation(U2) = %+v, want %+v", p, want)
	}
	if p, _ := db.MemberParticipation("payments", "U1", d, d.AddDays(13)); p != (rituals.Participation{Days: 14, Expected: 15, Answered: 14}) {
		t.Errorf("MemberParticipation(U1) = %+v: two standups on one day count as one day", p)
	}
}

func TestDeleteAwaysCutsTheCurrentStretch(t *testing.T) {
	db := MustOpen(t)
	for _, a := range []standup.Away{
		{User: "U1", From: date("2026-03-01"), To: date("2026-03-03")},
		{User: "U1", From: date("2026-03-05"), To: date("2026-03-10")},
		{User: "U1", From: date("2026-03-20"), To: date("2026-03-21")},
		{User: "U10", From: date("2026-03-05"), To: date("2026-03-10")},
	} {
		if err := db.PutAway(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteAways("U1", date("2026-03-07")); err != nil {
		t.Fatal(err)
	}
	got, err := db.Aways(date("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, a := range got {
		s = append(s, fmt.Sprintf("%s %s..%s", a.User, a.From, a.To))
	}
	if want := "[U1 2026-03-01..2026-03-03 U1 2026-03-05..2026-03-06 U10 2026-03-05..2026-03-10]"; fmt.Sprint(s) != want {
		t.Errorf("after back on 03-07: %v, want %s", s, want)
	}
}

// yearOfTallies files 260 standup days for each of teams teams of 20.
func yearOfTallies(b *testing.B, db *DB, teams int) rituals.Date {
	d := date("2026-01-05")
	for team := 0; team < teams; team++ {
		for i := 0; i < 260; i++ {
			day := d.AddDays(i / 5 * 7).AddDays(i % 5)
			out := map[string]standup.Outcome{}
			for m := 0; m < 20; m++ {
				out[fmt.Sprintf("U%02d%02d", team, m)] = []standup.Outcome{standup.OutcomeAnswered, standup.OutcomeAnswered, standup.OutcomeMissing, standup.OutcomeAway}[(i+m)%4]
			}
			if err := db.PutTally(standup.StandupTally{Ritual: fmt.Sprint("standup-", team), Team: fmt.Sprint("team-", team), Date: day, At: day.Time(), Outcomes: out}); err != nil {
				b.Fatal(err)
			}
		}
	}
	return d
}

// BenchmarkParticipation50TeamsYear reads what a digest of 50 teams
// reads of a year of standups: every team's day counts.
func BenchmarkParticipation50TeamsYear(b *testing.B) {
	db := MustOpen(b)
	d := yearOfTallies(b, db, 50)
	b.ResetTimer()
	for b.Loop() {
		for team := 0; team < 50; team++ {
			tallies, err := db.Tallies(fmt.Sprint("team-", team), d, d.AddDays(365))
			if err != nil || len(tallies) != 260 {
				b.Fatal(len(tallies), err)
			}
		}
	}
}

// BenchmarkUserAnswersYear is /standup history in a 20-member team with
// a year of answers.
func BenchmarkUserAnswersYear(b *testing.B) {
	db := MustOpen(b)
	d := date("2026-01-05")
	for i := 0; i < 260; i++ {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for m := 0; m < 20; m++ {
				a := standup.StandupAnswer{Ritual: "daily", Date: d.AddDays(i), User: fmt.Sprintf("U%02d", m),
					Answers: map[string]string{"yesterday": "Reviewed the refunds PR", "today": "Ship the refunds API"}}
				if err := putJSON(tx.Bucket(bucketAnswers), joinKey(a.Ritual, a.Date.String(), a.User), a); err != nil {
					return err
				}
				if err := tx.Bucket(bucketAnswersByUser).Put(joinKey(a.Ritual, a.User, a.Date.String()), present); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if got, err := db.UserAnswers("daily", "U07", 5); err != nil || len(got) != 5 {
			b.Fatal(len(got), err)
		}
	}
}
