package onboarding_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// secondTeam is another team's onboarding ritual over f's store: Billing,
// led by U0LEAD2.
func (f *fixture) secondTeam() *onboarding.Ritual {
	r := *f.r
	r.Config = &rituals.RitualConfig{Name: "o2", Kind: rituals.KindOnboarding, Team: "billing"}
	r.Team = &rituals.Team{ID: "billing", Name: "Billing", Channel: "C0BILL", Members: []string{"U0ANNA"}, Leads: []string{"U0LEAD2"}}
	r.People.(people)["U0LEAD2"] = rituals.UserInfo{ID: "U0LEAD2", TZ: "Europe/Berlin"}
	return &r
}

// Admins mark a step done as leads do; the buddy does not mark the
// newcomer's.
func TestAnAdminMarksAStepDone(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	if _, err := f.r.Start(context.Background(), "U0LEAD", "U0NEW"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.r.MarkDone("U0ANNA", "U0NEW", 1); rituals.ErrorCode(err) != rituals.EFORBIDDEN || !strings.Contains(rituals.ErrorMessage(err), "or a lead's or an admin's") {
		t.Errorf("the buddy marked the newcomer's step: %v", err)
	}
	if _, already, err := f.r.MarkDone("U0ADMIN", "U0NEW", 1); err != nil || already {
		t.Fatalf("an admin's Done: %v %v", already, err)
	}
	if o, _, _ := f.store.Onboarding("o", "U0NEW"); o.Steps[1].DoneBy != "U0ADMIN" || o.Steps[1].Sent.IsZero() {
		t.Errorf("after the admin's Done: %+v", o.Steps[1])
	}
}

// `/onboard done @user STEP [TEAM]`: the step by its number in
// /onboard status, the team when the newcomer is in two; clear refusals.
func TestMarkStepByNumber(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	billing := f.secondTeam()
	set := &onboarding.Set{List: []*onboarding.Ritual{f.r, billing}, IsAdmin: f.r.IsAdmin, Clock: f.clock}
	ctx := context.Background()
	for _, start := range []struct {
		r        *onboarding.Ritual
		by, user string
	}{{f.r, "U0LEAD", "U0NEW"}, {f.r, "U0LEAD", "U0NEW3"}, {billing, "U0LEAD2", "U0NEW3"}} {
		start.r.People.(people)["U0NEW3"] = rituals.UserInfo{ID: "U0NEW3", TZ: "Europe/Berlin"}
		if _, err := start.r.Start(ctx, start.by, start.user); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		by, newcomer, team string
		n                  int
		code, want         string
	}{
		{"U0LEAD", "U0NEW", "", 2, "", "Step 2 of <@U0NEW>'s onboarding in Payments is done: Ship &lt;!channel&gt;"},
		{"U0LEAD", "U0NEW", "pay", 2, "", "Step 2 of <@U0NEW>'s onboarding in Payments was done already"},
		{"U0ADMIN", "U0NEW", "", 3, "", "Step 3 of <@U0NEW>'s onboarding in Payments is done: Pair"},
		{"U0BOB", "U0NEW", "", 4, rituals.EFORBIDDEN, "This step is <@U0LEAD>'s to mark done (or a lead's or an admin's)"},
		{"U0LEAD", "U0NEW", "", 0, rituals.EINVALID, "The Payments onboarding has steps 1 to 4, not 0."},
		{"U0LEAD", "U0NEW", "", 5, rituals.EINVALID, "steps 1 to 4, not 5"},
		{"U0LEAD", "U0NOBODY", "", 1, rituals.ENOTFOUND, "<@U0NOBODY> has no onboarding"},
		{"U0LEAD", "U0NEW", "nope", 1, rituals.ENOTFOUND, "No team `nope` has an onboarding. Teams with one: pay, billing."},
		{"U0LEAD2", "U0NEW", "billing", 1, rituals.ENOTFOUND, "<@U0NEW> has no onboarding in Billing"},
		{"U0LEAD2", "U0NEW3", "", 1, rituals.EINVALID, "<@U0NEW3> is onboarded in pay and billing: add the team"},
		{"U0LEAD2", "U0NEW3", "billing", 1, "", "Step 1 of <@U0NEW3>'s onboarding in Billing is done: Laptop"},
		{"U0LEAD2", "U0NEW3", "pay", 2, rituals.EFORBIDDEN, "to mark done"},
	} {
		said, err := set.MarkStep(ctx, tt.by, tt.newcomer, tt.team, tt.n)
		got := said
		if err != nil {
			got = rituals.ErrorMessage(err)
		}
		if rituals.ErrorCode(err) != tt.code && (tt.code != "" || err != nil) || !strings.Contains(got, tt.want) {
			t.Errorf("MarkStep(%s, %s, %q, %d) = %q, %v; want %s %q", tt.by, tt.newcomer, tt.team, tt.n, said, err, tt.code, tt.want)
		}
	}
	o, _, _ := f.store.Onboarding("o", "U0NEW")
	if o.Steps[1].DoneBy != "U0LEAD" || o.Steps[2].DoneBy != "U0ADMIN" || !o.Steps[3].Done.IsZero() {
		t.Errorf("the record after the commands: %+v", o.Steps)
	}
	// The week's nudge lists what is still open only, numbered as status.
	f.runDays(t, rituals.Date{Year: 2026, Month: 12, Day: 1}, rituals.Date{Year: 2026, Month: 12, Day: 7}, tokyo, berlin)
	if n := f.out.to("U0NEW", "Week 1 of your onboarding"); len(n) != 1 || !strings.Contains(n[0].Text, "1 step is still open") || !strings.Contains(n[0].Text, "Laptop") {
		t.Errorf("the nudge after the commands: %v", n)
	}
	status, err := set.Status("U0LEAD")
	if text := messageText(status); err != nil || !strings.Contains(text, "steps 2/4 done") || !strings.Contains(text, "Open:\n• `1` Laptop _(newcomer)_\n• `4` Check in _(lead)_\n") {
		t.Errorf("status: %q %v", text, err)
	}
}

// A step marked done by `/onboard done` is told to its owner, once, when
// someone else marked it; the owner marking their own is not.
func TestMarkStepTellsTheOwner(t *testing.T) {
	f := newFixture(t, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin))
	set := &onboarding.Set{List: []*onboarding.Ritual{f.r}, IsAdmin: f.r.IsAdmin, Clock: f.clock}
	ctx := context.Background()
	if _, err := f.r.Start(ctx, "U0LEAD", "U0NEW"); err != nil {
		t.Fatal(err)
	}
	said, err := set.MarkStep(ctx, "U0ADMIN", "U0NEW", "", 2)
	if err != nil || !strings.Contains(said, "<@U0NEW> has been told.") {
		t.Fatalf("the admin's answer: %q %v", said, err)
	}
	if _, err := set.MarkStep(ctx, "U0LEAD", "U0NEW", "", 2); err != nil {
		t.Fatal(err)
	}
	told := f.out.to("U0NEW", "marked a step")
	if len(told) != 1 || !strings.Contains(told[0].Text, "<@U0ADMIN> marked a step of your onboarding in Payments done for you: Ship") || !strings.Contains(told[0].Text, `its Done button answers "Done already"`) {
		t.Errorf("the newcomer was told %v, want one DM naming the admin and the step", told)
	}
	said, err = set.MarkStep(ctx, "U0LEAD", "U0NEW", "", 4) // the lead's own step
	if err != nil || strings.Contains(said, "has been told") || len(f.out.to("U0LEAD", "marked a step")) != 0 {
		t.Errorf("the lead marking their own step: %q %v, DMs %v", said, err, f.out.to("U0LEAD", "marked a step"))
	}
}
