package onboarding

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Status is where an onboarding stands.
type Status string

// The statuses: asked (a channel join the leads have not confirmed yet),
// ignored (a lead said no), active, completed.
const (
	StatusAsked     Status = "asked"
	StatusIgnored   Status = "ignored"
	StatusActive    Status = "active"
	StatusCompleted Status = "completed"
)

// StepState is where one configured step stands for one newcomer.
type StepState struct {
	Sent   time.Time `json:",omitempty"`
	Done   time.Time `json:",omitempty"`
	DoneBy string    `json:",omitempty"`
}

// Onboarding is one newcomer's onboarding, as stored.
type Onboarding struct {
	Ritual   string
	Team     string
	Newcomer string
	Status   Status
	Buddy    string `json:",omitempty"`
	Lead     string `json:",omitempty"`
	// Zones are the IANA zones of the newcomer, the buddy and the lead
	// when it started: each gets their steps at 10:00 in theirs, unless
	// the directory says they have moved since (Ritual.Directory).
	Zones map[Role]string `json:",omitempty"`
	// Asked is when the leads were asked to confirm a channel join.
	Asked   time.Time `json:",omitempty"`
	Started time.Time `json:",omitempty"`
	// Start is the first day, in the newcomer's zone: steps count from it.
	Start rituals.Date `json:",omitempty"`
	Steps []StepState  `json:",omitempty"`
	// Nudged is the last week whose list of open steps went to each
	// role's holder (or had nothing to list): a week whose day a zone
	// move jumped over is caught up on their next working day, once.
	Nudged map[Role]int `json:",omitempty"`
	// JoinAskOn is the day the lead is asked to add the newcomer to the
	// rotation (moved by "Not yet"); JoinAskedOn is the day they last were.
	JoinAskOn   rituals.Date `json:",omitempty"`
	JoinAskedOn rituals.Date `json:",omitempty"`
	Joined      time.Time    `json:",omitempty"`
	JoinedBy    string       `json:",omitempty"`
	JoinFrom    time.Time    `json:",omitempty"`
	// FeedbackAsked and FeedbackGiven: the newcomer's feedback form.
	FeedbackAsked time.Time `json:",omitempty"`
	FeedbackGiven time.Time `json:",omitempty"`
	Completed     time.Time `json:",omitempty"`
}

// Running reports whether the onboarding is under way: started, not
// completed, its newcomer not erased.
func (o Onboarding) Running() bool {
	return o.Status == StatusActive && o.Newcomer != rituals.FormerMember
}

// Of is who holds role in o.
func (o Onboarding) Of(role Role) string {
	switch role {
	case Newcomer:
		return o.Newcomer
	case Buddy:
		return o.Buddy
	}
	return o.Lead
}

// DayOn is the onboarding's day number on d: 0 on the start date.
func (o Onboarding) DayOn(d rituals.Date) int {
	return int(d.Time().Sub(o.Start.Time()).Hours()+12) / 24
}

// ShadowEnd is when the newcomer stops shadowing: the start of the day
// ShadowWeeks after the start, in their zone.
func (o Onboarding) ShadowEnd(weeks int) time.Time {
	return o.Start.AddDays(7 * weeks).In(zoneOr(o.Zones[Newcomer], time.UTC))
}

// Feedback is a newcomer's answers about their onboarding.
type Feedback struct {
	Ritual    string
	Team      string
	Newcomer  string
	At        time.Time
	Helped    string `json:",omitempty"`
	Missing   string `json:",omitempty"`
	WrongDocs string `json:",omitempty"`
}

// Store keeps the onboardings and the feedback.
type Store interface {
	// PutOnboarding stores o, replacing the newcomer's record.
	PutOnboarding(o Onboarding) error
	Onboarding(ritual, newcomer string) (Onboarding, bool, error)
	// Onboardings returns the ritual's records, by newcomer.
	Onboardings(ritual string) ([]Onboarding, error)
	// UpdateOnboarding applies f to the stored record in one transaction
	// (two clicks at once see each other); an error from f stores nothing.
	UpdateOnboarding(ritual, newcomer string, f func(o *Onboarding) error) (Onboarding, error)
	PutOnboardingFeedback(f Feedback) error
	// OnboardingFeedback returns the ritual's feedback, oldest first.
	OnboardingFeedback(ritual string) ([]Feedback, error)
}

// People tells about workspace members (users.info).
type People interface {
	// Member returns what Slack says of user; ok is false when the
	// workspace has no such member.
	Member(ctx context.Context, user string) (u rituals.UserInfo, ok bool, err error)
}

// Ritual is one onboarding ritual: a team's.
type Ritual struct {
	Config   *rituals.RitualConfig
	Settings *Settings
	Team     *rituals.Team
	Store    Store
	Outbox   rituals.Outbox
	Clock    rituals.Clock
	People   People
	// Directory gives each member's Slack zone now (cached by the
	// adapter): a step goes at 10:00 in the zone its reader is in when it
	// is planned. Nil: the zones read at the start.
	Directory rituals.Directory
	// Zone is the ritual's zone (the config's): the zone of whoever's
	// Slack profile says none.
	Zone *time.Location
	// IsAdmin tells the config's admins, who may do what leads do.
	IsAdmin func(user string) bool
	// OnCall is who is on call for the team now (nil: no rotation).
	OnCall rituals.OnCallLookup
	// Rotation adds newcomers to the team's rotation, read at run time
	// (nil or returning nil: no on-call ritual).
	Rotation func() rituals.RotationJoiner
	// Rescheduled, if set, is told that Jobs would now return other jobs
	// (an onboarding started in a zone no job covered).
	Rescheduled func()
}

// Name is the ritual's name.
func (r *Ritual) Name() string { return r.Config.Name }

func (r *Ritual) isAdmin(user string) bool { return r.IsAdmin != nil && r.IsAdmin(user) }

// mayLead reports whether user may do what the team's leads do.
func (r *Ritual) mayLead(user string) bool { return r.Team.IsLead(user) || r.isAdmin(user) }

func (r *Ritual) rotation() rituals.RotationJoiner { return rituals.Linked(r.Rotation) }

// zoneOf is role's zone in o.
func (r *Ritual) zoneOf(o Onboarding, role Role) *time.Location {
	return zoneOr(o.Zones[role], r.Zone)
}

// zoneOr is the zone named, else def (no name, or one this system lacks).
func zoneOr(name string, def *time.Location) *time.Location {
	if name == "" {
		return def
	}
	loc, err := rituals.LoadZone(name)
	if err != nil {
		return def
	}
	return loc
}

// fitSteps gives o a state for each configured step: steps added to the
// config since it started are pending, steps removed are dropped.
func (r *Ritual) fitSteps(o *Onboarding) {
	out := make([]StepState, len(r.Settings.Steps))
	copy(out, o.Steps)
	o.Steps = out
}

// dueOn is the date step i is due: its `after` from the start.
func (r *Ritual) dueOn(o Onboarding, i int) rituals.Date {
	return o.Start.AddDays(r.Settings.Steps[i].AfterDays)
}

// read returns the newcomer's record, an ENOTFOUND error if none.
func (r *Ritual) read(newcomer string) (Onboarding, error) {
	o, ok, err := r.Store.Onboarding(r.Name(), newcomer)
	if err != nil {
		return o, fmt.Errorf("onboarding %s: read %s: %w", r.Name(), newcomer, err)
	}
	if !ok || o.Status == StatusIgnored || o.Status == StatusAsked {
		return o, rituals.Errorf(rituals.ENOTFOUND, "%s has no onboarding in %s.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name))
	}
	return o, nil
}

// complete marks o completed once the feedback is in and the newcomer is
// in the rotation (or the team has none).
func (r *Ritual) complete(o *Onboarding, now time.Time) bool {
	if o.Status != StatusActive || o.FeedbackGiven.IsZero() {
		return false
	}
	if o.Joined.IsZero() && r.rotation() != nil {
		return false
	}
	o.Status, o.Completed = StatusCompleted, now
	return true
}

// key is a message key of o's: unique to this onboarding (its start).
func key(o Onboarding, parts ...any) string {
	k := fmt.Sprintf("onboarding/%s/%s/%d", o.Ritual, o.Newcomer, o.Started.Unix())
	for _, p := range parts {
		k += fmt.Sprintf("/%v", p)
	}
	return k
}

// ref is o as a button's value: "ritual|newcomer".
func ref(o Onboarding, more ...string) string {
	s := o.Ritual + "|" + o.Newcomer
	for _, m := range more {
		s += "|" + m
	}
	return s
}
