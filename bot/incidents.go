package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// threadAPI is what the incidents need from Slack beyond posting: reading
// a pinned message and answering a mention privately.
type threadAPI interface {
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

// Incidents is the Slack side of the incidents rituals: /incident, the
// retro, publish, skip and Done buttons, the retro modal, :pushpin:
// reactions and mentions in an incident's thread.
//
// Slack sends no thread_ts with a slash command, so /incident cannot know
// it was typed in a thread: it takes #N, and without it acts on the only
// open incident (or asks which). Inside an incident's thread people
// mention the bot instead (`@ritualbot update …`): app_mention events do
// carry the thread.
type Incidents struct {
	Views   viewAPI
	Slack   threadAPI
	Limiter *RateLimiter
	Clock   rituals.Clock
	Log     zerolog.Logger

	list incident.Set
}

// Rituals returns the incidents rituals added.
func (h *Incidents) Rituals() incident.Set { return h.list }

// Add adds an incidents ritual.
func (h *Incidents) Add(x *incident.Incidents) { h.list = append(h.list, x) }

// Register adds /incident's verbs, the retro and action buttons, the retro
// modals, and the :pushpin: and mention events to the router.
func (h *Incidents) Register(r *Router) {
	const cmd = "/incident"
	r.Handle(cmd, Subcommand{Name: "", Usage: "", Help: "list open and recent incidents", Run: h.bare})
	r.Handle(cmd, Subcommand{Name: "declare", Usage: "declare [SEV] [TEAM…] TITLE", Help: "declare an incident (for the teams named by id or #channel, else yours): it is announced in the incidents channel with who is on call, and you are its commander", Run: h.declare})
	r.Handle(cmd, Subcommand{Name: "update", Usage: "update [--internal] [#N] TEXT", Help: "add a status update to the timeline and the stakeholder channels (`--internal`: the incident's thread only)", Run: h.scoped("update")})
	r.Handle(cmd, Subcommand{Name: "team", Usage: "team [#N] TEAM…", Help: "set the teams an incident belongs to (whose digest and DORA count it)", Run: h.scoped("team")})
	r.Handle(cmd, Subcommand{Name: "sev", Usage: "sev [#N] SEV", Help: "change the severity", Run: h.scoped("sev")})
	r.Handle(cmd, Subcommand{Name: "command", Usage: "command [#N] [@someone]", Help: "take command of an incident that has none (people of its teams), or hand it over (the commander, leads, admins)", Run: h.scoped("command")})
	r.Handle(cmd, Subcommand{Name: "resolve", Usage: "resolve [#N] [SUMMARY]", Help: "mark it resolved; the retro prompt follows at the next retro slot", Run: h.scoped("resolve")})
	r.Handle(cmd, Subcommand{Name: "list", Usage: "list [open|all|30d] [PAGE]", Help: "open incidents and those resolved this week with their retros; `open`, `all` or the last N days, a page at a time", Run: h.listCmd})
	r.Handle(cmd, Subcommand{Name: "action", Usage: "action [#N] @owner TEXT [due DATE]", Help: "add a follow-up action item with one owner", Run: h.scoped("action")})
	r.Handle(cmd, Subcommand{Name: "actions", Usage: "actions", Help: "your open action items, with Done buttons", Run: h.actionsCmd})
	r.Handle(cmd, Subcommand{Name: "retro", Usage: "retro [#N]", Help: "answer a resolved incident's retro", Run: h.scoped("retro")})
	r.Handle(cmd, Subcommand{Name: "publish", Usage: "publish [#N]", Help: "publish the blameless postmortem (commander or admin)", Run: h.scoped("publish")})
	r.Handle(cmd, Subcommand{Name: "skip", Usage: "skip [#N] REASON", Help: "skip the retro of an incident whose severity does not require one", Run: h.scoped("skip")})
	r.HandleAction("incident", h.action)
	r.HandleSubmit(incident.FormRetro, h.submitRetro)
	r.HandleSubmit(incident.FormRetroSkip, h.submitSkip)
	r.HandleEvent("reaction_added", h.reaction)
	r.HandleEvent("app_mention", h.mention)
}

func (h *Incidents) bare(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	if len(args) == 0 {
		return h.listCmd(ctx, inv, nil)
	}
	return Reply{}, rituals.Errorf(rituals.EINVALID, "I don't know `/incident %s`. Try `/incident help`.", rituals.Escape(args[0]))
}

func (h *Incidents) declare(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	x := h.list.ForChannel(inv.ChannelID)
	sev := ""
	if len(args) > 0 && x.Severity(args[0]) != "" {
		sev, args = args[0], args[1:]
	}
	teams, args, err := x.SplitTeams(args)
	if err != nil {
		return Reply{}, err
	}
	inc, err := x.DeclareFor(ctx, inv.UserID, sev, teams, commandText(args))
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Declared *#%d: %s* (%s) in %s, with you as commander. Its thread is the incident's home: mention me there (`@ritualbot update …`) or use `/incident update #%d …`. It belongs to %s (`/incident team #%d TEAM…` changes that).",
		inc.Number, rituals.Escape(x.ShownTitle(inc.Title)), strings.ToUpper(inc.Severity), rituals.ChannelLink(x.Channel()), inc.Number, rituals.Escape(x.TeamNames(inc.Teams)), inc.Number)}, nil
}

// scoped runs an incident verb for #N or the one incident that fits.
func (h *Incidents) scoped(verb string) CommandFunc {
	return func(ctx context.Context, inv Invocation, args []string) (Reply, error) {
		internal := false
		if verb == "update" && len(args) > 0 && args[0] == "--internal" {
			internal, args = true, args[1:]
		}
		n, rest, err := ParseIncidentRef(args)
		if err != nil {
			return Reply{}, err
		}
		x, n, err := h.list.Scope(verb, n, inv.ChannelID)
		if err != nil {
			return Reply{}, err
		}
		if verb == "retro" || verb == "skip" && len(rest) == 0 {
			return h.openIncidentForm(ctx, x, verb, n, inv.UserID, inv.TriggerID)
		}
		run := verb
		if internal {
			run = "update --internal"
		}
		text, err := h.run(ctx, x, n, inv.UserID, run, rest)
		return Reply{Text: text}, err
	}
}

func (h *Incidents) openIncidentForm(ctx context.Context, x *incident.Incidents, verb string, n int, user, trigger string) (Reply, error) {
	var form rituals.Form
	var err error
	if verb == "skip" {
		form, err = x.SkipForm(n, user)
	} else {
		form, err = x.RetroForm(n, user)
	}
	if err != nil {
		return Reply{}, err
	}
	return Reply{}, openForm(ctx, h.Views, h.Limiter, trigger, form)
}

// run carries out a verb on incident n of x, for a slash command or a
// mention in the thread, and says what it did.
func (h *Incidents) run(ctx context.Context, x *incident.Incidents, n int, user, verb string, args []string) (string, error) {
	if verb == "update" && len(args) > 0 && args[0] == "--internal" {
		verb, args = "update --internal", args[1:]
	}
	switch verb {
	case "update":
		if _, err := x.Update(ctx, n, user, commandText(args)); err != nil {
			return "", err
		}
		return fmt.Sprintf("Added to the timeline of #%d.", n), nil
	case "update --internal":
		if _, err := x.UpdateInternal(ctx, n, user, commandText(args)); err != nil {
			return "", err
		}
		return fmt.Sprintf("Added to the timeline of #%d, in its thread only.", n), nil
	case "team":
		teams, rest, err := x.SplitTeams(args)
		if err != nil {
			return "", err
		}
		if len(rest) > 0 {
			return "", rituals.Errorf(rituals.EINVALID, "`%s` is not a team. Usage: `/incident team [#%d] TEAM…`, a team id or its #channel.", rituals.Escape(rest[0]), n)
		}
		inc, err := x.SetTeams(ctx, n, user, teams)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("#%d now belongs to %s.", n, rituals.Escape(x.TeamNames(inc.Teams))), nil
	case "sev":
		if len(args) != 1 {
			return "", rituals.Errorf(rituals.EINVALID, "Usage: `/incident sev [#%d] SEV`, SEV one of %s.", n, strings.Join(x.Settings.Severities, ", "))
		}
		inc, err := x.SetSeverity(ctx, n, user, args[0])
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("#%d is now %s.", n, strings.ToUpper(inc.Severity)), nil
	case "command":
		to := ""
		switch {
		case len(args) == 1:
			u, ok := ParseMention(args[0])
			if !ok {
				return "", rituals.Errorf(rituals.EINVALID, "Usage: `/incident command [#%d] [@someone]`: without a name you take command yourself.", n)
			}
			to = u
		case len(args) > 1:
			return "", rituals.Errorf(rituals.EINVALID, "Usage: `/incident command [#%d] [@someone]`: without a name you take command yourself.", n)
		}
		inc, err := x.Command(ctx, n, user, to)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is now the commander of #%d.", rituals.Mention(inc.Commander), n), nil
	case "resolve":
		inc, err := x.Resolve(ctx, n, user, commandText(args))
		if err != nil {
			return "", err
		}
		text := fmt.Sprintf("Resolved #%d after %s. Thank you for handling it.", n, incident.HumanDuration(inc.Duration(inc.Resolved)))
		if !inc.Retro.Due.IsZero() {
			text += fmt.Sprintf(" The retro prompt goes to its %d participant%s %s.", len(inc.Participants), rituals.Plural(len(inc.Participants)),
				rituals.SlackDate(inc.Retro.Due, x.Location()))
		}
		return text, nil
	case "action":
		aa, err := ParseActionArgs(args, h.Clock.Now(), x.Settings.Location)
		if err != nil {
			return "", err
		}
		a, err := x.AddAction(ctx, n, user, aa.Owner, aa.Text, aa.Due)
		if err != nil {
			return "", err
		}
		due := ""
		if !a.Due.IsZero() {
			due = ", due " + a.Due.Time().Format("Mon 2 Jan")
		}
		return fmt.Sprintf("Action item %s of #%d for %s%s: %s", a.ID, n, rituals.Mention(a.Owner), due, rituals.EscapeText(a.Text)), nil
	case "publish":
		if len(args) > 0 {
			return "", rituals.Errorf(rituals.EINVALID, "Usage: `/incident publish [#N]`.")
		}
		if _, err := x.Publish(ctx, n, user); err != nil {
			return "", err
		}
		return fmt.Sprintf("Published the postmortem of #%d in %s.", n, rituals.ChannelLink(x.Channel())), nil
	case "skip":
		if _, err := x.Skip(ctx, n, user, commandText(args)); err != nil {
			return "", err
		}
		return fmt.Sprintf("Skipped the retro of #%d; the reason is on its timeline.", n), nil
	}
	return "", rituals.Errorf(rituals.EINVALID, "I don't know `%s` for an incident. Try `/incident help`.", rituals.Escape(verb))
}

func (h *Incidents) actionsCmd(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	var blocks []rituals.Block
	total := 0
	for _, x := range h.list {
		items, err := x.OpenActionsOf(inv.UserID)
		if err != nil {
			return Reply{}, err
		}
		total += len(items)
		blocks = append(blocks, x.ActionBlocks(items)...)
	}
	if total == 0 {
		return Reply{Text: "You have no open action items. :tada:"}, nil
	}
	text := fmt.Sprintf("Your %d open action item%s", total, rituals.Plural(total))
	return Reply{Text: text, Blocks: append([]rituals.Block{rituals.Section("*" + text + "*")}, blocks...)}, nil
}

func (h *Incidents) action(ctx context.Context, a Action) (*Reply, error) {
	if a.ActionID == incident.ActionJoinThread {
		return nil, nil // a link: Slack opened it
	}
	if a.ActionID == incident.ActionItemDone {
		for _, x := range h.list {
			item, err := x.CloseAction(ctx, a.Value, a.UserID)
			if rituals.ErrorCode(err) == rituals.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			text := fmt.Sprintf(":white_check_mark: Done: %s. Thank you!", rituals.EscapeText(item.Text))
			if blocks, ok := markClicked(a.MessageBlocks, a.ActionID, a.Value, ":white_check_mark: *Done* ✓"); ok {
				return &Reply{Text: a.MessageText, Replace: blocks}, nil
			}
			return &Reply{Text: text}, nil
		}
		return &Reply{Text: "That action item no longer exists."}, nil
	}
	x, n, err := h.list.OwnerOf(a.Value)
	if err != nil {
		return nil, err
	}
	switch a.ActionID {
	case incident.ActionRetroAnswer:
		_, err := h.openIncidentForm(ctx, x, "retro", n, a.UserID, a.TriggerID)
		return nil, err
	case incident.ActionRetroSkip:
		_, err := h.openIncidentForm(ctx, x, "skip", n, a.UserID, a.TriggerID)
		return nil, err
	case incident.ActionRetroPublish:
		text, err := h.run(ctx, x, n, a.UserID, "publish", nil)
		if err != nil {
			return nil, err
		}
		where := rituals.ChannelLink(x.Channel())
		if link, ok := rituals.Link(x.PostmortemURL(n), "the postmortem"); ok {
			where = link
		}
		if blocks, ok := markClicked(a.MessageBlocks, a.ActionID, a.Value, ":white_check_mark: *Published* ✓ ("+where+")"); ok {
			return &Reply{Text: a.MessageText, Replace: blocks}, nil
		}
		return &Reply{Text: text}, nil
	}
	return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
}

func (h *Incidents) submitRetro(ctx context.Context, s Submission) (map[string]string, error) {
	x, _, err := h.list.OwnerOf(s.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	return x.SubmitRetro(ctx, s.UserID, s.PrivateMetadata, s.Values)
}

func (h *Incidents) submitSkip(ctx context.Context, s Submission) (map[string]string, error) {
	x, n, err := h.list.OwnerOf(s.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s.Values["reason"]) == "" {
		return map[string]string{"reason": "Say why no retro is needed."}, nil
	}
	// Typed into a plain-text input: it holds no mention, whatever it says.
	_, err = x.Skip(ctx, n, s.UserID, rituals.DefuseMentions(s.Values["reason"]))
	return nil, err
}

// reaction adds a message of an incident's thread to its timeline when
// someone reacts to it with :pushpin:. The event names only the message,
// so the bot reads it (and its thread) with conversations.replies.
func (h *Incidents) reaction(ctx context.Context, e Event) error {
	ev, ok := e.Data.(*slackevents.ReactionAddedEvent)
	if !ok || ev.Reaction != "pushpin" || ev.Item.Type != "message" {
		return nil
	}
	channel, ts, user := ev.Item.Channel, ev.Item.Timestamp, ev.User
	for _, x := range h.list {
		if x.Channel() != channel {
			continue
		}
		msg, ok, err := h.readMessage(ctx, channel, ts)
		if err != nil || !ok {
			return err
		}
		if msg.ThreadTimestamp == "" || msg.ThreadTimestamp == msg.Timestamp {
			return nil // not a reply in a thread
		}
		n, ok, err := x.ThreadIncident(channel, msg.ThreadTimestamp)
		if err != nil || !ok {
			return err
		}
		author := msg.User
		if author == "" {
			author = user
		}
		_, err = x.Pin(ctx, n, user, author, SlackText(msg.Text), ts)
		switch rituals.ErrorCode(err) {
		case rituals.ECONFLICT:
			return nil // pinned before, by someone else
		case rituals.EFORBIDDEN:
			return nil // a resolved incident's timeline is its stewards'
		}
		return err
	}
	return nil
}

// readMessage fetches one message by ts, a thread reply included.
func (h *Incidents) readMessage(ctx context.Context, channel, ts string) (slack.Message, bool, error) {
	params := &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: ts, Latest: ts, Oldest: ts, Inclusive: true, Limit: 20}
	for page := 0; page < 5; page++ {
		if err := h.Limiter.Wait(ctx, "conversations.replies", ""); err != nil {
			return slack.Message{}, false, err
		}
		msgs, more, cursor, err := h.Slack.GetConversationRepliesContext(ctx, params)
		if err != nil {
			return slack.Message{}, false, fmt.Errorf("conversations.replies %s %s: %w", channel, ts, err)
		}
		for _, m := range msgs {
			if m.Timestamp == ts {
				return m, true, nil
			}
		}
		if !more || cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	return slack.Message{}, false, nil
}

// mention runs `@ritualbot VERB …` typed in an incident's thread on that
// incident, answering privately.
//
// An edited message that mentions the bot comes again as app_mention,
// with "edited" and a new event_id: it is not run again (a fixed typo
// would otherwise add a second update or action item).
func (h *Incidents) mention(ctx context.Context, e Event) error {
	ev, ok := e.Data.(*slackevents.AppMentionEvent)
	if !ok || ev.Edited != nil {
		return nil
	}
	channel, user, thread := ev.Channel, ev.User, ev.ThreadTimeStamp
	if user == "" || channel == "" {
		return nil
	}
	args := strings.Fields(ev.Text)
	if len(args) > 0 {
		if _, ok := ParseMention(args[0]); ok {
			args = args[1:]
		}
	}
	reply := func(text string) error {
		if err := h.Limiter.Wait(ctx, "chat.postEphemeral", ""); err != nil {
			return err
		}
		opts := []slack.MsgOption{slack.MsgOptionText(rituals.Clip(text, 3000), false)}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		_, err := h.Slack.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	}
	var x *incident.Incidents
	n := 0
	if thread != "" {
		for _, r := range h.list {
			num, ok, err := r.ThreadIncident(channel, thread)
			if err != nil {
				return err
			}
			if ok {
				x, n = r, num
				break
			}
		}
	}
	if x == nil {
		r, num, ok, err := h.list.Room(channel)
		if err != nil {
			return err
		}
		if ok {
			x, n = r, num
		}
	}
	if x == nil {
		for _, r := range h.list {
			if r.Channel() == channel {
				return reply("Mention me in an incident's thread to act on it (`@ritualbot update …`), or use `/incident help`.")
			}
		}
		return nil
	}
	verb := ""
	if len(args) > 0 {
		verb, args = strings.ToLower(args[0]), args[1:]
	}
	switch verb {
	case "update", "sev", "command", "resolve", "action", "publish", "skip", "team":
		text, err := h.run(ctx, x, n, user, verb, args)
		if err != nil {
			if rituals.ErrorCode(err) == rituals.EINTERNAL {
				h.Log.Error().Err(err).Int("incident", n).Str("verb", verb).Msg("mention in incident thread failed")
			}
			return reply(rituals.ErrorMessage(err))
		}
		return reply(text)
	}
	return reply(fmt.Sprintf("In this thread I act on #%d: `@ritualbot update [--internal] TEXT`, `sev SEV`, `team TEAM…`, `command [@someone]`, `resolve [SUMMARY]`, `action @owner TEXT [due DATE]`, `publish`, `skip REASON`.", n))
}
