package oncall

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// ActionDrillAck acknowledges a practice page.
const ActionDrillAck = "oncall:drill-ack"

// drillWindow is how long a practice page gives to acknowledge; the page
// says so. It also bounds when the secondary is paged: escalate_after,
// but never later than the window.
const drillWindow = 5 * time.Minute

// drillGiveUp is how long after the page a drill nobody acknowledged is
// reported as such.
const drillGiveUp = 30 * time.Minute

// Drill is a practice page: the on-call engineer is paged as for an
// incident, and the secondary if they do not acknowledge in time. Drills
// are kept apart from incidents: they count in no incident figure and in
// no DORA key.
type Drill struct {
	ID     uint64
	Ritual string
	// Slot is the drill schedule's time that started it; zero for one
	// asked with `/oncall drill` (By).
	Slot time.Time `json:",omitempty"`
	By   string    `json:",omitempty"`
	// Paged is when the primary was paged.
	Paged              time.Time
	Primary, Secondary string
	// Escalated is when the secondary was paged, zero if not.
	Escalated time.Time `json:",omitempty"`
	AckedBy   string    `json:",omitempty"`
	Acked     time.Time `json:",omitempty"`
	// Reported is when the result went to the team channel.
	Reported time.Time `json:",omitempty"`
}

// TimeToAck is how long the page took to be acknowledged; 0 if it was not.
func (d Drill) TimeToAck() time.Duration {
	if d.Acked.IsZero() {
		return 0
	}
	return d.Acked.Sub(d.Paged)
}

// DrillStore keeps a rotation's drills.
type DrillStore interface {
	// PutDrill stores d, giving it an ID if it has none.
	PutDrill(d Drill) (Drill, error)
	// Drills returns a rotation's drills paged at or after from, oldest first.
	Drills(ritual string, from time.Time) ([]Drill, error)
}

func (r *Rotation) drillEscalateAfter() time.Duration {
	return min(r.Settings.escalateAfter(), drillWindow)
}

// StartDrill pages the on-call engineer for practice, as by asks (a lead
// or an admin; "" for the schedule).
func (r *Rotation) StartDrill(ctx context.Context, by string) (Drill, error) {
	if by != "" && !r.mayLead(by) {
		return Drill{}, rituals.Errorf(rituals.EFORBIDDEN, "Only a lead of %s (%s) or an admin can start a drill.", r.TeamName(), mentions(r.Team.Leads))
	}
	return r.startDrill(ctx, by, time.Time{})
}

func (r *Rotation) startDrill(ctx context.Context, by string, slot time.Time) (Drill, error) {
	if r.Drills == nil {
		return Drill{}, rituals.Errorf(rituals.EINVALID, "Drills need the store; they are not available here.")
	}
	now := r.Clock.Now()
	sh, ok, err := r.At(now)
	if err != nil {
		return Drill{}, err
	}
	if !ok {
		return Drill{}, rituals.Errorf(rituals.EINVALID, "The %s rotation has not started: nobody to page.", r.TeamName())
	}
	d := Drill{Ritual: r.Config.Name, Slot: slot, By: by, Paged: now, Primary: sh.Primary, Secondary: sh.Secondary}
	if d, err = r.Drills.PutDrill(d); err != nil {
		return Drill{}, fmt.Errorf("oncall %s: store drill: %w", r.Config.Name, err)
	}
	if err := r.Outbox.Send(ctx, rituals.UrgentFor(ctx, []rituals.Message{r.drillPage(d, d.Primary)})...); err != nil {
		return Drill{}, fmt.Errorf("oncall %s: page drill %d: %w", r.Config.Name, d.ID, err)
	}
	r.pokePlanner()
	return d, nil
}

func (r *Rotation) drillPage(d Drill, to string) rituals.Message {
	text := fmt.Sprintf(":rotating_light: *Practice page: acknowledge within %d min.* This is a drill for *%s*, not an incident: it checks that a page reaches whoever is on call.", int(drillWindow.Minutes()), r.TeamName())
	if to != d.Primary {
		text += fmt.Sprintf(" %s has not acknowledged it, so it comes to you as secondary.", rituals.Mention(d.Primary))
	}
	return rituals.Message{
		Key: r.key("drill", strconv.FormatUint(d.ID, 10), "page", to), To: to,
		Text: fmt.Sprintf("Practice page: acknowledge within %d min", int(drillWindow.Minutes())),
		Blocks: []rituals.Block{rituals.Section(text), rituals.Actions(rituals.Button{
			Text: "Acknowledge", ActionID: ActionDrillAck, Style: "primary", Value: r.Config.Name + "|" + strconv.FormatUint(d.ID, 10),
		})},
	}
}

// AckDrill acknowledges drill id as user (the primary, or the secondary
// once paged) and posts the result in the team channel.
func (r *Rotation) AckDrill(ctx context.Context, id uint64, user string) (Drill, error) {
	if r.Drills == nil {
		return Drill{}, rituals.Errorf(rituals.ENOTFOUND, "That drill no longer exists.")
	}
	r.coverMu.Lock()
	defer r.coverMu.Unlock()
	now := r.Clock.Now()
	d, ok, err := r.drill(id)
	switch {
	case err != nil:
		return Drill{}, err
	case !ok:
		return Drill{}, rituals.Errorf(rituals.ENOTFOUND, "That drill no longer exists.")
	case !d.Acked.IsZero():
		return Drill{}, rituals.Errorf(rituals.ECONFLICT, "%s acknowledged this drill already, after %s.", rituals.Mention(d.AckedBy), rituals.FormatSpan(d.TimeToAck()))
	case !d.Reported.IsZero():
		return Drill{}, rituals.Errorf(rituals.EINVALID, "This drill is over: nobody acknowledged it within %s.", drillGiveUp)
	case user != d.Primary && !(user == d.Secondary && !d.Escalated.IsZero()):
		return Drill{}, rituals.Errorf(rituals.EFORBIDDEN, "This practice page is for %s.", rituals.Mention(d.Primary))
	}
	d.AckedBy, d.Acked = user, now
	return d, r.reportDrill(ctx, d)
}

// drill finds drill id among the recent ones.
func (r *Rotation) drill(id uint64) (Drill, bool, error) {
	ds, err := r.Drills.Drills(r.Config.Name, r.Clock.Now().Add(-7*24*time.Hour))
	if err != nil {
		return Drill{}, false, fmt.Errorf("oncall %s: read drills: %w", r.Config.Name, err)
	}
	for _, d := range ds {
		if d.ID == id {
			return d, true, nil
		}
	}
	return Drill{}, false, nil
}

// reportDrill posts d's result in the team channel and stores it.
func (r *Rotation) reportDrill(ctx context.Context, d Drill) error {
	d.Reported = r.Clock.Now()
	if err := r.Outbox.Send(ctx, rituals.UrgentFor(ctx, []rituals.Message{r.drillResult(d)})...); err != nil {
		return fmt.Errorf("oncall %s: report drill %d: %w", r.Config.Name, d.ID, err)
	}
	if _, err := r.Drills.PutDrill(d); err != nil {
		return fmt.Errorf("oncall %s: store drill %d: %w", r.Config.Name, d.ID, err)
	}
	return nil
}

// DrillLine says how a drill went, as the channel and the digest show it.
func DrillLine(d Drill) string {
	esc := "not escalated"
	if !d.Escalated.IsZero() {
		esc = "escalated to " + rituals.Mention(d.Secondary)
	}
	if d.Acked.IsZero() {
		return fmt.Sprintf("drill #%d: not acknowledged, %s", d.ID, esc)
	}
	return fmt.Sprintf("drill #%d: acknowledged by %s after %s, %s", d.ID, rituals.Mention(d.AckedBy), rituals.FormatSpan(d.TimeToAck()), esc)
}

func (r *Rotation) drillResult(d Drill) rituals.Message {
	icon := ":white_check_mark:"
	if d.Acked.IsZero() || !d.Escalated.IsZero() {
		icon = ":warning:"
	}
	text := fmt.Sprintf("%s *On-call drill* for *%s*: %s. Practice only: not an incident.", icon, r.TeamName(), DrillLine(d))
	return rituals.Message{
		Key: r.key("drill", strconv.FormatUint(d.ID, 10), "result"), To: r.Channel(),
		Text: stripMrkdwn("On-call drill for " + r.TeamName() + ": " + DrillLine(d)), Blocks: []rituals.Block{rituals.Section(text)},
	}
}

// drills starts the scheduled drill that is due, pages the secondary of
// an unacknowledged one, reports one nobody acknowledged, and returns when
// the next of these falls due.
func (r *Rotation) drills(ctx context.Context, now time.Time) (time.Time, error) {
	if r.Drills == nil {
		return time.Time{}, nil
	}
	recent, err := r.Drills.Drills(r.Config.Name, now.Add(-drillGiveUp-time.Hour))
	if err != nil {
		return time.Time{}, fmt.Errorf("oncall %s: read drills: %w", r.Config.Name, err)
	}
	var next time.Time
	soonest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, d := range recent {
		if !d.Reported.IsZero() {
			continue
		}
		if esc := d.Paged.Add(r.drillEscalateAfter()); d.Escalated.IsZero() && d.Secondary != "" {
			if now.Before(esc) {
				soonest(esc)
				continue
			}
			d.Escalated = now
			if err := r.Outbox.Send(ctx, r.drillPage(d, d.Secondary)); err != nil {
				return time.Time{}, fmt.Errorf("oncall %s: page secondary of drill %d: %w", r.Config.Name, d.ID, err)
			}
			if _, err := r.Drills.PutDrill(d); err != nil {
				return time.Time{}, fmt.Errorf("oncall %s: store drill %d: %w", r.Config.Name, d.ID, err)
			}
		}
		if end := d.Paged.Add(drillGiveUp); now.Before(end) {
			soonest(end)
		} else if err := r.reportDrill(ctx, d); err != nil {
			return time.Time{}, err
		}
	}
	if sch := r.Settings.Drill; sch != nil {
		// Drills missed while the bot was down are not run late: the
		// schedule goes on from the start.
		p := &r.planner
		if p.nextDrill.IsZero() {
			p.nextDrill = sch.Next(now)
		}
		if slot := p.nextDrill; !slot.IsZero() && !now.Before(slot) {
			p.nextDrill = sch.Next(now)
			if _, err := r.startDrill(ctx, "", slot); err != nil {
				r.Log.Warn().Err(err).Msg("scheduled on-call drill not started")
			}
		}
		soonest(p.nextDrill)
	}
	return next, nil
}
