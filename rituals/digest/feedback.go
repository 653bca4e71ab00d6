package digest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// What a reader can say about a digest: a vote, and in the "What's
// missing?" form free text and, per figure, whether they want more or
// less of it.
const (
	VoteUseful    = "useful"
	VoteNotUseful = "not_useful"
	WantMore      = "more"
	WantLess      = "less"
)

// FeedbackForm is the callback ID of the "What's missing?" modal; its
// inputs are FeedbackText and one per figure (the figure's ID).
const (
	FeedbackForm = "digest_feedback"
	FeedbackText = "missing"
)

// Feedback lengths: the free text is clipped like a standup answer.
const maxFeedbackText = 2000

// SuggestWeeks is how far back the summary looks to suggest dropping a
// figure.
const SuggestWeeks = 4

// FeedbackFigure is a figure of the digest a reader can ask more or less of.
type FeedbackFigure struct{ ID, Label string }

// FeedbackFigures are the digest's figures, in the message's order.
var FeedbackFigures = []FeedbackFigure{
	{"participation", "Standup participation"},
	{"blockers", "Blockers"},
	{"incidents", "Incidents"},
	{"retros", "Retros"},
	{"actions", "Action items"},
	{"oncall", "On-call load"},
	{"deploys", "Deploys"},
	{"deploy_frequency", "Deploy frequency"},
	{"lead_time", "Lead time"},
	{"change_failure_rate", "Change failure rate"},
	{"time_to_restore", "Time to restore"},
}

func figureLabel(id string) (string, bool) {
	for _, f := range FeedbackFigures {
		if f.ID == id {
			return f.Label, true
		}
	}
	return "", false
}

// Feedback is one reader's say on one digest occurrence: one record per
// reader and digest, which a later click or form changes.
type Feedback struct {
	Ritual string
	// At is the digest occurrence the reader answers.
	At   time.Time
	User string
	Vote string `json:",omitempty"`
	// Missing is the reader's free text.
	Missing string `json:",omitempty"`
	// Wants maps a figure ID to WantMore or WantLess.
	Wants   map[string]string `json:",omitempty"`
	Updated time.Time
}

// FeedbackStore keeps the readers' feedback.
type FeedbackStore interface {
	// UpdateFeedback applies change to user's feedback on the ritual's
	// occurrence at (a fresh record if none) and stores it, atomically.
	UpdateFeedback(ritual string, at time.Time, user string, change func(*Feedback)) error
	// FeedbackBetween returns the feedback on the ritual's occurrences in
	// [from, to), by occurrence, then reader.
	FeedbackBetween(ritual string, from, to time.Time) ([]Feedback, error)
}

// FeedbackValue is what the digest's buttons carry: the occurrence key.
func FeedbackValue(ritual string, at time.Time) string { return rituals.OccurrenceKey(ritual, at) }

// ParseFeedbackValue reads a FeedbackValue back.
func ParseFeedbackValue(v string) (ritual string, at time.Time, err error) {
	i := strings.LastIndex(v, "@")
	if i <= 0 {
		return "", time.Time{}, rituals.Errorf(rituals.EINVALID, "That button belongs to no digest.")
	}
	at, err = time.Parse(time.RFC3339, v[i+1:])
	if err != nil {
		return "", time.Time{}, rituals.Errorf(rituals.EINVALID, "That button belongs to no digest.")
	}
	return v[:i], at, nil
}

// FeedbackButtons is the block every posted digest ends with.
func FeedbackButtons(ritual string, at time.Time) rituals.Block {
	v := FeedbackValue(ritual, at)
	return rituals.Actions(
		rituals.Button{Text: "Useful", ActionID: "digest:" + VoteUseful, Value: v},
		rituals.Button{Text: "Not useful", ActionID: "digest:" + VoteNotUseful, Value: v},
		rituals.Button{Text: "What's missing?", ActionID: "digest:missing", Value: v},
	)
}

// Vote records a click: the reader's vote on the digest, replacing an
// earlier one. It returns the thanks the reader sees.
func Vote(s FeedbackStore, now time.Time, value, user, vote string) (string, error) {
	ritual, at, err := ParseFeedbackValue(value)
	if err != nil {
		return "", err
	}
	if vote != VoteUseful && vote != VoteNotUseful {
		return "", rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
	}
	err = s.UpdateFeedback(ritual, at, user, func(f *Feedback) {
		f.Vote, f.Updated = vote, now
	})
	if err != nil {
		return "", fmt.Errorf("digest feedback of %s: %w", user, err)
	}
	if vote == VoteUseful {
		return "Thanks! Glad the digest helps; click again any time to change your vote.", nil
	}
	return "Thanks for saying so. \"What's missing?\" tells the leads what would make it useful.", nil
}

// FeedbackFormFor is the "What's missing?" modal, filled with what the
// reader said before.
func FeedbackFormFor(s FeedbackStore, value, user string) (rituals.Form, error) {
	ritual, at, err := ParseFeedbackValue(value)
	if err != nil {
		return rituals.Form{}, err
	}
	var prev Feedback
	fbs, err := s.FeedbackBetween(ritual, at, at.Add(time.Second))
	if err != nil {
		return rituals.Form{}, fmt.Errorf("digest feedback form: %w", err)
	}
	for _, f := range fbs {
		if f.User == user {
			prev = f
		}
	}
	form := rituals.Form{CallbackID: FeedbackForm, Title: "What's missing?", Submit: "Send", Metadata: value,
		Intro: "Tell the digest's leads what would make it more useful. Only they see your answer.",
		Inputs: []rituals.Input{{ID: FeedbackText, Label: "What's missing or could be better?", Kind: rituals.TextInput,
			Multiline: true, Optional: true, Initial: prev.Missing, MaxLength: maxFeedbackText}}}
	for _, fig := range FeedbackFigures {
		form.Inputs = append(form.Inputs, rituals.Input{ID: fig.ID, Label: fig.Label, Kind: rituals.SelectInput,
			Optional: true, Initial: prev.Wants[fig.ID],
			Options: []rituals.Option{{Value: WantMore, Label: "More of it"}, {Value: WantLess, Label: "Less of it"}}})
	}
	return form, nil
}

// Answer records a submitted "What's missing?" form (inputs by block
// ID), replacing the reader's earlier answer and keeping their vote.
func Answer(s FeedbackStore, now time.Time, value, user string, inputs map[string]string) error {
	ritual, at, err := ParseFeedbackValue(value)
	if err != nil {
		return err
	}
	text := rituals.Clip(strings.TrimSpace(inputs[FeedbackText]), maxFeedbackText)
	wants := map[string]string{}
	for _, fig := range FeedbackFigures {
		if w := inputs[fig.ID]; w == WantMore || w == WantLess {
			wants[fig.ID] = w
		}
	}
	err = s.UpdateFeedback(ritual, at, user, func(f *Feedback) {
		f.Missing, f.Wants, f.Updated = text, wants, now
		if len(wants) == 0 {
			f.Wants = nil
		}
	})
	if err != nil {
		return fmt.Errorf("digest feedback of %s: %w", user, err)
	}
	return nil
}

// FeedbackSummary is what readers said over a span.
type FeedbackSummary struct {
	Useful, NotUseful int
	// Texts are the free-text answers, oldest first.
	Texts []string
	// More and Less count the readers asking more or less of a figure.
	More, Less map[string]int
	// Drop are the figures suggested for removal (SuggestRemoval).
	Drop []string
}

// Empty reports whether nobody said anything.
func (s FeedbackSummary) Empty() bool {
	return s.Useful+s.NotUseful+len(s.Texts)+len(s.More)+len(s.Less) == 0
}

// Summarize counts the feedback given (last changed) in [from, to): each
// record is one reader's say on one digest.
func Summarize(fbs []Feedback, from, to time.Time) FeedbackSummary {
	s := FeedbackSummary{More: map[string]int{}, Less: map[string]int{}}
	byTime := append([]Feedback(nil), fbs...)
	sort.SliceStable(byTime, func(i, j int) bool { return byTime[i].Updated.Before(byTime[j].Updated) })
	for _, f := range byTime {
		if f.Updated.Before(from) || !f.Updated.Before(to) {
			continue
		}
		switch f.Vote {
		case VoteUseful:
			s.Useful++
		case VoteNotUseful:
			s.NotUseful++
		}
		if f.Missing != "" {
			s.Texts = append(s.Texts, f.Missing)
		}
		for fig, w := range f.Wants {
			if w == WantMore {
				s.More[fig]++
			} else if w == WantLess {
				s.Less[fig]++
			}
		}
	}
	return s
}

// SuggestRemoval returns the figures that most readers want less of: a
// reader is anyone who gave feedback on a digest in fbs (the last four
// weeks), their stance on a figure is the latest they gave, and a figure
// is suggested when more than half of the readers' latest stance is
// "less". Nothing is ever removed by it; the leads decide.
func SuggestRemoval(fbs []Feedback) []string {
	byTime := append([]Feedback(nil), fbs...)
	sort.SliceStable(byTime, func(i, j int) bool { return byTime[i].Updated.Before(byTime[j].Updated) })
	readers := map[string]bool{}
	stance := map[string]map[string]string{} // figure → reader → want
	for _, f := range byTime {
		readers[f.User] = true
		for fig, w := range f.Wants {
			if stance[fig] == nil {
				stance[fig] = map[string]string{}
			}
			stance[fig][f.User] = w
		}
	}
	var out []string
	for _, fig := range FeedbackFigures {
		less := 0
		for _, w := range stance[fig.ID] {
			if w == WantLess {
				less++
			}
		}
		if less > 0 && 2*less > len(readers) {
			out = append(out, fig.ID)
		}
	}
	return out
}

// FeedbackJob is the digest's weekly feedback summary to its leads.
func (d *Digest) FeedbackJob() (rituals.Job, error) {
	sched, err := rituals.ParseSchedule(FeedbackSchedule, d.Location())
	if err != nil {
		return rituals.Job{}, fmt.Errorf("digest %s: feedback schedule: %w", d.Config.Name, err)
	}
	name := d.Config.Name + " feedback"
	return rituals.Job{Name: name, Ritual: d.Config.Name, Schedule: sched, Run: func(ctx context.Context, at time.Time) error {
		return d.SendFeedbackSummary(ctx, name, at)
	}}, nil
}

// FeedbackSchedule is when the leads get the week's feedback: Monday
// morning in the digest's zone.
const FeedbackSchedule = "0 9 * * MON"

// Leads are the leads of the digest's teams, each once.
func (d *Digest) Leads() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range d.Teams {
		for _, l := range t.Leads {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// SendFeedbackSummary DMs each lead what readers said in the week before
// at, and which figures most readers wanted less of over four weeks.
// Nothing is sent in a week without feedback.
func (d *Digest) SendFeedbackSummary(ctx context.Context, job string, at time.Time) error {
	week := 7 * 24 * time.Hour
	from := at.Add(-SuggestWeeks * week)
	fbs, err := d.Feedback.FeedbackBetween(d.Config.Name, from.Add(-week), at)
	if err != nil {
		return fmt.Errorf("digest %s: read feedback: %w", d.Config.Name, err)
	}
	s := Summarize(fbs, at.Add(-week), at)
	if s.Empty() {
		return nil
	}
	var recent []Feedback
	for _, f := range fbs {
		if !f.At.Before(from) {
			recent = append(recent, f)
		}
	}
	s.Drop = SuggestRemoval(recent)
	text, blocks := s.Message(d.Config.Name)
	var msgs []rituals.Message
	for _, lead := range d.Leads() {
		msgs = append(msgs, rituals.Message{Key: rituals.OccurrenceKey(job, at, lead), To: lead, Text: text, Blocks: blocks})
	}
	if err := d.Outbox.Send(ctx, msgs...); err != nil {
		return fmt.Errorf("digest %s: send the feedback summary: %w", d.Config.Name, err)
	}
	return nil
}
