package standup

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Jobs returns the prompt, reminder and summary jobs. With LocalTime there
// is a prompt and a reminder per member zone, and the summary follows the
// zone whose morning comes last. If the members' zones cannot be read, the
// jobs use the ritual's zone and the error says why.
func (s *Standup) Jobs(ctx context.Context) ([]rituals.Job, error) {
	zones := map[string]*time.Location{s.Config.Schedule.Location.String(): s.Config.Schedule.Location}
	var zoneErr error
	if s.Settings.LocalTime && s.Directory != nil {
		users, err := s.users(ctx)
		if err != nil {
			zoneErr = err
		} else {
			zones = map[string]*time.Location{}
			for _, m := range s.members(users) {
				loc := s.zoneOf(users, m)
				zones[loc.String()] = loc
			}
			if len(zones) == 0 {
				zones[s.Config.Schedule.Location.String()] = s.Config.Schedule.Location
			}
		}
	}
	var jobs []rituals.Job
	for _, n := range slices.Sorted(maps.Keys(zones)) {
		loc := zones[n]
		sched := s.Config.Schedule.In(loc)
		suffix := ""
		if s.Settings.LocalTime {
			suffix = "@" + n
		}
		jobs = append(jobs, rituals.Job{
			Name: s.Config.Name + "/prompt" + suffix, Ritual: s.Config.Name, Schedule: sched,
			Run: func(ctx context.Context, at time.Time) error { return s.Prompt(ctx, loc, at) },
		})
		if s.Settings.RemindAfter > 0 {
			jobs = append(jobs, rituals.Job{
				Name: s.Config.Name + "/remind" + suffix, Ritual: s.Config.Name, Schedule: sched.WithOffset(s.Settings.RemindAfter),
				Run: func(ctx context.Context, at time.Time) error {
					return s.Remind(ctx, loc, at.Add(-s.Settings.RemindAfter))
				},
			})
		}
	}
	last := s.lastZone(zones)
	s.summaryZone.Store(last)
	jobs = append(jobs, rituals.Job{
		Name: s.Config.Name + "/summary", Ritual: s.Config.Name,
		Schedule: s.Config.Schedule.In(last).WithOffset(s.Settings.SummaryAfter),
		Run: func(ctx context.Context, at time.Time) error {
			return s.Summarize(ctx, rituals.DateOf(at.Add(-s.Settings.SummaryAfter).In(last)))
		},
	})
	return jobs, zoneErr
}

// lastZone is the zone whose local time is furthest behind UTC, so its
// morning comes last.
func (s *Standup) lastZone(zones map[string]*time.Location) *time.Location {
	now := s.Clock.Now()
	var last *time.Location
	lastOff := 0
	for _, loc := range zones {
		_, off := now.In(loc).Zone()
		if last == nil || off < lastOff || off == lastOff && loc.String() < last.String() {
			last, lastOff = loc, off
		}
	}
	return last
}

// summaryAt is when day d's summary is due.
func (s *Standup) summaryAt(d rituals.Date) time.Time {
	loc := s.summaryZone.Load()
	if loc == nil {
		loc = s.Config.Schedule.Location
	}
	at, ok := s.promptAt(loc, d)
	if !ok {
		return time.Time{}
	}
	return at.Add(s.Settings.SummaryAfter)
}

// Prompt DMs each member in zone loc whose standup is now: not those away,
// and not those who answered already (the evening before). If Slack's
// member list cannot be read, everyone is prompted in the ritual's zone
// and the error is returned once the prompts are out.
func (s *Standup) Prompt(ctx context.Context, loc *time.Location, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := rituals.DateOf(at.In(loc))
	users, dirErr := s.users(ctx)
	away, err := s.awaySet(d, users)
	if err != nil {
		return err
	}
	day, answers, err := s.dayState(d)
	if err != nil {
		return err
	}
	var prompt []string
	for _, m := range s.members(users) {
		if s.zoneOf(users, m).String() != loc.String() {
			continue
		}
		if _, answered := answers[m]; answered {
			continue
		}
		if away[m] {
			day.Away = rituals.AddUnique(day.Away, m)
			continue
		}
		day.Prompted = rituals.AddUnique(day.Prompted, m)
		prompt = append(prompt, m)
	}
	err = s.recordAndSend(ctx, day, "prompts", prompt, func(m string) rituals.Message { return s.promptMessage(m, loc, d, at) })
	if err != nil {
		return err
	}
	return dirErr
}

func (s *Standup) promptMessage(user string, loc *time.Location, d rituals.Date, at time.Time) rituals.Message {
	var lines []string
	for _, q := range s.questionsFor(user, at) {
		lines = append(lines, "• "+q.Text)
	}
	text := fmt.Sprintf("Good morning! Time for the *%s* standup (%s).\n%s", s.teamName(), dayLabel(d), strings.Join(lines, "\n"))
	blocks := []rituals.Block{rituals.Section(text)}
	if sum := s.summaryAt(d); !sum.IsZero() {
		blocks = append(blocks, rituals.Context(fmt.Sprintf("Answers go to %s at %s your time. You can change yours until then.",
			rituals.ChannelLink(s.channel()), sum.In(loc).Format("15:04"))))
	}
	blocks = append(blocks, s.answerButtons(d))
	return rituals.Message{
		Key:    s.key(d, "prompt", user),
		To:     user,
		Text:   fmt.Sprintf("Time for the %s standup (%s)", s.teamName(), dayLabel(d)),
		Blocks: blocks,
	}
}

func (s *Standup) answerButtons(d rituals.Date) rituals.Block {
	return rituals.Actions(
		rituals.Button{Text: "Answer", ActionID: "standup:answer", Value: s.buttonValue(d), Style: "primary"},
		rituals.Button{Text: "Skip today", ActionID: "standup:skip", Value: s.buttonValue(d)},
	)
}

// Remind nudges, privately and once, those prompted at `prompted` in zone
// loc who have neither answered nor skipped, and are not away by now.
func (s *Standup) Remind(ctx context.Context, loc *time.Location, prompted time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := rituals.DateOf(prompted.In(loc))
	day, answers, err := s.dayState(d)
	if err != nil || !day.Summarized.IsZero() {
		return err
	}
	users, dirErr := s.users(ctx)
	away, err := s.awaySet(d, users)
	if err != nil {
		return err
	}
	var remind []string
	for _, m := range day.Prompted {
		if s.zoneOf(users, m).String() != loc.String() || away[m] || !s.Team.IsMember(m) {
			continue
		}
		if _, ok := answers[m]; ok {
			continue
		}
		day.Reminded = rituals.AddUnique(day.Reminded, m)
		remind = append(remind, m)
	}
	if err := s.recordAndSend(ctx, day, "reminders", remind, func(m string) rituals.Message { return s.remindMessage(m, d) }); err != nil {
		return err
	}
	return dirErr
}

func (s *Standup) remindMessage(user string, d rituals.Date) rituals.Message {
	return rituals.Message{
		Key:  s.key(d, "remind", user),
		To:   user,
		Text: fmt.Sprintf("Your %s standup for %s is still open", s.teamName(), dayLabel(d)),
		Blocks: []rituals.Block{
			rituals.Section(fmt.Sprintf("A gentle nudge: your *%s* standup for %s is still open. It takes a minute, or skip it for today.", s.teamName(), dayLabel(d))),
			s.answerButtons(d),
		},
	}
}

// dayState is what the standup knows of day d: the day's record and the
// answers by member.
func (s *Standup) dayState(d rituals.Date) (StandupDay, map[string]StandupAnswer, error) {
	day, err := s.day(d)
	if err != nil {
		return day, nil, err
	}
	answers, err := s.answersByUser(d)
	return day, answers, err
}

// recordAndSend stores the day's record, then sends each of members the
// message msg makes for them (what names them in an error).
//
// The messages go to the outbox sendBatch at a time, each batch built
// just before it is stored, in a transaction of its own: a fan-out to
// 10,000 members then never holds 10,000 messages, nor one transaction's
// 10,000 new records and the pages they fill, in memory at once
// (docs/BENCHMARKS.md, "10,000 members"). Stopping between batches loses
// nothing: the occurrence stays running and runs again at the next start,
// and the outbox skips the keys it has already.
func (s *Standup) recordAndSend(ctx context.Context, day StandupDay, what string, members []string, msg func(member string) rituals.Message) error {
	if err := s.Store.PutDay(day); err != nil {
		return fmt.Errorf("standup %s: record day %s: %w", s.Config.Name, day.Date, err)
	}
	batches := func(yield func([]rituals.Message) bool) {
		for batch := range slices.Chunk(members, sendBatch) {
			msgs := make([]rituals.Message, len(batch))
			for i, m := range batch {
				msgs[i] = msg(m)
			}
			if !yield(msgs) {
				return
			}
		}
	}
	if err := rituals.SendBatches(ctx, s.Outbox, batches); err != nil {
		return fmt.Errorf("standup %s: send %s: %w", s.Config.Name, what, err)
	}
	return nil
}

// sendBatch is how many DMs of a fan-out go to the outbox at a time. A
// prompt's message is about 1 KB stored; 250 of them fill a few dozen
// store pages, and a team of fewer members is one batch, as before.
const sendBatch = 250

// Summarize posts day d's summary once in the team channel, and files the
// day's participation.
func (s *Standup) Summarize(ctx context.Context, d rituals.Date) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	day, answers, err := s.dayState(d)
	if err != nil {
		return err
	}
	if len(day.Prompted) == 0 && len(day.Away) == 0 && len(answers) == 0 {
		return nil // nobody was asked: the bot was down at every prompt
	}
	if day.Summarized.IsZero() {
		day.Summarized = s.Clock.Now()
		if err := s.Store.PutDay(day); err != nil {
			return fmt.Errorf("standup %s: record summary of %s: %w", s.Config.Name, d, err)
		}
	}
	msgs, err := s.summaryAndTally(ctx, d, day, answers, false)
	if err != nil {
		return err
	}
	return s.Outbox.Send(ctx, msgs...)
}

// refreshSummary edits day d's posted summary after a late answer, a skip
// or a cleared blocker, and sends extra (a late answer's thread reply)
// after it.
func (s *Standup) refreshSummary(ctx context.Context, d rituals.Date, day StandupDay, extra ...rituals.Message) error {
	answers, err := s.answersByUser(d)
	if err != nil {
		return err
	}
	msgs, err := s.summaryAndTally(ctx, d, day, answers, true)
	if err != nil {
		return err
	}
	return s.Outbox.Send(ctx, append(msgs[:1], extra...)...)
}

// summaryAndTally files day d's participation and returns its summary.
func (s *Standup) summaryAndTally(ctx context.Context, d rituals.Date, day StandupDay, answers map[string]StandupAnswer, update bool) ([]rituals.Message, error) {
	users, _ := s.users(ctx) // a summary without statuses beats none
	outcomes, err := s.outcomes(d, day, users, answers)
	if err != nil {
		return nil, err
	}
	tally := StandupTally{Ritual: s.Config.Name, Team: s.Team.ID, Date: d, At: s.concludedAt(d), Outcomes: outcomes}
	if err := s.Store.PutTally(tally); err != nil {
		return nil, fmt.Errorf("standup %s: file participation of %s: %w", s.Config.Name, d, err)
	}
	return s.summaryMessages(d, users, answers, outcomes, update)
}

// outcomes says how each member took part in day d: an answer or a skip
// counts whatever else is true; otherwise away (out of office, a status,
// or away when prompted) or missing.
func (s *Standup) outcomes(d rituals.Date, day StandupDay, users map[string]rituals.UserInfo, answers map[string]StandupAnswer) (map[string]Outcome, error) {
	away, err := s.awaySet(d, users)
	if err != nil {
		return nil, err
	}
	for _, m := range day.Away {
		away[m] = true
	}
	out := map[string]Outcome{}
	for _, m := range s.members(users) {
		a, ok := answers[m]
		switch {
		case ok && !a.Skipped:
			out[m] = OutcomeAnswered
		case ok:
			out[m] = OutcomeSkipped
		case away[m]:
			out[m] = OutcomeAway
		default:
			out[m] = OutcomeMissing
		}
	}
	return out, nil
}

// SummaryPreview returns the summary of today's standup (in the ritual's
// zone) as it would be posted now; thread mode's replies are shown after
// the parent.
func (s *Standup) SummaryPreview(ctx context.Context, now time.Time) (rituals.Message, error) {
	d := rituals.DateOf(now.In(s.Config.Schedule.Location))
	day, answers, err := s.dayState(d)
	if err != nil {
		return rituals.Message{}, err
	}
	users, _ := s.users(ctx)
	outcomes, err := s.outcomes(d, day, users, answers)
	if err != nil {
		return rituals.Message{}, err
	}
	msgs, err := s.summaryMessages(d, users, answers, outcomes, false)
	if err != nil {
		return rituals.Message{}, err
	}
	msg := msgs[0]
	for _, r := range msgs[1:] {
		msg.Blocks = append(msg.Blocks, rituals.Divider())
		msg.Blocks = append(msg.Blocks, r.Blocks...)
	}
	return msg, nil
}
