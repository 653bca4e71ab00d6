package incident_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/store"
)

func newStormRitual(t *testing.T) (*incident.Incidents, *store.DB, *rituals.FakeClock) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	x := &incident.Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Kind: rituals.KindIncidents, Channel: "C0INC", Enabled: true},
		Settings: &incident.Settings{Severities: []string{"sev1", "sev2", "sev3"}, Location: time.UTC,
			Alertmanager: &incident.AlertmanagerConfig{}, Storm: &incident.StormConfig{MaxNew: 3, Window: 10 * time.Minute}},
		Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: db, Sent: db, Clock: clock,
	}
	return x, db, clock
}

func stormGroup(key, status, sev string, alerts int, at time.Time) incident.AlertGroup {
	g := incident.AlertGroup{GroupKey: key, Status: status}
	for i := range alerts {
		g.Alerts = append(g.Alerts, incident.Alert{Status: status, Fingerprint: fmt.Sprintf("%s-%d", key, i), StartsAt: at,
			Labels: map[string]string{"alertname": "Down", "severity": sev}})
	}
	return g
}

func TestAnAlertStormJoinsOneIncidentThatResolvesWithItsLastGroup(t *testing.T) {
	x, db, clock := newStormRitual(t)
	ctx := context.Background()
	deliver := func(g incident.AlertGroup) (incident.WebhookOutcome, int) {
		t.Helper()
		out, n, err := x.HandleAlerts(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		return out, n
	}
	const groups = 50
	for i := range groups {
		clock.Advance(time.Second)
		sev := "sev3"
		if i == 20 {
			sev = "sev1"
		}
		deliver(stormGroup(fmt.Sprintf("g%d", i), incident.AlertFiring, sev, 2, clock.Now()))
	}
	briefs, err := db.IncidentBriefs("incidents")
	if err != nil {
		t.Fatal(err)
	}
	if len(briefs) != 4 || !briefs[3].Storm {
		t.Fatalf("%d incidents opened (want 3 and a storm): %+v", len(briefs), briefs)
	}
	storm, err := x.Lookup(briefs[3].Number)
	if err != nil {
		t.Fatal(err)
	}
	if s := storm.Storm; s.Groups != groups-3 || s.Open != groups-3 || s.Alerts != 2*(groups-3) || storm.Severity != "sev1" {
		t.Errorf("storm: %+v, severity %s", *s, storm.Severity)
	}
	members, err := db.StormMembers(storm.Number)
	if err != nil || len(members) != groups-3 {
		t.Errorf("%d members stored, %v", len(members), err)
	}
	// A resend of a member is counted, not posted; a group that opened
	// its own incident before the storm stays with it.
	if out, n := deliver(stormGroup("g10", incident.AlertFiring, "sev3", 2, clock.Now())); out != incident.OutcomeDuplicate || n != storm.Number {
		t.Errorf("resend of a member: %s #%d", out, n)
	}
	if _, n := deliver(stormGroup("g0", incident.AlertFiring, "sev3", 2, clock.Now())); n != briefs[0].Number {
		t.Errorf("resend of g0 went to #%d", n)
	}
	// Ten minutes without a join, and fewer than three openings in the
	// window: a new group opens its own incident again.
	clock.Advance(11 * time.Minute)
	if out, n := deliver(stormGroup("late", incident.AlertFiring, "sev2", 1, clock.Now())); out != incident.OutcomeOpened || n == storm.Number {
		t.Errorf("a group after the storm: %s #%d", out, n)
	}
	// The storm resolves with its last member, once.
	for i := 3; i < groups; i++ {
		out, _ := deliver(stormGroup(fmt.Sprintf("g%d", i), incident.AlertResolved, "sev3", 2, clock.Now()))
		if want := incident.OutcomeUpdated; i == groups-1 {
			if out != incident.OutcomeResolved {
				t.Errorf("last member resolved: %s", out)
			}
		} else if out != want {
			t.Errorf("member g%d resolved: %s", i, out)
		}
		if i == 3 {
			if out, _ := deliver(stormGroup("g3", incident.AlertResolved, "sev3", 2, clock.Now())); out != incident.OutcomeDuplicate {
				t.Errorf("a resolved member resolved again: %s", out)
			}
		}
	}
	storm, err = x.Lookup(storm.Number)
	if err != nil {
		t.Fatal(err)
	}
	if storm.IsOpen() || storm.Storm.Open != 0 {
		t.Errorf("storm after its last group resolved: open %v, %+v", storm.IsOpen(), *storm.Storm)
	}
	// Its announcement says what joined.
	pending, err := db.Pending(0)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, it := range pending {
		if it.Message.Key == fmt.Sprintf("incident/%d", storm.Number) {
			text = ""
			for _, b := range it.Message.Blocks {
				text += rituals.PlainText(b) + "\n"
			}
		}
	}
	if !strings.Contains(text, "Alert storm") || !strings.Contains(text, "47 groups joined (0 still firing) · 94 alerts") || !strings.Contains(text, "Resolved") {
		t.Errorf("storm announcement:\n%s", text)
	}
}

func TestPagerDutyIncidentsJoinAStormToo(t *testing.T) {
	x, db, clock := newStormRitual(t)
	ctx := context.Background()
	for i := range 3 {
		clock.Advance(time.Second)
		if _, _, err := x.HandleAlerts(ctx, stormGroup(fmt.Sprintf("g%d", i), incident.AlertFiring, "sev2", 1, clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	pd := func(id, typ, ref string) (incident.WebhookOutcome, int) {
		t.Helper()
		out, n, err := x.HandlePagerDuty(ctx, incident.PagerDutyEvent{ID: id, Type: typ, IncidentID: ref, Title: "DB down", Urgency: "high", OccurredAt: clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return out, n
	}
	out, n := pd("e1", "incident.triggered", "PD1")
	if out != incident.OutcomeOpened {
		t.Fatalf("first PagerDuty incident in a storm: %s", out)
	}
	if out, m := pd("e2", "incident.triggered", "PD2"); out != incident.OutcomeUpdated || m != n {
		t.Errorf("second: %s #%d, want updated #%d", out, m, n)
	}
	if out, _ := pd("e3", "incident.acknowledged", "PD2"); out != incident.OutcomeIgnored {
		t.Errorf("ack of a member: %s", out)
	}
	pd("e4", "incident.resolved", "PD1")
	if out, _ := pd("e4", "incident.resolved", "PD1"); out != incident.OutcomeDuplicate {
		t.Errorf("redelivery: %s", out)
	}
	if out, _ := pd("e5", "incident.resolved", "PD2"); out != incident.OutcomeResolved {
		t.Errorf("last member resolved: %s", out)
	}
	briefs, err := db.IncidentBriefs("")
	if err != nil || len(briefs) != 4 {
		t.Errorf("%d incidents, %v", len(briefs), err)
	}
}
