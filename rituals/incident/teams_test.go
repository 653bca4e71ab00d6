package incident_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/store"
)

// An incident counts under its own teams only; one stored before
// incidents had teams of their own (none) counts for every team of its
// ritual, with no migration.
func TestIncidentRecordsCountAnIncidentUnderItsTeams(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	opened := time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)
	for _, inc := range []incident.Incident{
		{Ritual: "incidents", Title: "legacy", Status: incident.IncidentOpen, Opened: opened},
		{Ritual: "incidents", Title: "platform's", Teams: []string{"platform"}, Status: incident.IncidentOpen, Opened: opened},
	} {
		if _, err := db.SaveIncident(inc, opened, nil); err != nil {
			t.Fatal(err)
		}
	}
	l := &incident.IncidentRecords{Store: db, RitualTeams: map[string][]string{"incidents": {"payments", "platform"}}}
	for team, want := range map[string]int{"payments": 1, "platform": 2, "other": 0} {
		between, err := l.IncidentsBetween(team, opened.Add(-time.Hour), opened.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		open, err := l.OpenIncidents(team)
		if err != nil {
			t.Fatal(err)
		}
		if len(between) != want || len(open) != want {
			t.Errorf("%s: %d between, %d open; want %d", team, len(between), len(open), want)
		}
	}
}
