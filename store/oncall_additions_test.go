package store

import (
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
