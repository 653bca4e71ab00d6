package incident_test

import (
	"context"
	"path/filepath"
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
		Settings: &incident.IncidentsConfig{Severities: []string{"sev1", "sev2"}, Location: time.UTC,
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
