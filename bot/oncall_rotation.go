package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// registerRotation adds `/oncall rotation`: who takes turns, from the
// config or added from Slack, and taking out one added from Slack.
func (h *OnCalls) registerRotation(r *Router) {
	r.Handle("/oncall", Subcommand{Name: "rotation", Usage: "rotation [TEAM] · rotation remove @user [TEAM]",
		Help: "the members of your team's rotations, from the config or added from Slack (by whom, when, from which handoff); `remove` takes a member added from Slack out from the next handoff (leads and admins)", Run: h.rotation})
}

const rotationUsage = "Usage: `/oncall rotation [TEAM]` lists the members; `/oncall rotation remove @user [TEAM]` takes a member added from Slack out of the rotation from the next handoff."

func (h *OnCalls) rotation(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	if len(args) > 0 && strings.EqualFold(args[0], "remove") {
		return h.removeFromRotation(ctx, inv, args[1:])
	}
	if len(args) > 1 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "%s", rotationUsage)
	}
	var rots []*oncall.Rotation
	if len(args) == 1 {
		if rots = h.Rotations.Matching(args[0]); len(rots) == 0 {
			return Reply{}, h.Rotations.Unknown(args[0])
		}
	} else if rots = h.Rotations.Of(inv.UserID); len(rots) == 0 {
		rots = h.Rotations.List
	}
	var blocks []rituals.Block
	var summary []string
	for _, r := range rots {
		members, err := r.Members()
		if err != nil {
			return Reply{}, err
		}
		blocks = append(blocks, rituals.Section(fmt.Sprintf("*%s* rotation · _%s_ · %d member%s", r.TeamName(), r.Name(), len(members), rituals.Plural(len(members)))))
		var lines []string
		for i, m := range members {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, memberLine(r, m)))
		}
		for len(lines) > 0 {
			k := min(len(lines), 10) // within a section's 3,000 characters: a line with its date tokens runs to about 250
			blocks = append(blocks, rituals.Section(strings.Join(lines[:k], "\n")))
			lines = lines[k:]
		}
		where := fmt.Sprintf("the `rotation:` of `%s`", r.Name())
		if r.Settings.RotationFromTeam {
			where = fmt.Sprintf("the `members:` of the team `%s`", r.Team.ID)
		}
		blocks = append(blocks, rituals.Context(fmt.Sprintf("Members from the config change in the config file (%s). Leads and admins take out a member added from Slack with `/oncall rotation remove @user %s`.", where, r.Team.ID)))
		summary = append(summary, fmt.Sprintf("%s: %d", r.TeamName(), len(members)))
	}
	if len(blocks) > 50 {
		blocks = append(blocks[:49], rituals.Context("More rotations than fit: name one, `/oncall rotation TEAM`."))
	}
	return Reply{Text: "On-call rotation members: " + strings.Join(summary, "; "), Blocks: blocks}, nil
}

// memberLine is one member as `/oncall rotation` lists them: where they
// come from.
func memberLine(r *oncall.Rotation, m oncall.Member) string {
	a := m.Addition
	if a == nil {
		return rituals.Mention(m.User) + " · _config_"
	}
	line := fmt.Sprintf("%s · _added from Slack_ by %s on %s, takes shifts from the handoff of %s",
		rituals.Mention(m.User), rituals.Mention(a.By), r.FormatTime(a.Added), r.FormatTime(a.From))
	if !a.Until.IsZero() {
		line += fmt.Sprintf("; *leaves from the handoff of %s* (%s took them out)", r.FormatTime(a.Until), rituals.Mention(a.RemovedBy))
	}
	return line
}

// removeFromRotation is `/oncall rotation remove @user [TEAM]`.
func (h *OnCalls) removeFromRotation(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	if len(args) < 1 || len(args) > 2 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "%s", rotationUsage)
	}
	user, ok := ParseMention(args[0])
	if !ok {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a @user. %s", rituals.Escape(args[0]), rotationUsage)
	}
	var teamArg string
	if len(args) == 2 {
		teamArg = args[1]
	}
	r, err := h.Rotations.For(inv.UserID, user, teamArg)
	if err != nil {
		return Reply{}, err
	}
	l, err := r.Remove(ctx, user, inv.UserID, h.Clock.Now())
	if err != nil {
		return Reply{}, err
	}
	others := len(l.Told) - 1 // the member is told too
	text := fmt.Sprintf("Done: %s leaves the *%s* on-call rotation from the handoff of %s; a shift already started stays, and so do overrides. %s has been told",
		rituals.Mention(user), r.TeamName(), r.FormatTime(l.Until), rituals.Mention(user))
	switch {
	case others == 1:
		text += ", and so has the one person whose shifts move"
	case others > 1:
		text += fmt.Sprintf(", and so have the %d people whose shifts move", others)
	}
	return Reply{Text: text + ". `/oncall schedule " + r.Team.ID + "` shows the rotation without them."}, nil
}
