package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// IncidentStore keeps incidents and their action items. Incident numbers
// are one sequence across every incidents ritual, so that #N and
// /incidents/N name one incident.
type IncidentStore interface {
	PutIncident(inc Incident) error
	// SaveIncident stores inc (numbering it if it has no number yet) and
	// puts the messages built for it in the outbox, in one transaction.
	// A new incident with a SourceRef becomes the latest incident of that
	// source reference for its ritual.
	SaveIncident(inc Incident, now time.Time, messages func(Incident) []rituals.Message) (Incident, error)
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
	IncidentBriefs(ritual string) ([]rituals.IncidentBrief, error)
	// IncidentBriefsWhere returns the briefs keep accepts (told each
	// incident's ritual), oldest first: a team's, without a copy of all.
	IncidentBriefsWhere(keep func(ritual string, b rituals.IncidentBrief) bool) ([]rituals.IncidentBrief, error)
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
	SaveStorm(inc Incident, m StormMember, now time.Time, messages func(Incident) []rituals.Message) (Incident, error)
	// StormMember returns the state of a source reference that joined
	// storm incident number.
	StormMember(number int, source, ref string) (StormMember, bool, error)
	PutAction(a ActionItem) error
	DeleteAction(id string) error
	Action(id string) (ActionItem, bool, error)
	// ActionItems returns a ritual's items ("" for all), by creation.
	ActionItems(ritual string) ([]ActionItem, error)
	// ActionBriefsWhere returns the briefs of the items keep accepts,
	// by creation: a team's, without a copy of all.
	ActionBriefsWhere(keep func(ActionItem) bool) ([]rituals.ActionBrief, error)
}

// SentMessages says where delivered messages landed; the incidents ritual
// uses it to recognise an incident's thread.
type SentMessages interface {
	Sent(key string) (rituals.SentMessage, bool, error)
}

// Incidents is the incidents ritual: declaring and running incidents, their
// timelines and threads, retros, postmortems and action items.
type Incidents struct {
	Config   *rituals.RitualConfig
	Settings *Settings
	Teams    []*rituals.Team
	Outbox   rituals.Outbox
	Store    IncidentStore
	Sent     SentMessages
	Clock    rituals.Clock
	OnCall   rituals.OnCallLookup // may be nil
	// Directory names people in the Markdown postmortem (may be nil).
	Directory rituals.Directory
	// Wake tells the outbox's sender that messages were saved with an
	// incident (SaveIncident); may be nil.
	Wake func()
	// IsAdmin reports whether a user is a ritualbot admin (may be nil).
	IsAdmin func(user string) bool
	// Pages links to postmortems (no links without a public URL).
	Pages rituals.Pages
	// ExecOnCall names the exec on call of a team (may be nil); Rooms
	// makes incident channels (nil: none); Poke tells the Watch that an
	// incident changed (may be nil).
	ExecOnCall rituals.OnCallLookup
	Rooms      RoomMaker
	Poke       func(number int)
	// Shadows names the newcomers shadowing a team's on-call; it may be
	// nil or return nil when no onboarding is configured.
	Shadows func() rituals.Shadows

	mu         sync.Mutex
	titleNames titleNames
	threads    map[string]int // channel + "/" + thread ts → incident number
	known      map[int]bool   // incidents whose thread is in threads
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
func (x *Incidents) Jobs() []rituals.Job {
	var jobs []rituals.Job
	jobs = append(jobs, x.retroJobs()...)
	return append(jobs, x.actionJobs()...)
}

// Message keys: the announcement is the incident's thread parent.
func announceKey(n int) string { return fmt.Sprintf("incident/%d", n) }

func eventKey(n, i int) string { return fmt.Sprintf("incident/%d/event/%d", n, i) }

// addOnCall makes whoever is on call for the incident's teams at now a
// participant of inc, and returns them; the newcomers shadowing those
// teams' on-call join as participants marked shadowing.
func (x *Incidents) addOnCall(inc *Incident, now time.Time) []string {
	oc := x.onCallNow(inc.Teams, now)
	for _, u := range oc {
		inc.addParticipant(u)
	}
	x.addShadows(inc, now)
	return oc
}

// addShadows adds the newcomers shadowing the on-call of inc's teams at
// now (the onboarding's shadow weeks) as participants marked shadowing:
// they are invited and asked for the retro as participants are, and are
// given no other say in the incident (see roleOf).
func (x *Incidents) addShadows(inc *Incident, now time.Time) {
	shadows := rituals.Linked(x.Shadows)
	if shadows == nil {
		return
	}
	for _, t := range inc.Teams {
		for _, u := range shadows(t, now) {
			if u == "" || slices.Contains(inc.Participants, u) {
				continue // someone taking part already takes part in full
			}
			inc.addParticipant(u)
			inc.Shadowing = rituals.AddUnique(inc.Shadowing, u)
		}
	}
}

// onCallNow returns the on-call engineer of each of teams.
func (x *Incidents) onCallNow(teams []string, at time.Time) []string {
	if x.OnCall == nil {
		return nil
	}
	var out []string
	for _, t := range teams {
		if u, ok := x.OnCall(t, at); ok && u != "" {
			out = rituals.AddUnique(out, u)
		}
	}
	return out
}

// Declare opens an incident from Slack, with user as its commander, for
// the declarer's teams.
func (x *Incidents) Declare(ctx context.Context, user, severity, title string) (Incident, error) {
	return x.DeclareFor(ctx, user, severity, nil, title)
}

// DeclareFor is Declare for the given teams (none: the declarer's).
func (x *Incidents) DeclareFor(ctx context.Context, user, severity string, teams []string, title string) (Incident, error) {
	title = strings.TrimSpace(title)
	x.learnNames(ctx, title)
	if title == "" {
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Give the incident a title: `/incident declare [%s] TITLE`, e.g. `/incident declare %s Checkout returns 500s`.",
			strings.Join(x.Settings.Severities, "|"), x.defaultSeverity())
	}
	if len([]rune(title)) > 200 {
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Please keep the title under 200 characters; details go in `/incident update`.")
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
	if len(teams) == 0 {
		teams = x.teamsOfPerson(user)
	}
	inc := Incident{
		Ritual: x.Config.Name, Title: title, Severity: sev, Commander: user, Teams: append([]string(nil), teams...),
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
	paged := x.engage(&inc, inc.Opened)
	inc, err := x.save(ctx, inc, func(inc Incident) []rituals.Message {
		msgs := []rituals.Message{x.announcement(inc, false)}
		for i := 1; i < len(inc.Timeline); i++ {
			msgs = append(msgs, x.eventMessage(inc, i))
		}
		msgs = append(msgs, x.broadcastMessages(inc, 1, false)...)
		return append(msgs, x.execMessages(inc, paged)...)
	})
	if err != nil {
		return inc, fmt.Errorf("incidents %s: create incident: %w", x.Config.Name, err)
	}
	return inc, nil
}

// save stores inc (numbering a new one) together with the messages built
// for it, then wakes the sender.
func (x *Incidents) save(ctx context.Context, inc Incident, messages func(Incident) []rituals.Message) (Incident, error) {
	if err := ctx.Err(); err != nil {
		return inc, err
	}
	if messages != nil {
		build := messages
		messages = func(inc Incident) []rituals.Message { return rituals.UrgentFor(ctx, build(inc)) }
	}
	inc, err := x.Store.SaveIncident(inc, x.Clock.Now(), messages)
	if err != nil {
		return inc, err
	}
	if x.Wake != nil {
		x.Wake()
	}
	if x.Poke != nil && x.watched() {
		x.Poke(inc.Number) // a due update or a channel may have changed
	}
	return inc, nil
}

// changeMessages are the timeline events inc gained since index before,
// in its thread, and its refreshed announcement.
func (x *Incidents) changeMessages(inc Incident, before int, announce bool, extra ...rituals.Message) []rituals.Message {
	var msgs []rituals.Message
	for i := before; i < len(inc.Timeline); i++ {
		msgs = append(msgs, x.eventMessage(inc, i))
	}
	if announce {
		msgs = append(msgs, x.announcement(inc, true))
		if a, ok := x.roomAnnouncement(inc, true); ok {
			msgs = append(msgs, a)
		}
		msgs = append(msgs, x.broadcastMessages(inc, before, true)...)
	}
	return append(msgs, extra...)
}

func (x *Incidents) badSeverity(s string) error {
	return rituals.Errorf(rituals.EINVALID, "%q is not a severity here; use one of %s (most severe first).", s, strings.Join(x.Settings.Severities, ", "))
}

// Lookup returns incident n, which must belong to this ritual.
func (x *Incidents) Lookup(n int) (Incident, error) {
	inc, ok, err := x.Store.Incident(n)
	if err != nil {
		return inc, fmt.Errorf("read incident %d: %w", n, err)
	}
	if !ok || inc.Ritual != x.Config.Name {
		return inc, rituals.Errorf(rituals.ENOTFOUND, "There is no incident #%d.", n)
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
func (x *Incidents) change(ctx context.Context, n int, f func(inc *Incident, now time.Time) ([]rituals.Message, error)) (Incident, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	inc, err := x.Lookup(n)
	if err != nil {
		return inc, err
	}
	x.learnNames(ctx, inc.Title)
	before := len(inc.Timeline)
	now := x.Clock.Now()
	extra, err := f(&inc, now)
	if err != nil {
		return inc, err
	}
	extra = append(extra, x.execMessages(inc, x.engage(&inc, now))...)
	inc, err = x.save(ctx, inc, func(inc Incident) []rituals.Message { return x.changeMessages(inc, before, true, extra...) })
	if err != nil {
		return inc, fmt.Errorf("store incident %d: %w", n, err)
	}
	return inc, nil
}

// Update adds a status update to the timeline and the thread: anyone's
// while the incident is open, its stewards' once resolved (MayDo).
func (x *Incidents) Update(ctx context.Context, n int, user, text string) (Incident, error) {
	return x.postUpdate(ctx, n, user, text, false)
}

// SetSeverity changes an incident's severity. While it is open anyone
// working it may; once resolved the severity decides whether a retro is
// required, so only its commander, a lead of its teams or an admin may.
func (x *Incidents) SetSeverity(ctx context.Context, n int, user, severity string) (Incident, error) {
	sev := x.Severity(severity)
	if sev == "" {
		return Incident{}, x.badSeverity(severity)
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if err := x.mayChangeResolved(*inc, user, VerbSeverity, "change its severity, since that decides whether a retro is required"); err != nil {
			return nil, err
		}
		if inc.Severity == sev {
			return nil, rituals.Errorf(rituals.ECONFLICT, "#%d is already %s.", n, sev)
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
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Please keep the summary under 2,900 characters.")
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if !inc.IsOpen() {
			return nil, rituals.Errorf(rituals.ECONFLICT, "#%d was already resolved %s.", n, x.when(inc.Resolved))
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
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		for _, e := range inc.Timeline {
			if e.Kind == EventPinned && e.Ref == ts {
				return nil, rituals.Errorf(rituals.ECONFLICT, "That message is already on the timeline of #%d.", n)
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
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventPinned, By: who, Text: rituals.Shorten(text, 2900), Ref: ts})
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
