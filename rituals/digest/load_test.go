package digest

import (
	"math"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// On-call load counts scheduled shifts, not the pieces overrides cut them
// into: a week that two overrides cut into five pieces is one shift, as a
// week without overrides is, and the time each override covered counts
// for whoever covered it.
func TestOnCallLoadCountsShiftsNotOverridePieces(t *testing.T) {
	utc := time.UTC
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, utc) }
	w := Window{From: at(7, 10), To: at(14, 10)}
	week := func(s rituals.ShiftBrief) rituals.ShiftBrief {
		s.HandoffStart, s.HandoffEnd = at(7, 10), at(14, 10)
		return s
	}
	payments := []rituals.ShiftBrief{
		week(rituals.ShiftBrief{Ritual: "payments-oncall", User: "U0ALICE", Start: at(7, 10), End: at(8, 10)}),
		week(rituals.ShiftBrief{Ritual: "payments-oncall", User: "U0DAN", Start: at(8, 10), End: at(8, 22), Override: true}),
		week(rituals.ShiftBrief{Ritual: "payments-oncall", User: "U0ALICE", Start: at(8, 22), End: at(10, 10)}),
		week(rituals.ShiftBrief{Ritual: "payments-oncall", User: "U0CAROL", Start: at(10, 10), End: at(12, 10), Override: true}),
		week(rituals.ShiftBrief{Ritual: "payments-oncall", User: "U0ALICE", Start: at(12, 10), End: at(14, 10)}),
	}
	platform := []rituals.ShiftBrief{week(rituals.ShiftBrief{Ritual: "platform-oncall", User: "U0PAT", Start: at(7, 10), End: at(14, 10)})}
	n, load, overridden := onCallLoad(payments, w)
	if n != 1 || !overridden {
		t.Errorf("payments: %d shifts (overridden %v), want 1", n, overridden)
	}
	if m, _, _ := onCallLoad(platform, w); m != n {
		t.Errorf("platform %d shifts, payments %d: the same week counts the same", m, n)
	}
	for who, want := range map[string]float64{"U0ALICE": 4.5 / 7, "U0DAN": 0.5 / 7, "U0CAROL": 2.0 / 7} {
		if math.Abs(load[who]-want) > 1e-9 {
			t.Errorf("%s carried %.3f shifts, want %.3f", who, load[who], want)
		}
	}
	p := Period{Incidents: 3, Shifts: n}
	q := Period{Incidents: 3, Shifts: 1}
	if a, _ := p.IncidentsPerShift(); a != 3 {
		t.Errorf("payments %.1f incidents/shift, want 3.0", a)
	} else if b, _ := q.IncidentsPerShift(); a != b {
		t.Errorf("payments %.1f/shift, platform %.1f/shift for the same incidents", a, b)
	}
	if line := loadLine(load); line != "On call by time covered: <@U0ALICE> 0.6 · <@U0CAROL> 0.3 · <@U0DAN> 0.1" {
		t.Errorf("load line %q", line)
	}
}
