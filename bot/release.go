package bot

import (
	"context"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/release"
)

// Releases is the Slack side of the release rituals: /release notes.
type Releases struct {
	Set   *release.Set
	Clock rituals.Clock
}

// Register adds /release's verbs to the router.
func (h *Releases) Register(r *Router) {
	r.Handle("/release", Subcommand{Name: "notes", Usage: "notes [SERVICE] [SINCE]", Help: "the changelog of the deploys since SINCE (7d, 2w, 2026-11-23; default a week), only to you", Run: h.notes})
	r.Handle("/release", Subcommand{Name: "", Usage: "", Help: "same as notes", Run: h.notes})
}

func (h *Releases) notes(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	now := h.Clock.Now()
	service, since, err := h.Set.NotesArgs(args, now)
	if err != nil {
		return Reply{}, err
	}
	text, blocks, err := h.Set.Notes(service, since, now)
	if err != nil {
		return Reply{}, err
	}
	if len(blocks) > maxMessageBlocks {
		blocks = blocks[:maxMessageBlocks]
	}
	return Reply{Text: text, Blocks: blocks}, nil
}
