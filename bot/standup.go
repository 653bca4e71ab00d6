package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
	"github.com/ritualbot/ritualbot/rituals/when"
)

// Standups is the Slack side of the standup rituals: /standup, the
// Answer / Skip / Cleared buttons and the answer modal.
type Standups struct {
	Views   viewAPI
	Limiter *RateLimiter
	Config  *rituals.Config
	Clock   rituals.Clock
	// AwaySet, if set, is told of an absence entered with /standup ooo
	// (the on-call rotations look for shifts of the person then); it
	// returns on how many shifts they are away.
	AwaySet func(ctx context.Context, user string) (int, error)

	list standup.Set
}

// Add adds a standup ritual.
func (h *Standups) Add(s *standup.Standup) { h.list = append(h.list, s) }

// Register adds /standup's verbs, the prompt's buttons and the answer
// modal to the router.
func (h *Standups) Register(r *Router) {
	r.Handle("/standup", Subcommand{Name: "", Usage: "[RITUAL]", Help: "answer your standup now (or the next one, the evening before)", Run: h.answer})
	r.Handle("/standup", Subcommand{Name: "status", Usage: "status [RITUAL]", Help: "today's standup: who answered, who is pending or away", Run: h.status})
	r.Handle("/standup", Subcommand{Name: "history", Usage: "history [@user] [N]", Help: "the last N answers (yours by default)", Run: h.history})
	r.Handle("/standup", Subcommand{Name: "ooo", Usage: "ooo FROM [TO]", Help: "out of office from FROM to TO (" + when.DayForms + "): no prompts", Run: h.ooo})
	r.Handle("/standup", Subcommand{Name: "back", Usage: "back", Help: "end your out of office", Run: h.back})
	r.HandleAction("standup", h.action)
	r.HandleSubmit("standup", h.submit)
}

func (h *Standups) answer(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	s, rest, err := h.list.Pick(inv.UserID, args)
	if err != nil {
		return Reply{}, err
	}
	if len(rest) > 0 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "I don't know `/standup %s`. Try `/standup help`.", rituals.Escape(strings.Join(args, " ")))
	}
	form, err := s.AnswerForm(ctx, inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	if err := openForm(ctx, h.Views, h.Limiter, inv.TriggerID, form); err != nil {
		return Reply{}, err
	}
	return Reply{}, nil
}

func (h *Standups) status(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	s, rest, err := h.list.Pick(inv.UserID, args)
	if err != nil {
		return Reply{}, err
	}
	if len(rest) > 0 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/standup status [RITUAL]`.")
	}
	st, err := s.Status(ctx, inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	line := func(label string, users []string) string {
		if len(users) == 0 {
			return fmt.Sprintf("*%s:* nobody", label)
		}
		var m []string
		for _, u := range users {
			m = append(m, rituals.Mention(u))
		}
		return fmt.Sprintf("*%s (%d):* %s", label, len(users), strings.Join(m, ", "))
	}
	state := "summary not posted yet"
	if st.Summarized {
		state = "summary posted"
	}
	title := fmt.Sprintf("*%s* standup, %s (%s)", rituals.Escape(s.Team.Name), st.Date.Time().Format("Mon 2 Jan"), state)
	// A section per list, a long list going on over more sections: a team
	// of a few hundred is more mentions than one section's 3,000
	// characters, and a cut list would leave people out unsaid.
	blocks := []rituals.Block{rituals.Section(title)}
	for _, l := range []string{line("Answered", st.Answered), line("Pending", st.Pending), line("Skipped", st.Skipped), line("Away", st.Away)} {
		for _, part := range rituals.Split(l, maxSectionText) {
			blocks = append(blocks, rituals.Section(part))
		}
	}
	text := fmt.Sprintf("%s: %d answered, %d pending, %d skipped, %d away", title, len(st.Answered), len(st.Pending), len(st.Skipped), len(st.Away))
	return Reply{Text: text, Blocks: blocks}, nil
}

func (h *Standups) history(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	// Whose history decides which standup: the target's, not the caller's.
	user, n := inv.UserID, 5
	var rest []string
	for _, a := range args {
		if u, ok := ParseMention(a); ok {
			user = u
		} else if c, ok := ParseCount(a, 50); ok {
			n = c
		} else {
			rest = append(rest, a)
		}
	}
	admin := h.Config.IsAdmin(inv.UserID)
	s, rest, err := h.list.PickFor(inv.UserID, user, admin, rest)
	if err != nil {
		return Reply{}, err
	}
	if len(rest) > 0 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`%s` is neither a @user nor a count from 1 to 50. Usage: `/standup history [@user] [N]`.", rituals.Escape(rest[0]))
	}
	answers, err := s.History(inv.UserID, user, n, admin)
	if err != nil {
		return Reply{}, err
	}
	record, err := s.MemberRecord(inv.UserID, user, 30, admin)
	if err != nil {
		return Reply{}, err
	}
	if len(answers) == 0 {
		return Reply{Text: fmt.Sprintf("No standup answers from %s in %s yet.", rituals.Mention(user), s.Name())}, nil
	}
	blocks := []rituals.Block{rituals.Section(fmt.Sprintf("Last %d standup answer%s of %s in %s", len(answers), rituals.Plural(len(answers)), rituals.Mention(user), s.Name()))}
	for _, a := range answers {
		// Two blocks an answer: 24 answers fit a message's 50 blocks.
		if len(blocks) >= maxMessageBlocks-2 {
			break
		}
		blocks = append(blocks, rituals.Context(a.Date.Time().Format("Mon 2 Jan 2006")), rituals.Section(standup.StandupAnswerText(a)))
	}
	if record.Days > 0 {
		line := fmt.Sprintf("Last 30 days: answered %d of %d standups", record.Answered, record.Expected)
		if record.Skipped > 0 {
			line += fmt.Sprintf(", skipped %d", record.Skipped)
		}
		if record.Away > 0 {
			line += fmt.Sprintf(", away for %d", record.Away)
		}
		blocks = append(blocks, rituals.Context(line+"."))
	}
	return Reply{Text: fmt.Sprintf("Standup history of %s", rituals.Mention(user)), Blocks: blocks}, nil
}

func (h *Standups) ooo(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	if len(args) < 1 || len(args) > 2 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/standup ooo FROM [TO]`, dates as %s, e.g. `/standup ooo 2026-12-21 2027-01-01` or `/standup ooo fri +1w`.", when.DayForms)
	}
	s, _, err := h.list.Pick(inv.UserID, nil)
	if err != nil {
		return Reply{}, err
	}
	loc := s.Config.Schedule.Location
	from, err := ParseDateArg(args[0], h.Clock.Now(), loc)
	if err != nil {
		return Reply{}, err
	}
	to := from
	if len(args) == 2 {
		if to, err = ParseDateArg(args[1], h.Clock.Now(), loc); err != nil {
			return Reply{}, err
		}
	}
	text, err := s.SetAway(inv.UserID, from, to)
	if err != nil || h.AwaySet == nil {
		return Reply{Text: text}, err
	}
	// The absence is stored; a failure to look at shifts is the daily
	// check's to catch, not a reason to refuse it.
	if n, err := h.AwaySet(ctx, inv.UserID); err == nil && n > 0 {
		text += fmt.Sprintf(" You are on call during %d stretch%s of it: you and your leads have a DM to ask for cover.", n, map[bool]string{true: "", false: "es"}[n == 1])
	}
	return Reply{Text: text}, nil
}

func (h *Standups) back(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	s, _, err := h.list.Pick(inv.UserID, nil)
	if err != nil {
		return Reply{}, err
	}
	text, err := s.Back(inv.UserID)
	return Reply{Text: text}, err
}

func (h *Standups) action(ctx context.Context, a Action) (*Reply, error) {
	switch {
	case a.ActionID == "standup:answer" || a.ActionID == "standup:skip":
		s, d, err := h.ofRef(a.Value)
		if err != nil {
			return nil, err
		}
		if a.ActionID == "standup:answer" {
			form, err := s.AnswerFormFor(ctx, a.UserID, d)
			if err != nil {
				return nil, err
			}
			return nil, openForm(ctx, h.Views, h.Limiter, a.TriggerID, form)
		}
		text, err := s.Skip(ctx, a.UserID, d)
		if err != nil {
			return nil, err
		}
		return &Reply{Text: text}, nil
	case strings.HasPrefix(a.ActionID, "standup:clear"):
		for _, s := range h.list {
			text, err := s.ClearBlocker(ctx, a.Value, a.UserID, h.Config.IsAdmin(a.UserID))
			if rituals.ErrorCode(err) == rituals.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			return &Reply{Text: text}, nil
		}
		return &Reply{Text: "That blocker no longer exists."}, nil
	}
	return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
}

func (h *Standups) submit(ctx context.Context, sub Submission) (map[string]string, error) {
	s, d, err := h.ofRef(sub.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	return s.Submit(ctx, sub.UserID, d, sub.Values)
}

// ofRef returns the standup and day a button's value or a modal's
// metadata names ("ritual|date").
func (h *Standups) ofRef(ref string) (*standup.Standup, rituals.Date, error) {
	name, d, err := standup.ParseStandupRef(ref)
	if err != nil {
		return nil, d, err
	}
	s, err := h.list.ByName(name)
	return s, d, err
}
