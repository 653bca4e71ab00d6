package rituals

import "time"

// Retention is how long the store keeps each kind of record, counted from
// when the record was done with (a day answered, an incident resolved, a
// deploy finished, a message delivered). Forever keeps it.
type Retention struct {
	// Standup: answers, days, tallies, cleared blockers and away
	// stretches that have ended.
	Standup time.Duration
	// Incidents: resolved incidents, whole (timeline, retro, postmortem,
	// action items). An open incident is never pruned.
	Incidents time.Duration
	// Deploys: deploys and the pushes that carried their commits.
	Deploys time.Duration
	// Outbox: the records of where delivered messages landed and of
	// messages given up on.
	Outbox time.Duration
	// Onboarding: completed onboardings (counted from completion; one
	// under way is never pruned), leads' ignored channel joins, and the
	// newcomers' feedback (counted from when it was given).
	Onboarding time.Duration
	// OnCall: rotation members added from Slack and taken out, counted
	// from the first handoff recorded after they left (the last shift
	// they could shape ended then). Members still in are never pruned.
	OnCall time.Duration
}

// Forever is the retention that keeps records for good.
const Forever time.Duration = 0

// DefaultRetention keeps a year of standups (what /standup history and the
// digest's trends read), incidents for good (postmortems are the team's
// memory), two years of deploys (DORA compares periods) and 90 days of
// delivery records (long past any re-send of a message), and two years of
// onboardings and their feedback (a team hires a few people a year; the
// feedback is read when the steps are next revised), and a year of the
// members taken out of rotations (as long as the standups, which the
// digest reads with the shifts).
var DefaultRetention = Retention{
	Standup:    365 * 24 * time.Hour,
	Incidents:  Forever,
	Deploys:    730 * 24 * time.Hour,
	Outbox:     90 * 24 * time.Hour,
	Onboarding: 730 * 24 * time.Hour,
	OnCall:     365 * 24 * time.Hour,
}

// Cutoff is the instant before which records kept for d are let go at
// now; ok is false for Forever.
func Cutoff(d time.Duration, now time.Time) (cutoff time.Time, ok bool) {
	if d == Forever {
		return time.Time{}, false
	}
	return now.Add(-d), true
}
