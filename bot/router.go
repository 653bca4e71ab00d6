package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals"
)

// Invocation is one slash command as a user typed it.
type Invocation struct {
	Command     string // "/oncall"
	Text        string
	Args        []string // Text split on white space
	UserID      string
	ChannelID   string
	TriggerID   string
	ResponseURL string
}

// Reply is what the user sees in answer: ephemeral unless InChannel.
type Reply struct {
	Text      string
	Blocks    []rituals.Block
	InChannel bool
	// Replace, if set, are the blocks (JSON) that replace the message a
	// button was clicked on, so it says what the click did
	// (replace_original) instead of offering the button again; Text is
	// then the message's notification text.
	Replace json.RawMessage
}

// CommandFunc handles a subcommand; args exclude the subcommand's name.
type CommandFunc func(ctx context.Context, inv Invocation, args []string) (Reply, error)

// Subcommand is one verb of a slash command ("/oncall override").
type Subcommand struct {
	Name  string // "" for the bare command
	Usage string // "override @user DURATION|until DATE"
	Help  string // one line
	Run   CommandFunc
}

// Command is a slash command and its verbs.
type Command struct {
	Name        string // "/oncall"
	Description string
	UsageHint   string
	// Missing, if set, is why the command does nothing yet in this
	// configuration (no ritual of its kind), told to whoever types it.
	Missing     string
	Subcommands []Subcommand
}

// Action is a click on a button (block_actions).
type Action struct {
	ActionID  string
	Value     string
	UserID    string
	ChannelID string
	MessageTS string
	TriggerID string
	ViewID    string
	// ResponseURL edits or answers the message the button is on.
	ResponseURL string
	// FromHome: the button is on the clicker's App Home tab, where Slack
	// gives no response_url (see HandleHomeAction).
	FromHome bool
	// MessageBlocks are the blocks of the message the button is on, as
	// Slack sent them (JSON), so a reply can replace it (Reply.Replace).
	MessageBlocks json.RawMessage
	MessageText   string
}

// ActionFunc handles a button; its Reply, if any, is shown to the clicker.
type ActionFunc func(ctx context.Context, a Action) (*Reply, error)

// Submission is a modal submitted by a user (view_submission).
type Submission struct {
	CallbackID      string
	ViewID          string
	UserID          string
	PrivateMetadata string
	// Values are the input blocks' values: block ID → value (a
	// multi-select's values joined by ",").
	Values map[string]string
}

// SubmitFunc handles a modal submission. A non-empty errors map (block ID
// → message) keeps the modal open with those messages on its blocks.
type SubmitFunc func(ctx context.Context, s Submission) (errors map[string]string, err error)

// Event is an Events API event's inner event.
type Event struct {
	ID   string // event_id, for dedupe
	Type string
	// Data is the inner event as slackevents types it, such as
	// *slackevents.AppMentionEvent for "app_mention".
	Data any
}

// EventFunc handles an event.
type EventFunc func(ctx context.Context, e Event) error

// Router routes what arrives from Slack, whichever way it arrived.
type Router struct {
	Log zerolog.Logger

	mu       sync.RWMutex
	commands map[string]*Command
	actions  map[string]ActionFunc // by action ID prefix up to ":"
	views    map[string]SubmitFunc
	events   map[string][]EventFunc
	seen     *eventDedupe
	// homeActed follows a click on the App Home (nil: nothing does).
	homeActed func(ctx context.Context, user string, reply *Reply)
}

// NewRouter returns a Router that knows ritualbot's slash commands.
func NewRouter(log zerolog.Logger) *Router {
	r := &Router{
		Log:      log,
		commands: map[string]*Command{},
		actions:  map[string]ActionFunc{},
		views:    map[string]SubmitFunc{},
		events:   map[string][]EventFunc{},
		seen:     newEventDedupe(10000, time.Hour),
	}
	for _, c := range Commands() {
		c := c
		r.commands[c.Name] = &c
	}
	return r
}

// Commands are ritualbot's slash commands, as the manifest declares them.
func Commands() []Command {
	return []Command{
		{Name: "/standup", Description: "Answer today's standup, go out of office, see status and history", UsageHint: "[status | history [@user] [N] | ooo FROM [TO] | back | help]",
			Missing: "No standup is configured. Add a ritual with `kind: standup` to the config."},
		{Name: "/oncall", Description: "Who is on call; schedules, overrides, swaps, cover, drills and members", UsageHint: "[TEAM | schedule [TEAM] [N] | override @user FROM TO | override @user DURATION | override cancel | swap @user [MY-DAY THEIR-DAY] | cover FROM TO | away FROM TO | drill | rotation [remove @user] | help]",
			Missing: "No on-call rotation is configured. Add a ritual with `kind: oncall` to the config."},
		{Name: "/incident", Description: "Declare and run incidents, action items", UsageHint: "[declare [SEV] TITLE | update TEXT | resolve | list | action @owner TEXT | help]",
			Missing: "Incidents are not configured. Add a ritual with `kind: incidents` to the config."},
		{Name: "/digest", Description: "Preview the weekly digest, add highlights and risks", UsageHint: "[preview | highlight TEXT | risk TEXT | help]",
			Missing: "No digest is configured. Add a ritual with `kind: digest` to the config."},
		{Name: "/release", Description: "Release notes: the changelog of recent deploys", UsageHint: "[notes [SERVICE] [SINCE] | help]",
			Missing: "No release notes are configured. Add a ritual with `kind: release` to the config."},
		{Name: "/pulse", Description: "Answer the team health pulse anonymously, see its latest results", UsageHint: "[results] [RITUAL]",
			Missing: "No team health pulse is configured. Add a ritual with `kind: pulse` to the config."},
		{Name: "/demo", Description: "Show-and-tell: sign up to demo what you shipped", UsageHint: "[add TEXT | list | remove | help]",
			Missing: "No show-and-tell is configured. Add a ritual with `kind: showandtell` to the config."},
		{Name: "/onboard", Description: "Onboard a new team member: buddy, steps, shadowing, rotation, feedback", UsageHint: "[@user [TEAM] | status | done @user STEP [TEAM] | feedback [TEAM] | help]",
			Missing: "No onboarding is configured. Add a ritual with `kind: onboarding` to the config."},
	}
}

// Handle registers a subcommand of a known slash command.
func (r *Router) Handle(command string, sub Subcommand) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.commands[command]
	if !ok {
		panic("bot: unknown slash command " + command)
	}
	c.Missing = ""
	for i, s := range c.Subcommands {
		if s.Name == sub.Name {
			c.Subcommands[i] = sub
			return
		}
	}
	c.Subcommands = append(c.Subcommands, sub)
}

// HandleAction registers the handler of buttons whose action ID is prefix
// or starts with prefix + ":".
func (r *Router) HandleAction(prefix string, f ActionFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.actions[prefix] = f
}

// HandleHomeAction registers what follows each click on a member's App
// Home, with the handler's answer (nil if none): the Home has no
// response_url to answer on, and what the click changed should show.
func (r *Router) HandleHomeAction(f func(ctx context.Context, user string, reply *Reply)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.homeActed = f
}

// HandleSubmit registers the handler of a modal's callback ID.
func (r *Router) HandleSubmit(callbackID string, f SubmitFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.views[callbackID] = f
}

// HandleEvent registers a handler of an event type.
func (r *Router) HandleEvent(typ string, f EventFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[typ] = append(r.events[typ], f)
}

// EventTypes lists the event types with handlers (for the manifest).
func (r *Router) EventTypes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.events))
}

// Command answers a slash command. It never returns silence: help and
// unknown arguments get the usage, errors get a message.
func (r *Router) Command(ctx context.Context, inv Invocation) Reply {
	ctx = rituals.ForPerson(ctx) // what it sends goes ahead of routine traffic
	inv.Args = strings.Fields(inv.Text)
	r.mu.RLock()
	c, ok := r.commands[inv.Command]
	var cmd Command
	if ok {
		cmd = *c
		cmd.Subcommands = append([]Subcommand(nil), c.Subcommands...)
	}
	r.mu.RUnlock()
	if !ok {
		return Reply{Text: fmt.Sprintf("ritualbot does not know the command %s.", inv.Command)}
	}
	if cmd.Missing != "" {
		if len(inv.Args) > 0 && strings.EqualFold(inv.Args[0], "help") {
			return Reply{Text: usage(cmd)}
		}
		return Reply{Text: cmd.Missing}
	}
	var verb string
	if len(inv.Args) > 0 {
		verb = strings.ToLower(inv.Args[0])
	}
	if verb == "help" {
		return Reply{Text: usage(cmd)}
	}
	var fallback *Subcommand
	for i, s := range cmd.Subcommands {
		if s.Name == verb && verb != "" {
			return r.run(ctx, s, inv, inv.Args[1:])
		}
		if s.Name == "" {
			fallback = &cmd.Subcommands[i]
		}
	}
	if fallback != nil {
		// The bare command also takes free arguments ("/oncall payments").
		return r.run(ctx, *fallback, inv, inv.Args)
	}
	return Reply{Text: fmt.Sprintf("I don't know `%s %s`.\n%s", cmd.Name, rituals.Escape(verb), usage(cmd))}
}

func (r *Router) run(ctx context.Context, s Subcommand, inv Invocation, args []string) Reply {
	reply, err := s.Run(ctx, inv, args)
	if err != nil {
		return r.errorReply(err, "command", inv.Command+" "+s.Name)
	}
	return reply
}

// errorReply turns an error into what the user sees: the message of an
// error meant for users, or an apology with an ID to find the log line.
func (r *Router) errorReply(err error, kind, what string) Reply {
	if rituals.ErrorCode(err) != rituals.EINTERNAL {
		return Reply{Text: rituals.ErrorMessage(err)}
	}
	id := errorID()
	r.Log.Error().Err(err).Str("error_id", id).Str(kind, httplimit.Clip(what)).Msg("request failed")
	return Reply{Text: fmt.Sprintf("Sorry, that failed on our side (error %s). It has been logged; please try again or tell your ritualbot admin.", id)}
}

func errorID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// usage lists a command's verbs.
func usage(c Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* — %s\n", c.Name, c.Description)
	subs := c.Subcommands
	if len(subs) == 0 {
		fmt.Fprintf(&b, "`%s %s`\n", c.Name, c.UsageHint)
	}
	for _, s := range subs {
		line := strings.TrimSpace(c.Name + " " + s.Usage)
		fmt.Fprintf(&b, "`%s` — %s\n", line, s.Help)
	}
	fmt.Fprintf(&b, "`%s help` — this list", c.Name)
	return b.String()
}

// Action routes a button click.
func (r *Router) Action(ctx context.Context, a Action) *Reply {
	ctx = rituals.ForPerson(ctx)
	prefix, _, _ := strings.Cut(a.ActionID, ":")
	r.mu.RLock()
	f, ok := r.actions[prefix]
	homeActed := r.homeActed
	r.mu.RUnlock()
	var reply *Reply
	if !ok {
		r.Log.Warn().Str("action_id", httplimit.Clip(a.ActionID)).Msg("click on a button nobody handles")
		reply = &Reply{Text: "That button no longer does anything."}
	} else if rep, err := f(ctx, a); err != nil {
		rep := r.errorReply(err, "action", a.ActionID)
		reply = &rep
	} else {
		reply = rep
	}
	if a.FromHome && homeActed != nil {
		homeActed(ctx, a.UserID, reply)
	}
	return reply
}

// Submit routes a modal submission.
func (r *Router) Submit(ctx context.Context, s Submission) (map[string]string, *Reply) {
	ctx = rituals.ForPerson(ctx)
	r.mu.RLock()
	f, ok := r.views[s.CallbackID]
	r.mu.RUnlock()
	if !ok {
		r.Log.Warn().Str("callback_id", httplimit.Clip(s.CallbackID)).Msg("submission of a modal nobody handles")
		return nil, &Reply{Text: "That form is no longer in use."}
	}
	errs, err := f(ctx, s)
	if err != nil {
		rep := r.errorReply(err, "view", s.CallbackID)
		return nil, &rep
	}
	return errs, nil
}

// Event routes an event once; Slack's retries of the same event_id are
// dropped.
//
// An event counts as seen from the moment its handlers start: a retry
// that arrives while they run, or after, is dropped. If ctx ends before
// they finish (shutdown), the event is forgotten so that Slack's retry,
// to this process or the next, runs it.
func (r *Router) Event(ctx context.Context, e Event) {
	if e.ID != "" && !r.seen.first(e.ID) {
		r.Log.Debug().Str("event_id", httplimit.Clip(e.ID)).Msg("duplicate event delivery ignored")
		return
	}
	defer func() {
		if e.ID != "" && ctx.Err() != nil {
			r.seen.forget(e.ID)
		}
	}()
	ctx = rituals.ForPerson(ctx) // a person's message, reaction or mention
	r.mu.RLock()
	handlers := r.events[e.Type]
	r.mu.RUnlock()
	for _, f := range handlers {
		if err := f(ctx, e); err != nil {
			r.Log.Error().Err(err).Str("event", httplimit.Clip(e.Type)).Str("event_id", httplimit.Clip(e.ID)).Msg("event handler failed")
		}
	}
}

// forget drops id, so that its next delivery is handled.
func (d *eventDedupe) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, id) // its entry in order is dropped in turn
}

// eventDedupe remembers recent event IDs (Slack retries for about an hour).
type eventDedupe struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	seen  map[string]time.Time
	order []string
}

func newEventDedupe(max int, ttl time.Duration) *eventDedupe {
	return &eventDedupe{max: max, ttl: ttl, seen: map[string]time.Time{}}
}

// first reports whether id is seen for the first time.
func (d *eventDedupe) first(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if at, ok := d.seen[id]; ok && now.Sub(at) < d.ttl {
		return false
	}
	d.seen[id] = now
	d.order = append(d.order, id)
	for len(d.order) > d.max {
		delete(d.seen, d.order[0])
		d.order = d.order[1:]
	}
	return true
}
