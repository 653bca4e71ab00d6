package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

func TestIncidentsNumberedIndexedBySourceAndOpenness(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)
	a, err := db.SaveIncident(incident.Incident{Ritual: "inc", Title: "A", Status: incident.IncidentOpen, Source: "alertmanager", SourceRef: "g1", Opened: t0}, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := db.SaveIncident(incident.Incident{Ritual: "other", Title: "B", Status: incident.IncidentOpen, Source: "slack", Opened: t0}, t0, nil)
	if a.Number != 1 || b.Number != 2 {
		t.Fatalf("numbers %d %d, want 1 2 across rituals", a.Number, b.Number)
	}
	got, ok, err := db.IncidentBySource("inc", "alertmanager", "g1")
	if err != nil || !ok || got.Number != 1 {
		t.Errorf("IncidentBySource = %+v %v %v", got, ok, err)
	}
	if _, ok, _ := db.IncidentBySource("other", "alertmanager", "g1"); ok {
		t.Error("a source reference leaked into another ritual")
	}
	a.Status, a.Resolved = incident.IncidentResolved, t0.Add(time.Hour)
	if err := db.PutIncident(a); err != nil {
		t.Fatal(err)
	}
	c, _ := db.SaveIncident(incident.Incident{Ritual: "inc", Title: "A again", Status: incident.IncidentOpen, Source: "alertmanager", SourceRef: "g1", Opened: t0.Add(2 * time.Hour)}, t0, nil)
	if got, _, _ := db.IncidentBySource("inc", "alertmanager", "g1"); got.Number != c.Number {
		t.Errorf("the source index points at #%d, want the latest #%d", got.Number, c.Number)
	}
	// A new incident's number is known to the messages saved with it.
	d, err := db.SaveIncident(incident.Incident{Ritual: "inc", Title: "D", Status: incident.IncidentOpen}, t0, func(inc incident.Incident) []rituals.Message {
		return []rituals.Message{{Key: fmt.Sprintf("incident/%d", inc.Number), To: "C1", Text: inc.Title}}
	})
	if err != nil {
		t.Fatal(err)
	}
	if pending, _ := db.Pending(0); len(pending) != 1 || pending[0].Message.Key != fmt.Sprintf("incident/%d", d.Number) {
		t.Errorf("outbox after SaveIncident = %+v", pending)
	}
	d.Status = incident.IncidentResolved
	if _, err := db.SaveIncident(d, t0, nil); err != nil {
		t.Fatal(err)
	}
	open, _ := db.OpenIncidents("inc")
	if len(open) != 1 || open[0].Number != 3 {
		t.Errorf("open incidents of inc = %+v", open)
	}
	if all, _ := db.OpenIncidents(""); len(all) != 2 {
		t.Errorf("%d open in all, want 2", len(all))
	}
	if l, ok, _ := db.LatestIncident("other"); !ok || l.Number != 2 {
		t.Errorf("LatestIncident(other) = %d", l.Number)
	}
	for i, id := range []string{"3.10", "3.2", "3.1"} {
		if err := db.PutAction(incident.ActionItem{ID: id, Ritual: "inc", Incident: 3, Owner: "U1", Text: id, Created: t0.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteAction("3.2"); err != nil {
		t.Fatal(err)
	}
	items, _ := db.ActionItems("inc")
	if len(items) != 2 || items[0].ID != "3.10" || items[1].ID != "3.1" {
		t.Errorf("action items in creation order = %+v", items)
	}
}

// Briefs and action items are read whole by the digest and the incident
// commands, from a cache: each read must still see every committed write,
// and what a caller does with its copy must not reach the next caller.
func TestBriefsAndActionItemsFollowEveryWrite(t *testing.T) {
	db := MustOpen(t)
	t0 := time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)
	briefTitles := func() string {
		t.Helper()
		bs, err := db.IncidentBriefs("")
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, b := range bs {
			s = append(s, fmt.Sprintf("%d:%s:%v", b.Number, b.Title, b.Teams))
		}
		return fmt.Sprint(s)
	}
	actionTexts := func() string {
		t.Helper()
		as, err := db.ActionItems("inc")
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, a := range as {
			s = append(s, a.ID+":"+a.Text)
		}
		return fmt.Sprint(s)
	}
	a, err := db.SaveIncident(incident.Incident{Ritual: "inc", Title: "A", Teams: []string{"pay"}, Status: incident.IncidentOpen, Opened: t0}, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := briefTitles(); got != "[1:A:[pay]]" {
		t.Errorf("briefs = %s", got)
	}
	a.Title = "A, renamed"
	if err := db.PutIncident(a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveIncident(incident.Incident{Ritual: "other", Title: "B", Status: incident.IncidentOpen, Opened: t0}, t0, nil); err != nil {
		t.Fatal(err)
	}
	if got := briefTitles(); got != "[1:A, renamed:[pay] 2:B:[]]" {
		t.Errorf("briefs after a change and a new incident = %s", got)
	}
	bs, _ := db.IncidentBriefs("inc")
	bs[0].Title = "scribbled"
	bs[0].Teams = append(bs[0].Teams, "scribbled")
	if got := briefTitles(); got != "[1:A, renamed:[pay] 2:B:[]]" {
		t.Errorf("a caller's changes reached the store's briefs: %s", got)
	}
	if r, ok, err := db.IncidentRitual(2); err != nil || !ok || r != "other" {
		t.Errorf("IncidentRitual(2) = %q %v %v", r, ok, err)
	}
	if _, ok, err := db.IncidentRitual(3); ok || err != nil {
		t.Errorf("IncidentRitual(3) = %v %v, want none", ok, err)
	}

	if got := actionTexts(); got != "[]" {
		t.Errorf("action items = %s", got)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.PutAction(incident.ActionItem{ID: "1.1", Ritual: "inc", Incident: 1, Text: "alert", Created: t0}))
	must(db.PutAction(incident.ActionItem{ID: "1.2", Ritual: "inc", Incident: 1, Text: "runbook", Created: t0.Add(time.Minute)}))
	if got := actionTexts(); got != "[1.1:alert 1.2:runbook]" {
		t.Errorf("action items = %s", got)
	}
	must(db.PutAction(incident.ActionItem{ID: "1.1", Ritual: "inc", Incident: 1, Text: "alert on errors", Created: t0}))
	must(db.DeleteAction("1.2"))
	if got := actionTexts(); got != "[1.1:alert on errors]" {
		t.Errorf("action items after a change and a delete = %s", got)
	}
}
