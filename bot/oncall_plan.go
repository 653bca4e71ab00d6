package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/when"
)

// registerPlanning adds the verbs that plan ahead: absences, cover
// requests and drills.
func (h *OnCalls) registerPlanning(r *Router) {
	r.Handle("/oncall", Subcommand{Name: "cover", Usage: "cover [TEAM] FROM TO [REASON]", Help: "ask the rotation for someone to be on call in your place from FROM to TO (" + when.Forms + "); the first to take it is on call for exactly that span", Run: h.cover})
	r.Handle("/oncall", Subcommand{Name: "away", Usage: "away FROM [TO]", Help: "you are away those days (" + when.DayForms + "), as `/standup ooo` says too: you and your leads hear of any shift of yours then, with a button to ask for cover", Run: h.away})
	r.Handle("/oncall", Subcommand{Name: "drill", Usage: "drill [TEAM]", Help: "page whoever is on call for practice (leads and admins); the result goes to the team channel, never into incident figures", Run: h.drill})
}

func (h *OnCalls) cover(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	const usage = "Usage: `/oncall cover [TEAM] FROM TO [REASON]`, FROM and TO as " + when.Forms + ", e.g. `/oncall cover 2026-12-24 18:00 2026-12-27 09:00 family visit`."
	var teamArg string
	if len(args) > 0 && len(h.Rotations.Matching(args[0])) > 0 {
		teamArg, args = args[0], args[1:]
	}
	if len(args) < 2 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, usage)
	}
	r, err := h.Rotations.For(inv.UserID, inv.UserID, teamArg)
	if err != nil {
		return Reply{}, err
	}
	from, to, rest, err := when.Span(args, h.Clock.Now(), r.Zones(ctx)(inv.UserID))
	if err != nil {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "%s %s", rituals.ErrorMessage(err), usage)
	}
	c, err := r.RequestCover(ctx, oncall.CoverAsk{By: inv.UserID, Span: oncall.Span{From: from, To: to}, Reason: strings.Join(rest, " ")})
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Cover request #%d is posted in <#%s>: %s to %s, in place of %s. You will hear when someone takes it; if nobody has %s before it starts, your leads are told.",
		c.ID, r.Channel(), r.FormatTime(c.Span.From), r.FormatTime(c.Span.To), rituals.Mention(c.For), rituals.FormatSpan(r.Settings.EscalateAfter))}, nil
}

func (h *OnCalls) away(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	if len(args) < 1 || len(args) > 2 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/oncall away FROM [TO]`, dates as %s, e.g. `/oncall away 2026-12-21 2027-01-01`.", when.DayForms)
	}
	if len(h.Rotations.List) == 0 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "No rotation is configured.")
	}
	now := h.Clock.Now()
	loc := h.Rotations.List[0].Zones(ctx)(inv.UserID)
	from, err := when.Day(args[0], now, loc)
	if err != nil {
		return Reply{}, err
	}
	to := from
	if len(args) == 2 {
		if to, err = when.Day(args[1], now, loc); err != nil {
			return Reply{}, err
		}
	}
	n, err := h.Rotations.SetAway(ctx, inv.UserID, from, to, now)
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("Away from %s to %s: standups do not prompt you then", from, to)
	if n > 0 {
		text += fmt.Sprintf(", and you are on call during %d stretch%s of it: you and your leads have a DM to ask for cover.", n, plural(n, "es"))
	} else {
		text += "; no on-call shift of yours falls in it."
	}
	return Reply{Text: text}, nil
}

func plural(n int, s string) string {
	if n == 1 {
		return ""
	}
	return s
}

func (h *OnCalls) drill(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	r, err := h.ownRotation(inv, args, "Usage: `/oncall drill [TEAM]`.")
	if err != nil {
		return Reply{}, err
	}
	d, err := r.StartDrill(ctx, inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("Drill #%d: %s has a practice page", d.ID, rituals.Mention(d.Primary))
	if d.Secondary != "" {
		text += fmt.Sprintf("; %s gets it if it is not acknowledged in time", rituals.Mention(d.Secondary))
	}
	return Reply{Text: text + fmt.Sprintf(". The result goes to <#%s>.", r.Channel())}, nil
}

// planAction handles the buttons of absence warnings, cover requests and
// drills; ok is false for another button.
func (h *OnCalls) planAction(ctx context.Context, a Action) (*Reply, bool, error) {
	parts := strings.Split(a.Value, "|")
	r := h.Rotations.ByName(parts[0])
	switch a.ActionID {
	case oncall.ActionCoverPost:
		if r == nil || len(parts) != 4 {
			return nil, true, rituals.Errorf(rituals.ENOTFOUND, "That rotation no longer exists.")
		}
		from, err1 := strconv.ParseInt(parts[2], 10, 64)
		to, err2 := strconv.ParseInt(parts[3], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, true, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
		}
		// Clicked once the stretch has begun: cover what is left of it.
		span := oncall.Span{From: time.Unix(from, 0), To: time.Unix(to, 0)}
		if now := h.Clock.Now(); span.From.Before(now) {
			span.From = now
		}
		c, err := r.RequestCover(ctx, oncall.CoverAsk{By: a.UserID, For: parts[1], Span: span, Reason: "away"})
		if err != nil {
			return nil, true, err
		}
		return &Reply{Text: fmt.Sprintf("Cover request #%d is posted in <#%s>.", c.ID, r.Channel())}, true, nil
	case oncall.ActionCoverTake, oncall.ActionDrillAck:
		var id uint64
		var err error
		if len(parts) == 2 {
			id, err = strconv.ParseUint(parts[1], 10, 64)
		}
		if r == nil || len(parts) != 2 || err != nil {
			return nil, true, rituals.Errorf(rituals.ENOTFOUND, "That request no longer exists.")
		}
		if a.ActionID == oncall.ActionDrillAck {
			d, err := r.AckDrill(ctx, id, a.UserID)
			if err != nil {
				return nil, true, err
			}
			return &Reply{Text: fmt.Sprintf("Acknowledged after %s. Thanks: the result is in <#%s>.", rituals.FormatSpan(d.TimeToAck()), r.Channel())}, true, nil
		}
		c, err := r.TakeCover(ctx, id, a.UserID)
		if err != nil {
			return nil, true, err
		}
		return &Reply{Text: fmt.Sprintf("You took cover request #%d: you are on call for *%s* from %s to %s. %s has been told.",
			c.ID, r.TeamName(), r.FormatTime(c.Span.From), r.FormatTime(c.Span.To), rituals.Mention(c.For))}, true, nil
	}
	return nil, false, nil
}
