package store

import (
	"bytes"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// A member answers a round once: a second submission (a form opened
// before the first was sent) stores nothing, and says so.
func TestSubmitPulseOncePerMember(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	if err := db.PutPulseRound(pulse.Round{Ritual: "p", ID: pulse.RoundID(t0), Opened: t0, Closes: t0.Add(pulse.DefaultCloseAfter)}); err != nil {
		t.Fatal(err)
	}
	round := pulse.RoundID(t0)
	for i, want := range []bool{false, true, true} {
		already, err := db.SubmitPulse("p", round, "U0ANNA", pulse.Response{Scores: map[string]int{"workload": 4 + i}})
		if err != nil || already != want {
			t.Fatalf("submission %d: already %v, %v; want %v", i+1, already, err, want)
		}
	}
	if _, err := db.SubmitPulse("p", round, "U0BEN", pulse.Response{Scores: map[string]int{"workload": 2}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.PulseResponses("p", round)
	if err != nil || len(got) != 2 {
		t.Fatalf("responses %v, %v; want Anna's first and Ben's", got, err)
	}
	if ok, _ := db.PulseAnswered("p", round, "U0ANNA"); !ok {
		t.Error("Anna is not recorded as having answered")
	}
	if ok, _ := db.PulseAnswered("p", round, "U0CARA"); ok {
		t.Error("Cara is recorded as having answered")
	}
}

// Erasing a member removes the record that they answered; the answers,
// tied to nobody, stay.
func TestEraseUserRemovesPulseAnswered(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	round := pulse.RoundID(t0)
	for _, u := range []string{"U0ANNA", "U0BEN"} {
		if _, err := db.SubmitPulse("p", round, u, pulse.Response{Texts: map[string]string{"else": "fine"}}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := db.EraseUser("U0ANNA")
	if err != nil || rep.PulsesAnswered != 1 {
		t.Fatalf("erase: %+v, %v; want 1 pulse answered record", rep, err)
	}
	if ok, _ := db.PulseAnswered("p", round, "U0ANNA"); ok {
		t.Error("Anna's answered record survived the erasure")
	}
	if ok, _ := db.PulseAnswered("p", round, "U0BEN"); !ok {
		t.Error("Ben's answered record went too")
	}
	if got, _ := db.PulseResponses("p", round); len(got) != 2 {
		t.Errorf("%d responses after the erasure, want 2", len(got))
	}
	var out bytes.Buffer
	if err := db.Export(&out); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte(answeredTag("p", round, "U0ANNA"))) {
		t.Error("the export still holds Anna's answered record")
	}
}
