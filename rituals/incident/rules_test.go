package incident_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// Declaring checks its words; the severity is one configured (any case),
// else the least severe.
func TestDeclareRules(t *testing.T) {
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	x := setOf(t, clock, "WEB")[0]
	for _, c := range []struct {
		sev, title string
		code       string
		wantSev    string
	}{
		{"", "Checkout returns 500s", "", "sev3"},
		{"SEV1", "Checkout returns 500s", "", "sev1"},
		{"sev9", "Checkout returns 500s", rituals.EINVALID, ""},
		{"", "   ", rituals.EINVALID, ""},
		{"", strings.Repeat("x", 201), rituals.EINVALID, ""},
		{"", strings.Repeat("x", 200), "", "sev3"},
	} {
		inc, err := x.Declare(context.Background(), "U0CMD", c.sev, c.title)
		if rituals.ErrorCode(err) != c.code || err == nil && (inc.Severity != c.wantSev || inc.Commander != "U0CMD" || !inc.IsOpen()) {
			t.Errorf("declare %q %.20q: %+v, %v; want code %q, severity %q", c.sev, c.title, inc.Severity, err, c.code, c.wantSev)
		}
	}
}

// Resolving is once: it sets the retro's slot and whether the severity
// requires a retro; resolving again is a conflict.
func TestResolveTransitions(t *testing.T) {
	clock := rituals.NewFakeClock(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	x := setOf(t, clock, "WEB")[0]
	x.Settings.Retro = incident.RetroConfig{Schedule: rituals.MustParseSchedule("0 10 * * MON-FRI", time.UTC), MinDelay: 12 * time.Hour, Required: []string{"sev1"}}
	for _, c := range []struct {
		sev      string
		required bool
	}{{"sev1", true}, {"sev2", false}} {
		inc, err := x.Declare(context.Background(), "U0CMD", c.sev, "Checkout returns 500s")
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		inc, err = x.Resolve(context.Background(), inc.Number, "U0CMD", "rolled back")
		if err != nil {
			t.Fatal(err)
		}
		if inc.IsOpen() || inc.Status != incident.IncidentResolved || inc.Summary != "rolled back" || inc.Retro.Required != c.required {
			t.Errorf("%s resolved: status %s, summary %q, retro required %v (want %v)", c.sev, inc.Status, inc.Summary, inc.Retro.Required, c.required)
		}
		if want := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC); !inc.Retro.Due.Equal(want) {
			t.Errorf("%s resolved at %s: retro due %s, want %s", c.sev, inc.Resolved, inc.Retro.Due, want)
		}
		if got := inc.Duration(clock.Now().Add(5 * time.Hour)); got != time.Hour {
			t.Errorf("a resolved incident lasted %s, want 1h whenever asked", got)
		}
		if _, err := x.Resolve(context.Background(), inc.Number, "U0CMD", ""); rituals.ErrorCode(err) != rituals.ECONFLICT {
			t.Errorf("resolving %s again: %v, want a conflict", c.sev, err)
		}
	}
}

// Where a retro stands, as /incident list says it.
func TestRetroState(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	due := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		retro incident.Retro
		want  string
	}{
		{incident.Retro{Published: due}, "postmortem published"},
		{incident.Retro{Skipped: due}, "retro skipped"},
		{incident.Retro{}, "retro 0 answers"},
		{incident.Retro{Answers: []incident.RetroAnswer{{}}, Prompted: due}, "retro 1 answer"},
		{incident.Retro{Due: due}, fmt.Sprintf("retro 0 answers, prompt <!date^%d^{date_short_pretty} at {time}|Wed 25 Nov 10:00 CET>", due.Unix())},
	} {
		if got := (incident.Incident{Retro: c.retro}).RetroState(berlin); got != c.want {
			t.Errorf("%+v: %q, want %q", c.retro, got, c.want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Minute, "0s"},
		{45 * time.Second, "45s"},
		{59 * time.Minute, "59m"},
		{2 * time.Hour, "2h"},
		{2*time.Hour + 13*time.Minute, "2h 13m"},
		{72 * time.Hour, "3d"},
		{76 * time.Hour, "3d 4h"},
	} {
		if got := incident.HumanDuration(c.d); got != c.want {
			t.Errorf("HumanDuration(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
