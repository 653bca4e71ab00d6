package incident

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Newcomers shadowing a team's on-call join the team's incidents as
// participants marked shadowing, and are named in the announcement; it
// gives them no say they did not have.
func TestShadowsJoinIncidentsWithoutRights(t *testing.T) {
	x := authzFixture(t, stOpen, true)
	shadows := rituals.Shadows(func(team string, _ time.Time) []string {
		if team == "payments" {
			return []string{"U0NEW", "U0ONCALL"} // whoever takes part already is not marked
		}
		return nil
	})
	x.Shadows = func() rituals.Shadows { return shadows }
	inc, err := x.DeclareFor(context.Background(), "U0LEAD", "sev2", []string{"payments"}, "Refunds fail")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(inc.Participants, "U0NEW") || !slices.Equal(inc.Shadowing, []string{"U0NEW"}) {
		t.Fatalf("participants %v, shadowing %v", inc.Participants, inc.Shadowing)
	}
	text := ""
	for _, b := range x.announcement(inc, false).Blocks {
		text += rituals.PlainText(b) + "\n"
	}
	if !strings.Contains(text, "*Shadowing*\n<@U0NEW>") {
		t.Errorf("announcement:\n%s", text)
	}
	if r := x.roleOf(inc, "U0NEW"); r != (IncidentRole{}) {
		t.Errorf("a shadow's role is %+v, an outsider's is none", r)
	}
	if _, err := x.Command(context.Background(), inc.Number, "U0NEW", "U0NEW"); rituals.ErrorCode(err) != rituals.EFORBIDDEN {
		t.Errorf("a shadow gave command to themselves: %v", err)
	}
	inc.Status, inc.Resolved = IncidentResolved, inc.Opened.Add(time.Hour)
	for _, verb := range []IncidentVerb{VerbUpdate, VerbSeverity, VerbPin, VerbPublish, VerbSkip, VerbCloseAction, VerbTakeCommand, VerbGiveCommand} {
		if x.may(inc, "U0NEW", verb) != x.may(inc, "U0OUT", verb) {
			t.Errorf("shadowing changes whether one may %s a resolved incident", verb)
		}
	}

	// Without onboarding, nobody shadows.
	x.Shadows = func() rituals.Shadows { return nil }
	inc, err = x.DeclareFor(context.Background(), "U0LEAD", "sev2", []string{"payments"}, "Refunds fail again")
	if err != nil || len(inc.Shadowing) != 0 || slices.Contains(inc.Participants, "U0NEW") {
		t.Errorf("without onboarding: %v, %+v", err, inc)
	}
}
