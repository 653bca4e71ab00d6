package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// Pulses is the Slack side of the pulse rituals: /pulse, the invitation's
// button and the anonymous form. It logs nothing of a submission: the
// router logs only failures, by callback ID.
type Pulses struct {
	Views   viewAPI
	Limiter *RateLimiter
	Config  *rituals.Config

	list []*pulse.Pulse
}

// Add adds a pulse ritual.
func (h *Pulses) Add(p *pulse.Pulse) { h.list = append(h.list, p) }

// Register adds /pulse's verbs, the button and the form to the router.
func (h *Pulses) Register(r *Router) {
	r.Handle("/pulse", Subcommand{Name: "", Usage: "[RITUAL]", Help: "answer your team's open pulse, anonymously", Run: h.answer})
	r.Handle("/pulse", Subcommand{Name: "results", Usage: "results [RITUAL]", Help: "the latest published results", Run: h.results})
	r.HandleAction("pulse", h.action)
	r.HandleSubmit(pulse.CallbackID, h.submit)
}

// pick is the pulse args name, else the caller's team's (an admin's: the
// first).
func (h *Pulses) pick(user string, args []string) (*pulse.Pulse, error) {
	if len(args) > 1 {
		return nil, rituals.Errorf(rituals.EINVALID, "Usage: `/pulse [results] [RITUAL]`.")
	}
	for _, p := range h.list {
		if len(args) == 1 && p.Name() == args[0] || len(args) == 0 && p.Team.IsMember(user) {
			return p, nil
		}
	}
	if len(args) == 1 {
		var names []string
		for _, p := range h.list {
			names = append(names, p.Name())
		}
		return nil, rituals.Errorf(rituals.ENOTFOUND, "There is no pulse `%s` (pulses: %s).", rituals.Escape(args[0]), rituals.Escape(strings.Join(names, ", ")))
	}
	if h.Config.IsAdmin(user) && len(h.list) > 0 {
		return h.list[0], nil
	}
	return nil, rituals.Errorf(rituals.ENOTFOUND, "You are in no team with a pulse.")
}

func (h *Pulses) answer(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	p, err := h.pick(inv.UserID, args)
	if err != nil {
		return Reply{}, err
	}
	r, open, err := p.Current()
	if err != nil {
		return Reply{}, err
	}
	if !open {
		return Reply{Text: fmt.Sprintf("The %s pulse is not open now; `/pulse results` shows the latest results.", rituals.Escape(p.Name()))}, nil
	}
	form, err := p.Form(inv.UserID, r.ID)
	if err != nil {
		return Reply{}, err
	}
	return Reply{}, openForm(ctx, h.Views, h.Limiter, inv.TriggerID, form)
}

func (h *Pulses) results(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	p, err := h.pick(inv.UserID, args)
	if err != nil {
		return Reply{}, err
	}
	if !p.Team.IsMember(inv.UserID) && !p.Team.IsLead(inv.UserID) && !h.Config.IsAdmin(inv.UserID) {
		return Reply{}, rituals.Errorf(rituals.EFORBIDDEN, "The %s pulse's results are for %s and the admins.", rituals.Escape(p.Name()), rituals.Escape(p.Team.Name))
	}
	r, ok, err := p.Latest()
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Reply{Text: fmt.Sprintf("The %s pulse has no results yet.", rituals.Escape(p.Name()))}, nil
	}
	msg, err := p.ResultsMessage(r)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: msg.Text, Blocks: msg.Blocks}, nil
}

func (h *Pulses) action(ctx context.Context, a Action) (*Reply, error) {
	if a.ActionID != "pulse:answer" {
		return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
	}
	p, round, err := h.ofRef(a.Value)
	if err != nil {
		return nil, err
	}
	form, err := p.Form(a.UserID, round)
	if err != nil {
		return nil, err
	}
	return nil, openForm(ctx, h.Views, h.Limiter, a.TriggerID, form)
}

func (h *Pulses) submit(ctx context.Context, sub Submission) (map[string]string, error) {
	p, round, err := h.ofRef(sub.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	return p.Submit(ctx, sub.UserID, round, sub.Values)
}

// ofRef returns the pulse and round a button's value or a form's metadata
// names.
func (h *Pulses) ofRef(ref string) (*pulse.Pulse, string, error) {
	name, round, err := pulse.ParseRef(ref)
	if err != nil {
		return nil, "", err
	}
	for _, p := range h.list {
		if p.Name() == name {
			return p, round, nil
		}
	}
	return nil, "", rituals.Errorf(rituals.EINVALID, "That pulse is no longer configured.")
}
