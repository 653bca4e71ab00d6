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

// setOf returns incidents rituals sharing one store: one per name, each
// announcing in channel "C0"+NAME and covering the team of that name.
func setOf(t *testing.T, clock rituals.Clock, names ...string) incident.Set {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var teams []*rituals.Team
	for _, n := range names {
		teams = append(teams, &rituals.Team{ID: n, Name: n, Channel: "C0TEAM" + n})
	}
	var set incident.Set
	for _, n := range names {
		set = append(set, &incident.Incidents{
			Config:   &rituals.RitualConfig{Name: n, Kind: rituals.KindIncidents, Channel: "C0" + n, Enabled: true},
			Settings: &incident.Settings{Teams: []string{n}, Severities: []string{"sev1", "sev2", "sev3"}, Location: time.UTC},
			Teams:    teams, Outbox: &rituals.DurableOutbox{Store: db, Clock: clock}, Store: db, Sent: db, Clock: clock,
		})
	}
	return set
}

func declare(t *testing.T, x *incident.Incidents, title string) int {
	t.Helper()
	inc, err := x.Declare(context.Background(), "U0CMD", "sev2", title)
	if err != nil {
		t.Fatal(err)
	}
	return inc.Number
}

// Which incident a verb typed without #N is about: the only one that
// fits, the channel's own first; several are a question, none an error.
func TestScopePicksTheIncidentAVerbIsAbout(t *testing.T) {
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	set := setOf(t, clock, "WEB", "PAY")
	web, pay := set[0], set[1]
	checkout := declare(t, web, "Checkout returns 500s")
	ledger := declare(t, pay, "Ledger lag")
	payouts := declare(t, pay, "Payouts stuck")
	if _, err := pay.Resolve(context.Background(), payouts, "U0CMD", "restarted the worker"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		verb    string
		n       int
		channel string
		want    int    // the incident, or 0
		code    string // the error's code, or ""
		owner   *incident.Incidents
	}{
		{"update", ledger, "C0ELSEWHERE", ledger, "", pay},      // named
		{"update", checkout, "C0PAY", checkout, "", web},        // #N wins over the channel
		{"update", 99, "C0WEB", 99, rituals.ENOTFOUND, nil},     // named, unknown
		{"update", 0, "C0WEB", checkout, "", web},               // the channel's one open incident
		{"update", 0, "C0PAY", ledger, "", pay},                 // resolved ones are not candidates
		{"resolve", 0, "C0ELSEWHERE", 0, rituals.EINVALID, nil}, // two open, neither here: which?
		{"sev", 0, "C0TEAMWEB", 0, rituals.EINVALID, nil},       // a team's channel is not the ritual's
		{"retro", 0, "C0ELSEWHERE", payouts, "", pay},           // the one awaiting its retro
		{"publish", 0, "C0WEB", payouts, "", pay},               // none here: the only one anywhere
		{"skip", 0, "C0PAY", payouts, "", pay},                  // retro verbs pass over open ones
		{"retro", ledger, "C0PAY", ledger, "", pay},             // named: the verb's own rules decide
	} {
		x, n, err := set.Scope(c.verb, c.n, c.channel)
		if rituals.ErrorCode(err) != c.code || n != c.want || x != c.owner {
			t.Errorf("%s #%d in %s: #%d of %v, %v; want #%d (%s)", c.verb, c.n, c.channel, n, x != nil, err, c.want, c.code)
		}
	}

	// With nothing open and nothing awaiting a retro, it says so.
	empty := setOf(t, clock, "OPS")
	for _, verb := range []string{"update", "retro"} {
		if _, _, err := empty.Scope(verb, 0, "C0OPS"); rituals.ErrorCode(err) != rituals.ENOTFOUND {
			t.Errorf("%s with no incidents: %v, want not found", verb, err)
		}
	}
}

// An incident declared in a channel goes to the ritual announcing there,
// else to one whose team has that channel, else to the first.
func TestForChannel(t *testing.T) {
	set := setOf(t, rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)), "WEB", "PAY")
	for _, c := range []struct {
		channel string
		want    string
	}{
		{"C0WEB", "WEB"},
		{"C0PAY", "PAY"},
		{"C0TEAMPAY", "PAY"},
		{"C0RANDOM", "WEB"},
	} {
		if got := set.ForChannel(c.channel).Name(); got != c.want {
			t.Errorf("declared in %s: %s, want %s", c.channel, got, c.want)
		}
	}
}

// A PagerDuty event goes to every ritual listing its service (by ID or
// name), else to the first ritual that lists none.
func TestPagerDutyTakers(t *testing.T) {
	set := setOf(t, rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC)), "A", "B", "C", "D")
	set[0].Settings.PagerDuty = &incident.PagerDutyConfig{Services: []string{"PSVC1"}}
	set[1].Settings.PagerDuty = &incident.PagerDutyConfig{Services: []string{"PSVC2", "Checkout"}}
	set[3].Settings.PagerDuty = &incident.PagerDutyConfig{}
	for _, c := range []struct {
		id, name string
		want     string
	}{
		{"PSVC1", "Search", "A"},
		{"PSVC2", "", "B"},
		{"PSVCX", "checkout", "B"}, // names match in any case
		{"PSVC9", "Unlisted", "C"},
	} {
		var got string
		for _, x := range set.PagerDutyTakers(incident.PagerDutyEvent{ServiceID: c.id, ServiceName: c.name}) {
			got += x.Name()
		}
		if got != c.want {
			t.Errorf("service %s %q goes to %q, want %q", c.id, c.name, got, c.want)
		}
	}
	set[2].Settings.PagerDuty = &incident.PagerDutyConfig{Services: []string{"PSVC3"}}
	if got := set.PagerDutyTakers(incident.PagerDutyEvent{ServiceID: "PSVC9"}); len(got) != 1 || got[0].Name() != "D" {
		t.Errorf("with C listing services, an unlisted service goes to %d rituals, want D", len(got))
	}
}
