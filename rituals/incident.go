package rituals

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// IncidentsConfig is the settings of an incidents ritual.
type IncidentsConfig struct {
	// Teams are the teams whose on-call engineers are named when an
	// incident is declared, and whose incidents the digest counts.
	Teams []string
	// Severities, most severe first.
	Severities    []string
	Retro         RetroConfig
	ActionsRemind *Schedule
	// Alertmanager, if set, lets matching alerts open incidents.
	Alertmanager *AlertmanagerConfig
	// PagerDuty, if set, narrows which PagerDuty services this ritual
	// takes; without it the first incidents ritual takes them all.
	PagerDuty *PagerDutyConfig
	// Storm, if set, folds an alert storm into one incident.
	Storm *StormConfig
	// Location is the zone times are written in.
	Location *time.Location
}

// RetroConfig says when and how retrospectives happen.
type RetroConfig struct {
	// Schedule gives the slots retro prompts go out at: the first slot at
	// least MinDelay after the resolve.
	Schedule *Schedule
	MinDelay time.Duration
	// Required severities are reminded at every slot until published;
	// the others may be skipped with a reason.
	Required  []string
	Questions []Question
}

// AlertmanagerConfig says which alerts open an incident.
type AlertmanagerConfig struct {
	// OpenWhen maps a label to the values that match; an alert matches
	// when every label listed has one of its values. Empty matches all.
	OpenWhen map[string][]string
	// Severity is given to incidents whose alerts carry no `severity`
	// label naming one of the ritual's severities.
	Severity string
}

// PagerDutyConfig narrows the PagerDuty services a ritual takes.
type PagerDutyConfig struct {
	Services []string // service IDs or names
}

// Matches reports whether an alert's labels open an incident.
func (c *AlertmanagerConfig) Matches(labels map[string]string) bool {
	for label, values := range c.OpenWhen {
		v, ok := labels[label]
		if !ok || !contains(values, v) {
			return false
		}
	}
	return true
}

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
}

// Incident is one incident, from declaration to its published retro.
type Incident struct {
	Number       int
	Ritual       string
	Title        string
	Severity     string
	Commander    string   `json:",omitempty"`
	Participants []string `json:",omitempty"`
	Teams        []string `json:",omitempty"`
	Status       IncidentStatus
	Source       string
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
	Questions   []Question `json:",omitempty"`
	Skipped     time.Time  `json:",omitempty"`
	SkippedBy   string     `json:",omitempty"`
	SkipReason  string     `json:",omitempty"`
	Published   time.Time  `json:",omitempty"`
	PublishedBy string     `json:",omitempty"`
	// Postmortem is the Markdown published.
	Postmortem string `json:",omitempty"`
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
	return timeToRestore(inc.ImpactStart, inc.Opened, inc.Resolved)
}

// TimeToRestore is from the start of the impact (the first alert, or the
// opening) to the resolve; zero while open. The digest counts it as the
// postmortem does.
func (b IncidentBrief) TimeToRestore() time.Duration {
	return timeToRestore(b.ImpactStart, b.Opened, b.Resolved)
}

func timeToRestore(impactStart, opened, resolved time.Time) time.Duration {
	if resolved.IsZero() {
		return 0
	}
	start := opened
	if !impactStart.IsZero() && impactStart.Before(start) {
		start = impactStart
	}
	return resolved.Sub(start)
}

// addParticipant records that user took part.
func (inc *Incident) addParticipant(user string) {
	if user != "" {
		inc.Participants = addUnique(inc.Participants, user)
	}
}

// Brief is the incident as other rituals mention it.
func (inc *Incident) Brief() IncidentBrief {
	b := IncidentBrief{
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
	Due       Date `json:",omitempty"`
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
func (a ActionItem) Overdue(d Date) bool { return a.Open() && !a.Due.IsZero() && a.Due.Before(d) }

// Brief is the item as other rituals list it.
func (a ActionItem) Brief() ActionBrief {
	return ActionBrief{ID: a.ID, Incident: a.Incident, Owner: a.Owner, Text: a.Text, Due: a.Due, Created: a.Created, Closed: a.Closed}
}

// IncidentStore keeps incidents and their action items. Incident numbers
// are one sequence across every incidents ritual, so that #N and
// /incidents/N name one incident.
type IncidentStore interface {
	PutIncident(inc Incident) error
	// SaveIncident stores inc (numbering it if it has no number yet) and
	// puts the messages built for it in the outbox, in one transaction.
	// A new incident with a SourceRef becomes the latest incident of that
	// source reference for its ritual.
	SaveIncident(inc Incident, now time.Time, messages func(Incident) []Message) (Incident, error)
	Incident(number int) (Incident, bool, error)
	// ReadIncident is Incident without the alert state (Firing,
	// AlertStates), which only webhooks need: for showing an incident,
	// never for saving it back.
	ReadIncident(number int) (Incident, bool, error)
	// IncidentRitual returns the ritual incident number belongs to,
	// without reading the whole incident.
	IncidentRitual(number int) (string, bool, error)
	// Incidents returns a ritual's incidents ("" for all), oldest first.
	Incidents(ritual string) ([]Incident, error)
	// IncidentBriefs returns the briefs of a ritual's incidents ("" for
	// all), oldest first: what lists need, without timelines and retros.
	IncidentBriefs(ritual string) ([]IncidentBrief, error)
	// OpenIncidents returns the open incidents of a ritual ("" for all).
	OpenIncidents(ritual string) ([]Incident, error)
	// LatestIncident returns the incident with the highest number of a
	// ritual ("" for any).
	LatestIncident(ritual string) (Incident, bool, error)
	// IncidentBySource returns the latest incident a ritual opened for a
	// source reference (an Alertmanager groupKey, a PagerDuty incident),
	// or the storm incident it joined.
	IncidentBySource(ritual, source, ref string) (Incident, bool, error)
	// SaveStorm stores storm incident inc (numbering it if new) and the
	// state of member m, which becomes the latest incident of m's source
	// reference, and puts the messages built in the outbox, in one
	// transaction.
	SaveStorm(inc Incident, m StormMember, now time.Time, messages func(Incident) []Message) (Incident, error)
	// StormMember returns the state of a source reference that joined
	// storm incident number.
	StormMember(number int, source, ref string) (StormMember, bool, error)
	PutAction(a ActionItem) error
	DeleteAction(id string) error
	Action(id string) (ActionItem, bool, error)
	// ActionItems returns a ritual's items ("" for all), by creation.
	ActionItems(ritual string) ([]ActionItem, error)
}

// SentMessages says where delivered messages landed; the incidents ritual
// uses it to recognise an incident's thread.
type SentMessages interface {
	Sent(key string) (SentMessage, bool, error)
}

// Incidents is the incidents ritual: declaring and running incidents, their
// timelines and threads, retros, postmortems and action items.
type Incidents struct {
	Config   *RitualConfig
	Settings *IncidentsConfig
	Teams    []*Team
	Outbox   Outbox
	Store    IncidentStore
	Sent     SentMessages
	Clock    Clock
	OnCall   OnCallLookup // may be nil
	// Directory names people in the Markdown postmortem (may be nil).
	Directory Directory
	// Wake tells the outbox's sender that messages were saved with an
	// incident (SaveIncident); may be nil.
	Wake func()
	// IsAdmin reports whether a user is a ritualbot admin (may be nil).
	IsAdmin func(user string) bool
	// Pages links to postmortems (no links without a public URL).
	Pages Pages

	mu      sync.Mutex
	threads map[string]int // channel + "/" + thread ts → incident number
	known   map[int]bool   // incidents whose thread is in threads
}

// Name is the ritual's name.
func (x *Incidents) Name() string { return x.Config.Name }

// Channel is where incidents are announced.
func (x *Incidents) Channel() string {
	if x.Config.Channel != "" {
		return x.Config.Channel
	}
	for _, t := range x.Teams {
		if t.ID == x.Config.Team && t.Channel != "" {
			return t.Channel
		}
	}
	for _, t := range x.Teams {
		if t.Channel != "" {
			return t.Channel
		}
	}
	return ""
}

func (x *Incidents) location() *time.Location {
	if x.Settings.Location != nil {
		return x.Settings.Location
	}
	return time.UTC
}

func (x *Incidents) isAdmin(user string) bool { return x.IsAdmin != nil && x.IsAdmin(user) }

// Severity returns the configured severity named s (any case), or "".
func (x *Incidents) Severity(s string) string {
	for _, sev := range x.Settings.Severities {
		if strings.EqualFold(sev, s) {
			return sev
		}
	}
	return ""
}

// defaultSeverity is the one an incident gets when none is said: the
// least severe, since raising is easy and a false sev1 pages everyone.
func (x *Incidents) defaultSeverity() string {
	s := x.Settings.Severities
	if len(s) == 0 {
		return "sev3"
	}
	return s[len(s)-1]
}

func (x *Incidents) severityRequiresRetro(sev string) bool {
	for _, r := range x.Settings.Retro.Required {
		if strings.EqualFold(r, sev) {
			return true
		}
	}
	return false
}

// Jobs are the retro slots and the action item reminders.
func (x *Incidents) Jobs() []Job {
	var jobs []Job
	if s := x.Settings.Retro.Schedule; s != nil {
		jobs = append(jobs, Job{Name: x.Config.Name + "/retro", Ritual: x.Config.Name, Schedule: s, Run: x.RetroSlot})
	}
	if s := x.Settings.ActionsRemind; s != nil {
		jobs = append(jobs, Job{Name: x.Config.Name + "/actions", Ritual: x.Config.Name, Schedule: s, Run: x.RemindActions})
	}
	return jobs
}

// Message keys: the announcement is the incident's thread parent.
func announceKey(n int) string { return fmt.Sprintf("incident/%d", n) }

func eventKey(n, i int) string { return fmt.Sprintf("incident/%d/event/%d", n, i) }

// addOnCall makes whoever is on call for the ritual's teams at now a
// participant of inc, and returns them.
func (x *Incidents) addOnCall(inc *Incident, now time.Time) []string {
	oc := x.onCallNow(now)
	for _, u := range oc {
		inc.addParticipant(u)
	}
	return oc
}

// onCallNow returns the on-call engineer of each of the ritual's teams.
func (x *Incidents) onCallNow(at time.Time) []string {
	if x.OnCall == nil {
		return nil
	}
	var out []string
	for _, t := range x.Settings.Teams {
		if u, ok := x.OnCall(t, at); ok && u != "" {
			out = addUnique(out, u)
		}
	}
	return out
}

// Declare opens an incident from Slack, with user as its commander.
func (x *Incidents) Declare(ctx context.Context, user, severity, title string) (Incident, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return Incident{}, Errorf(EINVALID, "Give the incident a title: `/incident declare [%s] TITLE`, e.g. `/incident declare %s Checkout returns 500s`.",
			strings.Join(x.Settings.Severities, "|"), x.defaultSeverity())
	}
	if len([]rune(title)) > 200 {
		return Incident{}, Errorf(EINVALID, "Please keep the title under 200 characters; details go in `/incident update`.")
	}
	sev := x.defaultSeverity()
	if severity != "" {
		if sev = x.Severity(severity); sev == "" {
			return Incident{}, x.badSeverity(severity)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	now := x.Clock.Now()
	inc := Incident{
		Ritual: x.Config.Name, Title: title, Severity: sev, Commander: user, Teams: append([]string(nil), x.Settings.Teams...),
		Status: IncidentOpen, Source: SourceSlack, Opened: now,
	}
	inc.addParticipant(user)
	x.addOnCall(&inc, now)
	inc.Timeline = []TimelineEvent{{At: now, Kind: EventDeclared, By: user, Text: title, Severity: sev}}
	return x.create(ctx, inc)
}

// create stores a new incident and announces it, with the timeline
// events after the declaration in its thread.
func (x *Incidents) create(ctx context.Context, inc Incident) (Incident, error) {
	inc, err := x.save(ctx, inc, func(inc Incident) []Message {
		msgs := []Message{x.announcement(inc, false)}
		for i := 1; i < len(inc.Timeline); i++ {
			msgs = append(msgs, x.eventMessage(inc, i))
		}
		return msgs
	})
	if err != nil {
		return inc, fmt.Errorf("incidents %s: create incident: %w", x.Config.Name, err)
	}
	return inc, nil
}

// save stores inc (numbering a new one) together with the messages built
// for it, then wakes the sender.
func (x *Incidents) save(ctx context.Context, inc Incident, messages func(Incident) []Message) (Incident, error) {
	if err := ctx.Err(); err != nil {
		return inc, err
	}
	if messages != nil {
		build := messages
		messages = func(inc Incident) []Message { return UrgentFor(ctx, build(inc)) }
	}
	inc, err := x.Store.SaveIncident(inc, x.Clock.Now(), messages)
	if err != nil {
		return inc, err
	}
	if x.Wake != nil {
		x.Wake()
	}
	return inc, nil
}

// changeMessages are the timeline events inc gained since index before,
// in its thread, and its refreshed announcement.
func (x *Incidents) changeMessages(inc Incident, before int, announce bool, extra ...Message) []Message {
	var msgs []Message
	for i := before; i < len(inc.Timeline); i++ {
		msgs = append(msgs, x.eventMessage(inc, i))
	}
	if announce {
		msgs = append(msgs, x.announcement(inc, true))
	}
	return append(msgs, extra...)
}

func (x *Incidents) badSeverity(s string) error {
	return Errorf(EINVALID, "%q is not a severity here; use one of %s (most severe first).", s, strings.Join(x.Settings.Severities, ", "))
}

// Lookup returns incident n, which must belong to this ritual.
func (x *Incidents) Lookup(n int) (Incident, error) {
	inc, ok, err := x.Store.Incident(n)
	if err != nil {
		return inc, fmt.Errorf("read incident %d: %w", n, err)
	}
	if !ok || inc.Ritual != x.Config.Name {
		return inc, Errorf(ENOTFOUND, "There is no incident #%d.", n)
	}
	return inc, nil
}

// Owns reports whether incident n belongs to this ritual.
func (x *Incidents) Owns(n int) bool {
	ritual, ok, err := x.Store.IncidentRitual(n)
	return err == nil && ok && ritual == x.Config.Name
}

// Open returns the ritual's open incidents, oldest first.
func (x *Incidents) Open() ([]Incident, error) {
	return x.Store.OpenIncidents(x.Config.Name)
}

// change applies f to incident n under the ritual's lock, stores it, and
// sends what f returns plus the timeline events it added (in the thread)
// and the refreshed announcement.
func (x *Incidents) change(ctx context.Context, n int, f func(inc *Incident, now time.Time) ([]Message, error)) (Incident, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	inc, err := x.Lookup(n)
	if err != nil {
		return inc, err
	}
	before := len(inc.Timeline)
	now := x.Clock.Now()
	extra, err := f(&inc, now)
	if err != nil {
		return inc, err
	}
	inc, err = x.save(ctx, inc, func(inc Incident) []Message { return x.changeMessages(inc, before, true, extra...) })
	if err != nil {
		return inc, fmt.Errorf("store incident %d: %w", n, err)
	}
	return inc, nil
}

// Update adds a status update to the timeline and the thread: anyone's
// while the incident is open, its stewards' once resolved (MayDo).
func (x *Incidents) Update(ctx context.Context, n int, user, text string) (Incident, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Incident{}, Errorf(EINVALID, "Write the update: `/incident update #%d TEXT`.", n)
	}
	if len([]rune(text)) > 2900 {
		return Incident{}, Errorf(EINVALID, "Please keep an update under 2,900 characters.")
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]Message, error) {
		if err := x.mayChangeResolved(*inc, user, VerbUpdate, "add to its timeline"); err != nil {
			return nil, err
		}
		inc.addParticipant(user)
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, By: user, Text: text})
		return nil, nil
	})
}

// SetSeverity changes an incident's severity. While it is open anyone
// working it may; once resolved the severity decides whether a retro is
// required, so only its commander, a lead of its teams or an admin may.
func (x *Incidents) SetSeverity(ctx context.Context, n int, user, severity string) (Incident, error) {
	sev := x.Severity(severity)
	if sev == "" {
		return Incident{}, x.badSeverity(severity)
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]Message, error) {
		if err := x.mayChangeResolved(*inc, user, VerbSeverity, "change its severity, since that decides whether a retro is required"); err != nil {
			return nil, err
		}
		if inc.Severity == sev {
			return nil, Errorf(ECONFLICT, "#%d is already %s.", n, sev)
		}
		inc.addParticipant(user)
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventSeverity, By: user, Severity: sev,
			Text: fmt.Sprintf("%s → %s", inc.Severity, sev)})
		inc.Severity = sev
		if inc.Status == IncidentResolved && !inc.Retro.Done() {
			inc.Retro.Required = x.severityRequiresRetro(sev)
		}
		return nil, nil
	})
}

// Resolve marks an incident resolved and schedules its retro. by is the
// user, or "" for an alert or a webhook (source names it in the text).
func (x *Incidents) Resolve(ctx context.Context, n int, by, summary string) (Incident, error) {
	summary = strings.TrimSpace(summary)
	if len([]rune(summary)) > 2900 {
		return Incident{}, Errorf(EINVALID, "Please keep the summary under 2,900 characters.")
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]Message, error) {
		if !inc.IsOpen() {
			return nil, Errorf(ECONFLICT, "#%d was already resolved %s.", n, x.when(inc.Resolved))
		}
		inc.addParticipant(by)
		x.resolve(inc, now, by, summary)
		return nil, nil
	})
}

// resolve sets the resolved state and the retro's due slot.
func (x *Incidents) resolve(inc *Incident, now time.Time, by, summary string) {
	inc.Status, inc.Resolved = IncidentResolved, now
	if summary != "" {
		inc.Summary = summary
	}
	inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventResolved, By: by, Text: summary})
	inc.Retro.Due = x.RetroDue(now)
	inc.Retro.Required = x.severityRequiresRetro(inc.Severity)
}

// RetroDue is when the retro prompt of an incident resolved at `resolved`
// goes out: the first retro slot at least min_delay later (zero if the
// ritual has no retro schedule).
func (x *Incidents) RetroDue(resolved time.Time) time.Time {
	s := x.Settings.Retro.Schedule
	if s == nil {
		return time.Time{}
	}
	return s.Next(resolved.Add(x.Settings.Retro.MinDelay).Add(-time.Nanosecond))
}

// List returns the ritual's open incidents, those resolved in the last
// week and those whose retro is still due, newest first. It picks them by
// their briefs and reads only those in full.
func (x *Incidents) List() ([]Incident, error) {
	briefs, err := x.Store.IncidentBriefs(x.Config.Name)
	if err != nil {
		return nil, err
	}
	since := x.Clock.Now().Add(-7 * 24 * time.Hour)
	var out []Incident
	for i := len(briefs) - 1; i >= 0; i-- {
		b := briefs[i]
		// RetroDue is zero once skipped: set and unpublished, it is due.
		if b.Resolved.IsZero() || b.Resolved.After(since) || !b.RetroDue.IsZero() && b.RetroPublished.IsZero() {
			inc, ok, err := x.Store.ReadIncident(b.Number)
			if err != nil {
				return nil, fmt.Errorf("read incident %d: %w", b.Number, err)
			}
			if ok {
				out = append(out, inc)
			}
		}
	}
	return out, nil
}

// Pin adds a message of the incident's thread to its timeline, once.
func (x *Incidents) Pin(ctx context.Context, n int, pinner, author, text, ts string) (Incident, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		text = "(a message without text)"
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]Message, error) {
		for _, e := range inc.Timeline {
			if e.Kind == EventPinned && e.Ref == ts {
				return nil, Errorf(ECONFLICT, "That message is already on the timeline of #%d.", n)
			}
		}
		if err := x.mayChangeResolved(*inc, pinner, VerbPin, "add to its timeline"); err != nil {
			return nil, err
		}
		inc.addParticipant(pinner)
		inc.addParticipant(author)
		who := author
		if who == "" {
			who = pinner
		}
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventPinned, By: who, Text: Shorten(text, 2900), Ref: ts})
		return nil, nil
	})
}

// ThreadIncident returns the incident whose announcement is the thread
// parent `threadTS` in channel, if any.
func (x *Incidents) ThreadIncident(channel, threadTS string) (int, bool, error) {
	// Announcements only go to the ritual's channel.
	if channel == "" || threadTS == "" || channel != x.Channel() {
		return 0, false, nil
	}
	key := channel + "/" + threadTS
	x.mu.Lock()
	if n, ok := x.threads[key]; ok {
		x.mu.Unlock()
		return n, true, nil
	}
	x.mu.Unlock()
	all, err := x.Store.IncidentBriefs(x.Config.Name)
	if err != nil {
		return 0, false, err
	}
	// Newest first: the thread is most likely a recent incident's.
	for i := len(all) - 1; i >= 0; i-- {
		n := all[i].Number
		x.mu.Lock()
		known := x.known[n]
		x.mu.Unlock()
		if known {
			continue
		}
		sent, ok, err := x.Sent.Sent(announceKey(n))
		if err != nil {
			return 0, false, err
		}
		if !ok {
			continue
		}
		x.mu.Lock()
		if x.threads == nil {
			x.threads, x.known = map[string]int{}, map[int]bool{}
		}
		x.threads[sent.Channel+"/"+sent.TS], x.known[n] = n, true
		x.mu.Unlock()
		if sent.Channel == channel && sent.TS == threadTS {
			return n, true, nil
		}
	}
	return 0, false, nil
}

// when writes an instant for Slack: in each reader's own zone, with a
// fallback in the ritual's.
func (x *Incidents) when(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.In(x.location()).Format("Mon 2 Jan 15:04 MST"))
}

// SourceLabel names where an incident came from.
func SourceLabel(source string) string {
	switch source {
	case SourceAlertmanager:
		return "Alertmanager"
	case SourcePagerDuty:
		return "PagerDuty"
	}
	return "Slack"
}

// announcement is the incident's message in the channel; its thread is
// the incident's home. update re-renders it in place.
func (x *Incidents) announcement(inc Incident, update bool) Message {
	now := x.Clock.Now()
	status := ":red_circle: *Open*"
	if !inc.IsOpen() {
		status = fmt.Sprintf(":large_green_circle: *Resolved* after %s", HumanDuration(inc.Duration(now)))
	}
	commander := commanderHint(inc)
	if inc.Commander != "" {
		commander = Mention(inc.Commander)
	}
	fields := []string{
		"*Severity*\n" + strings.ToUpper(inc.Severity),
		"*Status*\n" + status,
		"*Commander*\n" + commander,
		"*Declared*\n" + x.when(inc.Opened) + " via " + SourceLabel(inc.Source),
	}
	if oc := x.onCallOf(inc); oc != "" {
		fields = append(fields, "*On call*\n"+oc)
	}
	if a := alertsField(inc); a != "" {
		fields = append(fields, a)
	}
	blocks := []Block{
		Header(fmt.Sprintf("Incident #%d: %s", inc.Number, inc.Title)),
		{Kind: SectionBlock, Fields: fields},
	}
	if link, ok := Link(inc.SourceURL, "Open in "+SourceLabel(inc.Source)); ok {
		blocks = append(blocks, Context(link))
	}
	if inc.IsOpen() {
		blocks = append(blocks, Context(fmt.Sprintf("This thread is the incident's home. Post updates with `/incident update #%d …` or by mentioning me here (`@ritualbot update …`); "+
			"react with :pushpin: to add a message to the timeline. `/incident resolve #%d` when service is restored.", inc.Number, inc.Number)))
	} else if inc.Summary != "" {
		blocks = append(blocks, Section("*Summary*\n"+EscapeText(inc.Summary)))
	}
	text := fmt.Sprintf("Incident #%d (%s): %s", inc.Number, strings.ToUpper(inc.Severity), Escape(inc.Title))
	if !inc.IsOpen() {
		text = "Resolved: " + text
	}
	return Message{Key: announceKey(inc.Number), To: x.Channel(), Update: update, Text: text, Blocks: blocks}
}

// onCallOf mentions the on-call engineers at the incident's opening.
func (x *Incidents) onCallOf(inc Incident) string {
	var parts []string
	for _, t := range inc.Teams {
		if x.OnCall == nil {
			break
		}
		if u, ok := x.OnCall(t, inc.Opened); ok && u != "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", Mention(u), x.teamName(t)))
		}
	}
	return strings.Join(parts, ", ")
}

func (x *Incidents) teamName(id string) string {
	for _, t := range x.Teams {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

// eventMessage posts timeline event i in the incident's thread.
func (x *Incidents) eventMessage(inc Incident, i int) Message {
	line := EventLine(inc.Timeline[i])
	return Message{
		Key: eventKey(inc.Number, i), To: x.Channel(), ThreadKey: announceKey(inc.Number),
		Text: fmt.Sprintf("#%d: %s", inc.Number, strings.SplitN(line, "\n", 2)[0]), Blocks: []Block{Section(line)},
	}
}

// EventLine is a timeline event as mrkdwn, user text escaped. Mentions in
// the text of an event a person made stay mentions; an event of an alert
// or a webhook (By empty) mentions nobody.
func EventLine(e TimelineEvent) string {
	by := ""
	if e.By != "" {
		by = " by " + Mention(e.By)
	} else {
		e.Text = DefuseMentions(e.Text)
	}
	switch e.Kind {
	case EventDeclared:
		return fmt.Sprintf(":rotating_light: *Declared*%s as %s", by, strings.ToUpper(e.Severity))
	case EventUpdate:
		return fmt.Sprintf(":speech_balloon: *Update*%s\n%s", by, EscapeText(e.Text))
	case EventSeverity:
		return fmt.Sprintf(":arrows_counterclockwise: *Severity* %s%s", EscapeText(strings.ToUpper(e.Text)), by)
	case EventPinned:
		return fmt.Sprintf(":pushpin: *Pinned* from %s\n%s", Mention(e.By), quote(EscapeText(e.Text)))
	case EventAlertFired:
		return ":bell: *Alert firing*\n" + EscapeText(e.Text)
	case EventAlertResolved:
		return ":white_check_mark: *Alert resolved*\n" + EscapeText(e.Text)
	case EventResolved:
		s := fmt.Sprintf(":large_green_circle: *Resolved*%s", by)
		if e.Text != "" {
			s += "\n" + EscapeText(e.Text)
		}
		return s
	case EventRetroPublished:
		return fmt.Sprintf(":memo: *Postmortem published*%s", by)
	case EventRetroSkipped:
		return fmt.Sprintf(":fast_forward: *Retro skipped*%s: %s", by, EscapeText(e.Text))
	}
	return EscapeText(e.Text)
}

func quote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// Slack sends a mention in command text as <@U123|name>; escaping turns
// it into &lt;@U123|name&gt;, which escapedMentionRE finds again.
var (
	mentionInTextRE  = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>`)
	escapedMentionRE = regexp.MustCompile(`&lt;@([UW][A-Z0-9]+)(?:\|[^&<>]*)?&gt;`)
)

// EscapeText escapes user text like Escape, but keeps mentions of
// people, so an update can name someone while <!channel> stays inert.
func EscapeText(s string) string {
	return escapedMentionRE.ReplaceAllString(Escape(s), "<@$1>")
}

// HumanDuration writes a duration as people say it: "2h 13m", "3d 4h",
// "45s".
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	days := int(d.Hours()) / 24
	h := int(d.Hours()) - 24*days
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, h)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
