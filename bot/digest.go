package bot

import (
	"context"
	"fmt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Digests is the Slack side of the digest rituals: /digest preview,
// highlight and risk.
type Digests struct {
	Config *rituals.Config
	Clock  rituals.Clock
	Notes  *digest.DigestNotes
	// Feedback keeps readers' feedback; Views and Limiter open its form.
	Feedback digest.FeedbackStore
	Views    viewAPI
	Limiter  *RateLimiter

	list digest.Set
}

// Add adds a digest ritual.
func (h *Digests) Add(d *digest.Digest) {
	h.list = append(h.list, d)
	h.Notes.Digests = h.list
}

// Register adds /digest's verbs to the router.
func (h *Digests) Register(r *Router) {
	r.Handle("/digest", Subcommand{Name: "preview", Usage: "preview [DIGEST]", Help: "the digest as it would be posted now, only to you", Run: h.preview})
	r.Handle("/digest", Subcommand{Name: "highlight", Usage: "highlight [TEAM] TEXT", Help: "a highlight for your team's next digest (leads)", Run: h.note(digest.NoteHighlight)})
	r.Handle("/digest", Subcommand{Name: "risk", Usage: "risk [TEAM] TEXT", Help: "a risk for your team's next digest (leads)", Run: h.note(digest.NoteRisk)})
	h.registerFeedback(r)
	r.Handle("/digest", Subcommand{Name: "", Usage: "", Help: "same as preview", Run: h.preview})
}

func (h *Digests) preview(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	d, err := h.list.Pick(inv.UserID, args)
	if err != nil {
		return Reply{}, err
	}
	msg, err := d.Preview(ctx, h.Clock.Now())
	if err != nil {
		return Reply{}, err
	}
	next := ""
	if at := d.Config.Schedule.Next(h.Clock.Now()); !at.IsZero() {
		next = fmt.Sprintf(" It is posted in %s on %s, with its trend chart.", rituals.ChannelLink(d.Channel()), at.In(d.Location()).Format("Mon 2 Jan at 15:04"))
	}
	blocks := append([]rituals.Block{rituals.Context("Preview, only you see it." + next)}, msg.Blocks...)
	if len(blocks) > maxMessageBlocks {
		blocks = blocks[:maxMessageBlocks]
	}
	return Reply{Text: msg.Text, Blocks: blocks}, nil
}

func (h *Digests) note(kind string) CommandFunc {
	return func(ctx context.Context, inv Invocation, args []string) (Reply, error) {
		text, err := h.Notes.Add(inv.UserID, kind, commandText(args))
		return Reply{Text: text}, err
	}
}
