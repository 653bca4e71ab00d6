package incident

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// AlertGroup is one Alertmanager notification (webhook v4): a group of
// alerts sharing a groupKey.
type AlertGroup struct {
	GroupKey          string
	Status            string // "firing" or "resolved"
	Receiver          string
	GroupLabels       map[string]string
	CommonLabels      map[string]string
	CommonAnnotations map[string]string
	ExternalURL       string
	TruncatedAlerts   int
	Alerts            []Alert
}

// Alert is one alert of a group.
type Alert struct {
	Status       string // "firing" or "resolved"
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time
	GeneratorURL string
	Fingerprint  string
}

// Alert states.
const (
	AlertFiring   = "firing"
	AlertResolved = "resolved"
)

// WebhookOutcome says what a webhook delivery did.
type WebhookOutcome string

const (
	OutcomeOpened    WebhookOutcome = "opened"
	OutcomeUpdated   WebhookOutcome = "updated"
	OutcomeResolved  WebhookOutcome = "resolved"
	OutcomeIgnored   WebhookOutcome = "ignored"
	OutcomeDuplicate WebhookOutcome = "duplicate"
)

// describe names an alert in one line: its alertname and a few telling
// labels, then its summary.
func (a Alert) describe() string {
	name := a.Labels["alertname"]
	if name == "" {
		name = "alert"
	}
	var where []string
	for _, k := range []string{"service", "job", "instance", "namespace", "pod"} {
		if v := a.Labels[k]; v != "" {
			where = append(where, k+"="+v)
		}
		if len(where) == 2 {
			break
		}
	}
	s := name
	if len(where) > 0 {
		s += " (" + strings.Join(where, ", ") + ")"
	}
	if sum := firstNonEmpty(a.Annotations["summary"], a.Annotations["description"]); sum != "" {
		s += ": " + rituals.Shorten(sum, 200)
	}
	return s
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// alertList is a list of alerts for a timeline event: at most five, then
// how many more.
func alertList(alerts []Alert) string {
	const shown = 5
	lines := make([]string, 0, shown+1)
	for _, a := range alerts[:min(len(alerts), shown)] {
		lines = append(lines, "• "+a.describe())
	}
	if len(alerts) > shown {
		lines = append(lines, fmt.Sprintf("… and %d more", len(alerts)-shown))
	}
	return strings.Join(lines, "\n")
}

// alertTitle is the title of an incident an alert group opens.
func alertTitle(g AlertGroup, matching []Alert) string {
	if t := firstNonEmpty(g.CommonAnnotations["summary"], g.CommonAnnotations["title"]); t != "" {
		return rituals.Shorten(t, 200)
	}
	if len(matching) == 1 {
		if t := firstNonEmpty(matching[0].Annotations["summary"], matching[0].Annotations["title"]); t != "" {
			return rituals.Shorten(t, 200)
		}
	}
	name := firstNonEmpty(g.CommonLabels["alertname"], g.GroupLabels["alertname"])
	if name == "" && len(matching) > 0 {
		name = matching[0].Labels["alertname"]
	}
	if name == "" {
		name = "Alert"
	}
	if len(matching) > 1 {
		return fmt.Sprintf("%s (%d alerts)", name, len(matching))
	}
	return name
}

// HandleAlerts applies an Alertmanager notification: firing alerts that
// match open_when open an incident for the group (one per groupKey);
// later notifications of the group add alert events to its timeline; a
// resolved group resolves it.
func (x *Incidents) HandleAlerts(ctx context.Context, g AlertGroup) (WebhookOutcome, int, error) {
	am := x.Settings.Alertmanager
	if am == nil {
		return OutcomeIgnored, 0, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	now := x.Clock.Now()
	existing, found, err := x.Store.IncidentBySource(x.Config.Name, SourceAlertmanager, g.GroupKey)
	if err != nil {
		return "", 0, fmt.Errorf("incidents %s: look up alert group: %w", x.Config.Name, err)
	}
	matching := make([]Alert, 0, len(g.Alerts))
	for _, a := range g.Alerts {
		if a.Status == AlertFiring && am.Matches(a.Labels) {
			matching = append(matching, a)
		}
	}
	if found && (existing.IsOpen() || !refires(existing, matching)) {
		if existing.Storm != nil {
			return x.stormMemberChanged(ctx, existing, SourceAlertmanager, g.GroupKey, g.Status == AlertResolved, len(matching), now)
		}
		return x.applyAlerts(ctx, existing, g, now)
	}
	if len(matching) == 0 {
		return OutcomeIgnored, 0, nil
	}
	if storm, ok, err := x.stormIncident(now); err != nil || ok {
		if err != nil {
			return "", 0, err
		}
		var impact time.Time
		for _, a := range matching {
			if impact.IsZero() || a.StartsAt.Before(impact) {
				impact = a.StartsAt
			}
		}
		m := StormMember{Source: SourceAlertmanager, Ref: g.GroupKey, Title: alertTitle(g, matching), Alerts: len(matching)}
		return x.joinStorm(ctx, storm, m, x.alertSeverity(g, matching), impact, now)
	}
	inc := Incident{
		Ritual: x.Config.Name, Title: alertTitle(g, matching), Severity: x.alertSeverity(g, matching),
		Teams: x.alertTeams(g, matching), Status: IncidentOpen, Source: SourceAlertmanager,
		SourceRef: g.GroupKey, SourceURL: g.ExternalURL, Opened: now, Alerts: 1,
	}
	// Nobody declared it: whoever is on call takes command.
	if oc := x.addOnCall(&inc, now); len(oc) > 0 {
		inc.Commander = oc[0]
	}
	var fired []Alert
	inc.Firing, fired, _ = trackAlerts(nil, g.Alerts)
	inc.AlertsFired = len(fired)
	for _, a := range g.Alerts {
		if a.Status == AlertFiring && !a.StartsAt.IsZero() && a.StartsAt.Before(now) &&
			(inc.ImpactStart.IsZero() || a.StartsAt.Before(inc.ImpactStart)) {
			inc.ImpactStart = a.StartsAt
		}
	}
	inc.Timeline = []TimelineEvent{
		{At: now, Kind: EventDeclared, Severity: inc.Severity, Text: "Opened by Alertmanager (receiver " + g.Receiver + ")"},
		{At: now, Kind: EventAlertFired, Text: alertList(matching)},
	}
	inc, err = x.create(ctx, inc)
	if err != nil {
		return "", 0, err
	}
	return OutcomeOpened, inc.Number, nil
}

// refires reports whether a notification for the group of a resolved
// incident is a new firing (an alert that started after the resolve), not
// a late or repeated delivery.
func refires(inc Incident, matching []Alert) bool {
	for _, a := range matching {
		if a.StartsAt.After(inc.Resolved) {
			return true
		}
	}
	return false
}

// maxAlertEvents caps the alert events an incident's timeline gets.
const maxAlertEvents = 100

// alertEvents counts the alert events on inc's timeline.
func alertEvents(inc Incident) int {
	n := 0
	for _, e := range inc.Timeline {
		if e.Kind == EventAlertFired || e.Kind == EventAlertResolved {
			n++
		}
	}
	return n
}

// applyAlerts records a later notification of an incident's group.
func (x *Incidents) applyAlerts(ctx context.Context, inc Incident, g AlertGroup, now time.Time) (WebhookOutcome, int, error) {
	var fired, cleared []Alert
	inc.Firing, fired, cleared = trackAlerts(inc.firingAlerts(), g.Alerts)
	inc.AlertsFired += len(fired)
	inc.AlertsResolved += len(cleared)
	outcome := OutcomeDuplicate
	before := len(inc.Timeline)
	inc.Alerts++
	if n := alertEvents(inc); n >= maxAlertEvents && (len(fired) > 0 || len(cleared) > 0) {
		// A flapping alert would flood the thread for days: past the
		// cap, changes are counted and the states kept, not posted.
		if !inc.AlertsMuted {
			inc.AlertsMuted = true
			inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate,
				Text: fmt.Sprintf("The alerts of this group changed state %d times; further changes are counted, not posted.", maxAlertEvents)})
		}
		fired, cleared = nil, nil
		outcome = OutcomeUpdated
	}
	if len(fired) > 0 {
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventAlertFired, Text: alertList(fired)})
		outcome = OutcomeUpdated
	}
	if len(cleared) > 0 {
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventAlertResolved, Text: alertList(cleared)})
		outcome = OutcomeUpdated
	}
	if g.Status == AlertResolved {
		inc.Firing = nil // every alert of the group resolved
	}
	if g.Status == AlertResolved && inc.IsOpen() {
		x.resolve(&inc, now, "", "All alerts of the group resolved in Alertmanager.")
		outcome = OutcomeResolved
	}
	inc, err := x.save(ctx, inc, func(inc Incident) []rituals.Message { return x.changeMessages(inc, before, outcome == OutcomeResolved) })
	if err != nil {
		return "", 0, fmt.Errorf("store incident %d: %w", inc.Number, err)
	}
	return outcome, inc.Number, nil
}

// alertSeverity is the severity named by the alerts' `severity` label if
// it is one of the ritual's, else the configured default.
func (x *Incidents) alertSeverity(g AlertGroup, matching []Alert) string {
	best := -1
	consider := func(v string) {
		for i, s := range x.Settings.Severities {
			if strings.EqualFold(s, v) && (best < 0 || i < best) {
				best = i
			}
		}
	}
	consider(g.CommonLabels["severity"])
	for _, a := range matching {
		consider(a.Labels["severity"])
	}
	if best >= 0 {
		return x.Settings.Severities[best]
	}
	if s := x.Severity(x.Settings.Alertmanager.Severity); s != "" {
		return s
	}
	return x.defaultSeverity()
}

// PagerDutyEvent is one PagerDuty webhook (v3) event.
type PagerDutyEvent struct {
	ID          string // the event's ID; redeliveries repeat it
	Type        string // incident.triggered, incident.resolved, …
	OccurredAt  time.Time
	IncidentID  string
	Number      int
	Title       string
	Status      string
	Urgency     string
	Priority    string // "P1", … or ""
	ServiceID   string
	ServiceName string
	URL         string
	Agent       string // who did it, as PagerDuty names them
	Note        string // incident.annotated: the note's text
}

// TakesPagerDuty reports whether this ritual lists the event's service
// under pagerduty.services. (Events of services no ritual lists go to the
// first incidents ritual; the caller decides that.)
func (x *Incidents) TakesPagerDuty(ev PagerDutyEvent) bool {
	if x.Settings.PagerDuty == nil || len(x.Settings.PagerDuty.Services) == 0 {
		return false
	}
	for _, s := range x.Settings.PagerDuty.Services {
		if s == ev.ServiceID || strings.EqualFold(s, ev.ServiceName) {
			return true
		}
	}
	return false
}

// maxDeliveries bounds the remembered webhook delivery IDs per incident.
const maxDeliveries = 50

func seenDelivery(inc Incident, id string) bool {
	return id != "" && slices.Contains(inc.Deliveries, id)
}

func (inc *Incident) addDelivery(id string) {
	if id == "" {
		return
	}
	inc.Deliveries = append(inc.Deliveries, id)
	if len(inc.Deliveries) > maxDeliveries {
		inc.Deliveries = inc.Deliveries[len(inc.Deliveries)-maxDeliveries:]
	}
}

var priorityRE = regexp.MustCompile(`^[Pp]([1-9])$`)

// pagerDutySeverity maps a PagerDuty priority (P1 → the most severe) or,
// without one, its urgency (high → the second most severe, low → the
// least).
func (x *Incidents) pagerDutySeverity(ev PagerDutyEvent) string {
	sevs := x.Settings.Severities
	if len(sevs) == 0 {
		return x.defaultSeverity()
	}
	if m := priorityRE.FindStringSubmatch(ev.Priority); m != nil {
		i := int(m[1][0]-'0') - 1
		return sevs[min(i, len(sevs)-1)]
	}
	if ev.Urgency == "high" {
		return sevs[min(1, len(sevs)-1)]
	}
	return sevs[len(sevs)-1]
}

// HandlePagerDuty applies a PagerDuty event: incident.triggered opens an
// incident (once per PagerDuty incident), incident.resolved resolves it,
// acknowledgements and notes join its timeline.
func (x *Incidents) HandlePagerDuty(ctx context.Context, ev PagerDutyEvent) (WebhookOutcome, int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	now := x.Clock.Now()
	inc, found, err := x.Store.IncidentBySource(x.Config.Name, SourcePagerDuty, ev.IncidentID)
	if err != nil {
		return "", 0, fmt.Errorf("incidents %s: look up PagerDuty incident: %w", x.Config.Name, err)
	}
	if found && seenDelivery(inc, ev.ID) {
		return OutcomeDuplicate, inc.Number, nil
	}
	if ev.Type == "incident.triggered" {
		if found {
			return OutcomeDuplicate, inc.Number, nil
		}
		if storm, ok, err := x.stormIncident(now); err != nil || ok {
			if err != nil {
				return "", 0, err
			}
			m := StormMember{Source: SourcePagerDuty, Ref: ev.IncidentID, Title: rituals.Shorten(firstNonEmpty(ev.Title, ev.IncidentID), 200), Alerts: 1}
			storm.addDelivery(ev.ID)
			return x.joinStorm(ctx, storm, m, x.pagerDutySeverity(ev), ev.OccurredAt, now)
		}
		title := firstNonEmpty(ev.Title, "PagerDuty incident "+ev.IncidentID)
		inc = Incident{
			Ritual: x.Config.Name, Title: rituals.Shorten(title, 200), Severity: x.pagerDutySeverity(ev),
			Teams: x.pagerDutyTeams(ev), Status: IncidentOpen, Source: SourcePagerDuty,
			SourceRef: ev.IncidentID, SourceURL: ev.URL, Opened: now,
		}
		if !ev.OccurredAt.IsZero() && ev.OccurredAt.Before(now) {
			inc.ImpactStart = ev.OccurredAt
		}
		if oc := x.addOnCall(&inc, now); len(oc) > 0 {
			inc.Commander = oc[0]
		}
		text := "Triggered in PagerDuty"
		if ev.ServiceName != "" {
			text += " on " + ev.ServiceName
		}
		inc.Timeline = []TimelineEvent{{At: now, Kind: EventDeclared, Severity: inc.Severity, Text: text}}
		inc.addDelivery(ev.ID)
		inc, err = x.create(ctx, inc)
		if err != nil {
			return "", 0, err
		}
		return OutcomeOpened, inc.Number, nil
	}
	if !found {
		return OutcomeIgnored, 0, nil
	}
	if inc.Storm != nil {
		// A member's acknowledgements and notes stay in PagerDuty: in
		// the storm's thread they would be the flood it holds back.
		if ev.Type != "incident.resolved" {
			return OutcomeIgnored, inc.Number, nil
		}
		inc.addDelivery(ev.ID)
		return x.stormMemberChanged(ctx, inc, SourcePagerDuty, ev.IncidentID, true, 0, now)
	}
	before := len(inc.Timeline)
	outcome := OutcomeUpdated
	who := ""
	if ev.Agent != "" {
		who = " by " + rituals.DefuseMentions(ev.Agent)
	}
	switch ev.Type {
	case "incident.resolved":
		if !inc.IsOpen() {
			return OutcomeDuplicate, inc.Number, nil
		}
		x.resolve(&inc, now, "", "Resolved in PagerDuty"+who+".")
		outcome = OutcomeResolved
	case "incident.acknowledged":
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, Text: "Acknowledged in PagerDuty" + who + "."})
	case "incident.annotated":
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, Text: "Note in PagerDuty" + who + ": " + rituals.Shorten(ev.Note, 2800)})
	case "incident.escalated", "incident.reassigned":
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, Text: capitalize(strings.TrimPrefix(ev.Type, "incident.")) + " in PagerDuty" + who + "."})
	case "incident.priority_updated":
		if sev := x.pagerDutySeverity(ev); sev != inc.Severity {
			inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventSeverity, Severity: sev, Text: inc.Severity + " → " + sev})
			inc.Severity = sev
		}
	default:
		return OutcomeIgnored, inc.Number, nil
	}
	inc.addDelivery(ev.ID)
	inc, err = x.save(ctx, inc, func(inc Incident) []rituals.Message { return x.changeMessages(inc, before, true) })
	if err != nil {
		return "", 0, fmt.Errorf("store incident %d: %w", inc.Number, err)
	}
	return outcome, inc.Number, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
