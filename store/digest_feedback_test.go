package store

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// TestDigestFeedbackStore: one record per reader and digest, changed in
// place; pruned with the standups; erased with the reader; exported.
func TestDigestFeedbackStore(t *testing.T) {
	db := MustOpen(t, WithClock(rituals.NewFakeClock(t0)))
	old, recent := t0.Add(-400*24*time.Hour), t0.Add(-24*time.Hour)
	set := func(at time.Time, user string, change func(*digest.Feedback)) {
		t.Helper()
		if err := db.UpdateFeedback("weekly", at, user, change); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{old, recent} {
		for _, u := range []string{"U0BOB", "U0ALICE"} {
			set(at, u, func(f *digest.Feedback) { f.Vote = digest.VoteUseful })
		}
	}
	set(recent, "U0BOB", func(f *digest.Feedback) {
		f.Missing, f.Wants = "release notes", map[string]string{"deploys": digest.WantLess}
	})
	set(recent, "U0BOB", func(f *digest.Feedback) { f.Vote = digest.VoteNotUseful })

	fbs, err := db.FeedbackBetween("weekly", recent, recent.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(fbs) != 2 || fbs[1].User != "U0BOB" || fbs[1].Vote != digest.VoteNotUseful || fbs[1].Missing != "release notes" || !fbs[1].At.Equal(recent) {
		t.Fatalf("recent feedback = %+v, want Alice's and Bob's one record each, Bob's changed", fbs)
	}
	if other, _ := db.FeedbackBetween("weekly2", old, t0); len(other) != 0 {
		t.Errorf("another digest's feedback read: %+v", other)
	}

	var buf bytes.Buffer
	if err := db.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "digest_feedback") || !strings.Contains(buf.String(), "release notes") {
		t.Errorf("export lacks the feedback:\n%s", grepExport(buf.String(), "feedback"))
	}

	rep, err := db.Prune(rituals.Retention{Standup: 365 * 24 * time.Hour}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Feedback != 2 {
		t.Errorf("pruned %d feedback records, want the 2 on the digest older than a year", rep.Feedback)
	}
	if all, _ := db.FeedbackBetween("weekly", old.Add(-time.Hour), t0); len(all) != 2 {
		t.Errorf("after pruning %d records, want the 2 recent", len(all))
	}

	erased, err := db.EraseUser("U0BOB")
	if err != nil {
		t.Fatal(err)
	}
	if erased.Feedback != 1 {
		t.Errorf("erased %d of Bob's feedback, want 1", erased.Feedback)
	}
	all, _ := db.FeedbackBetween("weekly", old, t0)
	if len(all) != 1 || all[0].User != "U0ALICE" {
		t.Errorf("after erasing Bob: %+v, want Alice's alone", all)
	}
	buf.Reset()
	if err := db.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "U0BOB") || strings.Contains(buf.String(), "release notes") {
		t.Error("Bob's feedback is still in the export")
	}
}

func grepExport(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
