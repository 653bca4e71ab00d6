package rituals

import "time"

// The rituals feed each other: a standup asks the on-call engineer other
// questions, a reminder names who is on call, a handoff lists the shift's
// incidents, the digest and the App Home read everything. What one ritual
// needs of another is declared here, in the few words it needs, so that
// neither depends on the other's types; cmd/ritualbot connects them.

// OnCallLookup answers who is the primary on call for a team at an instant;
// the on-call ritual provides it. ok is false when the team has no rotation.
type OnCallLookup func(team string, at time.Time) (user string, ok bool)

// IncidentBrief is an incident as other rituals mention it.
type IncidentBrief struct {
	Number    int
	Title     string
	Severity  string
	Commander string
	Opened    time.Time
	Resolved  time.Time // zero while open
}

// ActionBrief is an incident's follow-up action as other rituals list it.
type ActionBrief struct {
	ID       string
	Incident int
	Owner    string
	Text     string
	Due      Date // zero if none
	Done     bool
}

// IncidentLog is what other rituals read of incidents; the incidents ritual
// provides it.
type IncidentLog interface {
	// IncidentsBetween returns the incidents of team opened in [from, to).
	IncidentsBetween(team string, from, to time.Time) ([]IncidentBrief, error)
	// OpenIncidents returns the team's incidents not yet resolved.
	OpenIncidents(team string) ([]IncidentBrief, error)
	// OpenActions returns the action items owned by user not yet done.
	OpenActions(user string) ([]ActionBrief, error)
}
