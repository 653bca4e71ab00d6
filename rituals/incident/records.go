package incident

import (
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// IncidentStatus is where an incident stands.
type IncidentStatus string

const (
	IncidentOpen     IncidentStatus = "open"
	IncidentResolved IncidentStatus = "resolved"
)

// Where an incident came from.
const (
	SourceSlack        = "slack"
	SourceAlertmanager = "alertmanager"
	SourcePagerDuty    = "pagerduty"
)

// EventKind names a kind of timeline event.
type EventKind string

const (
	EventDeclared       EventKind = "declared"
	EventUpdate         EventKind = "update"
	EventSeverity       EventKind = "severity"
	EventPinned         EventKind = "pinned"
	EventAlertFired     EventKind = "alert_fired"
	EventAlertResolved  EventKind = "alert_resolved"
	EventResolved       EventKind = "resolved"
	EventRetroPublished EventKind = "retro_published"
	EventRetroSkipped   EventKind = "retro_skipped"
)

// TimelineEvent is one entry of an incident's timeline.
type TimelineEvent struct {
	At   time.Time
	Kind EventKind
	// By is the person who did it; empty for alerts and webhooks.
	By   string `json:",omitempty"`
	Text string `json:",omitempty"`
	// Severity is the new severity of a severity change.
	Severity string `json:",omitempty"`
	// Ref identifies what the event is about: a pinned message's ts.
	Ref string `json:",omitempty"`
	// Internal updates stay in the incident's thread (updates.go).
	Internal bool `json:",omitempty"`
}

// Incident is one incident, from declaration to its published retro.
type Incident struct {
	Number       int
	Ritual       string
	Title        string
	Severity     string
	Commander    string   `json:",omitempty"`
	Participants []string `json:",omitempty"`
	// Shadowing are the participants who joined as newcomers shadowing
	// the on-call (onboarding): named apart, with no say in the incident.
	Shadowing []string `json:",omitempty"`
	Teams     []string `json:",omitempty"`
	Status    IncidentStatus
	Source    string
	// SourceRef is the Alertmanager groupKey or the PagerDuty incident ID.
	SourceRef string `json:",omitempty"`
	SourceURL string `json:",omitempty"`
	Opened    time.Time
	// ImpactStart is when the first alert started firing, if earlier
	// than Opened; time to restore counts from it.
	ImpactStart time.Time `json:",omitempty"`
	Resolved    time.Time `json:",omitempty"`
	Summary     string    `json:",omitempty"`
	Timeline    []TimelineEvent
	// Alerts counts the alert notifications received.
	Alerts int `json:",omitempty"`
	// Firing are the IDs of the alerts firing (see trackAlerts), capped;
	// AlertsFired and AlertsResolved count state changes over its life.
	Firing         []string `json:",omitempty"`
	AlertsFired    int      `json:",omitempty"`
	AlertsResolved int      `json:",omitempty"`
	// AlertStates is the uncapped state map of older records, folded
	// into Firing at the next notification.
	AlertStates map[string]string `json:",omitempty"`
	// AlertsMuted is set once the timeline has its fill of alert events.
	AlertsMuted bool `json:",omitempty"`
	// Deliveries are the IDs of webhook deliveries applied (newest last),
	// so a redelivery does nothing.
	Deliveries []string `json:",omitempty"`
	// ActionSeq numbers the incident's action items (#N.1, #N.2, …).
	ActionSeq int `json:",omitempty"`
	Retro     Retro
	// Storm is set on an alert storm incident: alert groups and PagerDuty
	// incidents that joined it instead of opening their own.
	Storm *Storm `json:",omitempty"`
	// Comms is how stakeholders are kept informed (updates.go).
	Comms Comms `json:",omitzero"`
}

// Retro is an incident's retrospective.
type Retro struct {
	Due       time.Time `json:",omitempty"`
	Required  bool      `json:",omitempty"`
	Prompted  time.Time `json:",omitempty"`
	Reminders int       `json:",omitempty"`
	// LastReminded is the slot of the latest reminder.
	LastReminded time.Time `json:",omitempty"`
	Answers      []RetroAnswer
	// Questions as asked, so the postmortem reads right if the config
	// changes later.
	Questions   []rituals.Question `json:",omitempty"`
	Skipped     time.Time          `json:",omitempty"`
	SkippedBy   string             `json:",omitempty"`
	SkipReason  string             `json:",omitempty"`
	Published   time.Time          `json:",omitempty"`
	PublishedBy string             `json:",omitempty"`
	// Postmortem is the Markdown published.
	Postmortem string `json:",omitempty"`
	// Zones are the prompt and the latest reminder of the participants
	// of another zone than the ritual's, DMed at its slots (retro_zones.go).
	Zones map[string]ZoneRetro `json:",omitempty"`
}

// ZoneRetro is when a zone's participants were prompted and last reminded.
type ZoneRetro struct {
	Prompted     time.Time `json:",omitzero"`
	LastReminded time.Time `json:",omitzero"`
}

// Done reports whether the retro is published or skipped.
func (r Retro) Done() bool { return !r.Published.IsZero() || !r.Skipped.IsZero() }

// RetroAnswer is one participant's retro answers.
type RetroAnswer struct {
	User      string
	Answers   map[string]string
	Submitted time.Time
}

// IsOpen reports whether the incident is not yet resolved.
func (inc *Incident) IsOpen() bool { return inc.Status == IncidentOpen }

// Duration is how long the incident was open (until now while open).
func (inc *Incident) Duration(now time.Time) time.Duration {
	end := inc.Resolved
	if end.IsZero() {
		end = now
	}
	return end.Sub(inc.Opened)
}

// TimeToRestore is from the start of the impact (the first alert, or the
// declaration) to the resolve; zero while open.
func (inc *Incident) TimeToRestore() time.Duration {
	return rituals.RestoreTime(inc.ImpactStart, inc.Opened, inc.Resolved)
}

// addParticipant records that user took part.
func (inc *Incident) addParticipant(user string) {
	if user != "" {
		inc.Participants = rituals.AddUnique(inc.Participants, user)
	}
}

// Brief is the incident as other rituals mention it.
func (inc *Incident) Brief() rituals.IncidentBrief {
	b := rituals.IncidentBrief{
		Number: inc.Number, Title: inc.Title, Severity: inc.Severity, Commander: inc.Commander,
		Teams: append([]string(nil), inc.Teams...), Source: inc.Source, Opened: inc.Opened,
		Resolved: inc.Resolved, ImpactStart: inc.ImpactStart, Alerts: inc.Alerts, RetroPublished: inc.Retro.Published,
		Storm: inc.Storm != nil,
	}
	if inc.Retro.Skipped.IsZero() {
		b.RetroDue = inc.Retro.Due
	}
	return b
}

// ActionItem is a follow-up of an incident, owned by one person.
type ActionItem struct {
	ID        string
	Ritual    string
	Incident  int
	Owner     string
	Text      string
	Due       rituals.Date `json:",omitempty"`
	Created   time.Time
	CreatedBy string
	// FromRetro is set on items entered in a retro form, so that the
	// author's resubmission replaces them.
	FromRetro bool      `json:",omitempty"`
	Closed    time.Time `json:",omitempty"`
	ClosedBy  string    `json:",omitempty"`
	Teams     []string  `json:",omitempty"`
}

// Open reports whether the item is not done.
func (a ActionItem) Open() bool { return a.Closed.IsZero() }

// Overdue reports whether the item is open and past its due date on day d.
func (a ActionItem) Overdue(d rituals.Date) bool {
	return a.Open() && !a.Due.IsZero() && a.Due.Before(d)
}

// Brief is the item as other rituals list it.
func (a ActionItem) Brief() rituals.ActionBrief {
	return rituals.ActionBrief{ID: a.ID, Incident: a.Incident, Owner: a.Owner, Text: a.Text, Due: a.Due, Created: a.Created, Closed: a.Closed}
}
