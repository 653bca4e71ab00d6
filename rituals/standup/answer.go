package standup

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// dateFor is the standup day an answer given at t counts for: today's
// (in the member's zone) if today is a standup day whose summary is not
// out yet, which covers answering before the prompt; otherwise the next
// standup day, which covers answering the evening before.
func (s *Standup) dateFor(users map[string]rituals.UserInfo, user string, t time.Time) (rituals.Date, error) {
	loc := s.zoneOf(users, user)
	today := rituals.DateOf(t.In(loc))
	if _, ok := s.promptAt(loc, today); ok {
		day, err := s.day(today)
		if err != nil {
			return rituals.Date{}, err
		}
		if day.Summarized.IsZero() {
			return today, nil
		}
	}
	next := s.nextPromptAfter(loc, today)
	if next.IsZero() {
		return rituals.Date{}, rituals.Errorf(rituals.ENOTFOUND, "%s has no upcoming standup.", s.Config.Name)
	}
	return rituals.DateOf(next.In(loc)), nil
}

// over reports whether day d can no longer take an answer at now: the
// member's next standup has been prompted.
func (s *Standup) over(users map[string]rituals.UserInfo, user string, d rituals.Date, now time.Time) bool {
	next := s.nextPromptAfter(s.zoneOf(users, user), d)
	return !next.IsZero() && !now.Before(next)
}

func (s *Standup) checkMember(user string) error {
	if !s.Team.IsMember(user) {
		return rituals.Errorf(rituals.EFORBIDDEN, "You are not a member of %s, so the %s standup does not ask you. A lead can add you to the team's members.", s.teamName(), s.Config.Name)
	}
	return nil
}

// AnswerForm returns the modal /standup opens now: for today's standup
// until its summary is out, then for the next one. It is pre-filled with
// the member's answer if they gave one.
func (s *Standup) AnswerForm(ctx context.Context, user string) (rituals.Form, error) {
	if err := s.checkMember(user); err != nil {
		return rituals.Form{}, err
	}
	users, _ := s.users(ctx)
	d, err := s.dateFor(users, user, s.Clock.Now())
	if err != nil {
		return rituals.Form{}, err
	}
	return s.form(users, user, d)
}

// AnswerFormFor returns the modal of a prompt's Answer button, for the
// prompt's day d: editable until the summary is out, and open to a late
// answer until the member's next standup.
func (s *Standup) AnswerFormFor(ctx context.Context, user string, d rituals.Date) (rituals.Form, error) {
	if err := s.checkMember(user); err != nil {
		return rituals.Form{}, err
	}
	users, _ := s.users(ctx)
	day, err := s.day(d)
	if err != nil {
		return rituals.Form{}, err
	}
	if !day.Summarized.IsZero() {
		prev, answered, err := s.Store.Answer(s.Config.Name, d, user)
		if err != nil {
			return rituals.Form{}, err
		}
		if answered && !prev.Skipped && !s.mayChange(users, user, d, day, false) {
			return rituals.Form{}, rituals.Errorf(rituals.ECONFLICT, "Your answer for %s is in its summary, and that day is over for you: it can no longer change. `/standup` answers the next standup.", dayLabel(d))
		}
		if (!answered || prev.Skipped) && s.over(users, user, d, s.Clock.Now()) {
			return rituals.Form{}, rituals.Errorf(rituals.ECONFLICT, "The standup of %s is over. `/standup` answers the next one.", dayLabel(d))
		}
	}
	return s.form(users, user, d)
}

// form is the answer modal for day d.
func (s *Standup) form(users map[string]rituals.UserInfo, user string, d rituals.Date) (rituals.Form, error) {
	prev, answered, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return rituals.Form{}, err
	}
	day, err := s.day(d)
	if err != nil {
		return rituals.Form{}, err
	}
	editing := answered && !prev.Skipped
	qs := s.questionsOn(users, user, d)
	if editing && len(prev.Questions) > 0 {
		qs = prev.Questions
	}
	open, err := s.openBlockerOf(user)
	if err != nil {
		return rituals.Form{}, err
	}
	loc := s.zoneOf(users, user)
	intro := fmt.Sprintf("*%s* standup for *%s*", rituals.Escape(s.teamName()), dayLabel(d))
	switch {
	case !day.Summarized.IsZero() && editing:
		intro += "\nThe summary is out: your changes update it, marked edited, until the end of your day."
	case !day.Summarized.IsZero():
		intro += "\nThe summary is out already; your answer will be added to it."
	case editing:
		intro += "\nYou answered already: change anything until the summary is posted."
	case rituals.DateOf(s.Clock.Now().In(loc)).Before(d):
		intro += fmt.Sprintf("\nAnswering ahead: this counts for %s, and you will not be prompted then.", dayLabel(d))
	}
	f := rituals.Form{
		CallbackID: "standup",
		Title:      "Standup",
		Submit:     "Submit",
		Metadata:   s.buttonValue(d),
		Intro:      intro,
	}
	if editing {
		f.Submit = "Save"
	}
	for _, q := range qs {
		in := rituals.Input{ID: q.ID, Label: q.Text, Kind: rituals.TextInput, Multiline: true, Optional: q.Optional || q.Blocker, MaxLength: MaxAnswerLength}
		if answered {
			in.Initial = prev.Answers[q.ID]
		}
		if q.Blocker {
			in.Hint = `Leave it empty or write "none" if nothing is in your way.`
			if open != nil && !editing {
				// Shown as still open: clearing the text is how a member
				// says it is resolved.
				in.Initial = open.Text
				in.Hint = fmt.Sprintf("Your blocker, open %s. Empty this (or write \"none\") once it is resolved.", rituals.OpenFor(open.DaysOpen(s.Clock.Now(), memberZone(users, user, s.Config.Schedule.Location))))
			}
		}
		f.Inputs = append(f.Inputs, in)
	}
	return f, nil
}

// Submit stores a member's answers for day d, by question ID. It returns
// a message per question for required ones left empty, which keeps the
// modal open. A late answer updates the posted summary.
func (s *Standup) Submit(ctx context.Context, user string, d rituals.Date, values map[string]string) (map[string]string, error) {
	if err := s.checkMember(user); err != nil {
		return nil, err
	}
	users, _ := s.users(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	prev, answered, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return nil, err
	}
	editing := answered && !prev.Skipped
	day, err := s.day(d)
	if err != nil {
		return nil, err
	}
	late := !day.Summarized.IsZero()
	if late && editing && !s.mayChange(users, user, d, day, false) {
		return nil, rituals.Errorf(rituals.ECONFLICT, "The summary of %s is posted and that day is over for you, so your answer can no longer change.", dayLabel(d))
	}
	if late && !editing && s.over(users, user, d, now) {
		return nil, rituals.Errorf(rituals.ECONFLICT, "The standup of %s is over; `/standup` answers the next one.", dayLabel(d))
	}
	qs := s.questionsOn(users, user, d)
	if editing && len(prev.Questions) > 0 {
		qs = prev.Questions
	}
	errs := map[string]string{}
	a := StandupAnswer{Ritual: s.Config.Name, Date: d, User: user, Answers: map[string]string{}, Questions: qs, Submitted: now, Late: late}
	for _, q := range qs {
		v := strings.TrimSpace(values[q.ID])
		switch {
		case v == "" && !q.Optional && !q.Blocker:
			errs[q.ID] = "Please answer this one, or close the form and use Skip today."
		case len([]rune(v)) > MaxAnswerLength:
			errs[q.ID] = fmt.Sprintf("Please keep it under %d characters.", MaxAnswerLength)
		}
		a.Answers[q.ID] = v
	}
	if len(errs) > 0 {
		return errs, nil
	}
	if editing {
		a.Submitted, a.Edited, a.Late = prev.Submitted, now, prev.Late
		a.EditedAfterSummary = prev.EditedAfterSummary || late
	}
	if err := s.Store.PutAnswer(a); err != nil {
		return nil, fmt.Errorf("standup %s: store answer of %s for %s: %w", s.Config.Name, user, d, err)
	}
	if err := s.trackBlockers(user, qs, a.Answers, now); err != nil {
		return nil, err
	}
	confirm := s.confirmations(users, day, a)
	if !late {
		return nil, s.Outbox.Send(ctx, confirm...)
	}
	extra := confirm
	if s.Settings.Summary == SummaryThread {
		reply := s.threadReply(users, a)
		// An edit replaces the answer's reply; a late answer is a new one.
		reply.Update = editing
		extra = append([]rituals.Message{reply}, extra...)
	}
	return nil, s.refreshSummary(ctx, d, day, extra...)
}

// openBlockerOf returns the member's open blocker in this standup, if any.
func (s *Standup) openBlockerOf(user string) (*rituals.Blocker, error) {
	open, err := s.Store.Blockers(s.Config.Name, true)
	if err != nil {
		return nil, fmt.Errorf("standup %s: read blockers: %w", s.Config.Name, err)
	}
	for i := range open {
		if open[i].User == user {
			return &open[i], nil
		}
	}
	return nil, nil
}

// trackBlockers opens, updates or clears the member's blocker from their
// answers to blocker questions: a non-empty answer keeps one open (with
// its first opening time, so its age runs on), an empty one clears it.
func (s *Standup) trackBlockers(user string, qs []rituals.Question, answers map[string]string, now time.Time) error {
	var text string
	asked := false
	for _, q := range qs {
		if !q.Blocker {
			continue
		}
		asked = true
		if v := strings.TrimSpace(answers[q.ID]); !IsEmptyAnswer(v) {
			if text != "" {
				text += "\n"
			}
			text += v
		}
	}
	if !asked {
		return nil
	}
	mine, err := s.openBlockerOf(user)
	if err != nil {
		return err
	}
	var b rituals.Blocker
	switch {
	case text == "" && mine == nil:
		return nil
	case text == "":
		b = *mine
		b.Cleared, b.Updated = now, now
	case mine != nil:
		b = *mine
		b.Text, b.Updated = text, now
	default:
		b = rituals.Blocker{
			ID: fmt.Sprintf("%s-%s-%d", s.Config.Name, user, now.Unix()), Ritual: s.Config.Name, Team: s.Team.ID,
			User: user, Text: text, Opened: now, Updated: now,
		}
	}
	if err := s.Store.PutBlocker(b); err != nil {
		return fmt.Errorf("standup %s: store blocker of %s: %w", s.Config.Name, user, err)
	}
	return nil
}

// Skip records that a member skips day d: not reminded, and counted as
// skipped rather than missing.
func (s *Standup) Skip(ctx context.Context, user string, d rituals.Date) (string, error) {
	if err := s.checkMember(user); err != nil {
		return "", err
	}
	users, _ := s.users(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, answered, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return "", err
	}
	switch {
	case answered && prev.Skipped:
		return fmt.Sprintf("You skipped %s already.", dayLabel(d)), nil
	case answered:
		return fmt.Sprintf("You answered for %s already; your answer stays.", dayLabel(d)), nil
	}
	now := s.Clock.Now()
	day, err := s.day(d)
	if err != nil {
		return "", err
	}
	late := !day.Summarized.IsZero()
	if late && s.over(users, user, d, now) {
		return "", rituals.Errorf(rituals.ECONFLICT, "The standup of %s is over.", dayLabel(d))
	}
	a := StandupAnswer{Ritual: s.Config.Name, Date: d, User: user, Skipped: true, Submitted: now, Late: late}
	if err := s.Store.PutAnswer(a); err != nil {
		return "", fmt.Errorf("standup %s: store skip of %s for %s: %w", s.Config.Name, user, d, err)
	}
	confirm := s.confirmations(users, day, a)
	if late {
		if err := s.refreshSummary(ctx, d, day, confirm...); err != nil {
			return "", err
		}
	} else if err := s.Outbox.Send(ctx, confirm...); err != nil {
		return "", err
	}
	return fmt.Sprintf("Skipped the %s standup of %s: no reminder, and you count as skipped, not missing.", s.teamName(), dayLabel(d)), nil
}

// ClearBlocker closes a blocker from the Cleared button of a summary; ref
// is "blockerID|date" (the summary's day, which is edited to drop it).
// Its owner, a team lead or an admin may.
func (s *Standup) ClearBlocker(ctx context.Context, ref, user string, isAdmin bool) (string, error) {
	id, dateText, _ := strings.Cut(ref, "|")
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok, err := s.Store.Blocker(id)
	if err != nil {
		return "", err
	}
	if !ok || b.Ritual != s.Config.Name {
		return "", rituals.Errorf(rituals.ENOTFOUND, "That blocker no longer exists.")
	}
	if b.User != user && !s.Team.IsLead(user) && !isAdmin {
		return "", rituals.Errorf(rituals.EFORBIDDEN, "Only %s or a lead of %s can clear this blocker.", rituals.Mention(b.User), rituals.Escape(s.teamName()))
	}
	if !b.Open() {
		return "That blocker was cleared already.", nil
	}
	now := s.Clock.Now()
	b.Cleared, b.Updated = now, now
	if err := s.Store.PutBlocker(b); err != nil {
		return "", fmt.Errorf("standup %s: clear blocker %s: %w", s.Config.Name, id, err)
	}
	if d, err := rituals.ParseDate(dateText); err == nil {
		day, ok, err := s.Store.Day(s.Config.Name, d)
		if err != nil {
			return "", err
		}
		if ok && !day.Summarized.IsZero() {
			if err := s.refreshSummary(ctx, d, day); err != nil {
				return "", err
			}
		}
	}
	users, _ := s.users(ctx)
	return fmt.Sprintf("Cleared (open %s): %s", rituals.OpenFor(b.DaysOpen(now, memberZone(users, b.User, s.Config.Schedule.Location))), rituals.Clip(rituals.Escape(b.Text), maxBlockerChars)), nil
}

// SetAway records that user is out of office from..to (inclusive), in
// every standup: they are not prompted or reminded, and count as away.
func (s *Standup) SetAway(user string, from, to rituals.Date) (string, error) {
	today := rituals.DateOf(s.Clock.Now().In(s.Config.Schedule.Location))
	switch {
	case to.Before(from):
		return "", rituals.Errorf(rituals.EINVALID, "The end date %s is before the start date %s. Usage: `/standup ooo FROM [TO]`.", to, from)
	case to.Before(today):
		return "", rituals.Errorf(rituals.EINVALID, "%s is in the past. Usage: `/standup ooo FROM [TO]`, e.g. `/standup ooo %s %s`.", to, today, today.AddDays(4))
	case to.Time().Sub(from.Time()) > 366*24*time.Hour:
		return "", rituals.Errorf(rituals.EINVALID, "That is more than a year; give an end date within a year of %s.", from)
	}
	if err := s.Store.PutAway(Away{User: user, From: from, To: to, Set: s.Clock.Now()}); err != nil {
		return "", fmt.Errorf("standup: store out-of-office of %s: %w", user, err)
	}
	if from == to {
		return fmt.Sprintf("Out of office on %s: no standup prompts that day. `/standup back` undoes it.", dayLabel(from)), nil
	}
	return fmt.Sprintf("Out of office from %s to %s: no standup prompts until then. `/standup back` ends it early.", dayLabel(from), dayLabel(to)), nil
}

// Back ends the user's out-of-office as of today, and cancels any planned
// later. Someone who was not away is told so, not welcomed back.
func (s *Standup) Back(user string) (string, error) {
	today := rituals.DateOf(s.Clock.Now().In(s.Config.Schedule.Location))
	aways, err := s.Store.Aways(today)
	if err != nil {
		return "", fmt.Errorf("standup: read out-of-office of %s: %w", user, err)
	}
	var away, planned bool
	for _, a := range aways {
		if a.User == user {
			away = away || a.Covers(today)
			planned = true
		}
	}
	if !planned {
		return "You are not out of office: your standup prompts go on as usual. (`/standup ooo FROM [TO]` sets an absence.)", nil
	}
	if err := s.Store.DeleteAways(user, today); err != nil {
		return "", fmt.Errorf("standup: end out-of-office of %s: %w", user, err)
	}
	if !away {
		return "Your planned out of office is cancelled: your standup prompts go on as usual.", nil
	}
	return "Welcome back! Your standup prompts start again with the next one.", nil
}

// StandupStatus is where a team stands on one standup day.
type StandupStatus struct {
	Date       rituals.Date
	Summarized bool
	Answered   []string
	Skipped    []string
	Pending    []string
	Away       []string
}

// Status returns who answered, skipped, is pending or away on the asking
// member's standup day: today if it is one, else the next.
func (s *Standup) Status(ctx context.Context, user string) (StandupStatus, error) {
	users, _ := s.users(ctx)
	loc := s.zoneOf(users, user)
	now := s.Clock.Now()
	d := rituals.DateOf(now.In(loc))
	if _, ok := s.promptAt(loc, d); !ok {
		next := s.nextPromptAfter(loc, d)
		if next.IsZero() {
			return StandupStatus{}, rituals.Errorf(rituals.ENOTFOUND, "%s has no upcoming standup.", s.Config.Name)
		}
		d = rituals.DateOf(next.In(loc))
	}
	st := StandupStatus{Date: d}
	answers, err := s.answersByUser(d)
	if err != nil {
		return st, err
	}
	day, err := s.day(d)
	if err != nil {
		return st, err
	}
	st.Summarized = !day.Summarized.IsZero()
	outcomes, err := s.outcomes(d, day, users, answers)
	if err != nil {
		return st, err
	}
	for _, m := range s.members(users) {
		switch outcomes[m] {
		case OutcomeAnswered:
			st.Answered = append(st.Answered, m)
		case OutcomeSkipped:
			st.Skipped = append(st.Skipped, m)
		case OutcomeAway:
			st.Away = append(st.Away, m)
		default:
			st.Pending = append(st.Pending, m)
		}
	}
	return st, nil
}

// MayReadHistory reports whether reader may read member's answers and
// record: answers are written for the team (its summary may go to a
// private channel, and today's are not summarised yet), so only the
// member, the team's members and leads, and admins may.
func (s *Standup) MayReadHistory(reader, member string, readerIsAdmin bool) bool {
	return reader != "" && (reader == member || s.Team.IsMember(reader) || s.Team.IsLead(reader) || readerIsAdmin)
}

func (s *Standup) refuseHistory(reader, member string, readerIsAdmin bool) error {
	if s.MayReadHistory(reader, member, readerIsAdmin) {
		return nil
	}
	return rituals.Errorf(rituals.EFORBIDDEN, "Only %s, the members and leads of %s, and admins can read %s's standup answers.",
		rituals.Mention(member), rituals.Escape(s.Team.Name), rituals.Mention(member))
}

// History returns member's last n answers, newest first, if reader may
// read them (MayReadHistory).
func (s *Standup) History(reader, member string, n int, readerIsAdmin bool) ([]StandupAnswer, error) {
	if err := s.refuseHistory(reader, member, readerIsAdmin); err != nil {
		return nil, err
	}
	if n <= 0 {
		n = 5
	}
	return s.Store.UserAnswers(s.Config.Name, member, n)
}

// MemberRecord sums how member took part in the team's standups over the
// last `days` days, if reader may read it (MayReadHistory).
func (s *Standup) MemberRecord(reader, member string, days int, readerIsAdmin bool) (rituals.Participation, error) {
	if err := s.refuseHistory(reader, member, readerIsAdmin); err != nil {
		return rituals.Participation{}, err
	}
	today := rituals.DateOf(s.Clock.Now().In(s.Config.Schedule.Location))
	p, err := s.Store.MemberParticipation(s.Team.ID, member, today.AddDays(-days+1), today)
	if err != nil {
		return p, err
	}
	// A day is tallied when its summary is posted; an answer given before
	// that (today's, or tomorrow's the evening before) is listed in the
	// history all the same, so it counts here too: one definition of
	// "answered".
	for d := today.AddDays(-1); !today.AddDays(1).Before(d); d = d.AddDays(1) {
		day, err := s.day(d)
		if err != nil {
			return p, err
		}
		if !day.Summarized.IsZero() {
			continue
		}
		a, ok, err := s.Store.Answer(s.Config.Name, d, member)
		if err != nil {
			return p, fmt.Errorf("standup %s: read the answer of %s on %s: %w", s.Config.Name, member, d, err)
		}
		if !ok {
			continue
		}
		p.Days++
		if a.Skipped {
			CountOutcome(&p, OutcomeSkipped)
		} else {
			CountOutcome(&p, OutcomeAnswered)
		}
	}
	return p, nil
}
