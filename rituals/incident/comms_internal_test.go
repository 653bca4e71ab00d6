package incident

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

func commsRitual() *Incidents {
	return &Incidents{
		Config: &rituals.RitualConfig{Name: "incidents", Channel: "C0INC"},
		Teams: []*rituals.Team{
			{ID: "payments", Name: "Payments", Channel: "C0PAY", Members: []string{"U0ALICE"}, Services: []string{"checkout"}},
			{ID: "platform", Name: "Platform", Channel: "C0PLAT", Members: []string{"U0BOB"}, Services: []string{"api"}},
		},
		Settings: &Settings{Teams: []string{"payments", "platform"}, Severities: []string{"sev1", "sev2", "sev3"},
			Comms: CommsSettings{Updates: map[string]time.Duration{"sev1": 30 * time.Minute}, Broadcast: map[string][]string{"sev1": {"C0EXEC", "C0SUP"}, "sev2": {"C0SUP"}}}},
	}
}

func TestSplitTeams(t *testing.T) {
	x := commsRitual()
	for _, tc := range []struct {
		in, teams, rest, err string
	}{
		{"payments Checkout down", "payments", "Checkout down", ""},
		{"<#C0PLAT|platform> #payments API slow", "platform,payments", "API slow", ""},
		{"Checkout payments down", "", "Checkout payments down", ""},
		{"#nowhere Checkout down", "", "", "`#nowhere` is not a team"},
		{"<#C0OTHER|random> x", "", "", "is not a team"},
	} {
		teams, rest, err := x.SplitTeams(strings.Fields(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(teams, ",") != tc.teams || strings.Join(rest, " ") != tc.rest {
			t.Errorf("%q: %v %q %v, want %s %q", tc.in, teams, rest, err, tc.teams, tc.rest)
		}
	}
	if got := x.teamsOfPerson("U0BOB"); strings.Join(got, ",") != "platform" {
		t.Errorf("declarer's team: %v", got)
	}
	if got := x.teamsOfPerson("U0NOBODY"); strings.Join(got, ",") != "payments,platform" {
		t.Errorf("declarer of no team: %v, want the ritual's teams", got)
	}
}

func TestAlertAndPagerDutyTeams(t *testing.T) {
	x := commsRitual()
	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"team": "Platform"}, "platform"},
		{map[string]string{"service": "checkout"}, "payments"},
		{map[string]string{"team": "payments", "service": "api"}, "payments"}, // the team label wins
		{map[string]string{"team": "ghosts"}, "payments,platform"},
	} {
		got := x.alertTeams(AlertGroup{CommonLabels: map[string]string{}}, []Alert{{Labels: tc.labels}})
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%v: %v, want %s", tc.labels, got, tc.want)
		}
	}
	if got := x.pagerDutyTeams(PagerDutyEvent{ServiceName: "API"}); strings.Join(got, ",") != "platform" {
		t.Errorf("PagerDuty service API: %v", got)
	}
}

func TestNudgeOncePerSilence(t *testing.T) {
	x := commsRitual()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	inc := Incident{Number: 1, Severity: "sev1", Status: IncidentOpen, Opened: t0}
	if at, ok := x.nudgeAt(inc); !ok || !at.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("first nudge at %s %v, want +30m", at, ok)
	}
	inc.Comms.Nudged = t0.Add(30 * time.Minute)
	if _, ok := x.nudgeAt(inc); ok {
		t.Error("nudged twice in one silence")
	}
	inc.Timeline = append(inc.Timeline, TimelineEvent{At: t0.Add(40 * time.Minute), Kind: EventUpdate, By: "U0ALICE", Internal: true, Text: "x"})
	if _, ok := x.nudgeAt(inc); ok {
		t.Error("an internal note ended the silence")
	}
	inc.Timeline = append(inc.Timeline, TimelineEvent{At: t0.Add(50 * time.Minute), Kind: EventUpdate, By: "U0ALICE", Text: "y"})
	if at, ok := x.nudgeAt(inc); !ok || !at.Equal(t0.Add(80*time.Minute)) {
		t.Errorf("after an update: %s %v, want +80m", at, ok)
	}
	inc.Severity = "sev3"
	if _, ok := x.nudgeAt(inc); ok {
		t.Error("sev3 asks for no updates")
	}
	inc.Timeline = append(inc.Timeline,
		TimelineEvent{At: t0.Add(55 * time.Minute), Kind: EventAlertFired, Text: "• a\n• b\n… and 3 more"},
		TimelineEvent{At: t0.Add(56 * time.Minute), Kind: EventSeverity, Text: "sev2 → sev1"})
	if got := changesSince(inc, t0.Add(50*time.Minute)); got != "severity SEV2 → SEV1; 5 alerts fired." {
		t.Errorf("changes: %q", got)
	}
}

func TestBroadcastChannelsAndKeys(t *testing.T) {
	x := commsRitual()
	inc := Incident{Number: 7, Severity: "sev2", Timeline: []TimelineEvent{{Kind: EventDeclared, Severity: "sev2"}}}
	if got := x.broadcastChannels(inc); strings.Join(got, ",") != "C0SUP" {
		t.Errorf("sev2: %v", got)
	}
	inc.Timeline = append(inc.Timeline, TimelineEvent{Kind: EventSeverity, Severity: "sev1"})
	inc.Severity = "sev1"
	inc.Comms.Unreachable = []string{"C0SUP"}
	if got := x.broadcastChannels(inc); strings.Join(got, ",") != "C0EXEC" {
		t.Errorf("escalated, one unreachable: %v", got)
	}
	if n, ch, ok := ParseBroadcastKey(broadcastKey(7, "C0EXEC")); !ok || n != 7 || ch != "C0EXEC" {
		t.Errorf("key round trip: %d %s %v", n, ch, ok)
	}
	if _, _, ok := ParseBroadcastKey(broadcastKey(7, "C0EXEC") + "/event/3"); ok {
		t.Error("a reply's key read as a broadcast message's")
	}
}

func TestRoomName(t *testing.T) {
	for _, tc := range []struct {
		n     int
		title string
		try   int
		want  string
	}{
		{12, "Checkout returns 500s!", 0, "inc-12-checkout-returns-500s"},
		{3, "Ärger: <!channel> API", 1, "inc-3-rger-channel-api-2"},
		{4, "!!!", 0, "inc-4"},
		{5, strings.Repeat("very long title ", 10), 0, "inc-5-very-long-title-very-long-title-very-lon"},
	} {
		if got := RoomName(tc.n, tc.title, tc.try); got != tc.want || len(got) > 80 {
			t.Errorf("RoomName(%d, %q, %d) = %q, want %q", tc.n, tc.title, tc.try, got, tc.want)
		}
	}
}
