package calendar_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/calendar"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

type nopOutbox struct{}

func (nopOutbox) Send(context.Context, ...rituals.Message) error { return nil }

func TestFeedListsTwelveWeeksOfShifts(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	sched := rituals.MustParseSchedule("0 10 * * MON", berlin)
	sched.Start = rituals.Date{Year: 2026, Month: 10, Day: 12}
	now := time.Date(2026, 10, 14, 12, 0, 0, 0, berlin)
	clock := rituals.NewFakeClock(now)
	r := &oncall.Rotation{
		Config:   &rituals.RitualConfig{Name: "pay-oncall", Kind: rituals.KindOnCall, Team: "pay", Schedule: sched},
		Settings: &oncall.Settings{Rotation: []string{"U0A", "U0B", "U0C"}, Secondary: true},
		Team:     &rituals.Team{ID: "pay", Name: "Payments", Members: []string{"U0A", "U0B", "U0C"}, Leads: []string{"U0A"}},
		Outbox:   nopOutbox{}, Clock: clock,
	}
	if _, err := r.Override(context.Background(), "U0A", "U0C", now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rs := &oncall.Rotations{List: []*oncall.Rotation{r}}
	srv := httptest.NewServer(func() http.Handler {
		mux := http.NewServeMux()
		mux.Handle("GET /oncall/{file}", calendar.Handler(rs, clock, zeroLog()))
		return mux
	}())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/oncall/pay-oncall.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q", ct)
	}
	cal, err := goical.NewDecoder(resp.Body).Decode()
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	// This week in three parts (A, the override, A again), then 12 more weeks.
	if len(events) != 3+12 {
		t.Fatalf("%d events, want 15", len(events))
	}
	var got []string
	for _, e := range events[:4] {
		start, _ := e.DateTimeStart(time.UTC)
		summary, _ := e.Props.Text(goical.PropSummary)
		desc, _ := e.Props.Text(goical.PropDescription)
		got = append(got, start.In(berlin).Format("Mon 02 15:04")+" "+summary+" / "+strings.ReplaceAll(desc, "\n", "; "))
	}
	want := []string{
		"Mon 12 10:00 On call: U0A (Payments) / Primary: U0A; Secondary: U0B",
		"Wed 14 12:00 On call: U0C (Payments) / Primary: U0C; Secondary: U0B; Override, covering U0A",
		"Wed 14 14:00 On call: U0A (Payments) / Primary: U0A; Secondary: U0B",
		"Mon 19 10:00 On call: U0B (Payments) / Primary: U0B; Secondary: U0C",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The same shift keeps its UID from one fetch to the next.
	again, _ := calendar.Feed(context.Background(), r, now.Add(time.Hour))
	uid, _ := events[3].Props.Text(goical.PropUID)
	if !strings.Contains(again, "UID:"+uid) {
		t.Errorf("UID %s changed between fetches", uid)
	}
	if resp, _ := http.Get(srv.URL + "/oncall/nope.ics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown rotation: %d", resp.StatusCode)
	}
}

func zeroLog() zerolog.Logger { return zerolog.Nop() }
