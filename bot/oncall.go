package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/when"
)

// OnCalls is the Slack side of the on-call rotations: /oncall and the
// swap buttons.
type OnCalls struct {
	Rotations *oncall.Rotations
	Config    *rituals.Config
	Clock     rituals.Clock
	// FeedURL returns where a rotation's calendar feed is served, "" if
	// the bot has no public URL.
	FeedURL func(ritual string) string
	// Writes are the bot's own user-group writes, whose echoes need no
	// read-back (nil: read back every change).
	Writes *GroupWrites
}

// Default and maximum counts of /oncall schedule.
const (
	defaultScheduleShifts = 6
	maxScheduleShifts     = 50
)

// Register adds /oncall's verbs and the swap buttons to the router.
func (h *OnCalls) Register(r *Router) {
	r.Handle("/oncall", Subcommand{Name: "", Usage: "[TEAM]", Help: "who is on call now (primary, secondary, exec) and who is next, for every rotation or TEAM's", Run: h.who})
	r.Handle("/oncall", Subcommand{Name: "schedule", Usage: "schedule [TEAM] [N]", Help: "the next N shifts (default 6), overrides included", Run: h.schedule})
	r.Handle("/oncall", Subcommand{Name: "override", Usage: "override @user FROM TO [TEAM] · override @user DURATION|until DATE [HH:MM] [TEAM] · override cancel [FROM] [TEAM]", Help: "put @user on call from FROM to TO (" + when.Forms + "), or from now for DURATION (4h, 2d) or until DATE; leads and admins for their team, anyone for themselves. `cancel` ends the override in force now, else cancels your next planned one, or the one starting at FROM", Run: h.override})
	r.Handle("/oncall", Subcommand{Name: "swap", Usage: "swap @user [MY-DAY THEIR-DAY] [TEAM] [confirm]", Help: "ask @user to trade one shift for one shift (your next for theirs, or those on the days given); they accept or decline", Run: h.swap})
	h.registerPlanning(r)
	h.registerRotation(r)
	r.HandleAction("oncall", h.action)
	r.HandleEvent("subteam_members_changed", h.userGroupChanged)
}

// userGroupChanged puts an on-call user group that someone edited by hand
// back to exactly the primary.
func (h *OnCalls) userGroupChanged(_ context.Context, e Event) error {
	ev, ok := e.Data.(*slackevents.SubteamMembersChangedEvent)
	if !ok {
		return nil
	}
	if h.Writes.echo(ev.SubteamID, ev.AddedUsers, ev.RemovedUsers) {
		return nil // Slack telling of the bot's own write: the group is as written
	}
	h.Rotations.UserGroupChanged(ev.SubteamID)
	return nil
}

// GroupWrites remembers the bot's last write to each user group until
// Slack's subteam_members_changed for it comes back. Slack sends that
// event for every change, the bot's own included; reading the group back
// each time would cost a Tier 2 call per handoff for nothing.
type GroupWrites struct {
	mu      sync.Mutex
	pending map[string][]string // group → the members written
}

func (w *GroupWrites) wrote(group string, users []string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == nil {
		w.pending = map[string][]string{}
	}
	w.pending[group] = slices.Clone(users)
}

// echo reports whether a change to group (added, removed) is the echo of
// the bot's pending write: it adds no one outside what was written and
// removes no one written. The write is then no longer pending.
func (w *GroupWrites) echo(group string, added, removed []string) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	written, ok := w.pending[group]
	if !ok {
		return false
	}
	delete(w.pending, group)
	for _, u := range added {
		if !slices.Contains(written, u) {
			return false
		}
	}
	for _, u := range removed {
		if slices.Contains(written, u) {
			return false
		}
	}
	return true
}

func (h *OnCalls) who(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	rots := h.Rotations.List
	if len(args) > 1 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "Usage: `/oncall [TEAM]`. Try `/oncall help`.")
	}
	if len(args) == 1 {
		if rots = h.Rotations.Matching(args[0]); len(rots) == 0 {
			return Reply{}, h.Rotations.Unknown(args[0])
		}
	}
	now := h.Clock.Now()
	var blocks []rituals.Block
	var summary []string
	for _, r := range rots {
		text, line, err := whoText(r, now)
		if err != nil {
			return Reply{}, err
		}
		blocks = append(blocks, rituals.Section(text))
		summary = append(summary, line)
	}
	return Reply{Text: strings.Join(summary, "; "), Blocks: blocks}, nil
}

// whoText says who is on call in one rotation now and who is next.
func whoText(r *oncall.Rotation, now time.Time) (text, line string, err error) {
	stints, err := r.Stints(now, 2)
	if err != nil {
		return "", "", err
	}
	head := fmt.Sprintf("*%s* on call · _%s_", r.TeamName(), r.Name())
	if len(stints) == 0 {
		return head + "\nNo shifts are scheduled.", r.TeamName() + ": nobody", nil
	}
	cur := stints[0]
	if cur.Start.After(now) {
		return fmt.Sprintf("%s\nThe rotation starts %s with %s.", head, r.FormatTime(cur.Start), rituals.Mention(cur.User)),
			fmt.Sprintf("%s: starts %s", r.TeamName(), r.FormatTime(cur.Start)), nil
	}
	sh := cur.Shifts[0]
	lines := []string{head, fmt.Sprintf(":pager: Primary: %s until %s", rituals.Mention(cur.User), r.FormatTime(cur.End))}
	if sh.Override != nil {
		lines[1] += fmt.Sprintf(" _(override, covering %s)_", rituals.Mention(sh.Covering))
	}
	if crew := crewOf(sh, "Secondary: ", "Exec: "); len(crew) > 0 {
		lines = append(lines, strings.Join(crew, " · ")+" until "+r.FormatTime(sh.HandoffEnd))
	}
	if len(stints) > 1 && stints[1].User != cur.User {
		lines = append(lines, fmt.Sprintf("Next: %s from %s", rituals.Mention(stints[1].User), r.FormatTime(stints[1].Start)))
	}
	return strings.Join(lines, "\n"), fmt.Sprintf("%s: %s until %s", r.TeamName(), rituals.Mention(cur.User), r.FormatTime(cur.End)), nil
}

func (h *OnCalls) schedule(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	var rots []*oncall.Rotation
	n := defaultScheduleShifts
	for _, a := range args {
		if c, err := strconv.Atoi(a); err == nil {
			if c < 1 || c > maxScheduleShifts {
				return Reply{}, rituals.Errorf(rituals.EINVALID, "Ask for 1 to %d shifts, e.g. `/oncall schedule 10`.", maxScheduleShifts)
			}
			n = c
			continue
		}
		if rots = h.Rotations.Matching(a); len(rots) == 0 {
			return Reply{}, h.Rotations.Unknown(a)
		}
	}
	if rots == nil {
		if rots = h.Rotations.Of(inv.UserID); len(rots) == 0 {
			rots = h.Rotations.List
		}
	}
	now := h.Clock.Now()
	var blocks []rituals.Block
	for _, r := range rots {
		shifts, err := r.Upcoming(now, n)
		if err != nil {
			return Reply{}, err
		}
		blocks = append(blocks, rituals.Section(fmt.Sprintf("*%s* on call · _%s_ · next %d shift%s", r.TeamName(), r.Name(), len(shifts), rituals.Plural(len(shifts)))))
		var lines []string
		for _, s := range shifts {
			lines = append(lines, ScheduleLine(r, s))
		}
		for len(lines) > 0 {
			k := min(len(lines), 10) // within a section's 3,000 characters: a line with its date tokens runs to about 230
			blocks = append(blocks, rituals.Section(strings.Join(lines[:k], "\n")))
			lines = lines[k:]
		}
		if h.FeedURL != nil {
			if link, ok := rituals.Link(h.FeedURL(r.Name()), "Subscribe to this schedule"); ok {
				blocks = append(blocks, rituals.Context(":calendar: "+link+" in your calendar"))
			}
		}
	}
	return Reply{Text: "On-call schedule", Blocks: blocks}, nil
}

// ScheduleLine is one shift as /oncall schedule lists it.
func ScheduleLine(r *oncall.Rotation, s oncall.Shift) string {
	line := fmt.Sprintf("• %s → %s  %s", r.FormatTime(s.Start), r.FormatTime(s.End), rituals.Mention(s.Primary))
	if crew := crewOf(s, "secondary ", "exec "); len(crew) > 0 {
		line += " (" + strings.Join(crew, ", ") + ")"
	}
	if s.Override != nil {
		line += " _override, covering " + rituals.Mention(s.Covering) + "_"
	}
	return line
}

// crewOf mentions who backs a shift's primary up, each after its label.
func crewOf(s oncall.Shift, secondaryLabel, execLabel string) []string {
	var crew []string
	if s.Secondary != "" {
		crew = append(crew, secondaryLabel+rituals.Mention(s.Secondary))
	}
	if s.Exec != "" {
		crew = append(crew, execLabel+rituals.Mention(s.Exec))
	}
	return crew
}

func (h *OnCalls) override(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	const usage = "Usage: `/oncall override @user FROM TO [TEAM]` plans an override (FROM and TO as " + when.Forms + ", e.g. `/oncall override @dana fri 18:00 mon 09:00`); `/oncall override @user DURATION|until DATE [HH:MM] [TEAM]` takes over from now (`4h`, `2d`); `/oncall override cancel [FROM] [TEAM]` ends the override in force now, else cancels your next planned one (or the one starting at FROM)."
	if len(args) > 0 && (strings.EqualFold(args[0], "cancel") || strings.EqualFold(args[0], "end")) {
		return h.endOverride(ctx, inv, args[1:])
	}
	if len(args) < 2 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, usage)
	}
	user, ok := ParseMention(args[0])
	if !ok {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a @user. %s", rituals.Escape(args[0]), usage)
	}
	// Find the rotation first from a trailing team name, if there is one.
	var teamArg string
	if last := args[len(args)-1]; len(args) > 2 && len(h.Rotations.Matching(last)) > 0 {
		teamArg, args = last, args[:len(args)-1]
	}
	r, err := h.Rotations.For(inv.UserID, user, teamArg)
	if err != nil {
		return Reply{}, err
	}
	// Dates are read in the zone of whoever typed them.
	loc := r.Zones(ctx)(inv.UserID)
	now := h.Clock.Now()
	req := oncall.OverrideRequest{By: inv.UserID, User: user}
	var rest []string
	if _, derr := rituals.ParseDuration(args[1]); derr == nil && !strings.HasPrefix(args[1], "+") || strings.EqualFold(args[1], "until") {
		var until time.Time
		until, rest, err = ParseOverrideEnd(args[1:], now, loc)
		req.Span = oncall.Span{From: now, To: until}
	} else {
		req.Planned = true
		req.Span.From, req.Span.To, rest, err = when.Span(args[1:], now, loc)
	}
	if err != nil {
		return Reply{}, err
	}
	if len(rest) > 0 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "I don't understand `%s`. %s", rituals.Escape(strings.Join(rest, " ")), usage)
	}
	o, warning, err := r.SetOverride(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	from := "now"
	if o.From.After(now) {
		from = r.FormatTime(o.From)
	}
	text := fmt.Sprintf("Done: %s is on call for *%s* from %s until %s", rituals.Mention(o.User), r.TeamName(), from, r.FormatTime(o.To))
	if o.Covering != "" && o.Covering != o.User {
		text += ", covering " + rituals.Mention(o.Covering)
	}
	text += ". The channel, " + rituals.Mention(o.User)
	if o.Covering != "" && o.Covering != o.User {
		text += " and whoever they relieve have"
	} else {
		text += " has"
	}
	text += " been told"
	if r.Settings.UserGroup != "" {
		text += ", and the user group follows"
	}
	text += "."
	if warning != "" {
		text += "\n" + warning
	}
	return Reply{Text: text}, nil
}

// endOverride is `/oncall override cancel [FROM] [TEAM]`: the override in
// force now ends now; without one, the invoker's next planned override is
// cancelled; with FROM, the planned one that starts then.
func (h *OnCalls) endOverride(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	const usage = "Usage: `/oncall override cancel [FROM] [TEAM]`: ends the override in force now, else cancels your next planned one; FROM (" + when.Forms + ") names a planned one by its start."
	var teamArg string
	if n := len(args); n > 0 && len(h.Rotations.Matching(args[n-1])) > 0 {
		teamArg, args = args[n-1], args[:n-1]
	}
	r, err := h.Rotations.For(inv.UserID, inv.UserID, teamArg)
	if err != nil {
		return Reply{}, err
	}
	if len(args) > 0 {
		return h.cancelPlanned(ctx, inv, r, args, usage)
	}
	o, after, err := r.EndOverride(ctx, inv.UserID)
	if rituals.ErrorCode(err) == rituals.ENOTFOUND {
		// Nothing in force: the invoker's next planned override, if any.
		reply, perr := h.cancelPlanned(ctx, inv, r, nil, usage)
		if rituals.ErrorCode(perr) == rituals.ENOTFOUND {
			return Reply{}, rituals.Errorf(rituals.ENOTFOUND, "%s %s", rituals.ErrorMessage(err), rituals.ErrorMessage(perr))
		}
		return reply, perr
	}
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("Done: %s's override for *%s* has ended; %s is on call until %s. The channel has been told",
		rituals.Mention(o.User), r.TeamName(), rituals.Mention(after.Primary), r.FormatTime(after.End))
	if r.Settings.UserGroup != "" {
		text += ", and the user group follows"
	}
	text += "."
	if o.Cover != 0 {
		text += fmt.Sprintf(" It took cover request #%d, whose span had begun: the request is not open again, and whoever asked has been told; `/oncall cover %s FROM TO` asks for cover of what is left.", o.Cover, r.Team.ID)
	}
	return Reply{Text: text}, nil
}

// cancelPlanned cancels the planned override starting at the moment args
// give (a day: any that day), or the invoker's next when args is empty.
func (h *OnCalls) cancelPlanned(ctx context.Context, inv Invocation, r *oncall.Rotation, args []string, usage string) (Reply, error) {
	loc := r.Zones(ctx)(inv.UserID)
	req := oncall.CancelRequest{By: inv.UserID, Zone: loc}
	if len(args) > 0 {
		from, rest, err := when.Moment(args, h.Clock.Now(), loc, when.Start)
		if err != nil {
			return Reply{}, err
		}
		if len(rest) > 0 {
			return Reply{}, rituals.Errorf(rituals.EINVALID, "I don't understand `%s`. %s", rituals.Escape(strings.Join(rest, " ")), usage)
		}
		req.Starts = oncall.Span{From: from, To: from.Add(time.Minute)}
		if y, m, d := from.In(loc).Date(); from.Equal(time.Date(y, m, d, 0, 0, 0, 0, loc)) {
			req.Starts.To = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		}
	}
	o, after, err := r.CancelPlanned(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	text := fmt.Sprintf("Done: %s's override for *%s*, %s to %s, is cancelled. %s The channel and everyone whose shifts move have been told.",
		rituals.Mention(o.User), r.TeamName(), r.FormatTimeIn(o.From, loc), r.FormatTimeIn(o.To, loc), oncall.OnCallThen(after))
	if o.Cover != 0 {
		text += fmt.Sprintf(" It took cover request #%d, which is open again in <#%s>.", o.Cover, r.Channel())
	}
	return Reply{Text: text}, nil
}

// ownRotation is the rotation of a command that takes at most a TEAM: the
// one named, or the invoker's own; usage is the error for more arguments.
func (h *OnCalls) ownRotation(inv Invocation, args []string, usage string) (*oncall.Rotation, error) {
	if len(args) > 1 {
		return nil, rituals.Errorf(rituals.EINVALID, "%s", usage)
	}
	var teamArg string
	if len(args) == 1 {
		teamArg = args[0]
	}
	return h.Rotations.For(inv.UserID, inv.UserID, teamArg)
}

func (h *OnCalls) swap(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	const usage = "Usage: `/oncall swap @user [MY-DAY THEIR-DAY] [TEAM] [confirm]`: ask @user to trade one shift for one shift, your next for theirs or the ones on those days (" + when.DayForms + "); `confirm` if it puts you on call two shifts in a row."
	if len(args) < 1 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, usage)
	}
	other, ok := ParseMention(args[0])
	if !ok {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a @user. %s", rituals.Escape(args[0]), usage)
	}
	ask := oncall.SwapAsk{Requester: inv.UserID, Other: other}
	rest := args[1:]
	if n := len(rest); n > 0 && strings.EqualFold(rest[n-1], "confirm") {
		ask.Confirm, rest = true, rest[:n-1]
	}
	var teamArg string
	if n := len(rest); n == 1 || n == 3 {
		teamArg, rest = rest[n-1], rest[:n-1]
	}
	r, err := h.Rotations.For(inv.UserID, inv.UserID, teamArg)
	if err != nil {
		return Reply{}, err
	}
	switch len(rest) {
	case 0:
	case 2:
		// Days are read in the zone of whoever typed them.
		ask.Zone = r.Zones(ctx)(inv.UserID)
		now := h.Clock.Now()
		mine, err := when.Day(rest[0], now, ask.Zone)
		if err != nil {
			return Reply{}, err
		}
		theirs, err := when.Day(rest[1], now, ask.Zone)
		if err != nil {
			return Reply{}, err
		}
		ask.Mine, ask.Theirs = &mine, &theirs
	default:
		return Reply{}, rituals.Errorf(rituals.EINVALID, usage)
	}
	text, err := r.AskSwap(ctx, ask)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: text}, nil
}

func (h *OnCalls) action(ctx context.Context, a Action) (*Reply, error) {
	if reply, ok, err := h.planAction(ctx, a); ok {
		return reply, err
	}
	accept := a.ActionID == "oncall:swap-accept"
	if !accept && a.ActionID != "oncall:swap-decline" {
		return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
	}
	name, idText, _ := strings.Cut(a.Value, "|")
	id, err := strconv.ParseUint(idText, 10, 64)
	r := h.Rotations.ByName(name)
	if err != nil || r == nil {
		return nil, rituals.Errorf(rituals.ENOTFOUND, "That swap request no longer exists.")
	}
	text, err := r.AnswerSwap(ctx, id, a.UserID, accept)
	if err != nil {
		return nil, err
	}
	return &Reply{Text: text}, nil
}

// ParseOverrideEnd reads when an override ends from its arguments:
// DURATION (4h, 90m, 2d, 1d12h) from now, or `until DATE [HH:MM]` with
// DATE as YYYY-MM-DD, today, tomorrow or a weekday (the next one). Without
// a time, it lasts to the end of that day. It returns the arguments left.
func ParseOverrideEnd(args []string, now time.Time, loc *time.Location) (time.Time, []string, error) {
	if len(args) == 0 {
		return time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "Say how long: a duration such as `4h` or `2d`, or `until DATE`.")
	}
	if !strings.EqualFold(args[0], "until") {
		d, err := rituals.ParseDuration(args[0])
		if err != nil || d <= 0 {
			return time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "`%s` is not a duration: use e.g. `4h`, `90m`, `2d` or `1d12h`, or `until DATE`.", rituals.Escape(args[0]))
		}
		if d > 366*24*time.Hour {
			return time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "`%s` is too long for an override.", rituals.Escape(args[0]))
		}
		return now.Add(d), args[1:], nil
	}
	if len(args) < 2 {
		return time.Time{}, nil, rituals.Errorf(rituals.EINVALID, "Until when? `until 2026-12-24`, `until tomorrow 18:00` or `until friday`.")
	}
	return when.Moment(args[1:], now, loc, when.End)
}

// OnCallSlack keeps user groups and channel topics through Slack's Web
// API, paced by the rate limiter; a 429 pauses the method for as long as
// Slack asked and is reported as a rituals.RetryAfterError.
type OnCallSlack struct {
	API     onCallAPI
	Limiter *RateLimiter
	// Observe, if set, is told the outcome of each call (metrics).
	Observe func(method, outcome string)
	// Writes, if set, records each user-group write (see GroupWrites).
	Writes *GroupWrites
}

// onCallAPI is what keeping user groups and topics needs from Slack.
type onCallAPI interface {
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
	UpdateUserGroupMembersContext(ctx context.Context, userGroup string, members string, options ...slack.UpdateUserGroupMembersOption) (slack.UserGroup, error)
	GetConversationInfoContext(ctx context.Context, input *slack.GetConversationInfoInput) (*slack.Channel, error)
	SetTopicOfConversationContext(ctx context.Context, channelID, topic string) (*slack.Channel, error)
}

var _ oncall.OnCallSlack = (*OnCallSlack)(nil)

func (s *OnCallSlack) call(ctx context.Context, method string, f func() error) error {
	return s.Limiter.call(ctx, method, s.Observe, f, func(err error, rl *slack.RateLimitedError) error {
		if rl != nil {
			return &oncall.RetryAfterError{After: rl.RetryAfter, Err: err}
		}
		return err
	})
}

// UserGroupMembers reads a user group's members (usergroups.users.list).
func (s *OnCallSlack) UserGroupMembers(ctx context.Context, group string) ([]string, error) {
	var members []string
	err := s.call(ctx, "usergroups.users.list", func() error {
		var err error
		members, err = s.API.GetUserGroupMembersContext(ctx, group)
		return err
	})
	return members, err
}

// SetUserGroupMembers replaces a user group's members (usergroups.users.update).
func (s *OnCallSlack) SetUserGroupMembers(ctx context.Context, group string, users []string) error {
	return s.call(ctx, "usergroups.users.update", func() error {
		s.Writes.wrote(group, users) // before the call: its echo may come first
		_, err := s.API.UpdateUserGroupMembersContext(ctx, group, strings.Join(users, ","))
		return err
	})
}

// Topic reads a channel's topic (conversations.info).
func (s *OnCallSlack) Topic(ctx context.Context, channel string) (string, error) {
	var topic string
	err := s.call(ctx, "conversations.info", func() error {
		ch, err := s.API.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
		if err == nil {
			topic = ch.Topic.Value
		}
		return err
	})
	return topic, err
}

// SetTopic sets a channel's topic (conversations.setTopic, plain text).
func (s *OnCallSlack) SetTopic(ctx context.Context, channel, topic string) error {
	return s.call(ctx, "conversations.setTopic", func() error {
		_, err := s.API.SetTopicOfConversationContext(ctx, channel, topic)
		return err
	})
}
