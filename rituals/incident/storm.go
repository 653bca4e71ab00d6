package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// StormConfig folds an alert storm into one incident: once alerts and
// PagerDuty have opened MaxNew incidents within Window, new alert groups
// and PagerDuty incidents join one "alert storm" incident instead of
// opening their own, for as long as they keep coming (a join within
// Window of the last).
type StormConfig struct {
	MaxNew int
	Window time.Duration
}

// Storm is what a storm incident counts of what joined it.
type Storm struct {
	Groups   int // alert groups and PagerDuty incidents that joined
	Open     int // of them, not resolved
	Alerts   int // firing alerts they brought (a PagerDuty incident is one)
	LastJoin time.Time
}

// StormMember is an alert group or a PagerDuty incident that joined a
// storm incident. The store keeps one record per member, beside the
// incident, so a storm of thousands of groups keeps the incident small.
type StormMember struct {
	Source   string
	Ref      string
	Title    string
	Alerts   int
	Resolved bool
}

// stormIncident returns the storm incident a new alert group or PagerDuty
// incident joins at now: the open one, or a new one once the ritual's
// alerts opened MaxNew incidents within Window. ok is false when there is
// no storm; inc.Number is 0 for a storm that starts now.
func (x *Incidents) stormIncident(now time.Time) (inc Incident, ok bool, err error) {
	st := x.Settings.Storm
	if st == nil || st.MaxNew <= 0 {
		return inc, false, nil
	}
	briefs, err := x.Store.IncidentBriefs(x.Config.Name)
	if err != nil {
		return inc, false, fmt.Errorf("incidents %s: read briefs: %w", x.Config.Name, err)
	}
	since := now.Add(-st.Window)
	opened, storm := 0, 0
	for _, b := range briefs {
		switch {
		case b.Storm && b.Resolved.IsZero():
			storm = b.Number
		case !b.Storm && b.Source != SourceSlack && b.Opened.After(since):
			opened++
		}
	}
	if storm > 0 {
		if inc, err = x.Lookup(storm); err != nil {
			return inc, false, err
		}
		return inc, opened >= st.MaxNew || now.Sub(inc.Storm.LastJoin) < st.Window, nil
	}
	if opened < st.MaxNew {
		return inc, false, nil
	}
	inc = Incident{
		Ritual: x.Config.Name, Title: "Alert storm", Severity: x.defaultSeverity(),
		Teams: append([]string(nil), x.Settings.Teams...), Status: IncidentOpen, Opened: now, Storm: &Storm{},
	}
	if oc := x.addOnCall(&inc, now); len(oc) > 0 {
		inc.Commander = oc[0]
	}
	inc.Timeline = []TimelineEvent{{At: now, Kind: EventDeclared, Severity: inc.Severity,
		Text: fmt.Sprintf("Alert storm: alerts opened %d incidents within %s. New alert groups and PagerDuty incidents join this one until they stop coming for %s; it resolves when all of them have.",
			opened, HumanDuration(st.Window), HumanDuration(st.Window))}}
	return inc, true, nil
}

// joinStorm adds m to storm incident inc (new if unnumbered), at severity
// sev if that is more severe, and stores both with their messages.
func (x *Incidents) joinStorm(ctx context.Context, inc Incident, m StormMember, sev string, impact time.Time, now time.Time) (WebhookOutcome, int, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	before := len(inc.Timeline)
	created := inc.Number <= 0
	if created {
		inc.Source = m.Source
		inc.Severity = sev
		inc.Timeline[0].Severity = sev
	} else if x.moreSevere(sev, inc.Severity) {
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventSeverity, Severity: sev,
			Text: fmt.Sprintf("%s → %s", inc.Severity, sev)})
		inc.Severity = sev
	}
	if !impact.IsZero() && impact.Before(now) && (inc.ImpactStart.IsZero() || impact.Before(inc.ImpactStart)) {
		inc.ImpactStart = impact
	}
	s := *inc.Storm
	s.Groups++
	s.Open++
	s.Alerts += m.Alerts
	s.LastJoin = now
	inc.Storm = &s
	inc, err := x.Store.SaveStorm(inc, m, now, func(inc Incident) []rituals.Message {
		if created {
			return []rituals.Message{x.announcement(inc, false)}
		}
		return x.changeMessages(inc, before, true)
	})
	if err != nil {
		return "", 0, fmt.Errorf("incidents %s: join storm: %w", x.Config.Name, err)
	}
	if x.Wake != nil {
		x.Wake()
	}
	if created {
		return OutcomeOpened, inc.Number, nil
	}
	return OutcomeUpdated, inc.Number, nil
}

// stormMemberChanged applies a later notification of member ref of storm
// incident inc: resolved (the storm resolves with its last member), firing
// again, or more alerts.
func (x *Incidents) stormMemberChanged(ctx context.Context, inc Incident, source, ref string, resolved bool, alerts int, now time.Time) (WebhookOutcome, int, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	m, ok, err := x.Store.StormMember(inc.Number, source, ref)
	if err != nil {
		return "", 0, fmt.Errorf("incidents %s: read storm member: %w", x.Config.Name, err)
	}
	if !ok {
		return OutcomeIgnored, inc.Number, nil
	}
	s := *inc.Storm
	outcome := OutcomeDuplicate
	switch {
	case resolved && !m.Resolved:
		m.Resolved = true
		s.Open--
		outcome = OutcomeUpdated
	case !resolved && m.Resolved && alerts > 0 && inc.IsOpen():
		m.Resolved = false
		s.Open++
		outcome = OutcomeUpdated
	}
	if !resolved && alerts > m.Alerts {
		s.Alerts += alerts - m.Alerts
		m.Alerts = alerts
		outcome = OutcomeUpdated
	}
	inc.Storm = &s
	inc.Alerts++
	before := len(inc.Timeline)
	if s.Open <= 0 && inc.IsOpen() {
		x.resolve(&inc, now, "", fmt.Sprintf("All %s alert groups and PagerDuty incidents of the storm resolved.", thousands(s.Groups)))
		outcome = OutcomeResolved
	}
	inc, err = x.Store.SaveStorm(inc, m, now, func(inc Incident) []rituals.Message {
		return x.changeMessages(inc, before, outcome != OutcomeDuplicate)
	})
	if err != nil {
		return "", 0, fmt.Errorf("store incident %d: %w", inc.Number, err)
	}
	if x.Wake != nil {
		x.Wake()
	}
	return outcome, inc.Number, nil
}

// moreSevere reports whether severity a ranks above b.
func (x *Incidents) moreSevere(a, b string) bool {
	ia, ib := len(x.Settings.Severities), len(x.Settings.Severities)
	for i, s := range x.Settings.Severities {
		if s == a {
			ia = i
		}
		if s == b {
			ib = i
		}
	}
	return ia < ib
}

// stormField sums up a storm incident for its announcement.
func stormField(inc Incident) string {
	if inc.Storm == nil {
		return ""
	}
	s := inc.Storm
	return fmt.Sprintf("*Alert storm*\n%s groups joined (%s still firing) · %s alerts",
		thousands(s.Groups), thousands(s.Open), thousands(s.Alerts))
}
