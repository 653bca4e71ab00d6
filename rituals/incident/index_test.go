package incident_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

func TestIndexFilters(t *testing.T) {
	utc := time.UTC
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, utc) }
	briefs := []rituals.IncidentBrief{
		{Number: 1, Title: "Checkout returns 500s", Severity: "sev1", Teams: []string{"payments"}, Opened: day(2), Resolved: day(2).Add(90 * time.Minute), RetroPublished: day(4)},
		{Number: 2, Title: "Search is slow", Severity: "sev3", Teams: []string{"search"}, Opened: day(10), Resolved: day(10).Add(time.Hour)},
		{Number: 3, Title: "Ledger lag", Severity: "sev2", Teams: []string{"payments", "platform"}, Opened: day(20), Resolved: day(20).Add(time.Hour), RetroDue: day(21)},
		{Number: 4, Title: "Card declines", Severity: "sev1", Teams: []string{"payments"}, Opened: day(25)},
	}
	names := map[string]string{"payments": "Payments", "platform": "Platform Eng"}
	now := day(25).Add(2 * time.Hour)
	for _, c := range []struct {
		name string
		q    incident.IndexQuery
		want []int
	}{
		{"all, newest first", incident.IndexQuery{}, []int{4, 3, 2, 1}},
		{"team", incident.IndexQuery{Team: "payments"}, []int{4, 3, 1}},
		{"severity any case", incident.IndexQuery{Severity: "SEV1"}, []int{4, 1}},
		{"from", incident.IndexQuery{From: rituals.DateOf(day(10))}, []int{4, 3, 2}},
		{"to, included", incident.IndexQuery{To: rituals.DateOf(day(10))}, []int{2, 1}},
		{"text in title", incident.IndexQuery{Text: "LEDGER"}, []int{3}},
		{"text: team name and number", incident.IndexQuery{Text: "platform eng #3"}, []int{3}},
		{"text: every word", incident.IndexQuery{Text: "ledger search"}, nil},
		{"open", incident.IndexQuery{Status: "open"}, []int{4}},
		{"combined", incident.IndexQuery{Team: "payments", Severity: "sev1", Status: "resolved"}, []int{1}},
	} {
		var got []int
		for _, e := range incident.Index(briefs, c.q, incident.IndexNames{Teams: names}, now, utc) {
			got = append(got, e.Number)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	all := incident.Index(briefs, incident.IndexQuery{}, incident.IndexNames{Teams: names}, now, utc)
	for _, c := range []struct {
		n                   int
		retro, dur, pm, sts string
	}{
		{4, incident.RetroOpen, "2h", "", "open"},
		{3, incident.RetroDueState, "1h", "", "resolved"},
		{2, incident.RetroNone, "1h", "", "resolved"},
		{1, incident.RetroPublished, "1h 30m", "/incidents/1/postmortem.md", "resolved"},
	} {
		e := all[4-c.n]
		if got := fmt.Sprint(e.Retro, e.Duration, e.Postmortem, e.Status); got != fmt.Sprint(c.retro, c.dur, c.pm, c.sts) {
			t.Errorf("#%d: retro, duration, postmortem, status = %s", c.n, got)
		}
	}
}

// A person a title mentions only as <@U…> is found by the names the
// record shows them with; the directory is not asked without a filter.
func TestIndexFindsMentionedPeopleByName(t *testing.T) {
	day := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	briefs := []rituals.IncidentBrief{
		{Number: 1, Title: "Ledger stuck after <@U0ERIN>'s migration", Severity: "sev2", Opened: day},
		{Number: 2, Title: "Search is slow", Severity: "sev3", Opened: day},
	}
	asked := 0
	names := incident.IndexNames{Person: func(id string) string {
		asked++
		return map[string]string{"U0ERIN": "erin Erin Example"}[id]
	}}
	for _, c := range []struct {
		text string
		want []int
	}{
		{"erin", []int{1}},
		{"@erin", []int{1}},
		{"EXAMPLE ledger", []int{1}},
		{"u0erin", []int{1}},
		{"example search", nil},
	} {
		var got []int
		for _, e := range incident.Index(briefs, incident.IndexQuery{Text: c.text}, names, day, time.UTC) {
			got = append(got, e.Number)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
	asked = 0
	incident.Index(briefs, incident.IndexQuery{}, names, day, time.UTC)
	if asked != 0 {
		t.Errorf("the unfiltered index asked for %d names", asked)
	}
}

func TestActionIndexFilters(t *testing.T) {
	today := rituals.Date{Year: 2026, Month: 12, Day: 10}
	items := []incident.ActionItem{
		{ID: "1.1", Incident: 1, Owner: "U0BOB", Text: "Alert on pool", Due: rituals.Date{Year: 2026, Month: 12, Day: 4}, Teams: []string{"payments"}},
		{ID: "1.2", Incident: 1, Owner: "U0CAROL", Text: "Diff configs", Due: rituals.Date{Year: 2026, Month: 12, Day: 20}, Teams: []string{"payments"}},
		{ID: "2.1", Incident: 2, Owner: "U0BOB", Text: "Index", Closed: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), Teams: []string{"search"}},
	}
	for _, c := range []struct {
		q    incident.ActionQuery
		want []string
	}{
		{incident.ActionQuery{}, []string{"1.1 overdue", "1.2 open", "2.1 done"}},
		{incident.ActionQuery{Status: "open"}, []string{"1.1 overdue", "1.2 open"}},
		{incident.ActionQuery{Status: "overdue"}, []string{"1.1 overdue"}},
		{incident.ActionQuery{Status: "done"}, []string{"2.1 done"}},
		{incident.ActionQuery{Owner: "U0BOB"}, []string{"1.1 overdue", "2.1 done"}},
		{incident.ActionQuery{Team: "search"}, []string{"2.1 done"}},
	} {
		var got []string
		for _, e := range incident.ActionIndex(items, c.q, map[int]string{1: "Checkout"}, today) {
			got = append(got, e.ID+" "+e.Status)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
}

// The search asks for a person's names once however many titles mention
// them, and lowers titles beyond ASCII as strings.ToLower does.
func TestIndexAsksEachPersonOnce(t *testing.T) {
	day := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	briefs := []rituals.IncidentBrief{
		{Number: 1, Title: "Ledger stuck after <@U0ERIN>'s migration", Severity: "sev2", Opened: day},
		{Number: 2, Title: "Cache cold, paged <@U0ERIN> and <@U0BOB|bob>", Severity: "sev2", Opened: day},
		{Number: 3, Title: "Oven at 500 \u212A, ÉTUVE <@U0ERIN>", Severity: "sev3", Opened: day},
	}
	asked := map[string]int{}
	names := incident.IndexNames{Person: func(id string) string {
		asked[id]++
		return map[string]string{"U0ERIN": "erin Erin Example", "U0BOB": "bob Bob Builder"}[id]
	}}
	for _, c := range []struct {
		text string
		want []int
	}{
		{"example", []int{3, 2, 1}},
		{"builder", []int{2}},
		{"k étuve", []int{3}},
		{"#2 erin", []int{2}},
	} {
		clear(asked)
		var got []int
		for _, e := range incident.Index(briefs, incident.IndexQuery{Text: c.text}, names, day, time.UTC) {
			got = append(got, e.Number)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
		if asked["U0ERIN"] > 1 || asked["U0BOB"] > 1 {
			t.Errorf("%q: names asked %v, want once each at most", c.text, asked)
		}
	}
}
