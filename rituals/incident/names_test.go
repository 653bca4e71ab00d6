package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// A person mentioned in a title is stored as a mention (so that erasing
// them finds it) and read by name by the other rituals (the digest, the
// handoff, the App Home).
func TestTitleMentionsAreReadAsNames(t *testing.T) {
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	x := setOf(t, clock, "WEB")[0]
	inc, err := x.Declare(context.Background(), "U0ALICE", "sev2", "Ledger stuck after <@U0ERIN>'s migration")
	if err != nil {
		t.Fatal(err)
	}
	if inc.Title != "Ledger stuck after <@U0ERIN>'s migration" {
		t.Errorf("stored title %q", inc.Title)
	}
	names := func(context.Context) map[string]string { return map[string]string{"U0ERIN": "erin"} }
	log := &incident.IncidentRecords{Store: x.Store, Names: names}
	for what, get := range map[string]func() ([]rituals.IncidentBrief, error){
		"IncidentsBetween": func() ([]rituals.IncidentBrief, error) {
			return log.IncidentsBetween("WEB", clock.Now().Add(-time.Hour), clock.Now().Add(time.Hour))
		},
		"OpenIncidents": func() ([]rituals.IncidentBrief, error) { return log.OpenIncidents("WEB") },
	} {
		bs, err := get()
		if err != nil || len(bs) != 1 || bs[0].Title != "Ledger stuck after @erin's migration" {
			t.Errorf("%s = %+v, %v", what, bs, err)
		}
	}
	if got := incident.ShowMentions("for <@U0BOB|bob>", nil); got != "for @U0BOB" {
		t.Errorf("without names: %q", got)
	}
}
