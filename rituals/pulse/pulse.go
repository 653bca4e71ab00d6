package pulse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Round is one occurrence of a pulse: open from its occurrence until
// Closes, then closed with its Result.
type Round struct {
	Ritual string
	ID     string // RoundID of the occurrence
	Opened time.Time
	Closes time.Time
	Closed bool
	Result *Result `json:",omitempty"`
}

// Open reports whether the round takes answers at now.
func (r Round) Open(now time.Time) bool { return !r.Closed && now.Before(r.Closes) }

// Response is one member's answers, with nothing that names them or when
// they answered: scores and texts by question ID.
type Response struct {
	Scores map[string]int    `json:",omitempty"`
	Texts  map[string]string `json:",omitempty"`
}

// Store keeps the pulse's rounds and answers.
type Store interface {
	// PutPulseRound records a round unless it exists (a re-run of the
	// occurrence changes nothing).
	PutPulseRound(r Round) error
	PulseRound(ritual, id string) (Round, bool, error)
	// PulseRounds returns the ritual's last n rounds, oldest first.
	PulseRounds(ritual string, n int) ([]Round, error)
	// SubmitPulse records, in one transaction, that user answered the
	// round and, apart from it under a random key, the response; it
	// reports already (and stores nothing) if user had answered.
	SubmitPulse(ritual, round, user string, r Response) (already bool, err error)
	PulseAnswered(ritual, round, user string) (bool, error)
	PulseResponses(ritual, round string) ([]Response, error)
	// ClosePulseRound stores the closed round; dropResponses deletes its
	// responses too (a round with too few answers keeps none).
	ClosePulseRound(r Round, dropResponses bool) error
}

// Pulse is one pulse ritual.
type Pulse struct {
	Config   *rituals.RitualConfig
	Settings *Settings
	Team     *rituals.Team
	Store    Store
	Outbox   rituals.Outbox
	Clock    rituals.Clock
}

// RoundID names the round of the occurrence at `at`: its minute in UTC,
// the finest time anything about the round records.
func RoundID(at time.Time) string { return at.UTC().Format("20060102T1504Z") }

// Name is the ritual's name.
func (p *Pulse) Name() string { return p.Config.Name }

// Channel is where results go: the ritual's channel, else its team's.
func (p *Pulse) Channel() string {
	if p.Config.Channel != "" {
		return p.Config.Channel
	}
	return p.Team.Channel
}

// Jobs are the pulse's three jobs: open (and invite), remind once halfway,
// close (and publish).
func (p *Pulse) Jobs() []rituals.Job {
	after := p.Settings.CloseAfter
	return []rituals.Job{
		{Name: p.Config.Name, Ritual: p.Config.Name, Schedule: p.Config.Schedule, Run: p.Open},
		{Name: p.Config.Name + "/remind", Ritual: p.Config.Name, Schedule: p.Config.Schedule.WithOffset(after / 2),
			Run: func(ctx context.Context, at time.Time) error { return p.Remind(ctx, at.Add(-after/2)) }},
		{Name: p.Config.Name + "/close", Ritual: p.Config.Name, Schedule: p.Config.Schedule.WithOffset(after),
			Run: func(ctx context.Context, at time.Time) error { return p.Close(ctx, at.Add(-after)) }},
	}
}

// Open starts the round of the occurrence at `at` and invites every
// member.
func (p *Pulse) Open(ctx context.Context, at time.Time) error {
	r := Round{Ritual: p.Config.Name, ID: RoundID(at), Opened: at, Closes: at.Add(p.Settings.CloseAfter)}
	if err := p.Store.PutPulseRound(r); err != nil {
		return fmt.Errorf("pulse %s: open round %s: %w", p.Config.Name, r.ID, err)
	}
	var msgs []rituals.Message
	for _, u := range p.Team.Members {
		msgs = append(msgs, p.invite(r, u, rituals.OccurrenceKey(p.Config.Name, at, u), false))
	}
	return p.Outbox.Send(ctx, msgs...)
}

// Remind asks, once, the members who have not answered the round of the
// occurrence at `at`.
func (p *Pulse) Remind(ctx context.Context, at time.Time) error {
	r, ok, err := p.Store.PulseRound(p.Config.Name, RoundID(at))
	if err != nil || !ok || r.Closed {
		return err
	}
	var msgs []rituals.Message
	for _, u := range p.Team.Members {
		done, err := p.Store.PulseAnswered(r.Ritual, r.ID, u)
		if err != nil {
			return fmt.Errorf("pulse %s: remind: %w", p.Config.Name, err)
		}
		if !done {
			msgs = append(msgs, p.invite(r, u, rituals.OccurrenceKey(p.Config.Name+"/remind", at, u), true))
		}
	}
	return p.Outbox.Send(ctx, msgs...)
}

// invite is the DM with the button that opens the form.
func (p *Pulse) invite(r Round, user, key string, reminder bool) rituals.Message {
	loc := p.Config.Schedule.Location
	lead := fmt.Sprintf("*%s team health pulse* — %d question%s, about a minute.", rituals.Escape(p.Team.Name), len(p.Settings.Questions), rituals.Plural(len(p.Settings.Questions)))
	if reminder {
		lead = fmt.Sprintf("A reminder: the *%s team health pulse* is still open.", rituals.Escape(p.Team.Name))
	}
	text := fmt.Sprintf("%s It closes %s.\n%s", lead, r.Closes.In(loc).Format("Mon 2 Jan 15:04 MST"), anonymityNote(p.Settings.MinResponses))
	return rituals.Message{
		Key: key, To: user, Text: text,
		Blocks: []rituals.Block{
			rituals.Section(text),
			rituals.Actions(rituals.Button{Text: "Answer the pulse", ActionID: "pulse:answer", Value: ref(r), Style: "primary"}),
		},
	}
}

// anonymityNote says what anonymous means here, in the invitation and the
// form.
func anonymityNote(min int) string {
	return fmt.Sprintf("_Anonymous: your answers are stored without your name, your Slack ID or the time you answered, so nobody — admins included — can tell who said what. Results are shown only if at least %d answer. (Words only you would use can still give you away.)_", min)
}

// ref is a round as a button value or a form's metadata.
func ref(r Round) string { return r.Ritual + "|" + r.ID }

// ParseRef splits a button value or form metadata into ritual and round.
func ParseRef(s string) (ritual, round string, err error) {
	ritual, round, ok := strings.Cut(s, "|")
	if !ok || ritual == "" || round == "" {
		return "", "", rituals.Errorf(rituals.EINVALID, "That pulse form is no longer in use.")
	}
	return ritual, round, nil
}
