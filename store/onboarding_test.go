package store

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

func TestOnboardingsExportEraseAndRetention(t *testing.T) {
	db := MustOpen(t)
	day := 24 * time.Hour
	started := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	o := onboarding.Onboarding{Ritual: "o", Team: "pay", Newcomer: "U0NEW", Buddy: "U0ANNA", Lead: "U0LEAD", Status: onboarding.StatusActive, Started: started,
		Steps: []onboarding.StepState{{Sent: started}}}
	if err := db.PutOnboarding(o); err != nil {
		t.Fatal(err)
	}
	got, err := db.UpdateOnboarding("o", "U0NEW", func(o *onboarding.Onboarding) error {
		o.Steps[0].Done, o.Steps[0].DoneBy = started.Add(time.Hour), "U0NEW"
		return nil
	})
	if err != nil || got.Steps[0].DoneBy != "U0NEW" {
		t.Fatalf("update: %+v %v", got, err)
	}
	// A record f leaves empty is not stored.
	if _, err := db.UpdateOnboarding("o", "U0NOBODY", func(*onboarding.Onboarding) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if all, _ := db.Onboardings("o"); len(all) != 1 {
		t.Errorf("%d records, want 1", len(all))
	}
	for _, f := range []onboarding.Feedback{
		{Ritual: "o", Team: "pay", Newcomer: "U0NEW", At: started.Add(28 * day), Helped: "pairing canary"},
		{Ritual: "o", Team: "pay", Newcomer: "U0OLD", At: started.Add(-800 * day), Missing: "old feedback"},
	} {
		if err := db.PutOnboardingFeedback(f); err != nil {
			t.Fatal(err)
		}
	}
	var export bytes.Buffer
	if err := db.Export(&export); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"onboardings"`, `"onboarding_feedback"`, "pairing canary", "U0ANNA"} {
		if !strings.Contains(export.String(), want) {
			t.Errorf("export lacks %s", want)
		}
	}

	// Retention: feedback older than two years goes; the onboarding under
	// way stays, and once completed long ago, goes.
	rep, err := db.Prune(rituals.DefaultRetention, started.Add(30*day))
	if err != nil || rep.OnboardingFeedback != 1 || rep.Onboardings != 0 {
		t.Errorf("prune: %+v %v", rep, err)
	}

	// Erasing the newcomer: their feedback goes, the record stays with
	// their ID replaced.
	erased, err := db.EraseUser("U0NEW")
	if err != nil || erased.OnboardingFeedback != 1 || erased.Replaced["onboardings"] != 1 {
		t.Fatalf("erase: %+v %v", erased, err)
	}
	fs, _ := db.OnboardingFeedback("o")
	all, _ := db.Onboardings("o")
	if len(fs) != 0 || len(all) != 1 || all[0].Newcomer != rituals.FormerMember || all[0].Steps[0].DoneBy != rituals.FormerMember || all[0].Running() {
		t.Errorf("after erasure: feedback %v, records %+v", fs, all)
	}
	if _, err := db.UpdateOnboarding("o", rituals.FormerMember, func(o *onboarding.Onboarding) error {
		o.Status, o.Completed = onboarding.StatusCompleted, started
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if rep, err := db.Prune(rituals.DefaultRetention, started.Add(731*day)); err != nil || rep.Onboardings != 1 {
		t.Errorf("prune of a completed onboarding: %+v %v", rep, err)
	}
}
