package home

import (
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// onboardingText is the Home tab's onboarding part: the reader's own
// onboarding, the ones they are buddy to, and, for a lead, every one under
// way in their teams; "" if none.
func (h *Home) onboardingText(log rituals.OnboardingLog, user string, now time.Time, loc *time.Location) (string, error) {
	var lines []string
	for _, t := range h.Config.Teams {
		all, err := log.Onboardings(t.ID)
		if err != nil {
			return "", err
		}
		for _, o := range all {
			if !o.Completed.IsZero() {
				continue
			}
			line := fmt.Sprintf("%s in %s: %d/%d steps done, started %s", rituals.Mention(o.Newcomer), rituals.Escape(t.Name), o.StepsDone, o.Steps, o.Started.In(loc).Format("Mon 2 Jan"))
			switch {
			case o.Newcomer == user:
				line = fmt.Sprintf("Your onboarding in %s: %d/%d steps done; your buddy is %s. `/onboard status` lists what is open.", rituals.Escape(t.Name), o.StepsDone, o.Steps, rituals.Mention(o.Buddy))
			case o.Buddy == user:
				line += " — you are their buddy"
			case t.IsLead(user) || o.Lead == user:
			default:
				continue
			}
			lines = append(lines, "• "+line)
		}
	}
	if len(lines) == 0 {
		return "", nil
	}
	return ":seedling: *Onboarding*\n" + strings.Join(rituals.Capped(lines, maxHomeItems, "… and %d more"), "\n"), nil
}
