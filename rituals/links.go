package rituals

import (
	"context"
	"time"
)

// The rituals feed each other: a standup asks the on-call engineer other
// questions, a reminder names who is on call, a handoff lists the shift's
// incidents, the digest and the App Home read everything. What one ritual
// needs of another is declared here, in the few words it needs, so that
// neither depends on the other's code; cmd/ritualbot connects them. Each
// provider is optional: a config may have no rotation or no incidents.

// linked is what a link provides now: nothing (nil) when the ritual that
// provides it is not configured, whether f is nil or returns nil.
func linked[T any](f func() T) T {
	var none T
	if f == nil {
		return none
	}
	return f()
}

// OnCallLookup answers who is the primary on call for a team at an instant;
// the on-call ritual provides it. ok is false when the team has no rotation.
type OnCallLookup func(team string, at time.Time) (user string, ok bool)

// ShiftBrief is one on-call shift as other rituals mention it.
type ShiftBrief struct {
	Ritual string // the oncall ritual
	Team   string
	User   string // the primary
	Start  time.Time
	End    time.Time
}

// OnCallSchedule is what the digest and the App Home read of rotations; the
// on-call ritual provides it, overrides included.
type OnCallSchedule interface {
	// ShiftsBetween returns the team's primary shifts overlapping [from, to).
	ShiftsBetween(team string, from, to time.Time) ([]ShiftBrief, error)
	// NextShift returns user's current or next primary shift after at, in
	// any rotation; ok is false if none is scheduled.
	NextShift(user string, at time.Time) (s ShiftBrief, ok bool, err error)
}

// IncidentBrief is an incident as other rituals mention it.
type IncidentBrief struct {
	Number    int
	Title     string
	Severity  string
	Commander string
	Teams     []string
	Source    string // "slack", "alertmanager", "pagerduty"
	Opened    time.Time
	Resolved  time.Time // zero while open
	// ImpactStart is when the first alert started firing, if before
	// Opened (zero otherwise); time to restore counts from it.
	ImpactStart time.Time
	// Alerts counts the alert notifications received for it.
	Alerts int
	// RetroDue is when its retro is expected, zero if none is;
	// RetroPublished is when it was published, zero until then.
	RetroDue       time.Time
	RetroPublished time.Time
	// Storm marks an alert storm incident.
	Storm bool `json:",omitempty"`
}

// ActionBrief is an incident's follow-up action as other rituals list it.
type ActionBrief struct {
	ID       string
	Incident int
	Owner    string
	Text     string
	Due      Date // zero if none
	Created  time.Time
	Closed   time.Time // zero while open
}

// Done reports whether the action item is closed.
func (a ActionBrief) Done() bool { return !a.Closed.IsZero() }

// IncidentLog is what other rituals read of incidents; the incidents ritual
// provides it.
type IncidentLog interface {
	// IncidentsBetween returns the team's incidents opened in [from, to).
	IncidentsBetween(team string, from, to time.Time) ([]IncidentBrief, error)
	// OpenIncidents returns the team's incidents not yet resolved.
	OpenIncidents(team string) ([]IncidentBrief, error)
	// Actions returns every action item of the team's incidents.
	Actions(team string) ([]ActionBrief, error)
	// OpenActions returns the action items owned by user not yet done.
	OpenActions(user string) ([]ActionBrief, error)
}

// Participation counts member-days of a team's standups.
type Participation struct {
	Days     int // standup days held
	Expected int // member-days asked (not away)
	Answered int
	Skipped  int
	Away     int
}

// UserStandup is a member's current or next standup and where they stand.
type UserStandup struct {
	Ritual   string
	Team     string
	Date     Date
	Prompt   time.Time // when they are (or were) prompted
	Answered bool
	Skipped  bool
	Away     bool
}

// StandupLog is what the digest and the App Home read of standups; the
// standup ritual provides it.
type StandupLog interface {
	// Participation sums the team's standup days in [from, to).
	Participation(team string, from, to time.Time) (Participation, error)
	// OpenBlockers returns the team's blockers not yet cleared.
	OpenBlockers(team string) ([]Blocker, error)
	// UserStandup returns user's standup of today, or the next one; ok is
	// false if user is in no standup.
	UserStandup(ctx context.Context, user string, now time.Time) (s UserStandup, ok bool, err error)
}
