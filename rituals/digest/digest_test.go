package digest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// memDigestStore is a DigestStore in memory.
type memDigestStore struct {
	*memDeploys
	notes []DigestNote
}

func (m *memDigestStore) PutNote(n DigestNote) error { m.notes = append(m.notes, n); return nil }
func (m *memDigestStore) Notes(team string, from, to time.Time) ([]DigestNote, error) {
	var out []DigestNote
	for _, n := range m.notes {
		if n.Team == team && (Window{from, to}).Contains(n.Created) {
			out = append(out, n)
		}
	}
	return out, nil
}
func (m *memDigestStore) ArchiveNotes(ids []string, by string, at time.Time) error {
	for i := range m.notes {
		for _, id := range ids {
			if m.notes[i].ID == id && m.notes[i].Archived.IsZero() {
				m.notes[i].Archived, m.notes[i].ArchivedBy = at, by
			}
		}
	}
	return nil
}

func testDigest(t *testing.T, teams ...*rituals.Team) (*Digest, *memDigestStore) {
	t.Helper()
	store := &memDigestStore{memDeploys: newMemDeploys()}
	var ids []string
	for _, tm := range teams {
		ids = append(ids, tm.ID)
	}
	rc := &rituals.RitualConfig{Name: "weekly", Kind: rituals.KindDigest, Channel: "C0DIGEST", Enabled: true,
		Schedule: rituals.MustParseSchedule("0 16 * * FRI", time.UTC)}
	rc.Settings = &Settings{Teams: ids, Window: 7 * 24 * time.Hour, FailureWindow: 24 * time.Hour}
	return &Digest{Config: rc, Settings: SettingsOf(rc), Teams: teams, AllTeams: teams, Store: store, Clock: rituals.NewFakeClock(monday)}, store
}

func TestDigestLeavesOutWhatIsNotConfigured(t *testing.T) {
	payments := &rituals.Team{ID: "payments", Name: "Payments", Services: []string{"checkout"}}
	d, store := testDigest(t, payments)
	store.deploys["a"] = ok("a", 10, commit("c", 9))
	// No standup, on-call or incident ritual: their funcs return nil.
	d.Standups = func() rituals.StandupLog { return nil }
	d.Incidents = func() rituals.IncidentLog { return nil }
	r, err := d.Report(context.Background(), week.To)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, f := range r.Teams[0].Figures() {
		labels = append(labels, f.Label)
	}
	if strings.Join(labels, ",") != "Deploys,Lead time" {
		t.Errorf("figures %v, want only the two that deploys alone give", labels)
	}
	if r.Trend.HasIncidents || r.Trend.HasStandups {
		t.Error("the chart should leave out the incidents and standups panels")
	}
	msgs := r.Messages("k", "C0DIGEST")
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	for _, b := range msgs[0].Blocks {
		if strings.Contains(rituals.PlainText(b), "Standups") || strings.Contains(rituals.PlainText(b), "Incidents") {
			t.Errorf("a section from a missing source: %q", rituals.PlainText(b))
		}
	}
}

// Time to restore counts from the start of the impact (the first alert),
// as the incident's own postmortem does: the digest's figure and its line
// for the incident say the same as the postmortem.
func TestDigestTimeToRestoreCountsFromTheFirstAlert(t *testing.T) {
	payments := &rituals.Team{ID: "payments", Name: "Payments"}
	d, _ := testDigest(t, payments)
	inc := rituals.IncidentBrief{Number: 7, Title: "Ledger lag", Severity: "sev1", Teams: []string{"payments"}, Source: "alertmanager",
		ImpactStart: hours(10), Opened: hours(10.25), Resolved: hours(11)}
	d.Incidents = func() rituals.IncidentLog { return briefLog{inc} }
	r, err := d.Report(context.Background(), week.To)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Teams[0].Now.TimeToRestore, inc.TimeToRestore(); got != want || want != time.Hour {
		t.Errorf("time to restore %s, want the postmortem's %s (1h)", got, want)
	}
	var text []string
	for _, b := range r.Messages("k", "C0DIGEST")[0].Blocks {
		text = append(text, rituals.PlainText(b))
	}
	if all := strings.Join(text, "\n"); !strings.Contains(all, "#7 Ledger lag _(sev1, restored in 1h)_") {
		t.Errorf("the digest's line for the incident:\n%s", all)
	}
}

// briefLog is an IncidentLog of fixed incidents and no action items.
type briefLog []rituals.IncidentBrief

func (l briefLog) IncidentsBetween(team string, from, to time.Time) ([]rituals.IncidentBrief, error) {
	var out []rituals.IncidentBrief
	for _, in := range l {
		if slices.Contains(in.Teams, team) && (Window{from, to}).Contains(in.Opened) {
			out = append(out, in)
		}
	}
	return out, nil
}
func (l briefLog) OpenIncidents(team string) ([]rituals.IncidentBrief, error) { return nil, nil }
func (l briefLog) Actions(team string) ([]rituals.ActionBrief, error)         { return nil, nil }
func (l briefLog) OpenActions(user string) ([]rituals.ActionBrief, error)     { return nil, nil }

func TestDigestNotes(t *testing.T) {
	payments := &rituals.Team{ID: "payments", Name: "Payments", Leads: []string{"U0LEAD"}, Members: []string{"U0LEAD", "U0DEV"}}
	search := &rituals.Team{ID: "search", Name: "Search", Leads: []string{"U0BOTH"}}
	payments.Leads = append(payments.Leads, "U0BOTH")
	d, store := testDigest(t, payments, search)
	notes := &DigestNotes{Config: &rituals.Config{Admins: []string{"U0ADMIN"}, Teams: []*rituals.Team{payments, search}}, Digests: []*Digest{d}, Store: store, Clock: d.Clock}
	cases := []struct {
		user, kind, text string
		code             string // error code, "" for success
		team, stored     string
	}{
		{"U0LEAD", NoteHighlight, "Shipped <!channel> it", "", "payments", "Shipped <!channel> it"},
		{"U0DEV", NoteRisk, "Nope", rituals.EFORBIDDEN, "", ""},
		{"U0LEAD", NoteRisk, "   ", rituals.EINVALID, "", ""},
		{"U0LEAD", NoteRisk, strings.Repeat("x", 501), rituals.EINVALID, "", ""},
		{"U0BOTH", NoteRisk, "Unclear which team", rituals.EINVALID, "", ""},
		{"U0BOTH", NoteRisk, "search Index is stale", "", "search", "Index is stale"},
		{"U0ADMIN", NoteHighlight, "Payments Great week", "", "payments", "Great week"},
	}
	for _, c := range cases {
		before := len(store.notes)
		reply, err := notes.Add(c.user, c.kind, c.text)
		if rituals.ErrorCode(err) != c.code {
			t.Errorf("%s %s %q: %v, want code %q", c.user, c.kind, c.text, err, c.code)
			continue
		}
		if c.code != "" {
			if len(store.notes) != before {
				t.Errorf("%s %q stored a note though refused", c.user, c.text)
			}
			continue
		}
		n := store.notes[len(store.notes)-1]
		if n.Team != c.team || n.Text != c.stored || n.Kind != c.kind || n.Author != c.user {
			t.Errorf("%s %q stored %+v", c.user, c.text, n)
		}
		if !strings.Contains(reply, "Fri 27 Nov at 16:00") || strings.Contains(reply, "<!channel>") {
			t.Errorf("reply %q: want the next digest's date, and user text escaped", reply)
		}
	}
}
