package digest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// drillFigures reads the team's on-call drills in the window, where the
// schedule keeps them. They stay out of every incident figure.
func drillFigures(td *TeamDigest, sched rituals.OnCallSchedule) error {
	log, ok := sched.(rituals.DrillLog)
	if !ok {
		return nil
	}
	drills, err := log.DrillsBetween(td.Team.ID, td.Now.Window.From, td.Now.Window.To)
	if err != nil {
		return fmt.Errorf("drills of %s: %w", td.Team.ID, err)
	}
	td.Drills = drills
	return nil
}

// drillFigure is the digest's drill line: how many, the median time to
// acknowledge, how many were escalated or not acknowledged.
func drillFigure(drills []rituals.DrillBrief) (Figure, bool) {
	if len(drills) == 0 {
		return Figure{}, false
	}
	var acks []time.Duration
	escalated, missed := 0, 0
	for _, d := range drills {
		if d.Acked {
			acks = append(acks, d.TimeToAck)
		} else {
			missed++
		}
		if d.Escalated {
			escalated++
		}
	}
	f := Figure{Label: "Drills", Value: fmt.Sprintf("%d drill%s", len(drills), rituals.Plural(len(drills)))}
	var parts []string
	if len(acks) > 0 {
		slices.Sort(acks)
		median := (acks[(len(acks)-1)/2] + acks[len(acks)/2]) / 2
		parts = append(parts, "acknowledged in "+rituals.FormatSpan(median)+" (median)")
	}
	parts = append(parts, fmt.Sprintf("%d escalated", escalated))
	if missed > 0 {
		parts = append(parts, fmt.Sprintf("%d not acknowledged", missed))
	}
	f.Detail = strings.Join(parts, " · ")
	return f, true
}
