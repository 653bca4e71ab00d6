package rituals

import (
	"context"
	"slices"
	"sort"
	"time"
)

// The rituals feed each other: a standup asks the on-call engineer other
// questions, a reminder names who is on call, a handoff lists the shift's
// incidents, the digest and the App Home read everything. What one ritual
// needs of another is declared here, in the few words it needs, so that
// neither depends on the other's code; cmd/ritualbot connects them. Each
// provider is optional: a config may have no rotation or no incidents.

// Linked is what a link provides now: nothing (nil) when the ritual that
// provides it is not configured, whether f is nil or returns nil.
func Linked[T any](f func() T) T {
	var none T
	if f == nil {
		return none
	}
	return f()
}

// OnCallLookup answers who is the primary on call for a team at an instant;
// the on-call ritual provides it. ok is false when the team has no rotation.
type OnCallLookup func(team string, at time.Time) (user string, ok bool)

// DrillBrief is an on-call drill (a practice page) as the digest shows
// it: a drill is never an incident, in no count and no DORA key.
type DrillBrief struct {
	Team      string
	Paged     time.Time
	Acked     bool
	TimeToAck time.Duration
	Escalated bool
}

// DrillLog is what the digest reads of drills; the on-call schedule
// offers it where drills are kept.
type DrillLog interface {
	// DrillsBetween returns the team's drills paged within [from, to).
	DrillsBetween(team string, from, to time.Time) ([]DrillBrief, error)
}

// ShiftBrief is one on-call shift as other rituals mention it.
type ShiftBrief struct {
	Ritual string // the oncall ritual
	Team   string
	User   string // the primary
	Start  time.Time
	End    time.Time
	// HandoffStart and HandoffEnd bound the scheduled shift (between two
	// handoffs) this is part of: an override cuts a shift into pieces, and
	// on-call load counts shifts, not pieces. Zero: Start and End.
	HandoffStart, HandoffEnd time.Time
	// Override: User is on call by an override.
	Override bool
}

// Period is the scheduled shift s is part of.
func (s ShiftBrief) Period() (start, end time.Time) {
	if s.HandoffStart.IsZero() || s.HandoffEnd.IsZero() {
		return s.Start, s.End
	}
	return s.HandoffStart, s.HandoffEnd
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

// CoverBrief is an on-call cover request nobody has taken yet, as the App
// Home lists it.
type CoverBrief struct {
	Ritual, Team string
	ID           uint64
	For          string // whose shift needs cover
	From, To     time.Time
	Reason       string
	// Take is the button that takes it, the same as on the request the
	// channel shows, so that a take from either place is one take.
	Take Button
}

// OpenCovers is what the App Home reads of cover requests; the on-call
// ritual provides it.
type OpenCovers interface {
	// OpenCoversFor returns the cover requests user could take at at:
	// untaken, not over, in a rotation user is in, not for user's own
	// shift; soonest first.
	OpenCoversFor(user string, at time.Time) ([]CoverBrief, error)
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

// Plus returns the sum of p and q.
func (p Participation) Plus(q Participation) Participation {
	return Participation{
		Days: p.Days + q.Days, Expected: p.Expected + q.Expected, Answered: p.Answered + q.Answered,
		Skipped: p.Skipped + q.Skipped, Away: p.Away + q.Away,
	}
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

// Blocker is something in a member's way, raised in a standup answer.
type Blocker struct {
	ID      string
	Ritual  string
	Team    string
	User    string
	Text    string
	Opened  time.Time
	Updated time.Time
	Cleared time.Time `json:",omitempty"`
}

// Open reports whether the blocker is still open.
func (b Blocker) Open() bool { return b.Cleared.IsZero() }

// AgeDays is how many whole days the blocker has been open at now.
func (b Blocker) AgeDays(now time.Time) int {
	end := now
	if !b.Open() {
		end = b.Cleared
	}
	return int(end.Sub(b.Opened).Hours() / 24)
}

// DaysOpen is how many calendar days the blocker has been open at now in
// loc (the member's zone): raised Monday 17:00 and read Tuesday 09:00 is
// one day, though not 24 hours.
func (b Blocker) DaysOpen(now time.Time, loc *time.Location) int {
	end := now
	if !b.Open() {
		end = b.Cleared
	}
	from, to := DateOf(b.Opened.In(loc)), DateOf(end.In(loc))
	return int(to.Time().Sub(from.Time()).Hours()+12) / 24
}

// UniqueIncidents returns each incident once, by number, in order of
// opening. Of several reports of one incident, the resolved one wins, and
// alerts are not summed (they are the same alerts, seen twice). It
// returns incidents itself when they are so already (numbers rising,
// openings in order, as a store lists them): callers do not change it.
func UniqueIncidents(incidents []IncidentBrief) []IncidentBrief {
	once := true
	for i := 1; i < len(incidents) && once; i++ {
		once = incidents[i].Number > incidents[i-1].Number && !incidents[i].Opened.Before(incidents[i-1].Opened)
	}
	if once {
		return slices.Clip(incidents)
	}
	byNumber := make(map[int]int, len(incidents))
	out := make([]IncidentBrief, 0, len(incidents))
	for _, in := range incidents {
		if i, ok := byNumber[in.Number]; ok {
			if out[i].Resolved.IsZero() && !in.Resolved.IsZero() {
				out[i] = in
			}
			continue
		}
		byNumber[in.Number] = len(out)
		out = append(out, in)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Opened.Before(out[j].Opened) })
	return out
}

// TimeToRestore is from the start of the impact (the first alert, or the
// opening) to the resolve; zero while open. The digest counts it as the
// postmortem does.
func (b IncidentBrief) TimeToRestore() time.Duration {
	return RestoreTime(b.ImpactStart, b.Opened, b.Resolved)
}

// RestoreTime is from the start of the impact (the first alert, or the
// opening, whichever is earlier) to the resolve; zero while open.
func RestoreTime(impactStart, opened, resolved time.Time) time.Duration {
	if resolved.IsZero() {
		return 0
	}
	start := opened
	if !impactStart.IsZero() && impactStart.Before(start) {
		start = impactStart
	}
	return resolved.Sub(start)
}

// Deploy is one deployment of a service, as the digest's deploy log
// keeps it: the digest counts the DORA figures from it, the release notes
// and the changelog tell it, a show-and-tell asks who shipped it. One
// record for all, so the recent ones are read and kept once.
type Deploy struct {
	// ID is the deploy's identity: a redelivered webhook carries the same
	// one, so it replaces the record instead of adding a second deploy.
	ID          string
	Source      string // "deploy" (POST /hooks/deploy) or "github"
	Service     string
	Environment string
	SHA         string
	Status      string // DeploySucceeded or DeployFailed
	Started     time.Time
	Finished    time.Time
	Commits     []Commit
	// CommitsFrom says where Commits came from: CommitsFromPayload (the
	// deploy's own list) or CommitsFromPush (the GitHub push of its SHA).
	CommitsFrom string `json:",omitempty"`
	Received    time.Time
	// What a release note says beyond the figures, when the sender tells:
	// the version deployed, a link to it, and who deployed it.
	Version  string `json:",omitempty"`
	URL      string `json:",omitempty"`
	Deployer string `json:",omitempty"` // a Slack user ID or a name
	// Notes are a GitHub release's body, clipped.
	Notes string `json:",omitempty"`
	// CommitsTotal is how many commits the sender listed when it was more
	// than the deploy keeps (Commits holds the first of them).
	CommitsTotal int `json:",omitempty"`
}

// Deploy statuses; the webhooks map their sources' words onto these.
const (
	DeploySucceeded = "success"
	DeployFailed    = "failure"
)

// Where a deploy's commit times came from.
const (
	CommitsFromPayload = "payload"
	CommitsFromPush    = "push"
)

// Succeeded reports whether the deploy reached production.
func (d Deploy) Succeeded() bool { return d.Status == DeploySucceeded }

// Failed reports whether the deploy did not succeed, as the release
// notes and the changelog tell it (the log keeps finished deploys only).
func (d Deploy) Failed() bool { return !d.Succeeded() }

// Commit is a change shipped by a deploy, with the time it was committed.
type Commit struct {
	SHA  string
	Time time.Time
	// What the deploy webhook may say of it, for release notes.
	Message string `json:",omitempty"`
	Author  string `json:",omitempty"`
	URL     string `json:",omitempty"`
}

// DeployHistory returns the deploys finished in [from, to), in order of
// finishing; the store of the digest's deploy log provides it, from the
// recent deploys it keeps for every reader. What it returns may be
// shared with later calls: callers do not change it (an append copies).
type DeployHistory func(from, to time.Time) ([]Deploy, error)

// PulseTrends is what the digest reads of the team-health pulses; the
// pulse ritual provides it: the team's pulse questions with the averages
// of its last published pulses up to `at`, oldest first (none if the team
// has no pulse). Only published averages pass: nothing of a pulse that
// had too few answers, nothing of any one answer.
type PulseTrends func(team string, at time.Time) ([]PulseTrend, error)

// PulseTrend is one pulse question's averages over its last pulses.
type PulseTrend struct {
	Question string // the question as members read it
	Scale    int
	Means    []float64
}

// DemoBrief is one demo of a show-and-tell as the digest lists it.
type DemoBrief struct {
	Ritual    string
	Team      string // "" if the speaker is in none of its teams
	User      string
	Topic     string
	At        time.Time // the demo day
	Recording string    // the day's recording link, "" if none was kept
}

// DemoLog is what the digest reads of show-and-tells; the show-and-tell
// ritual provides it.
type DemoLog interface {
	// DemosBetween returns the team's demos of the demo days in [from, to)
	// whose agenda was posted, oldest first.
	DemosBetween(team string, from, to time.Time) ([]DemoBrief, error)
}

// Shadows answers who shadows a team's on-call at an instant: newcomers in
// their shadow weeks, whom the handoff DMs and the team's incident
// announcements include as "shadowing" so they see real shifts and real
// incidents. The onboarding ritual provides it; none when it is not
// configured.
type Shadows func(team string, at time.Time) []string

// RotationJoin is what joining a rotation did.
type RotationJoin struct {
	Ritual string    // the on-call ritual joined
	From   time.Time // the handoff from which the member takes shifts
	// FirstShift is the member's first primary shift within the rotation's
	// plan_ahead; ok false if none falls in it.
	FirstShift    ShiftBrief
	HasFirstShift bool
	// Told are the people DMed that their shifts moved (old → new).
	Told []string
}

// RotationJoiner adds a member to a team's on-call rotation from its next
// handoff, for the onboarding ritual; the on-call ritual provides it and
// keeps the addition in its store (the config's rotation stays the source
// of truth for everyone else).
type RotationJoiner interface {
	// RotationOf is the on-call ritual of the team's in which user takes
	// shifts, by the config or by a stored addition; ok is false if none.
	RotationOf(team, user string) (ritual string, ok bool)
	// JoinRotation adds user to the team's first rotation from the next
	// handoff after at, approved by `by`, and DMs everyone whose shifts
	// move. It fails with an ECONFLICT *Error if user is in it already and
	// an ENOTFOUND one if the team has no rotation, each saying so to the
	// lead who asked.
	JoinRotation(ctx context.Context, team, user, by string, at time.Time) (RotationJoin, error)
}
