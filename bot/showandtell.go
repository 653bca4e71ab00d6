package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/showandtell"
)

// formRecording is the callback ID of the recording link's modal.
const formRecording = "showandtell_recording"

// ShowAndTells is the Slack side of the show-and-tell rituals: /demo, the
// ask's Sign up / Not this time buttons and the recording link's modal.
type ShowAndTells struct {
	Set     *showandtell.Set
	Views   viewAPI
	Limiter *RateLimiter
	Clock   rituals.Clock
}

// Register adds /demo's verbs, the buttons and the modal to the router.
func (h *ShowAndTells) Register(r *Router) {
	r.Handle("/demo", Subcommand{Name: "add", Usage: "add TEXT", Help: "sign up to demo TEXT at the next show-and-tell (again: change your topic, keep your slot)", Run: h.add})
	r.Handle("/demo", Subcommand{Name: "list", Usage: "list", Help: "the next show-and-tell's agenda so far", Run: h.list})
	r.Handle("/demo", Subcommand{Name: "remove", Usage: "remove", Help: "take your demo off the next show-and-tell", Run: h.remove})
	r.Handle("/demo", Subcommand{Name: "", Usage: "", Help: "same as list", Run: h.list})
	r.HandleAction("showandtell", h.action)
	r.HandleSubmit(formRecording, h.submit)
}

// next is the member's ritual and its next demo day open for sign-ups.
func (h *ShowAndTells) next(user string) (*showandtell.ShowAndTell, time.Time, error) {
	s := h.Set.For(user)
	if s == nil {
		return nil, time.Time{}, rituals.Errorf(rituals.ENOTFOUND, "No show-and-tell is configured.")
	}
	demoAt := s.DemoFor(h.Clock.Now())
	if demoAt.IsZero() {
		return nil, time.Time{}, rituals.Errorf(rituals.ENOTFOUND, "The show-and-tell %s has no demo day ahead.", s.Name())
	}
	return s, demoAt, nil
}

func (h *ShowAndTells) add(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	topic := strings.TrimSpace(strings.Join(args, " "))
	if topic == "" {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/demo add TEXT`, e.g. `/demo add The new checkout flow`.")
	}
	s, demoAt, err := h.next(inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	if _, err := s.SignUpFor(inv.UserID, s.TeamOf(inv.UserID), rituals.Clip(topic, 300), demoAt, h.Clock.Now()); err != nil {
		return Reply{}, err
	}
	return h.agendaReply(s, demoAt, fmt.Sprintf(":movie_camera: You're on the agenda of %s: %s.", demoAt.In(s.Location()).Format("Mon 2 Jan 15:04"), rituals.EscapeText(topic)))
}

func (h *ShowAndTells) list(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	s, demoAt, err := h.next(inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	return h.agendaReply(s, demoAt, "")
}

func (h *ShowAndTells) remove(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	s, demoAt, err := h.next(inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	if !h.Clock.Now().Before(s.Closes(demoAt)) {
		return Reply{}, rituals.Errorf(rituals.ECONFLICT, "The agenda is posted already; tell the channel instead.")
	}
	ok, err := s.Store.RemoveSignUp(s.Name(), demoAt, inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Reply{}, rituals.Errorf(rituals.ENOTFOUND, "You're not on the next show-and-tell's agenda.")
	}
	return h.agendaReply(s, demoAt, "Your demo is off the agenda.")
}

// agendaReply shows the day's agenda so far, under a line saying what
// the command did.
func (h *ShowAndTells) agendaReply(s *showandtell.ShowAndTell, demoAt time.Time, said string) (Reply, error) {
	msg, err := s.Agenda(demoAt)
	if err != nil {
		return Reply{}, err
	}
	blocks := msg.Blocks
	text := msg.Text
	if said != "" {
		blocks = append([]rituals.Block{rituals.Section(said)}, blocks...)
		text = said + "\n" + text
	}
	return Reply{Text: text, Blocks: blocks}, nil
}

// parseValue reads a button's "ritual|unix[|team|what]".
func (h *ShowAndTells) parseValue(value string) (*showandtell.ShowAndTell, time.Time, []string, error) {
	parts := strings.SplitN(value, "|", 4)
	var s *showandtell.ShowAndTell
	if len(parts) >= 2 {
		s = h.Set.ByName(parts[0])
	}
	if s == nil {
		return nil, time.Time{}, nil, rituals.Errorf(rituals.ENOTFOUND, "That show-and-tell no longer exists.")
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return nil, time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
	}
	return s, time.Unix(unix, 0), parts[2:], nil
}

func (h *ShowAndTells) action(ctx context.Context, a Action) (*Reply, error) {
	s, demoAt, rest, err := h.parseValue(a.Value)
	if err != nil {
		return nil, err
	}
	switch a.ActionID {
	case "showandtell:signup":
		if len(rest) != 2 {
			return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
		}
		u, err := s.SignUpFor(a.UserID, rest[0], rest[1], demoAt, h.Clock.Now())
		if err != nil {
			return nil, err
		}
		if blocks, ok := markClicked(a.MessageBlocks, a.ActionID, a.Value, ":white_check_mark: *Signed up* ✓ — change the topic with `/demo add TEXT`"); ok {
			return &Reply{Text: a.MessageText, Replace: blocks}, nil
		}
		return &Reply{Text: "You're on the agenda: " + rituals.EscapeText(u.Topic) + "."}, nil
	case "showandtell:decline":
		if blocks, ok := markClicked(a.MessageBlocks, a.ActionID, a.Value, "Not this time. You'll be asked again after your next release in another week."); ok {
			return &Reply{Text: a.MessageText, Replace: blocks}, nil
		}
		return &Reply{Text: "Not this time."}, nil
	case "showandtell:recording":
		return nil, openForm(ctx, h.Views, h.Limiter, a.TriggerID, rituals.Form{CallbackID: formRecording, Title: "Recording link",
			Submit: "Keep", Metadata: a.Value, Intro: "The link is kept with the agenda, for the archive.",
			Inputs: []rituals.Input{{ID: "url", Label: "Link to the recording", Hint: "https://…", MaxLength: 500}}})
	}
	return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
}

func (h *ShowAndTells) submit(ctx context.Context, sub Submission) (map[string]string, error) {
	s, demoAt, _, err := h.parseValue(sub.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	msgs, err := s.KeepRecording(demoAt, sub.Values["url"], sub.UserID, h.Clock.Now())
	if rituals.ErrorCode(err) == rituals.EINVALID {
		return map[string]string{"url": rituals.ErrorMessage(err)}, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, s.Outbox.Send(ctx, msgs...)
}
