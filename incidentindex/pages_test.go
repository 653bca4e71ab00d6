package incidentindex_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/incidentindex"
	"github.com/ritualbot/ritualbot/internal/benchtest"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/store"
)

var teams = []*rituals.Team{{ID: "payments", Name: "Payments"}, {ID: "search", Name: "Search"}}

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// seed stores n incidents, alternating teams and severities, one a day,
// every third resolved with its postmortem published, every fourth
// mentioning a person, and an action item each.
func seed(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(benchtest.Dir(tb), "ritualbot.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	sevs := []string{"sev1", "sev2", "sev3"}
	for i := 0; i < n; i++ {
		opened := start.Add(time.Duration(i) * 24 * time.Hour / 4)
		title := fmt.Sprintf("Incident %d on %s", i+1, teams[i%2].Name)
		if i%4 == 0 {
			title += ", paged <@U0BOB>"
		}
		inc := incident.Incident{
			Ritual: "incidents", Title: title, Severity: sevs[i%3],
			Teams: []string{teams[i%2].ID}, Status: incident.IncidentResolved, Source: incident.SourceSlack,
			Opened: opened, Resolved: opened.Add(90 * time.Minute),
		}
		if i%3 == 0 {
			inc.Retro.Published = opened.Add(48 * time.Hour)
			inc.Retro.Postmortem = "# Postmortem"
		}
		saved, err := db.SaveIncident(inc, opened, nil)
		if err != nil {
			tb.Fatal(err)
		}
		if err := db.PutAction(incident.ActionItem{ID: fmt.Sprintf("%d.1", saved.Number), Ritual: "incidents", Incident: saved.Number,
			Owner: "U0BOB", Text: "Follow up " + fmt.Sprint(saved.Number), Created: opened, Teams: inc.Teams,
			Due: rituals.DateOf(opened.Add(7 * 24 * time.Hour))}); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// directory is a workspace of a thousand members, Bob among them.
var directory = func() map[string]rituals.UserInfo {
	users := map[string]rituals.UserInfo{"U0BOB": {ID: "U0BOB", Name: "bob", RealName: "Bob Builder"}}
	for i := range 999 {
		id := fmt.Sprintf("U%07d", i)
		users[id] = rituals.UserInfo{ID: id, Name: fmt.Sprint("member", i), RealName: fmt.Sprint("Member Number ", i)}
	}
	return users
}()

func pagesOf(db *store.DB, now time.Time, sign func(string) string) *incidentindex.Pages {
	return &incidentindex.Pages{Store: db, Teams: teams, Severities: []string{"sev1", "sev2", "sev3"},
		Clock: rituals.NewFakeClock(now), Location: time.UTC, Sign: sign, Log: zerolog.Nop(),
		People: func(context.Context) map[string]rituals.UserInfo { return directory }}
}

func get(t testing.TB, h http.HandlerFunc, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest("GET", target, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestIndexPageListsAndFilters(t *testing.T) {
	db := seed(t, 12)
	// A title with markup is shown as text.
	if _, err := db.SaveIncident(incident.Incident{Ritual: "incidents", Title: `<script>alert(1)</script> & co`, Severity: "sev1",
		Teams: []string{"search"}, Status: incident.IncidentOpen, Source: incident.SourceSlack, Opened: start.Add(5 * 24 * time.Hour)}, start, nil); err != nil {
		t.Fatal(err)
	}
	p := pagesOf(db, start.Add(6*24*time.Hour), func(path string) string { return "SIG" + strings.ReplaceAll(path, "/", "_") })

	code, page := get(t, p.ServeIndex, "/incidents/")
	if code != 200 {
		t.Fatalf("GET /incidents/ = %d %s", code, page)
	}
	for _, want := range []string{"Incidents 1–13 of 13", `id="incident-13"`, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", "Incident 1 on Payments",
		`<td class="sev1">SEV1</td>`, "1h 30m", "postmortem published", `href="/incidents/1/postmortem.md?sig=SIG_incidents_1_postmortem.md"`,
		`name="sig" value="SIG_incidents_"`, `href="/incidents/index.json?sig=SIG_incidents_index.json"`, `href="/actions/?sig=SIG_actions_"`} {
		if !strings.Contains(page, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("a title's markup reaches the page")
	}
	// Newest first.
	if strings.Index(page, `id="incident-13"`) > strings.Index(page, `id="incident-1"`) {
		t.Error("not newest first")
	}

	_, page = get(t, p.ServeIndex, "/incidents/?team=payments&severity=sev1&from=2026-01-05&to=2026-01-07&q=incident")
	if !strings.Contains(page, "Incidents 1–2 of 2") || !strings.Contains(page, `id="incident-1"`) || !strings.Contains(page, `id="incident-7"`) {
		t.Errorf("filtered index:\n%s", page)
	}
	if !strings.Contains(page, `<option value="payments" selected>`) || !strings.Contains(page, `value="2026-01-07"`) {
		t.Error("the form does not show the filters applied")
	}
	// Incidents 1, 5 and 9 mention Bob: they show his name and are found
	// by it.
	for _, q := range []string{"bob", "builder", "%40bob+payments"} {
		_, page = get(t, p.ServeIndex, "/incidents/?q="+q)
		if !strings.Contains(page, "Incidents 1–3 of 3") || !strings.Contains(page, "Incident 5 on Payments, paged @bob") {
			t.Errorf("?q=%s does not find incidents 1, 5 and 9", q)
		}
	}
	if _, page = get(t, p.ServeIndex, "/incidents/?q=bob+%235"); !strings.Contains(page, "Incidents 1–1 of 1") {
		t.Error("?q=bob #5 does not find incident 5 alone")
	}
	_, page = get(t, p.ServeIndex, "/incidents/?q=nothing+like+this")
	if !strings.Contains(page, "No incidents match") {
		t.Error("no 'nothing matches' line")
	}
	for _, bad := range []string{"team=nope", "severity=sev9", "from=yesterday", "from=2026-02-01&to=2026-01-01", "status=maybe", "page=0"} {
		if code, body := get(t, p.ServeIndex, "/incidents/?"+bad); code != 400 || !strings.Contains(body, "bad filter") {
			t.Errorf("?%s = %d %s", bad, code, body)
		}
	}

	code, body := get(t, p.ServeIndexJSON, "/incidents/index.json?team=search&status=open")
	var doc struct {
		Total     int
		Incidents []incident.IndexEntry
	}
	if err := json.Unmarshal([]byte(body), &doc); code != 200 || err != nil {
		t.Fatalf("index.json = %d %v %s", code, err, body)
	}
	if doc.Total != 1 || doc.Incidents[0].Number != 13 || doc.Incidents[0].Status != "open" || doc.Incidents[0].Teams[0] != "search" {
		t.Errorf("index.json = %+v", doc)
	}
}

func TestIndexPagesThroughOlderIncidents(t *testing.T) {
	db := seed(t, incidentindex.PerPage+5)
	p := pagesOf(db, start.Add(60*24*time.Hour), nil)
	_, page := get(t, p.ServeIndex, "/incidents/?severity=sev2")
	if !strings.Contains(page, "Incidents 1–35 of 35") {
		t.Errorf("sev2 count wrong: %s", page[strings.Index(page, `<p id="count">`):][:60])
	}
	_, page = get(t, p.ServeIndex, "/incidents/")
	if !strings.Contains(page, "Incidents 1–100 of 105") || !strings.Contains(page, `href="/incidents/?page=2" rel="next"`) {
		t.Fatal("first page does not link the older incidents")
	}
	_, page = get(t, p.ServeIndex, "/incidents/?page=2")
	if !strings.Contains(page, "Incidents 101–105 of 105") || !strings.Contains(page, `id="incident-1"`) || !strings.Contains(page, `rel="prev"`) {
		t.Error("second page")
	}
}

func TestActionsPageFilters(t *testing.T) {
	db := seed(t, 6)
	a, _, _ := db.Action("1.1")
	a.Closed = start.Add(24 * time.Hour)
	if err := db.PutAction(a); err != nil {
		t.Fatal(err)
	}
	// Day 9: items of incidents opened on day 1 (2-5) are overdue.
	p := pagesOf(db, start.Add(9*24*time.Hour), nil)
	p.People = nil
	_, page := get(t, p.ServeActions, "/actions/")
	for _, want := range []string{"6 action items", `id="action-1.1"`, "done 2026-01-06", `<td class="overdue">overdue</td>`, "@U0BOB", "#2 Incident 2 on Search"} {
		if !strings.Contains(page, want) {
			t.Errorf("actions page lacks %q", want)
		}
	}
	_, page = get(t, p.ServeActions, "/actions/?status=overdue")
	if strings.Contains(page, `id="action-1.1"`) || !strings.Contains(page, `id="action-2.1"`) || !strings.Contains(page, `<option value="overdue" selected>`) {
		t.Errorf("overdue filter:\n%s", page)
	}
	code, body := get(t, p.ServeActions, "/actions/?status=open&format=json")
	var doc struct {
		Total   int
		Actions []incident.ActionEntry
	}
	if err := json.Unmarshal([]byte(body), &doc); code != 200 || err != nil || doc.Total != 5 {
		t.Errorf("actions json = %d %v %s", code, err, body)
	}
	if code, _ := get(t, p.ServeActions, "/actions/?status=late"); code != 400 {
		t.Errorf("bad status = %d", code)
	}
}

// BenchmarkIndexPage is GET /incidents/ over 5,000 incidents in the real
// store with a filter (a team, a severity and a word; a tenth of the
// titles mention a person, found through a 1,000-member directory), as
// docs/BENCHMARKS.md records.
func BenchmarkIndexPage(b *testing.B) {
	for _, c := range []struct {
		name  string
		n     int
		query string
	}{
		{"200", 200, "team=payments&severity=sev1&q=incident"},
		{"5000", 5000, "team=payments&severity=sev1&q=incident"},
		// Every title searched, a quarter of them for a mentioned name.
		{"5000-text-only", 5000, "q=builder"},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := seed(b, c.n)
			p := pagesOf(db, start.Add(time.Duration(c.n)*6*time.Hour), func(path string) string { return "sig" })
			var lat []time.Duration
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				rec := httptest.NewRecorder()
				p.ServeIndex(rec, httptest.NewRequest("GET", "/incidents/?"+c.query+"&sig=sig", nil))
				lat = append(lat, time.Since(t0))
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
			benchtest.ReportLatency(b, lat)
		})
	}
}
