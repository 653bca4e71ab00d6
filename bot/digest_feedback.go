package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// defaultFeedbackWeeks is how far back /digest feedback looks unless told.
const defaultFeedbackWeeks = 4

// maxFeedbackWeeks bounds /digest feedback N: a year of digests.
const maxFeedbackWeeks = 52

// registerFeedback adds the digest's feedback buttons, its "What's
// missing?" modal and /digest feedback, when the store keeps feedback.
func (h *Digests) registerFeedback(r *Router) {
	if h.Feedback == nil {
		return
	}
	r.Handle("/digest", Subcommand{Name: "feedback", Usage: "feedback [DIGEST] [N]", Help: "what readers said about the digest over the last N weeks (default 4), only to you", Run: h.feedbackTrend})
	r.HandleAction("digest", h.feedbackAction)
	r.HandleSubmit(digest.FeedbackForm, h.feedbackSubmit)
}

func (h *Digests) feedbackAction(ctx context.Context, a Action) (*Reply, error) {
	vote := strings.TrimPrefix(a.ActionID, "digest:")
	if vote == "missing" {
		form, err := digest.FeedbackFormFor(h.Feedback, a.Value, a.UserID)
		if err != nil {
			return nil, err
		}
		return nil, openForm(ctx, h.Views, h.Limiter, a.TriggerID, form)
	}
	text, err := digest.Vote(h.Feedback, h.Clock.Now(), a.Value, a.UserID, vote)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: text}, nil
}

func (h *Digests) feedbackSubmit(ctx context.Context, s Submission) (map[string]string, error) {
	return nil, digest.Answer(h.Feedback, h.Clock.Now(), s.PrivateMetadata, s.UserID, s.Values)
}

func (h *Digests) feedbackTrend(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	weeks := defaultFeedbackWeeks
	if n := len(args); n > 1 && (strings.EqualFold(args[n-1], "weeks") || strings.EqualFold(args[n-1], "week")) {
		args = args[:n-1] // "/digest feedback 8 weeks"
	}
	if n := len(args); n > 0 {
		if w, err := strconv.Atoi(args[n-1]); err == nil {
			if w < 1 || w > maxFeedbackWeeks {
				return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/digest feedback [DIGEST] [N]`, N weeks from 1 to %d.", maxFeedbackWeeks)
			}
			weeks, args = w, args[:n-1]
		}
	}
	d, err := h.list.Pick(inv.UserID, args)
	if err != nil {
		return Reply{}, err
	}
	text, err := digest.FeedbackTrend(h.Feedback, d.Name(), weeks, h.Clock.Now(), d.Location())
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: text, Blocks: []rituals.Block{rituals.Section(text)}}, nil
}
