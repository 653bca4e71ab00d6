package incident

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestRetroDueIsTheFirstSlotAfterMinDelayNeverAtNightNorOnHolidays(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	sched := rituals.MustParseSchedule("0 10 * * MON-FRI", berlin)
	sched.Holidays = rituals.Holidays{{Year: 2026, Month: 12, Day: 24}: true, {Year: 2026, Month: 12, Day: 25}: true}
	x := &Incidents{Settings: &Settings{Retro: RetroConfig{Schedule: sched, MinDelay: 12 * time.Hour}}}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ resolved, due string }{
		{"2026-11-27 23:40", "2026-11-30 10:00"}, // late Friday → Monday's slot
		{"2026-11-27 03:00", "2026-11-30 10:00"}, // Friday 03:00 + 12h is past Friday's slot
		{"2026-11-23 09:00", "2026-11-24 10:00"}, // Monday morning → Tuesday
		{"2026-11-22 22:00", "2026-11-23 10:00"}, // Sunday night + 12h = Monday 10:00 exactly: that slot
		{"2026-12-23 12:00", "2026-12-28 10:00"}, // over Christmas
		{"2026-10-24 23:00", "2026-10-26 10:00"}, // over the DST change, still 10:00 local
	} {
		got := x.RetroDue(at(tc.resolved))
		if !got.Equal(at(tc.due)) {
			t.Errorf("resolved %s: due %s, want %s", tc.resolved, got.In(berlin).Format("Mon 2006-01-02 15:04"), tc.due)
		}
	}
	x.Settings.Retro.Schedule = nil
	if !x.RetroDue(at("2026-11-27 23:40")).IsZero() {
		t.Error("without a retro schedule no retro is due")
	}
}

func TestAlertAndPagerDutySeverities(t *testing.T) {
	x := &Incidents{Settings: &Settings{Severities: []string{"sev1", "sev2", "sev3"}, Alertmanager: &AlertmanagerConfig{Severity: "sev2"}}}
	g := AlertGroup{CommonLabels: map[string]string{}}
	for _, tc := range []struct {
		labels []string
		want   string
	}{
		{[]string{"critical"}, "sev2"},
		{[]string{"SEV3", "sev1"}, "sev1"}, // the most severe named wins
		{nil, "sev2"},
	} {
		var as []Alert
		for _, l := range tc.labels {
			as = append(as, Alert{Labels: map[string]string{"severity": l}})
		}
		if got := x.alertSeverity(g, as); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.labels, got, tc.want)
		}
	}
	for _, tc := range []struct{ priority, urgency, want string }{
		{"P1", "low", "sev1"}, {"P2", "high", "sev2"}, {"P5", "high", "sev3"}, {"", "high", "sev2"}, {"", "low", "sev3"}, {"Urgent", "low", "sev3"},
	} {
		if got := x.pagerDutySeverity(PagerDutyEvent{Priority: tc.priority, Urgency: tc.urgency}); got != tc.want {
			t.Errorf("%s/%s: %s, want %s", tc.priority, tc.urgency, got, tc.want)
		}
	}
}

func TestWordsAndEscaping(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second: "45s", 38 * time.Minute: "38m", 8*time.Hour + 30*time.Minute: "8h 30m", 2 * time.Hour: "2h",
		50 * time.Hour: "2d 2h", -time.Minute: "0s",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%s) = %q, want %q", d, got, want)
		}
	}
	if got := rituals.EscapeText("ping <!channel> & <@U0BOB|bob> <@W0X>"); got != "ping &lt;!channel&gt; &amp; <@U0BOB> <@W0X>" {
		t.Errorf("EscapeText = %q", got)
	}
}

func TestActionItemWithoutDueDateRoundTrips(t *testing.T) {
	in := ActionItem{ID: "1.1", Owner: "U1", Text: "x"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out ActionItem
	if err := json.Unmarshal(b, &out); err != nil || !out.Due.IsZero() || out.ID != "1.1" {
		t.Errorf("round trip of %s: %+v, %v", b, out, err)
	}
}

// The digest counts time to restore from an incident's brief; it must be
// the figure the incident's postmortem gives.
func TestBriefTimeToRestoreIsThePostmortems(t *testing.T) {
	at := func(h float64) time.Time {
		return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).Add(time.Duration(h * float64(time.Hour)))
	}
	for _, inc := range []Incident{
		{Number: 1, Status: IncidentResolved, ImpactStart: at(10), Opened: at(10.25), Resolved: at(11)},
		{Number: 2, Status: IncidentResolved, Opened: at(10.25), Resolved: at(11)},
		{Number: 3, Status: IncidentOpen, Opened: at(10.25)},
	} {
		if got, want := inc.Brief().TimeToRestore(), inc.TimeToRestore(); got != want {
			t.Errorf("#%d: brief says %s, postmortem %s", inc.Number, got, want)
		}
	}
}

// The postmortem's opened and resolved times are Slack date tokens: each
// reader sees them in their own zone, not the config's.
func TestPostmortemTimesAreInTheReadersZone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	x := &Incidents{Config: &rituals.RitualConfig{Name: "incidents", Channel: "C0INCIDENTS"}, Settings: &Settings{Location: berlin}}
	opened := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	inc := Incident{Number: 4, Title: "Checkout 500s", Status: IncidentResolved, Opened: opened, Resolved: opened.Add(90 * time.Minute)}
	m := x.PostmortemMessage(inc, nil)
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"*Opened*\\n\\u003c!date^1795528800^{date_short_pretty} at {time}|Tue 24 Nov 15:00 CET\\u003e",
		"*Resolved*\\n\\u003c!date^1795534200^",
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("postmortem blocks lack %s:\n%s", want, raw)
		}
	}
}
