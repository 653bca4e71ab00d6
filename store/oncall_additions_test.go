package store

import (
	"slices"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// An addition is stored with its messages once; erasing the person removes
// it, and dropping it removes it.
func TestRotationAdditions(t *testing.T) {
	db := MustOpen(t)
	now := time.Date(2026, 3, 16, 11, 0, 0, 0, time.UTC)
	a := oncall.Addition{Ritual: "payments-oncall", User: "U0NEW01", From: now.Add(7 * 24 * time.Hour), By: "U0LEAD1", Added: now}
	msg := rituals.Message{Key: "oncall/payments-oncall/moves/join/U0NEW01/1", To: "U0NEW01", Text: "You joined"}
	if ok, err := db.SaveAddition(a, now, []rituals.Message{msg}); err != nil || !ok {
		t.Fatalf("save: %v %v", ok, err)
	}
	if ok, err := db.SaveAddition(a, now, []rituals.Message{msg}); err != nil || ok {
		t.Fatalf("saving again stored it: %v %v", ok, err)
	}
	if n, _ := db.OutboxLen(); n != 1 {
		t.Errorf("%d messages queued, want 1", n)
	}
	b := a
	b.User, b.Ritual = "U0NEW02", "search-oncall"
	if _, err := db.SaveAddition(b, now, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.Additions("payments-oncall")
	if err != nil || len(got) != 1 || got[0].User != "U0NEW01" || !got[0].From.Equal(a.From) || got[0].By != "U0LEAD1" {
		t.Fatalf("additions %+v %v", got, err)
	}
	rep, err := db.EraseUser("U0NEW01")
	if err != nil {
		t.Fatal(err)
	}
	if rep.RotationAdditions != 1 {
		t.Errorf("erasure removed %d additions, want 1", rep.RotationAdditions)
	}
	if got, _ := db.Additions("payments-oncall"); len(got) != 0 {
		t.Errorf("after erasure: %+v", got)
	}
	if err := db.DropAddition("search-oncall", "U0NEW02"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Additions("search-oncall"); len(got) != 0 {
		t.Errorf("after drop: %+v", got)
	}
}

// Taking a member out keeps the addition with its end, with its messages,
// once; adding them again then replaces it; erasing them removes it.
func TestRotationAdditionEnded(t *testing.T) {
	db := MustOpen(t)
	now := time.Date(2026, 3, 16, 11, 0, 0, 0, time.UTC)
	a := oncall.Addition{Ritual: "payments-oncall", User: "U0NEW01", From: now.Add(7 * 24 * time.Hour), By: "U0LEAD1", Added: now}
	ended := a
	ended.Until, ended.RemovedBy, ended.Removed = a.From.Add(7*24*time.Hour), "U0LEAD2", now.Add(time.Hour)
	msg := rituals.Message{Key: "oncall/payments-oncall/moves/leave/U0NEW01/1", To: "U0NEW01", Text: "You leave"}
	if ok, err := db.EndAddition(ended, now, []rituals.Message{msg}); err != nil || ok {
		t.Fatalf("ending an addition never made: %v %v", ok, err)
	}
	if _, err := db.SaveAddition(a, now, nil); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.EndAddition(ended, now, []rituals.Message{msg}); err != nil || !ok {
		t.Fatalf("end: %v %v", ok, err)
	}
	if ok, err := db.EndAddition(ended, now, []rituals.Message{msg}); err != nil || ok {
		t.Fatalf("ending again: %v %v", ok, err)
	}
	if n, _ := db.OutboxLen(); n != 1 {
		t.Errorf("%d messages queued, want 1", n)
	}
	got, err := db.Additions("payments-oncall")
	if err != nil || len(got) != 1 || !got[0].Until.Equal(ended.Until) || got[0].RemovedBy != "U0LEAD2" || !got[0].Removed.Equal(ended.Removed) || !got[0].From.Equal(a.From) {
		t.Fatalf("additions %+v %v", got, err)
	}
	again := a
	again.From, again.Added = ended.Until.Add(7*24*time.Hour), now.Add(48*time.Hour)
	if ok, err := db.SaveAddition(again, now, nil); err != nil || !ok {
		t.Fatalf("adding again: %v %v", ok, err)
	}
	if got, _ := db.Additions("payments-oncall"); len(got) != 1 || !got[0].Until.IsZero() || !got[0].From.Equal(again.From) {
		t.Errorf("added again: %+v", got)
	}
}

// Retention lets a member taken out go once the first handoff recorded
// after they left is older than `oncall`: not before, not without such a
// record, never while they are in; a member added again keeps the record
// and loses the earlier additions that have gone.
func TestPruneRotationAdditions(t *testing.T) {
	db := MustOpen(t)
	const ritual = "payments-oncall"
	week := 7 * 24 * time.Hour
	mon := func(n int) time.Time {
		return time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).Add(time.Duration(n) * week)
	}
	for _, n := range []int{0, 1, 2, 3, 10, 20, 21} { // the bot was down from week 4 to week 10, and 11 to 20
		if _, err := db.PutHandoff(oncall.HandoffRecord{Ritual: ritual, At: mon(n), Primary: "U0ALICE", Recorded: mon(n)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PutHandoff(oncall.HandoffRecord{Ritual: "other-oncall", At: mon(30), Primary: "U0ALICE", Recorded: mon(30)}); err != nil {
		t.Fatal(err)
	}
	add := func(user string, from, until int, earlier ...oncall.Addition) oncall.Addition {
		a := oncall.Addition{Ritual: ritual, User: user, From: mon(from), By: "U0LEAD", Added: mon(from).Add(-week), Earlier: earlier}
		if until >= 0 {
			a.Until, a.RemovedBy, a.Removed = mon(until), "U0LEAD", mon(until).Add(-week)
		}
		return a
	}
	for _, a := range []oncall.Addition{
		add("U0GONE", 1, 2),   // left at week 2, recorded then
		add("U0GAP", 1, 5),    // left at week 5, first recorded week 10
		add("U0LATE", 1, 11),  // left at week 11, first recorded week 20
		add("U0UNREC", 1, 22), // left at week 22: no record after it
		add("U0IN", 1, -1),    // still in
		add("U0BACK", 21, -1, add("U0BACK", 1, 3), add("U0BACK", 10, 11)), // in again; left at 3 and 11 before
	} {
		if ok, err := db.SaveAddition(a, a.Added, nil); err != nil || !ok {
			t.Fatalf("save %s: %v %v", a.User, ok, err)
		}
	}
	users := func() []string {
		got, err := db.Additions(ritual)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range got {
			s := a.User
			for _, e := range a.Earlier {
				s += "+" + e.Until.Format("01-02")
			}
			out = append(out, s)
		}
		slices.Sort(out)
		return out
	}
	keep := rituals.Retention{OnCall: 365 * 24 * time.Hour}

	// A year after week 5: the handoff of week 10 is younger than a year.
	rep, err := db.Prune(keep, mon(5).Add(keep.OnCall).Add(week))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"U0BACK+03-23", "U0GAP", "U0IN", "U0LATE", "U0UNREC"}; !slices.Equal(users(), want) || rep.RotationAdditions != 2 {
		t.Errorf("after the first prune %v (%d removed), want %v (U0GONE and U0BACK's first, 2 removed)", users(), rep.RotationAdditions, want)
	}
	// Long after: whoever left before a recorded handoff goes.
	rep, err = db.Prune(keep, mon(100))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"U0BACK", "U0IN", "U0UNREC"}; !slices.Equal(users(), want) || rep.RotationAdditions != 3 || rep.Total() != 3 {
		t.Errorf("after the second prune %v (%d removed), want %v", users(), rep.RotationAdditions, want)
	}
	// Forever keeps them.
	if rep, err := db.Prune(rituals.Retention{}, mon(500)); err != nil || rep.Total() != 0 {
		t.Errorf("forever pruned %+v %v", rep, err)
	}
}
