package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// Onboardings is the Slack side of the onboarding rituals: /onboard, the
// Done, Add / Not yet, Start / Ignore and feedback buttons, the feedback
// modal, and member_joined_channel for trigger: channel_join.
type Onboardings struct {
	Set     *onboarding.Set
	Views   viewAPI
	Limiter *RateLimiter
}

// Register adds /onboard's verbs, the buttons, the modal and the event.
func (h *Onboardings) Register(r *Router) {
	r.Handle("/onboard", Subcommand{Name: "", Usage: "@user [TEAM]", Help: "start a newcomer's onboarding (leads and admins)", Run: h.start})
	r.Handle("/onboard", Subcommand{Name: "status", Usage: "status", Help: "the onboardings under way: yours, or your teams' if you lead", Run: h.status})
	r.Handle("/onboard", Subcommand{Name: "done", Usage: "done @user STEP [TEAM]", Help: "mark a step of a newcomer's onboarding done, STEP its number in `/onboard status` (leads and admins, or the step's owner)", Run: h.done})
	r.Handle("/onboard", Subcommand{Name: "feedback", Usage: "feedback [TEAM]", Help: "what newcomers said of their onboarding (leads and admins)", Run: h.feedback})
	r.HandleAction("onboarding", h.action)
	r.HandleSubmit(onboarding.FeedbackCallbackID, h.submit)
	r.HandleEvent("member_joined_channel", h.joined)
}

func (h *Onboardings) start(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	usage := rituals.Errorf(rituals.EINVALID, "Usage: `/onboard @user [TEAM]`, e.g. `/onboard @dana payments`. `/onboard status` shows the onboardings under way.")
	if len(args) == 0 || len(args) > 2 {
		return Reply{}, usage
	}
	newcomer, ok := ParseMention(args[0])
	if !ok && strings.HasPrefix(args[0], "@") {
		return Reply{}, rituals.Errorf(rituals.ENOTFOUND, "There is no member %s in this workspace. Pick them from Slack's list as you type @, once they have joined Slack.", rituals.Escape(args[0]))
	}
	if !ok {
		return Reply{}, usage
	}
	team := ""
	if len(args) == 2 {
		team = args[1]
	}
	r, err := h.Set.For(inv.UserID, team)
	if err != nil {
		return Reply{}, err
	}
	o, err := r.Start(ctx, inv.UserID, newcomer)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf(":seedling: %s's onboarding in %s has started: buddy %s, %d step%s. They and their buddy have their welcome DMs; `/onboard status` shows how far they are.",
		rituals.Mention(o.Newcomer), rituals.Escape(r.Team.Name), rituals.Mention(o.Buddy), len(r.Settings.Steps), rituals.Plural(len(r.Settings.Steps)))}, nil
}

func (h *Onboardings) status(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	msg, err := h.Set.Status(inv.UserID)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: msg.Text, Blocks: msg.Blocks}, nil
}

// done marks a step done without the newcomer's button: a lead's or an
// admin's way to record what happened away from Slack.
func (h *Onboardings) done(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	usage := "Usage: `/onboard done @user STEP [TEAM]`, STEP the step's number in `/onboard status`, e.g. `/onboard done @dana 3`."
	if len(args) < 2 || len(args) > 3 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "%s", usage)
	}
	newcomer, ok := ParseMention(args[0])
	if !ok {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a @user. %s", rituals.Escape(args[0]), usage)
	}
	// Its range is the ritual's to check: it knows the steps.
	step, err := strconv.Atoi(strings.TrimPrefix(args[1], "#"))
	if err != nil {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a step number. %s", rituals.Escape(args[1]), usage)
	}
	team := ""
	if len(args) == 3 {
		team = args[2]
	}
	text, err := h.Set.MarkStep(ctx, inv.UserID, newcomer, team, step)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: text}, nil
}

func (h *Onboardings) feedback(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	team := ""
	if len(args) > 0 {
		team = args[0]
	}
	text, err := h.Set.FeedbackList(inv.UserID, team)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: text}, nil
}

// ofRef is the ritual, newcomer and rest a button's value names.
func (h *Onboardings) ofRef(value string) (*onboarding.Ritual, string, []string, error) {
	name, newcomer, rest, err := onboarding.ParseRef(value)
	if err != nil {
		return nil, "", nil, err
	}
	r := h.Set.ByName(name)
	if r == nil {
		return nil, "", nil, rituals.Errorf(rituals.EINVALID, "That onboarding is no longer configured.")
	}
	return r, newcomer, rest, nil
}

// replaced is the reply that marks the clicked button with said, or says
// it when the message cannot be edited.
func replaced(a Action, said string) *Reply {
	if blocks, ok := markClicked(a.MessageBlocks, a.ActionID, a.Value, said); ok {
		return &Reply{Text: a.MessageText, Replace: blocks}
	}
	return &Reply{Text: said}
}

func (h *Onboardings) action(ctx context.Context, a Action) (*Reply, error) {
	r, newcomer, rest, err := h.ofRef(a.Value)
	if err != nil {
		return nil, err
	}
	verb := a.ActionID
	if i := strings.LastIndex(verb, ":"); strings.Count(verb, ":") == 2 {
		verb = verb[:i] // onboarding:done:3 and onboarding:later:2 keep action IDs unique in a message
	}
	switch verb {
	case "onboarding:done":
		if len(rest) != 1 {
			return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
		}
		i, err := strconv.Atoi(rest[0])
		if err != nil {
			return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
		}
		_, already, err := r.MarkDone(a.UserID, newcomer, i)
		if err != nil {
			return nil, err
		}
		if already {
			return replaced(a, ":white_check_mark: Done already."), nil
		}
		return replaced(a, ":white_check_mark: *Done* — "+rituals.Mention(a.UserID)), nil
	case "onboarding:join":
		said, err := r.Join(ctx, a.UserID, newcomer)
		if err != nil {
			return nil, err
		}
		return replaced(a, said), nil
	case "onboarding:later":
		weeks, err := onboarding.ParseWeeks(rest)
		if err != nil {
			return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
		}
		said, err := r.Postpone(a.UserID, newcomer, weeks)
		if err != nil {
			return nil, err
		}
		return replaced(a, said), nil
	case "onboarding:feedback":
		form, err := r.FeedbackForm(a.UserID, newcomer)
		if err != nil {
			return nil, err
		}
		return nil, openForm(ctx, h.Views, h.Limiter, a.TriggerID, form)
	case "onboarding:start":
		o, err := r.Start(ctx, a.UserID, newcomer)
		if err != nil {
			return nil, err
		}
		return replaced(a, fmt.Sprintf(":seedling: Onboarding started by %s, buddy %s.", rituals.Mention(a.UserID), rituals.Mention(o.Buddy))), nil
	case "onboarding:ignore":
		if err := r.Ignore(a.UserID, newcomer); err != nil {
			return nil, err
		}
		return replaced(a, "Ignored by "+rituals.Mention(a.UserID)+": no onboarding; `/onboard @user` still starts one."), nil
	}
	return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
}

func (h *Onboardings) submit(ctx context.Context, sub Submission) (map[string]string, error) {
	r, newcomer, _, err := h.ofRef(sub.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	return r.SubmitFeedback(ctx, sub.UserID, newcomer, sub.Values)
}

// joined asks the leads about someone who joined a team's channel.
func (h *Onboardings) joined(ctx context.Context, e Event) error {
	ev, ok := e.Data.(*slackevents.MemberJoinedChannelEvent)
	if !ok {
		return nil
	}
	for _, r := range h.Set.List {
		if _, err := r.MemberJoined(ctx, ev.User, ev.Channel); err != nil {
			return err
		}
	}
	return nil
}

// usersInfoAPI is what People needs of Slack.
type usersInfoAPI interface {
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
}

// People reads one member with users.info: the onboarding's check that a
// newcomer is in the workspace, and their time zone.
type People struct {
	API     usersInfoAPI
	Limiter *RateLimiter
}

var _ onboarding.People = (*People)(nil)

// Member returns what Slack says of user; ok is false for user_not_found.
func (p *People) Member(ctx context.Context, user string) (rituals.UserInfo, bool, error) {
	if err := p.Limiter.Wait(ctx, "users.info", ""); err != nil {
		return rituals.UserInfo{}, false, err
	}
	u, err := p.API.GetUserInfoContext(ctx, user)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && (se.Err == "user_not_found" || se.Err == "users_not_found") {
		return rituals.UserInfo{}, false, nil
	}
	if err != nil {
		return rituals.UserInfo{}, false, fmt.Errorf("users.info %s: %w", user, err)
	}
	return rituals.UserInfo{ID: u.ID, Name: displayName(*u), TZ: u.TZ, Deleted: u.Deleted, Bot: u.IsBot || u.ID == "USLACKBOT"}, true, nil
}
