package oncall

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Jobs returns the handoff job and, with notify_before, the heads-up job.
func (r *Rotation) Jobs() []rituals.Job {
	jobs := []rituals.Job{{
		Name: r.Config.Name + "/handoff", Ritual: r.Config.Name, Schedule: r.Config.Schedule,
		Run: r.Handoff,
	}}
	if d := r.Settings.NotifyBefore; d > 0 {
		jobs = append(jobs, rituals.Job{
			Name: r.Config.Name + "/heads-up", Ritual: r.Config.Name, Schedule: r.Config.Schedule.WithOffset(-d),
			Run: func(ctx context.Context, at time.Time) error { return r.HeadsUp(ctx, at.Add(d)) },
		})
	}
	return jobs
}

// Handoff runs the handoff at `at`: it records the shift that starts, posts
// the announcement in the channel, DMs the incoming engineer, and has the
// user group and topic follow.
func (r *Rotation) Handoff(ctx context.Context, at time.Time) error {
	r.mu.Lock()
	err := r.ensureLoaded()
	if err == nil {
		err = r.recordLocked(at)
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	r.wakeKeeper()
	h, ok, err := r.handoffAt(at)
	if err != nil || !ok {
		return err
	}
	zones := r.Zones(ctx)
	msgs := []rituals.Message{r.announcement(h), r.incomingDM(h, zones(h.Incoming.Primary))}
	for _, s := range h.Shadows {
		msgs = append(msgs, r.shadowDM(h, s, zones(s)))
	}
	return r.Outbox.Send(ctx, msgs...)
}

// handoff is what changes hands at one handoff.
type handoff struct {
	At       time.Time
	Incoming Shift
	Outgoing *Shift // nil at the first shift
	// Incidents of the outgoing shift, and the incoming one's open
	// incidents and action items; nil without an incident log.
	Incidents   []rituals.IncidentBrief
	Open        []rituals.IncidentBrief
	OpenActions []rituals.ActionBrief
	HaveLog     bool
	// Until is when Incoming's primary stops being on call: the end of
	// their stint, as /oncall and the App Home say it.
	Until time.Time
	// Shadows are the newcomers shadowing the incoming shift.
	Shadows []string
}

func (r *Rotation) handoffAt(at time.Time) (handoff, bool, error) {
	in, ok, err := r.At(at)
	if err != nil || !ok {
		return handoff{}, false, err
	}
	h := handoff{At: at, Incoming: in, Until: in.HandoffEnd, Shadows: r.shadowsAt(at, in.Primary)}
	if st, ok, err := r.NextStintOf(in.Primary, at); err != nil {
		return h, false, err
	} else if ok {
		h.Until = st.End
	}
	if out, ok, err := r.At(at.Add(-time.Nanosecond)); err != nil {
		return h, false, err
	} else if ok {
		h.Outgoing = &out
	}
	if err := r.readIncidents(&h); err != nil {
		return h, false, err
	}
	return h, true, nil
}

// readIncidents fills in the incidents, if an incident log is there.
func (r *Rotation) readIncidents(h *handoff) error {
	log := rituals.Linked(r.Incidents)
	if log == nil {
		return nil
	}
	h.HaveLog = true
	var err error
	if h.Outgoing != nil {
		if h.Incidents, err = log.IncidentsBetween(r.Team.ID, h.Outgoing.HandoffStart, h.At); err != nil {
			return fmt.Errorf("oncall %s: incidents of the last shift: %w", r.Config.Name, err)
		}
	}
	if h.Open, err = log.OpenIncidents(r.Team.ID); err != nil {
		return fmt.Errorf("oncall %s: open incidents: %w", r.Config.Name, err)
	}
	actions, err := log.Actions(r.Team.ID)
	if err != nil {
		return fmt.Errorf("oncall %s: action items: %w", r.Config.Name, err)
	}
	for _, a := range actions {
		if !a.Done() {
			h.OpenActions = append(h.OpenActions, a)
		}
	}
	sort.SliceStable(h.OpenActions, func(i, j int) bool { return actionBefore(h.OpenActions[i], h.OpenActions[j]) })
	return nil
}

func actionBefore(a, b rituals.ActionBrief) bool {
	switch {
	case a.Due.IsZero() != b.Due.IsZero():
		return !a.Due.IsZero()
	case !a.Due.IsZero() && a.Due != b.Due:
		return a.Due.Before(b.Due)
	}
	return a.Created.Before(b.Created)
}

// maxListed caps incidents and actions listed in one message.
const maxListed = 15

// announcement is the channel message of a handoff.
func (r *Rotation) announcement(h handoff) rituals.Message {
	in := h.Incoming
	until := r.FormatTime(h.Until)
	lead := fmt.Sprintf(":pager: %s is now on call for *%s* until %s.", rituals.Mention(in.Primary), r.TeamName(), until)
	text := fmt.Sprintf("%s is now on call for %s until %s", rituals.Mention(in.Primary), r.TeamName(), until)
	if h.Outgoing != nil && h.Outgoing.Primary != in.Primary {
		lead += fmt.Sprintf(" Thank you, %s, for the last shift!", rituals.Mention(h.Outgoing.Primary))
		text += fmt.Sprintf(" (from %s)", rituals.Mention(h.Outgoing.Primary))
	} else if h.Outgoing != nil {
		lead += " (staying on)"
	}
	if in.Override != nil {
		lead += fmt.Sprintf(" _Override: %s covers %s._", rituals.Mention(in.Primary), rituals.Mention(in.Covering))
	}
	if line := shadowingLine(h.Shadows); line != "" {
		lead += "\n" + line
		text += " (" + stripMrkdwn(strings.TrimPrefix(line, ":eyes: ")) + ")"
	}
	fields := []string{"*Incoming*\n" + rituals.Mention(in.Primary)}
	if h.Outgoing != nil {
		fields = append(fields, "*Outgoing*\n"+rituals.Mention(h.Outgoing.Primary))
	}
	if in.Secondary != "" {
		fields = append(fields, "*Secondary*\n"+rituals.Mention(in.Secondary))
	}
	if in.Exec != "" {
		fields = append(fields, "*Exec on call*\n"+rituals.Mention(in.Exec))
	}
	fields = append(fields, "*Until*\n"+until)
	blocks := []rituals.Block{
		rituals.Header("On-call handoff · " + r.TeamName()),
		rituals.Section(lead),
		{Kind: rituals.SectionBlock, Fields: fields},
	}
	if h.HaveLog && h.Outgoing != nil {
		blocks = append(blocks, rituals.Section(r.shiftIncidentsText(h)))
	}
	blocks = append(blocks, rituals.Context(fmt.Sprintf("Rotation of %d · `/oncall schedule %s` for what comes next · handoff %s", r.sizeAt(h.At), r.Team.ID, r.FormatTime(h.At))))
	return rituals.Message{Key: rituals.OccurrenceKey(r.Config.Name+"/handoff", h.At, "announce"), To: r.Channel(), Text: text, Blocks: blocks}
}

// shiftIncidentsText lists the outgoing shift's incidents.
func (r *Rotation) shiftIncidentsText(h handoff) string {
	if len(h.Incidents) == 0 {
		return fmt.Sprintf("*Last shift's incidents:* none. A quiet shift for %s.", rituals.Mention(h.Outgoing.Primary))
	}
	alerts := 0
	for _, in := range h.Incidents {
		alerts += in.Alerts
	}
	head := fmt.Sprintf("*Last shift's incidents:* %d", len(h.Incidents))
	if alerts > 0 {
		head += fmt.Sprintf(" (%d alert%s)", alerts, rituals.Plural(alerts))
	}
	return head + "\n" + r.incidentLines(h.Incidents, "… and %d more")
}

// incidentLines lists incidents as the handoff does, at most maxListed.
func (r *Rotation) incidentLines(incidents []rituals.IncidentBrief, more string) string {
	var lines []string
	for _, in := range incidents {
		lines = append(lines, "• "+r.incidentLine(in))
	}
	return strings.Join(rituals.Capped(lines, maxListed, more), "\n")
}

// incidentLine is one incident as the handoff lists it.
func (r *Rotation) incidentLine(in rituals.IncidentBrief) string {
	s := fmt.Sprintf("#%d", in.Number)
	if in.Severity != "" {
		s += " " + rituals.Escape(in.Severity)
	}
	s += " " + rituals.Escape(in.Title)
	if in.Resolved.IsZero() {
		s += fmt.Sprintf(" — *open* since %s", r.FormatTime(in.Opened))
	} else {
		s += " — resolved after " + rituals.FormatSpan(in.Resolved.Sub(in.Opened))
	}
	if in.Commander != "" {
		s += ", commander " + rituals.Mention(in.Commander)
	}
	if in.Alerts > 0 {
		s += fmt.Sprintf(", %d alert%s", in.Alerts, rituals.Plural(in.Alerts))
	}
	return s
}

// incomingDM tells the incoming engineer what they take over; times fall
// back to their zone, loc.
func (r *Rotation) incomingDM(h handoff, loc *time.Location) rituals.Message {
	in := h.Incoming
	lead := fmt.Sprintf(":pager: You are on call for *%s* from now until %s.", r.TeamName(), r.FormatTimeIn(h.Until, loc))
	if h.Outgoing != nil && h.Outgoing.Primary != in.Primary {
		lead += fmt.Sprintf(" You take over from %s.", rituals.Mention(h.Outgoing.Primary))
	}
	var crew []string
	if in.Secondary != "" {
		crew = append(crew, "Secondary: "+rituals.Mention(in.Secondary))
	}
	if in.Exec != "" {
		crew = append(crew, "Exec on call: "+rituals.Mention(in.Exec))
	}
	if len(crew) > 0 {
		lead += "\n" + strings.Join(crew, " · ")
	}
	if line := shadowingLine(h.Shadows); line != "" {
		lead += "\n" + line + " They see the team's incidents with you; show them around."
	}
	blocks := []rituals.Block{rituals.Section(lead)}
	if h.HaveLog {
		blocks = append(blocks, rituals.Section(r.openIncidentsText(h)), rituals.Section(r.openActionsText(h)))
	}
	blocks = append(blocks, rituals.Context("Need cover? `/oncall swap @someone` or `/oncall override @someone 4h`."))
	return rituals.Message{
		Key: rituals.OccurrenceKey(r.Config.Name+"/handoff", h.At, "incoming", in.Primary), To: in.Primary,
		Text: fmt.Sprintf("You are on call for %s until %s", r.TeamName(), r.FormatTimeIn(h.Until, loc)), Blocks: blocks,
	}
}

func (r *Rotation) openIncidentsText(h handoff) string {
	if len(h.Open) == 0 {
		return "*Open incidents:* none."
	}
	return fmt.Sprintf("*Open incidents:* %d\n", len(h.Open)) + r.incidentLines(h.Open, "… and %d more (`/incident list`)")
}

func (r *Rotation) openActionsText(h handoff) string {
	if len(h.OpenActions) == 0 {
		return "*Open action items:* none."
	}
	today := rituals.DateOf(h.At.In(r.loc()))
	var lines []string
	for _, a := range h.OpenActions {
		line := fmt.Sprintf("• %s (#%d, %s", rituals.Escape(a.Text), a.Incident, rituals.Mention(a.Owner))
		if !a.Due.IsZero() {
			line += ", due " + a.Due.String()
			if a.Due.Before(today) {
				line += " — *overdue*"
			}
		}
		lines = append(lines, line+")")
	}
	return fmt.Sprintf("*Open action items:* %d\n", len(h.OpenActions)) + strings.Join(rituals.Capped(lines, maxListed, "… and %d more"), "\n")
}

// HeadsUp DMs whoever comes on call at the handoff at `handoff`, unless
// they are on call already.
func (r *Rotation) HeadsUp(ctx context.Context, handoff time.Time) error {
	next, ok, err := r.At(handoff)
	if err != nil || !ok {
		return err
	}
	if now, ok, err := r.At(handoff.Add(-time.Nanosecond)); err != nil {
		return err
	} else if ok && now.Primary == next.Primary {
		return nil
	}
	until := next.HandoffEnd
	if st, ok, err := r.NextStintOf(next.Primary, handoff); err != nil {
		return err
	} else if ok {
		until = st.End
	}
	loc := r.Zones(ctx)(next.Primary)
	text := fmt.Sprintf(":wave: Heads-up: you are on call for *%s* from %s until %s.", r.TeamName(), r.FormatTimeIn(handoff, loc), r.FormatTimeIn(until, loc))
	if next.Secondary != "" {
		text += " Secondary: " + rituals.Mention(next.Secondary) + "."
	}
	return r.Outbox.Send(ctx, rituals.Message{
		Key: rituals.OccurrenceKey(r.Config.Name+"/heads-up", handoff, next.Primary), To: next.Primary,
		Text: fmt.Sprintf("Heads-up: you are on call for %s from %s", r.TeamName(), r.FormatTimeIn(handoff, loc)),
		Blocks: []rituals.Block{
			rituals.Section(text),
			rituals.Context("Can't make it? Trade with `/oncall swap @someone`, or ask a lead for an override."),
		},
	})
}

// NextHandoffAnnouncement is the announcement of the first handoff after
// now, as it would be posted (ritualbot preview).
func (r *Rotation) NextHandoffAnnouncement(now time.Time) (rituals.Message, error) {
	at := r.Config.Schedule.Next(now)
	if first := r.First(); !first.IsZero() && now.Before(first) {
		at = first
	}
	if at.IsZero() {
		return rituals.Message{}, rituals.Errorf(rituals.ENOTFOUND, "%s has no handoff coming.", r.Config.Name)
	}
	h, ok, err := r.handoffAt(at)
	if err != nil {
		return rituals.Message{}, err
	}
	if !ok {
		return rituals.Message{}, rituals.Errorf(rituals.ENOTFOUND, "%s has no shift at %s.", r.Config.Name, r.FormatTime(at))
	}
	return r.announcement(h), nil
}
