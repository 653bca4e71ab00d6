package rituals

import "time"

// OnboardingBrief is a newcomer's onboarding as the digest and the App
// Home show it.
type OnboardingBrief struct {
	Ritual    string
	Team      string
	Newcomer  string
	Buddy     string
	Lead      string
	Started   time.Time
	Completed time.Time // zero while in progress
	Steps     int
	StepsDone int
	Joined    time.Time // joined the rotation; zero if not yet
}

// OnboardingLog is what the digest and the App Home read of onboardings;
// the onboarding ritual provides it.
type OnboardingLog interface {
	// Onboardings returns the team's started onboardings, in progress and
	// completed, oldest first.
	Onboardings(team string) ([]OnboardingBrief, error)
}
