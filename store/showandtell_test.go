package store

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/showandtell"
)

func TestSignUpsReplaceRemoveAndErase(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	day := t0.Add(72 * time.Hour)
	for i, u := range []string{"U0BOB", "U0ALICE"} {
		if err := db.PutSignUp(showandtell.SignUp{Ritual: "demo", DemoAt: day, User: u, Team: "t", Topic: "first", Created: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	// Signing up again replaces; another day is apart.
	if err := db.PutSignUp(showandtell.SignUp{Ritual: "demo", DemoAt: day, User: "U0BOB", Topic: "ledger v2 by <@U0BOB>", Created: t0}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSignUp(showandtell.SignUp{Ritual: "demo", DemoAt: day.AddDate(0, 0, 7), User: "U0BOB", Topic: "next week"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.SignUps("demo", day, day)
	if err != nil || len(got) != 2 || got[0].Topic != "ledger v2 by <@U0BOB>" {
		t.Fatalf("sign-ups of the day = %+v, %v", got, err)
	}
	if err := db.PutRecording(showandtell.Recording{Ritual: "demo", DemoAt: day, URL: "https://video.example.com/1", By: "U0BOB", At: day}); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.RemoveSignUp("demo", day.AddDate(0, 0, 7), "U0BOB"); !ok || err != nil {
		t.Fatalf("remove = %v, %v", ok, err)
	}
	if ok, _ := db.RemoveSignUp("demo", day.AddDate(0, 0, 7), "U0BOB"); ok {
		t.Fatal("removed twice")
	}

	rep, err := db.EraseUser("U0BOB")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replaced["showandtell_signups"] != 1 || rep.Replaced["showandtell_recordings"] != 1 {
		t.Fatalf("replaced = %v; want the sign-up and the recording rewritten", rep.Replaced)
	}
	got, _ = db.SignUps("demo", day, day)
	if got[0].User != rituals.FormerMember || strings.Contains(got[0].Topic, "U0BOB") || got[1].User != "U0ALICE" {
		t.Fatalf("after erasure: %+v", got)
	}
	var out bytes.Buffer
	if err := db.Export(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"showandtell_signups"`) || !strings.Contains(out.String(), "video.example.com") {
		t.Fatal("the export lacks the show-and-tell buckets")
	}
	if strings.Contains(out.String(), "U0BOB") {
		t.Fatal("the export still names the erased member")
	}
}
