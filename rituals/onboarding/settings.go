package onboarding

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// Role is who an onboarding step is for.
type Role string

// The roles of an onboarding.
const (
	Newcomer Role = "newcomer"
	Buddy    Role = "buddy"
	Lead     Role = "lead"
)

// Roles are the roles in the order messages go out.
var Roles = []Role{Newcomer, Buddy, Lead}

// BuddyRule is how the buddy is chosen.
type BuddyRule string

// The buddy rules: the lead; whoever is on call when the onboarding starts
// (the newcomer shadows them); the team's members in turn.
const (
	BuddyLead       BuddyRule = "lead"
	BuddyRotation   BuddyRule = "rotation"
	BuddyRoundRobin BuddyRule = "round_robin"
)

// Trigger is what starts an onboarding.
type Trigger string

// The triggers: `/onboard` only, or also someone joining the team's
// channel (the lead confirms first).
const (
	TriggerCommand     Trigger = "command"
	TriggerChannelJoin Trigger = "channel_join"
)

// Step is one configured onboarding step.
type Step struct {
	// AfterDays counts calendar days from the start date in the
	// newcomer's zone (weekends included); a step due on a weekend is
	// delivered on the Monday after (deliveryOn).
	AfterDays int
	Text      string
	Link      string // "" if none
	Owner     Role
}

// Settings are what an onboarding ritual is configured with.
type Settings struct {
	Buddy BuddyRule
	Steps []Step
	// ShadowWeeks is how long the newcomer shadows the on-call.
	ShadowWeeks int
	// JoinRotationAfterDays: when the lead is asked to add the newcomer to
	// the rotation; FeedbackAfterDays: when the newcomer is asked for
	// feedback. Both counted like a step's.
	JoinRotationAfterDays int
	FeedbackAfterDays     int
	Trigger               Trigger
}

// Defaults of the settings.
const (
	DefaultShadowWeeks           = 2
	DefaultJoinRotationAfterDays = 6 * 7
	DefaultFeedbackAfterDays     = 4 * 7
	// MaxAfterDays bounds a step's day, the ask to join and the feedback:
	// an onboarding of more than half a year is a typo.
	MaxAfterDays = 26 * 7
	// SendHour is the hour of the reader's day at which steps go out.
	SendHour = 10
)

// SettingsOf returns rc's onboarding settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}

// ParseAfter reads a step's `after`: whole days or weeks, "0d", "2d",
// "1w", "1w3d"; it returns the days.
func ParseAfter(s string) (int, error) {
	orig := strings.TrimSpace(s)
	bad := fmt.Errorf("bad `after` %q: want whole days or weeks from the start, e.g. 0d, 2d, 1w, 1w3d", s)
	rest, days := orig, 0
	if rest == "" {
		return 0, bad
	}
	for _, unit := range []struct {
		suffix string
		days   int
	}{{"w", 7}, {"d", 1}} {
		i := strings.Index(rest, unit.suffix)
		if i < 0 {
			continue
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 0 || n > MaxAfterDays {
			return 0, bad
		}
		days += n * unit.days
		rest = rest[i+1:]
	}
	if rest != "" {
		return 0, bad
	}
	if days > MaxAfterDays {
		return 0, fmt.Errorf("`after` %q is more than %d weeks from the start", s, MaxAfterDays/7)
	}
	return days, nil
}

// FormatDays is days as `after` would say them: "0d", "2d", "1w", "1w3d".
func FormatDays(days int) string {
	w, d := days/7, days%7
	switch {
	case w == 0:
		return fmt.Sprintf("%dd", d)
	case d == 0:
		return fmt.Sprintf("%dw", w)
	}
	return fmt.Sprintf("%dw%dd", w, d)
}
