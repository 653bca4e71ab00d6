package incident_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/store"
)

func TestFlappingAlertsAreCountedNotPostedPastTheCap(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	x := &incident.Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Kind: rituals.KindIncidents, Channel: "C0INC", Enabled: true},
		Settings: &incident.Settings{Severities: []string{"sev1", "sev2"}, Location: time.UTC,
			Alertmanager: &incident.AlertmanagerConfig{OpenWhen: map[string][]string{"severity": {"critical"}}}},
		Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: db, Sent: db, Clock: clock,
	}
	group := func(flapping bool) incident.AlertGroup {
		status := incident.AlertFiring
		if flapping {
			status = incident.AlertResolved
		}
		return incident.AlertGroup{GroupKey: "g", Status: incident.AlertFiring, Alerts: []incident.Alert{
			{Status: incident.AlertFiring, Labels: map[string]string{"alertname": "A", "severity": "critical"}, Fingerprint: "a", StartsAt: clock.Now()},
			{Status: status, Labels: map[string]string{"alertname": "B", "severity": "critical"}, Fingerprint: "b", StartsAt: clock.Now()},
		}}
	}
	ctx := context.Background()
	for i := 0; i < 250; i++ {
		clock.Advance(5 * time.Minute)
		if _, _, err := x.HandleAlerts(ctx, group(i%2 == 1)); err != nil {
			t.Fatal(err)
		}
	}
	inc, err := x.Lookup(1)
	if err != nil {
		t.Fatal(err)
	}
	alerts, notes := 0, 0
	for _, e := range inc.Timeline {
		switch e.Kind {
		case incident.EventAlertFired, incident.EventAlertResolved:
			alerts++
		case incident.EventUpdate:
			notes++
		}
	}
	if alerts != 100 || notes != 1 || inc.Alerts != 250 || !inc.IsOpen() {
		t.Errorf("after 250 notifications: %d alert events, %d notes, %d counted, open %v", alerts, notes, inc.Alerts, inc.IsOpen())
	}
}

// alertStorm is the set-up of the tests and benchmarks of a group that
// grows: each notification brings perGroup fresh firing alerts and
// resolves the first tenth of the previous one's.
type alertStorm struct {
	db       *store.DB
	clock    *rituals.FakeClock
	x        *incident.Incidents
	perGroup int
	sent     int
}

func newAlertStorm(tb testing.TB, perGroup int) *alertStorm {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "s.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	x := &incident.Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Kind: rituals.KindIncidents, Channel: "C0INC", Enabled: true},
		Settings: &incident.Settings{Severities: []string{"sev1", "sev2"}, Location: time.UTC,
			Alertmanager: &incident.AlertmanagerConfig{}},
		Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: db, Sent: db, Clock: clock,
	}
	return &alertStorm{db: db, clock: clock, x: x, perGroup: perGroup}
}

// deliver sends the next notification of the group.
func (s *alertStorm) deliver(tb testing.TB) {
	tb.Helper()
	s.clock.Advance(time.Minute)
	alerts := make([]incident.Alert, 0, s.perGroup+s.perGroup/10)
	for j := range s.perGroup {
		alerts = append(alerts, incident.Alert{Status: incident.AlertFiring, Fingerprint: fmt.Sprintf("%04x%012x", s.sent, j),
			Labels: map[string]string{"alertname": "DiskFull", "instance": fmt.Sprintf("node-%d", j)}, StartsAt: s.clock.Now()})
	}
	if s.sent > 0 {
		for j := range s.perGroup / 10 {
			alerts = append(alerts, incident.Alert{Status: incident.AlertResolved, Fingerprint: fmt.Sprintf("%04x%012x", s.sent-1, j),
				Labels: map[string]string{"alertname": "DiskFull", "instance": fmt.Sprintf("node-%d", j)}})
		}
	}
	if _, _, err := s.x.HandleAlerts(context.Background(), incident.AlertGroup{GroupKey: "g", Status: incident.AlertFiring, Alerts: alerts}); err != nil {
		tb.Fatal(err)
	}
	s.sent++
}

// resolve sends the group's resolved notification: the first tenth of
// the last notification's alerts, resolved.
func (s *alertStorm) resolve(tb testing.TB) {
	tb.Helper()
	s.clock.Advance(time.Minute)
	var alerts []incident.Alert
	for j := range s.perGroup / 10 {
		alerts = append(alerts, incident.Alert{Status: incident.AlertResolved, Fingerprint: fmt.Sprintf("%04x%012x", s.sent-1, j),
			Labels: map[string]string{"alertname": "DiskFull", "instance": fmt.Sprintf("node-%d", j)}})
	}
	if _, _, err := s.x.HandleAlerts(context.Background(), incident.AlertGroup{GroupKey: "g", Status: incident.AlertResolved, Alerts: alerts}); err != nil {
		tb.Fatal(err)
	}
}

func TestAGrowingAlertGroupKeepsItsIncidentSmallAndCountsRight(t *testing.T) {
	const deliveries, perGroup = 60, 12000 // as in the report
	s := newAlertStorm(t, perGroup)
	for range deliveries {
		s.deliver(t)
	}
	inc, ok, err := s.db.Incident(1)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	stored, err := json.Marshal(inc)
	if err != nil {
		t.Fatal(err)
	}
	// Uncapped, the incident held a state per alert ever sent: 720,000
	// here, some 20 MB of JSON decoded and rewritten by every webhook.
	if len(inc.Firing) != 5000 || len(stored) > 256<<10 {
		t.Errorf("stored incident: %d firing alerts remembered, %d bytes; want 5,000 and ≤ 256 KiB", len(inc.Firing), len(stored))
	}
	s.resolve(t)
	if inc, _, err = s.db.Incident(1); err != nil || inc.IsOpen() || inc.Firing != nil {
		t.Fatalf("after the resolved notification: open %v, %d firing remembered, %v", inc.IsOpen(), len(inc.Firing), err)
	}
	if want := deliveries * perGroup; inc.AlertsFired != want {
		t.Errorf("alerts fired: %d, want %d", inc.AlertsFired, want)
	}
	if want := deliveries * perGroup / 10; inc.AlertsResolved != want {
		t.Errorf("alerts resolved: %d, want %d", inc.AlertsResolved, want)
	}
	// The resolved announcement carries the totals.
	pending, err := s.db.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	var announced string
	for _, it := range pending {
		if it.Message.Key == "incident/1" && it.Message.Update {
			for _, b := range it.Message.Blocks {
				announced += rituals.PlainText(b)
			}
		}
	}
	if !strings.Contains(announced, "720,000 fired · 72,000 resolved") {
		t.Errorf("announcement does not carry the totals:\n%s", announced)
	}
	// A list shows incidents; it has no use for their alert state.
	listed, err := s.x.List()
	if err != nil || len(listed) != 1 {
		t.Fatal(len(listed), err)
	}
	if listed[0].Firing != nil || listed[0].AlertsFired != inc.AlertsFired {
		t.Errorf("listed incident: %d firing alerts decoded, %d fired counted", len(listed[0].Firing), listed[0].AlertsFired)
	}
}

// BenchmarkAlertsToABigIncident is one notification of 12,000 fresh alerts
// to an incident whose group has sent 60 such notifications.
func BenchmarkAlertsToABigIncident(b *testing.B) {
	s := newAlertStorm(b, 12000)
	for range 60 {
		s.deliver(b)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.deliver(b)
	}
}

// BenchmarkListWithABigIncident is /incident list's read of the same
// incident.
func BenchmarkListWithABigIncident(b *testing.B) {
	s := newAlertStorm(b, 12000)
	for range 60 {
		s.deliver(b)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.x.List(); err != nil {
			b.Fatal(err)
		}
	}
}
