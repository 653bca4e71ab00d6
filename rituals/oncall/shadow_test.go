package oncall_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// A newcomer shadowing the team's on-call is named in the handoff's
// announcement and incoming DM, and gets a DM of their own with whose
// shift it is and the open incidents; without onboarding nothing changes.
func TestHandoffTellsTheShadows(t *testing.T) {
	r, out, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}, secondary: true})
	log := &fakeIncidentLog{incidents: []rituals.IncidentBrief{{Number: 8, Title: "Slow refunds", Severity: "sev3", Opened: tm(t, "2026-03-06 09:00")}}}
	r.Incidents = func() rituals.IncidentLog { return log }
	var asked []string
	shadows := rituals.Shadows(func(team string, at time.Time) []string {
		asked = append(asked, team+"@"+at.In(berlin).Format("Jan 2 15:04"))
		return []string{"U0NEW", "U0B"} // the primary is never their own shadow
	})
	r.Shadows = func() rituals.Shadows { return shadows }
	if err := r.Handoff(context.Background(), tm(t, "2026-03-09 10:00")); err != nil {
		t.Fatal(err)
	}
	if len(asked) == 0 || asked[0] != "payments@Mar 9 10:00" {
		t.Errorf("shadows asked for %v", asked)
	}
	ch := out.to("C0PAYMENTS")
	if len(ch) != 1 || !strings.Contains(ch[0], ":eyes: <@U0NEW> is shadowing this shift.") || strings.Contains(ch[0], "<@U0B> is shadowing") {
		t.Errorf("announcement:\n%s", ch)
	}
	if dm := out.to("U0B"); len(dm) != 1 || !strings.Contains(dm[0], "<@U0NEW> is shadowing this shift.") {
		t.Errorf("incoming DM:\n%s", dm)
	}
	dm := out.to("U0NEW")
	if len(dm) != 1 {
		t.Fatalf("the shadow got %d DMs", len(dm))
	}
	for _, want := range []string{"You are shadowing <@U0B>'s on-call shift for *Payments*, from now until Mon 16 Mar 10:00 CET.",
		"<@U0A> hands over to <@U0B>.", "Secondary: <@U0A>.", "Open incidents:* 1", "#8 sev3 Slow refunds"} {
		if !strings.Contains(dm[0], want) {
			t.Errorf("shadow DM lacks %q:\n%s", want, dm[0])
		}
	}

	// No onboarding: the link gives nothing, and nobody is named.
	r2, out2, _ := newRotation(t, rotationOpts{spec: "0 10 * * MON", start: "2026-03-02", rotation: []string{"U0A", "U0B"}})
	r2.Shadows = func() rituals.Shadows { return nil }
	if err := r2.Handoff(context.Background(), tm(t, "2026-03-09 10:00")); err != nil {
		t.Fatal(err)
	}
	if len(out2.msgs) != 2 || strings.Contains(out2.to("C0PAYMENTS")[0], "shadowing") {
		t.Errorf("without onboarding: %d messages, %q", len(out2.msgs), out2.to("C0PAYMENTS"))
	}
}
