package onboarding

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// ParseRef splits a button's value or a form's metadata: the ritual, the
// newcomer and what follows.
func ParseRef(s string) (ritual, newcomer string, rest []string, err error) {
	parts := strings.Split(s, "|")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", "", nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
	}
	return parts[0], parts[1], parts[2:], nil
}

// MarkDone records that step i of newcomer's onboarding is done, marked
// by `by`: the step's owner, a lead or an admin. already reports a step
// done before (a double click changes nothing).
func (r *Ritual) MarkDone(by, newcomer string, i int) (step string, already bool, err error) {
	_, step, already, err = r.markDone(by, newcomer, i)
	return step, already, err
}

// markDone is MarkDone, returning the record as stored too.
func (r *Ritual) markDone(by, newcomer string, i int) (o Onboarding, step string, already bool, err error) {
	if i < 0 || i >= len(r.Settings.Steps) {
		return Onboarding{}, "", false, rituals.Errorf(rituals.EINVALID, "That step is no longer part of the %s onboarding.", rituals.Escape(r.Team.Name))
	}
	now := r.Clock.Now()
	o, err = r.Store.UpdateOnboarding(r.Name(), newcomer, func(o *Onboarding) error {
		if o.Status != StatusActive && o.Status != StatusCompleted {
			return rituals.Errorf(rituals.ENOTFOUND, "%s has no onboarding in %s.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name))
		}
		r.fitSteps(o)
		owner := o.Of(r.Settings.Steps[i].Owner)
		if by != owner && by != o.Lead && !r.mayLead(by) {
			return rituals.Errorf(rituals.EFORBIDDEN, "This step is %s's to mark done (or a lead's or an admin's).", rituals.Mention(owner))
		}
		if !o.Steps[i].Done.IsZero() {
			already = true
			return nil
		}
		o.Steps[i].Done, o.Steps[i].DoneBy = now, by
		if o.Steps[i].Sent.IsZero() {
			o.Steps[i].Sent = now
		}
		return nil
	})
	return o, r.stepLine(i), already, err
}

// Join adds the newcomer to the team's rotation from its next handoff,
// approved by `by` (a lead), through the on-call ritual, which tells
// everyone whose shifts move. It returns what to tell the lead.
func (r *Ritual) Join(ctx context.Context, by, newcomer string) (string, error) {
	if !r.mayLead(by) {
		return "", rituals.Errorf(rituals.EFORBIDDEN, "Only %s and the admins add people to the rotation.", r.leadsText())
	}
	o, err := r.read(newcomer)
	if err != nil {
		return "", err
	}
	if !o.Joined.IsZero() {
		return "", rituals.Errorf(rituals.ECONFLICT, "%s joined the %s rotation already.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name))
	}
	rj := r.rotation()
	if rj == nil {
		return "", rituals.Errorf(rituals.ENOTFOUND, "%s has no on-call rotation configured to add %s to.", rituals.Escape(r.Team.Name), rituals.Mention(newcomer))
	}
	now := r.Clock.Now()
	res, err := rj.JoinRotation(ctx, r.Team.ID, newcomer, by, now)
	inAlready := rituals.ErrorCode(err) == rituals.ECONFLICT
	if err != nil && !inAlready {
		return "", err
	}
	o, err = r.Store.UpdateOnboarding(r.Name(), newcomer, func(cur *Onboarding) error {
		cur.Joined, cur.JoinedBy, cur.JoinFrom = now, by, res.From
		r.complete(cur, now)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("onboarding %s: record %s joined: %w", r.Name(), newcomer, err)
	}
	if inAlready {
		return fmt.Sprintf("%s is in the %s rotation already.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name)), nil
	}
	said := fmt.Sprintf(":white_check_mark: %s joins the %s rotation from the handoff of %s.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name), rituals.SlackDate(res.From, r.zoneOf(o, Lead)))
	if res.HasFirstShift {
		said += fmt.Sprintf(" First shift: %s.", rituals.SlackDate(res.FirstShift.Start, r.zoneOf(o, Lead)))
	}
	var told []string
	for _, u := range res.Told {
		if u != newcomer {
			told = append(told, rituals.Mention(u))
		}
	}
	if len(told) > 0 {
		said += " Told of their moved shifts: " + strings.Join(told, ", ") + "."
	}
	// The on-call ritual DMs the newcomer their shifts, and everyone whose
	// shifts move old → new.
	return said, nil
}

// Postpone asks the lead again about the rotation in weeks (1 to 4).
func (r *Ritual) Postpone(by, newcomer string, weeks int) (string, error) {
	if !r.mayLead(by) {
		return "", rituals.Errorf(rituals.EFORBIDDEN, "Only %s and the admins decide when someone joins the rotation.", r.leadsText())
	}
	if weeks < 1 || weeks > 4 {
		return "", rituals.Errorf(rituals.EINVALID, "Postpone by 1 to 4 weeks.")
	}
	var on rituals.Date
	_, err := r.Store.UpdateOnboarding(r.Name(), newcomer, func(o *Onboarding) error {
		if o.Status != StatusActive {
			return rituals.Errorf(rituals.ENOTFOUND, "%s has no onboarding under way in %s.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name))
		}
		if !o.Joined.IsZero() {
			return rituals.Errorf(rituals.ECONFLICT, "%s joined the %s rotation already.", rituals.Mention(newcomer), rituals.Escape(r.Team.Name))
		}
		on = rituals.DateOf(r.Clock.Now().In(r.zoneOf(*o, Lead))).AddDays(7 * weeks)
		o.JoinAskOn = on
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Not yet: I'll ask again on %s.", on.Time().Format("Mon 2 Jan")), nil
}

// Form input IDs of the feedback.
const (
	FeedbackCallbackID = "onboarding_feedback"
	inputHelped        = "helped"
	inputMissing       = "missing"
	inputWrongDocs     = "wrong_docs"
	maxFeedback        = 1500
)

// FeedbackForm is the newcomer's feedback modal.
func (r *Ritual) FeedbackForm(user, newcomer string) (rituals.Form, error) {
	if user != newcomer {
		return rituals.Form{}, rituals.Errorf(rituals.EFORBIDDEN, "This feedback is %s's to give.", rituals.Mention(newcomer))
	}
	o, err := r.read(newcomer)
	if err != nil {
		return rituals.Form{}, err
	}
	if !o.FeedbackGiven.IsZero() {
		return rituals.Form{}, rituals.Errorf(rituals.ECONFLICT, "You sent your feedback already, thank you. Tell %s anything you'd add.", rituals.Mention(o.Lead))
	}
	in := func(id, label, hint string) rituals.Input {
		return rituals.Input{ID: id, Label: label, Hint: hint, Kind: rituals.TextInput, Multiline: true, Optional: true, MaxLength: maxFeedback}
	}
	return rituals.Form{
		CallbackID: FeedbackCallbackID, Title: "Onboarding feedback", Submit: "Send", Metadata: ref(o),
		Intro: fmt.Sprintf("Goes to %s, the team's lead, and into `/onboard feedback`, so the steps get better for whoever comes next.", rituals.Mention(o.Lead)),
		Inputs: []rituals.Input{
			in(inputHelped, "What helped?", "a step, a person, a doc"),
			in(inputMissing, "What was missing?", "what you had to find out alone"),
			in(inputWrongDocs, "Which docs were wrong or out of date?", "links welcome"),
		},
	}, nil
}

// SubmitFeedback keeps the newcomer's answers and sends them to the lead.
// Errors by input keep the form open.
func (r *Ritual) SubmitFeedback(ctx context.Context, user, newcomer string, values map[string]string) (map[string]string, error) {
	if _, err := r.FeedbackForm(user, newcomer); err != nil {
		return nil, err
	}
	f := Feedback{Ritual: r.Name(), Team: r.Team.ID, Newcomer: newcomer, At: r.Clock.Now(),
		Helped: strings.TrimSpace(values[inputHelped]), Missing: strings.TrimSpace(values[inputMissing]), WrongDocs: strings.TrimSpace(values[inputWrongDocs])}
	if f.Helped == "" && f.Missing == "" && f.WrongDocs == "" {
		return map[string]string{inputHelped: "Answer at least one of the three."}, nil
	}
	errs := map[string]string{}
	for id, v := range map[string]string{inputHelped: f.Helped, inputMissing: f.Missing, inputWrongDocs: f.WrongDocs} {
		if utf8.RuneCountInString(v) > maxFeedback {
			errs[id] = fmt.Sprintf("At most %d characters, please.", maxFeedback)
		}
	}
	if len(errs) > 0 {
		return errs, nil
	}
	o, err := r.Store.UpdateOnboarding(r.Name(), newcomer, func(o *Onboarding) error {
		if !o.FeedbackGiven.IsZero() {
			return rituals.Errorf(rituals.ECONFLICT, "You sent your feedback already, thank you.")
		}
		o.FeedbackGiven = f.At
		if o.FeedbackAsked.IsZero() {
			o.FeedbackAsked = f.At
		}
		r.complete(o, f.At)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := r.Store.PutOnboardingFeedback(f); err != nil {
		return nil, fmt.Errorf("onboarding %s: keep feedback of %s: %w", r.Name(), newcomer, err)
	}
	text := fmt.Sprintf(":speech_balloon: *%s's feedback on their onboarding in %s*\n%s\n_All feedback: `/onboard feedback %s`._",
		rituals.Mention(newcomer), rituals.Escape(r.Team.Name), FeedbackText(f), rituals.Escape(r.Team.ID))
	msgs := []rituals.Message{
		{Key: key(o, "feedback-to-lead"), To: o.Lead, Text: rituals.Clip(text, 3000), Blocks: []rituals.Block{rituals.Section(rituals.Clip(text, 3000))}},
		{Key: key(o, "feedback-thanks"), To: newcomer, Text: "Thank you — your feedback went to " + rituals.Mention(o.Lead) + "."},
	}
	return nil, r.Outbox.Send(ctx, rituals.UrgentFor(ctx, msgs)...)
}

// FeedbackText is f's answers, each under its question.
func FeedbackText(f Feedback) string {
	var lines []string
	for _, qa := range [][2]string{{"Helped", f.Helped}, {"Missing", f.Missing}, {"Docs that were wrong", f.WrongDocs}} {
		if qa[1] != "" {
			lines = append(lines, fmt.Sprintf("*%s:* %s", qa[0], rituals.Escape(rituals.OneLine(qa[1], 600))))
		}
	}
	return strings.Join(lines, "\n")
}

// ParseWeeks reads "Not yet"'s weeks.
func ParseWeeks(rest []string) (int, error) {
	if len(rest) != 1 {
		return 0, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
	}
	return strconv.Atoi(rest[0])
}
