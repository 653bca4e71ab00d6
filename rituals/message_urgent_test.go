package rituals_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/store"
)

func TestWhatAPersonWaitsForIsUrgent(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := &rituals.DurableOutbox{Store: db, Clock: rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))}
	routine := []rituals.Message{{Key: "digest", To: "C1", Text: "weekly"}}
	asked := []rituals.Message{{Key: "answer", To: "C1", Text: "declared"}}
	if err := out.Send(context.Background(), routine...); err != nil {
		t.Fatal(err)
	}
	if err := out.Send(rituals.ForPerson(context.Background()), asked...); err != nil {
		t.Fatal(err)
	}
	if asked[0].Urgent {
		t.Error("Send marked the caller's own message")
	}
	items, err := db.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Message.Key != "answer" || !items[0].Message.Urgent || items[1].Message.Urgent {
		t.Errorf("pending: %+v", items)
	}
}
