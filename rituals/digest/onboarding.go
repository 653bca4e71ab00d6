package digest

import (
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// onboardingFigures reads the team's onboardings in progress at the end of
// the window and those completed within it.
func onboardingFigures(td *TeamDigest, log rituals.OnboardingLog) error {
	all, err := log.Onboardings(td.Team.ID)
	if err != nil {
		return fmt.Errorf("onboardings of %s: %w", td.Team.ID, err)
	}
	w := td.Now.Window
	td.Onboardings = nil
	for _, o := range all {
		inProgress := o.Completed.IsZero() && o.Started.Before(w.To)
		completed := !o.Completed.IsZero() && !o.Completed.Before(w.From) && o.Completed.Before(w.To)
		if inProgress || completed {
			td.Onboardings = append(td.Onboardings, o)
		}
	}
	return nil
}

// onboardingFigure is the digest's onboarding line: how many newcomers are
// in progress (with their steps done) and how many completed this window.
func onboardingFigure(onboardings []rituals.OnboardingBrief) (Figure, bool) {
	if len(onboardings) == 0 {
		return Figure{}, false
	}
	var doing, done []string
	for _, o := range onboardings {
		if o.Completed.IsZero() {
			doing = append(doing, fmt.Sprintf("%s %d/%d steps", rituals.Mention(o.Newcomer), o.StepsDone, o.Steps))
		} else {
			done = append(done, rituals.Mention(o.Newcomer))
		}
	}
	f := Figure{Label: "Onboarding", Value: fmt.Sprintf("%d in progress · %d completed", len(doing), len(done))}
	var parts []string
	if len(doing) > 0 {
		parts = append(parts, "in progress: "+strings.Join(rituals.Capped(doing, 4, "%d more"), ", "))
	}
	if len(done) > 0 {
		parts = append(parts, "completed: "+strings.Join(rituals.Capped(done, 4, "%d more"), ", "))
	}
	f.Detail = strings.Join(parts, " · ")
	return f, true
}
