package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// Digests is the Slack side of the digest rituals: /digest preview,
// highlight and risk.
type Digests struct {
	Config *rituals.Config
	Clock  rituals.Clock
	Notes  *rituals.DigestNotes

	list []*rituals.Digest
}

// Add adds a digest ritual.
func (h *Digests) Add(d *rituals.Digest) {
	h.list = append(h.list, d)
	h.Notes.Digests = h.list
}

// Register adds /digest's verbs to the router.
func (h *Digests) Register(r *Router) {
	r.Handle("/digest", Subcommand{Name: "preview", Usage: "preview [DIGEST]", Help: "the digest as it would be posted now, only to you", Run: h.preview})
	r.Handle("/digest", Subcommand{Name: "highlight", Usage: "highlight [TEAM] TEXT", Help: "a highlight for your team's next digest (leads)", Run: h.note(rituals.NoteHighlight)})
	r.Handle("/digest", Subcommand{Name: "risk", Usage: "risk [TEAM] TEXT", Help: "a risk for your team's next digest (leads)", Run: h.note(rituals.NoteRisk)})
	r.Handle("/digest", Subcommand{Name: "", Usage: "", Help: "same as preview", Run: h.preview})
}

// pick returns the digest named by args, else the first covering a team
// of user, else the first.
func (h *Digests) pick(user string, args []string) (*rituals.Digest, error) {
	if len(args) > 0 {
		for _, d := range h.list {
			if strings.EqualFold(args[0], d.Name()) {
				return d, nil
			}
		}
		var names []string
		for _, d := range h.list {
			names = append(names, d.Name())
		}
		return nil, rituals.Errorf(rituals.ENOTFOUND, "No digest is called `%s` (digests: %s).", rituals.Escape(args[0]), strings.Join(names, ", "))
	}
	for _, d := range h.list {
		for _, t := range d.Teams {
			if t.IsMember(user) || t.IsLead(user) {
				return d, nil
			}
		}
	}
	return h.list[0], nil
}

func (h *Digests) preview(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	d, err := h.pick(inv.UserID, args)
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
