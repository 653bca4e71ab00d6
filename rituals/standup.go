package rituals

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Question is one standup question.
type Question struct {
	ID       string
	Text     string
	Optional bool
	// Blocker: a non-empty answer opens a blocker that stays open until
	// the member answers empty or clears it.
	Blocker bool
}

// StandupConfig is the settings of a standup ritual.
type StandupConfig struct {
	Questions       []Question
	OnCallQuestions []Question // asked of the on-call engineer instead
	// LocalTime prompts each member at the schedule's time in their own
	// Slack time zone.
	LocalTime    bool
	RemindAfter  time.Duration // 0: no reminder
	SummaryAfter time.Duration
	Summary      string // SummaryChannel or SummaryThread
}

// Summary modes.
const (
	SummaryChannel = "channel"
	SummaryThread  = "thread"
)

// UserInfo is what Slack says about a member that rituals care about.
type UserInfo struct {
	ID          string
	Name        string
	TZ          string // IANA zone, "" if unknown
	StatusText  string
	StatusEmoji string
	Deleted     bool
}

// Directory tells about workspace members. The adapter caches it: one
// users.list serves a whole fan-out.
type Directory interface {
	Users(ctx context.Context) (map[string]UserInfo, error)
}

// StandupAnswer is one member's answer for one standup day.
type StandupAnswer struct {
	Ritual    string
	Date      Date
	User      string
	Answers   map[string]string // question ID → text
	Questions []Question        // as asked (on-call members get others)
	Skipped   bool
	Submitted time.Time
	Edited    time.Time `json:",omitempty"`
	// Late: given after the summary was posted.
	Late bool
}

// StandupDay is the record of one standup day of a ritual.
type StandupDay struct {
	Ritual   string
	Date     Date
	Prompted []string
	Away     []string
	Reminded []string
	// Summarized is when the summary was posted (zero before).
	Summarized time.Time
}

// Away is a stretch of days a member is out of office (inclusive).
type Away struct {
	User string
	From Date
	To   Date
	Set  time.Time
}

// Covers reports whether d falls in the stretch.
func (a Away) Covers(d Date) bool { return !d.Before(a.From) && !a.To.Before(d) }

// Blocker is something in a member's way, raised in a standup answer.
type Blocker struct {
	ID      string
	Ritual  string
	Team    string
	User    string
	Text    string
	Opened  time.Time
	Updated time.Time
	Cleared time.Time `json:",omitempty"`
}

// Open reports whether the blocker is still open.
func (b Blocker) Open() bool { return b.Cleared.IsZero() }

// AgeDays is how many whole days the blocker has been open at now.
func (b Blocker) AgeDays(now time.Time) int {
	end := now
	if !b.Open() {
		end = b.Cleared
	}
	return int(end.Sub(b.Opened).Hours() / 24)
}

// StandupStore keeps answers, days, away stretches and blockers.
type StandupStore interface {
	PutAnswer(a StandupAnswer) error
	Answer(ritual string, d Date, user string) (StandupAnswer, bool, error)
	Answers(ritual string, d Date) ([]StandupAnswer, error)
	// UserAnswers returns a member's latest answers, newest first.
	UserAnswers(ritual, user string, limit int) ([]StandupAnswer, error)
	PutDay(day StandupDay) error
	Day(ritual string, d Date) (StandupDay, bool, error)
	// Days returns the days of a ritual from..to inclusive, oldest first.
	Days(ritual string, from, to Date) ([]StandupDay, error)
	PutAway(a Away) error
	// Aways returns every away stretch ending on or after from.
	Aways(from Date) ([]Away, error)
	DeleteAways(user string, from Date) error
	PutBlocker(b Blocker) error
	Blocker(id string) (Blocker, bool, error)
	// Blockers returns the blockers of a ritual ("" for all), open only or all.
	Blockers(ritual string, openOnly bool) ([]Blocker, error)
}

// emptyAnswers are the answers that mean "nothing to report".
var emptyAnswers = map[string]bool{
	"": true, "none": true, "no": true, "nope": true, "-": true, "n/a": true, "na": true,
	"nothing": true, "no blockers": true, "none.": true, "nothing.": true, "no.": true,
}

// IsEmptyAnswer reports whether a blocker answer says there is none.
func IsEmptyAnswer(s string) bool {
	return emptyAnswers[strings.ToLower(strings.TrimSpace(s))]
}

// awayWords in a Slack status mean the member is away that day.
var awayWords = []string{"vacation", "ooo", "out of office", "holiday", "pto", "on leave", "parental leave", "sick"}

// AwayByStatus reports whether a Slack status says the member is away.
func AwayByStatus(u UserInfo) bool {
	switch u.StatusEmoji {
	case ":palm_tree:", ":airplane:", ":desert_island:", ":face_with_thermometer:":
		return true
	}
	text := strings.ToLower(u.StatusText)
	for _, w := range awayWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// Standup is the async standup ritual of one team.
type Standup struct {
	Config    *RitualConfig
	Settings  *StandupConfig
	Team      *Team
	Outbox    Outbox
	Store     StandupStore
	Directory Directory
	Clock     Clock
	OnCall    OnCallLookup // may be nil

	mu sync.Mutex // one change at a time: answers, days and the summary agree
}

// Name is the ritual's name.
func (s *Standup) Name() string { return s.Config.Name }

// channel is where the summary goes.
func (s *Standup) channel() string {
	if s.Config.Channel != "" {
		return s.Config.Channel
	}
	return s.Team.Channel
}

// memberZones returns each member's zone: their own with LocalTime (the
// ritual's when Slack does not know it), else the ritual's.
func (s *Standup) memberZones(users map[string]UserInfo) map[string]*time.Location {
	out := map[string]*time.Location{}
	for _, m := range s.Team.Members {
		loc := s.Config.Schedule.Location
		if s.Settings.LocalTime {
			if u, ok := users[m]; ok && u.TZ != "" {
				if l, err := time.LoadLocation(u.TZ); err == nil {
					loc = l
				}
			}
		}
		out[m] = loc
	}
	return out
}

// Jobs returns the prompt, reminder and summary jobs. With LocalTime there
// is a prompt and a reminder per member zone, and the summary follows the
// zone whose morning comes last. If the members' zones cannot be read, the
// jobs use the ritual's zone and the error says why.
func (s *Standup) Jobs(ctx context.Context) ([]Job, error) {
	zones := map[string]*time.Location{s.Config.Schedule.Location.String(): s.Config.Schedule.Location}
	var zoneErr error
	if s.Settings.LocalTime {
		users, err := s.Directory.Users(ctx)
		if err != nil {
			zoneErr = fmt.Errorf("standup %s: read member time zones: %w", s.Config.Name, err)
		} else {
			zones = map[string]*time.Location{}
			for _, loc := range s.memberZones(users) {
				zones[loc.String()] = loc
			}
		}
	}
	var names []string
	for n := range zones {
		names = append(names, n)
	}
	sort.Strings(names)
	var jobs []Job
	for _, n := range names {
		loc := zones[n]
		sched := s.Config.Schedule.In(loc)
		suffix := ""
		if s.Settings.LocalTime {
			suffix = "@" + n
		}
		jobs = append(jobs, Job{
			Name: s.Config.Name + "/prompt" + suffix, Ritual: s.Config.Name, Schedule: sched,
			Run: func(ctx context.Context, at time.Time) error { return s.Prompt(ctx, loc, at) },
		})
		if s.Settings.RemindAfter > 0 {
			jobs = append(jobs, Job{
				Name: s.Config.Name + "/remind" + suffix, Ritual: s.Config.Name, Schedule: sched.WithOffset(s.Settings.RemindAfter),
				Run: func(ctx context.Context, at time.Time) error {
					return s.Remind(ctx, loc, at.Add(-s.Settings.RemindAfter))
				},
			})
		}
	}
	last := s.lastZone(zones)
	jobs = append(jobs, Job{
		Name: s.Config.Name + "/summary", Ritual: s.Config.Name,
		Schedule: s.Config.Schedule.In(last).WithOffset(s.Settings.SummaryAfter),
		Run: func(ctx context.Context, at time.Time) error {
			return s.Summarize(ctx, DateOf(at.Add(-s.Settings.SummaryAfter).In(last)))
		},
	})
	return jobs, zoneErr
}

// lastZone is the zone whose local time is furthest behind UTC, so its
// 09:00 comes last.
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

// questionsFor returns what a member is asked on date d.
func (s *Standup) questionsFor(user string, at time.Time) []Question {
	if len(s.Settings.OnCallQuestions) > 0 && s.OnCall != nil && s.Team != nil {
		if u, ok := s.OnCall(s.Team.ID, at); ok && u == user {
			return s.Settings.OnCallQuestions
		}
	}
	return s.Settings.Questions
}

// awaySet returns who is away on d: out of office, or a Slack status that
// says so.
func (s *Standup) awaySet(d Date, users map[string]UserInfo) (map[string]bool, error) {
	aways, err := s.Store.Aways(d)
	if err != nil {
		return nil, err
	}
	away := map[string]bool{}
	for _, a := range aways {
		if a.Covers(d) {
			away[a.User] = true
		}
	}
	for _, m := range s.Team.Members {
		if u, ok := users[m]; ok && AwayByStatus(u) {
			away[m] = true
		}
	}
	return away, nil
}

// Prompt DMs each member in zone loc whose standup is now: not those away,
// and not those who answered already (the evening before).
func (s *Standup) Prompt(ctx context.Context, loc *time.Location, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := DateOf(at.In(loc))
	users, err := s.Directory.Users(ctx)
	if err != nil {
		return fmt.Errorf("standup %s: directory: %w", s.Config.Name, err)
	}
	away, err := s.awaySet(d, users)
	if err != nil {
		return err
	}
	day, err := s.day(d)
	if err != nil {
		return err
	}
	answers, err := s.answersByUser(d)
	if err != nil {
		return err
	}
	zones := s.memberZones(users)
	var msgs []Message
	for _, m := range s.Team.Members {
		if zones[m].String() != loc.String() {
			continue
		}
		if u, ok := users[m]; ok && u.Deleted {
			continue
		}
		if away[m] {
			day.Away = addUnique(day.Away, m)
			continue
		}
		if _, answered := answers[m]; answered {
			continue
		}
		day.Prompted = addUnique(day.Prompted, m)
		msgs = append(msgs, s.promptMessage(m, d, at))
	}
	if err := s.Store.PutDay(day); err != nil {
		return fmt.Errorf("standup %s: record day: %w", s.Config.Name, err)
	}
	return s.Outbox.Send(ctx, msgs...)
}

func (s *Standup) promptMessage(user string, d Date, at time.Time) Message {
	qs := s.questionsFor(user, at)
	var lines []string
	for _, q := range qs {
		lines = append(lines, "• "+q.Text)
	}
	teamName := s.Config.Name
	if s.Team != nil {
		teamName = s.Team.Name
	}
	text := fmt.Sprintf("Good morning! Time for the *%s* standup (%s).", teamName, dayLabel(d))
	return Message{
		Key:  s.key(d, "prompt", user),
		To:   user,
		Text: fmt.Sprintf("Time for the %s standup (%s)", teamName, dayLabel(d)),
		Blocks: []Block{
			Section(text + "\n" + strings.Join(lines, "\n")),
			Actions(
				Button{Text: "Answer", ActionID: "standup:answer", Value: s.Config.Name + "|" + d.String(), Style: "primary"},
				Button{Text: "Skip today", ActionID: "standup:skip", Value: s.Config.Name + "|" + d.String()},
			),
		},
	}
}

// Remind nudges, privately and once, those prompted at `prompted` in zone
// loc who have neither answered nor skipped.
func (s *Standup) Remind(ctx context.Context, loc *time.Location, prompted time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := DateOf(prompted.In(loc))
	day, err := s.day(d)
	if err != nil {
		return err
	}
	if !day.Summarized.IsZero() {
		return nil
	}
	answers, err := s.answersByUser(d)
	if err != nil {
		return err
	}
	users, err := s.Directory.Users(ctx)
	if err != nil {
		return fmt.Errorf("standup %s: directory: %w", s.Config.Name, err)
	}
	away, err := s.awaySet(d, users)
	if err != nil {
		return err
	}
	zones := s.memberZones(users)
	var msgs []Message
	for _, m := range day.Prompted {
		if zones[m] == nil || zones[m].String() != loc.String() || away[m] {
			continue
		}
		if _, ok := answers[m]; ok {
			continue
		}
		day.Reminded = addUnique(day.Reminded, m)
		msgs = append(msgs, Message{
			Key:  s.key(d, "remind", m),
			To:   m,
			Text: "A gentle nudge: your standup is still open",
			Blocks: []Block{
				Section(fmt.Sprintf("A gentle nudge: your standup for %s is still open. It takes a minute.", dayLabel(d))),
				Actions(
					Button{Text: "Answer", ActionID: "standup:answer", Value: s.Config.Name + "|" + d.String(), Style: "primary"},
					Button{Text: "Skip today", ActionID: "standup:skip", Value: s.Config.Name + "|" + d.String()},
				),
			},
		})
	}
	if err := s.Store.PutDay(day); err != nil {
		return fmt.Errorf("standup %s: record day: %w", s.Config.Name, err)
	}
	return s.Outbox.Send(ctx, msgs...)
}

// Summarize posts the day's summary once in the team channel.
func (s *Standup) Summarize(ctx context.Context, d Date) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	day, err := s.day(d)
	if err != nil {
		return err
	}
	if len(day.Prompted) == 0 && len(day.Away) == 0 {
		answers, err := s.Store.Answers(s.Config.Name, d)
		if err != nil || len(answers) == 0 {
			return err // nobody was asked (a holiday, or the bot was down)
		}
	}
	if day.Summarized.IsZero() {
		day.Summarized = s.Clock.Now()
		if err := s.Store.PutDay(day); err != nil {
			return fmt.Errorf("standup %s: record summary: %w", s.Config.Name, err)
		}
	}
	msgs, err := s.summaryMessages(d, day, false)
	if err != nil {
		return err
	}
	return s.Outbox.Send(ctx, msgs...)
}

// SummaryPreview returns the summary of today's standup as it would be
// posted now.
func (s *Standup) SummaryPreview(now time.Time) (Message, error) {
	d := DateOf(now.In(s.Config.Schedule.Location))
	day, err := s.day(d)
	if err != nil {
		return Message{}, err
	}
	msgs, err := s.summaryMessages(d, day, false)
	if err != nil {
		return Message{}, err
	}
	msg := msgs[0]
	if s.Settings.Summary == SummaryThread {
		for _, r := range msgs[1:] {
			msg.Blocks = append(msg.Blocks, Divider())
			msg.Blocks = append(msg.Blocks, r.Blocks...)
		}
	}
	return msg, nil
}

// summaryMessages builds the summary: in channel mode one message; in
// thread mode a parent and a reply per answer. update makes the parent an
// edit of the posted one.
func (s *Standup) summaryMessages(d Date, day StandupDay, update bool) ([]Message, error) {
	answers, err := s.Store.Answers(s.Config.Name, d)
	if err != nil {
		return nil, err
	}
	blockers, err := s.Store.Blockers(s.Config.Name, true)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	sort.Slice(answers, func(i, j int) bool { return answers[i].Submitted.Before(answers[j].Submitted) })
	answered, skipped := 0, 0
	for _, a := range answers {
		if a.Skipped {
			skipped++
		} else {
			answered++
		}
	}
	awayCount := 0
	for _, u := range day.Away {
		if !hasAnswer(answers, u) {
			awayCount++
		}
	}
	teamName := s.Config.Name
	if s.Team != nil {
		teamName = s.Team.Name
	}
	members := len(s.Team.Members)
	participation := fmt.Sprintf("%d/%d answered", answered, members)
	if awayCount > 0 {
		participation += fmt.Sprintf(" · %d away", awayCount)
	}
	if skipped > 0 {
		participation += fmt.Sprintf(" · %d skipped", skipped)
	}

	parent := []Block{Header(fmt.Sprintf("%s standup · %s", teamName, dayLabel(d)))}
	if len(blockers) > 0 {
		sort.Slice(blockers, func(i, j int) bool { return blockers[i].Opened.Before(blockers[j].Opened) })
		parent = append(parent, Section(fmt.Sprintf(":rotating_light: *%d open blocker%s*", len(blockers), plural(len(blockers)))))
		for _, b := range blockers {
			blk := Section(fmt.Sprintf("%s: %s _(%s)_", Mention(b.User), Escape(b.Text), ageLabel(b.AgeDays(now))))
			blk.Buttons = []Button{{Text: "Cleared", ActionID: "standup:clear", Value: b.ID}}
			parent = append(parent, blk)
		}
	} else {
		parent = append(parent, Context(":white_check_mark: No open blockers"))
	}
	var answerBlocks []Block
	for _, a := range answers {
		if a.Skipped {
			continue
		}
		answerBlocks = append(answerBlocks, Section(StandupAnswerText(a)))
	}
	var msgs []Message
	parentKey := s.key(d, "summary")
	if s.Settings.Summary == SummaryThread {
		parent = append(parent, Context(participation+" · answers in the thread"))
		msgs = append(msgs, Message{Key: parentKey, To: s.channel(), Update: update,
			Text: fmt.Sprintf("%s standup · %s: %s", teamName, dayLabel(d), participation), Blocks: parent})
		if !update {
			for _, a := range answers {
				if !a.Skipped {
					msgs = append(msgs, s.threadReply(a))
				}
			}
		}
		return msgs, nil
	}
	blocks := append(parent, Divider())
	blocks = append(blocks, answerBlocks...)
	blocks = append(blocks, Context(participation))
	msgs = append(msgs, Message{Key: parentKey, To: s.channel(), Update: update,
		Text: fmt.Sprintf("%s standup · %s: %s", teamName, dayLabel(d), participation), Blocks: blocks})
	return msgs, nil
}

func (s *Standup) threadReply(a StandupAnswer) Message {
	return Message{
		Key: s.key(a.Date, "answer", a.User), To: s.channel(), ThreadKey: s.key(a.Date, "summary"),
		Text: "Standup answer", Blocks: []Block{Section(StandupAnswerText(a))},
	}
}

// StandupAnswerText is one member's answers as mrkdwn, user text escaped.
func StandupAnswerText(a StandupAnswer) string {
	var b strings.Builder
	b.WriteString("*" + Mention(a.User) + "*")
	if a.Late {
		b.WriteString(" _(late)_")
	}
	for _, q := range a.Questions {
		v := strings.TrimSpace(a.Answers[q.ID])
		if v == "" || q.Blocker && IsEmptyAnswer(v) {
			continue
		}
		fmt.Fprintf(&b, "\n*%s*\n%s", Escape(q.Text), Escape(v))
	}
	return b.String()
}

// AnswerForm returns the modal a member fills in now: for today's standup,
// or the next one; pre-filled if they answered already.
func (s *Standup) AnswerForm(ctx context.Context, user string) (Form, error) {
	if !s.Team.IsMember(user) {
		return Form{}, Errorf(EFORBIDDEN, "You are not a member of %s, so %s has no standup for you.", s.Team.Name, s.Config.Name)
	}
	now := s.Clock.Now()
	d, _, err := s.dateFor(ctx, user, now)
	if err != nil {
		return Form{}, err
	}
	prev, answered, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return Form{}, err
	}
	qs := s.questionsFor(user, now)
	if answered && len(prev.Questions) > 0 {
		qs = prev.Questions
	}
	f := Form{
		CallbackID: "standup",
		Title:      "Standup",
		Submit:     "Submit",
		Metadata:   s.Config.Name + "|" + d.String(),
		Intro:      fmt.Sprintf("*%s* standup for *%s*", s.Team.Name, dayLabel(d)),
	}
	if answered && !prev.Skipped {
		f.Intro += " — editing your answer"
	}
	for _, q := range qs {
		in := Input{ID: q.ID, Label: q.Text, Kind: TextInput, Multiline: true, Optional: q.Optional || q.Blocker, MaxLength: 3000}
		if answered {
			in.Initial = prev.Answers[q.ID]
		}
		if q.Blocker {
			in.Hint = `Leave empty or write "none" if nothing is in your way.`
		}
		f.Inputs = append(f.Inputs, in)
	}
	return f, nil
}

// dateFor is the standup day an answer given at t counts for: today's if
// it is a standup day whose summary is not out yet, or whose summary is
// out but the member has not answered (a late answer); otherwise the next
// standup day (answering the evening before).
func (s *Standup) dateFor(ctx context.Context, user string, t time.Time) (Date, bool, error) {
	users, err := s.Directory.Users(ctx)
	if err != nil {
		return Date{}, false, err
	}
	loc := s.memberZones(users)[user]
	if loc == nil {
		loc = s.Config.Schedule.Location
	}
	sched := s.Config.Schedule.In(loc)
	today := DateOf(t.In(loc))
	midnight := today.In(loc)
	first := sched.Next(midnight.Add(-time.Nanosecond))
	if !first.IsZero() && DateOf(first.In(loc)) == today {
		day, _, err := s.Store.Day(s.Config.Name, today)
		if err != nil {
			return Date{}, false, err
		}
		if day.Summarized.IsZero() {
			return today, false, nil
		}
		if _, answered, err := s.Store.Answer(s.Config.Name, today, user); err != nil || !answered {
			return today, true, err
		}
	}
	next := sched.Next(midnight.AddDate(0, 0, 1).Add(-time.Nanosecond))
	if next.IsZero() {
		return Date{}, false, Errorf(ENOTFOUND, "%s has no upcoming standup.", s.Config.Name)
	}
	return DateOf(next.In(loc)), false, nil
}

// Submit stores a member's answers for the day in metadata. It returns
// errors per question for required ones left empty. A late answer updates
// the posted summary.
func (s *Standup) Submit(ctx context.Context, user, metadata string, values map[string]string) (map[string]string, error) {
	_, dateText, _ := strings.Cut(metadata, "|")
	d, err := ParseDate(dateText)
	if err != nil {
		return nil, Errorf(EINVALID, "This standup form is from an older version; please open it again.")
	}
	if !s.Team.IsMember(user) {
		return nil, Errorf(EFORBIDDEN, "You are not a member of %s.", s.Team.Name)
	}
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, answered, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return nil, err
	}
	qs := s.questionsFor(user, now)
	if answered && len(prev.Questions) > 0 {
		qs = prev.Questions
	}
	errs := map[string]string{}
	a := StandupAnswer{Ritual: s.Config.Name, Date: d, User: user, Answers: map[string]string{}, Questions: qs, Submitted: now}
	for _, q := range qs {
		v := strings.TrimSpace(values[q.ID])
		if v == "" && !q.Optional && !q.Blocker {
			errs[q.ID] = "Please answer this one (or use Skip today)."
		}
		if len([]rune(v)) > 3000 {
			errs[q.ID] = "Please keep it under 3,000 characters."
		}
		a.Answers[q.ID] = v
	}
	if len(errs) > 0 {
		return errs, nil
	}
	day, err := s.day(d)
	if err != nil {
		return nil, err
	}
	if answered {
		a.Submitted, a.Edited = prev.Submitted, now
		if !day.Summarized.IsZero() && !prev.Skipped {
			return nil, Errorf(ECONFLICT, "The summary for %s is already posted, so your answer can no longer change.", dayLabel(d))
		}
	}
	a.Late = !day.Summarized.IsZero()
	if err := s.Store.PutAnswer(a); err != nil {
		return nil, fmt.Errorf("standup %s: store answer: %w", s.Config.Name, err)
	}
	if err := s.trackBlockers(user, qs, a.Answers, now); err != nil {
		return nil, err
	}
	if day.Summarized.IsZero() {
		return nil, nil
	}
	return nil, s.lateUpdate(ctx, d, day, a)
}

// lateUpdate edits the posted summary for an answer that came after it.
func (s *Standup) lateUpdate(ctx context.Context, d Date, day StandupDay, a StandupAnswer) error {
	msgs, err := s.summaryMessages(d, day, true)
	if err != nil {
		return err
	}
	if s.Settings.Summary == SummaryThread && !a.Skipped {
		msgs = append(msgs, s.threadReply(a))
	}
	return s.Outbox.Send(ctx, msgs...)
}

// trackBlockers opens, updates or clears the member's blocker from their
// answers to blocker questions.
func (s *Standup) trackBlockers(user string, qs []Question, answers map[string]string, now time.Time) error {
	var text string
	asked := false
	for _, q := range qs {
		if q.Blocker {
			asked = true
			if v := answers[q.ID]; !IsEmptyAnswer(v) {
				text = v
			}
		}
	}
	if !asked {
		return nil
	}
	open, err := s.Store.Blockers(s.Config.Name, true)
	if err != nil {
		return err
	}
	var mine *Blocker
	for i := range open {
		if open[i].User == user {
			mine = &open[i]
		}
	}
	switch {
	case text == "" && mine != nil:
		mine.Cleared, mine.Updated = now, now
		return s.Store.PutBlocker(*mine)
	case text != "" && mine != nil:
		mine.Text, mine.Updated = text, now
		return s.Store.PutBlocker(*mine)
	case text != "":
		return s.Store.PutBlocker(Blocker{
			ID: fmt.Sprintf("%s-%s-%d", s.Config.Name, user, now.Unix()), Ritual: s.Config.Name, Team: s.Team.ID,
			User: user, Text: text, Opened: now, Updated: now,
		})
	}
	return nil
}

// Skip records that a member skips the day: not reminded, not missing.
func (s *Standup) Skip(ctx context.Context, user string, d Date) (string, error) {
	if !s.Team.IsMember(user) {
		return "", Errorf(EFORBIDDEN, "You are not a member of %s.", s.Team.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, answered, err := s.Store.Answer(s.Config.Name, d, user)
	if err != nil {
		return "", err
	}
	if answered {
		return fmt.Sprintf("You already answered for %s.", dayLabel(d)), nil
	}
	now := s.Clock.Now()
	a := StandupAnswer{Ritual: s.Config.Name, Date: d, User: user, Skipped: true, Submitted: now}
	if err := s.Store.PutAnswer(a); err != nil {
		return "", fmt.Errorf("standup %s: store skip: %w", s.Config.Name, err)
	}
	day, err := s.day(d)
	if err != nil {
		return "", err
	}
	if !day.Summarized.IsZero() {
		if err := s.lateUpdate(ctx, d, day, a); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("Skipped %s. No reminders today.", dayLabel(d)), nil
}

// ClearBlocker closes a blocker; its owner or a team lead may.
func (s *Standup) ClearBlocker(ctx context.Context, id, user string, isAdmin bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok, err := s.Store.Blocker(id)
	if err != nil {
		return "", err
	}
	if !ok || b.Ritual != s.Config.Name {
		return "", Errorf(ENOTFOUND, "That blocker no longer exists.")
	}
	if b.User != user && !s.Team.IsLead(user) && !isAdmin {
		return "", Errorf(EFORBIDDEN, "Only %s or a lead of %s can clear this blocker.", Mention(b.User), s.Team.Name)
	}
	if !b.Open() {
		return "That blocker was already cleared.", nil
	}
	now := s.Clock.Now()
	b.Cleared, b.Updated = now, now
	if err := s.Store.PutBlocker(b); err != nil {
		return "", err
	}
	// Refresh the latest posted summary so the blocker disappears there.
	d := DateOf(now.In(s.Config.Schedule.Location))
	if day, ok, err := s.Store.Day(s.Config.Name, d); err == nil && ok && !day.Summarized.IsZero() {
		msgs, err := s.summaryMessages(d, day, true)
		if err == nil {
			err = s.Outbox.Send(ctx, msgs[0])
		}
		if err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("Cleared: %s (open %s).", Escape(b.Text), ageLabel(b.AgeDays(now))), nil
}

// SetAway records that user is out of office from..to (inclusive).
func (s *Standup) SetAway(user string, from, to Date) (string, error) {
	if to.Before(from) {
		return "", Errorf(EINVALID, "The end date %s is before the start date %s.", to, from)
	}
	if err := s.Store.PutAway(Away{User: user, From: from, To: to, Set: s.Clock.Now()}); err != nil {
		return "", err
	}
	if from == to {
		return fmt.Sprintf("Marked you out of office on %s. No standup prompts that day.", dayLabel(from)), nil
	}
	return fmt.Sprintf("Marked you out of office %s to %s. No standup prompts until you are back.", dayLabel(from), dayLabel(to)), nil
}

// Back removes the user's away stretches from today on.
func (s *Standup) Back(user string) (string, error) {
	today := DateOf(s.Clock.Now().In(s.Config.Schedule.Location))
	if err := s.Store.DeleteAways(user, today); err != nil {
		return "", err
	}
	return "Welcome back! You will be prompted again from the next standup.", nil
}

// StandupStatus is today's standing of a team.
type StandupStatus struct {
	Date     Date
	Answered []string
	Skipped  []string
	Pending  []string
	Away     []string
}

// Status returns who answered, skipped, is pending or away today.
func (s *Standup) Status(ctx context.Context) (StandupStatus, error) {
	now := s.Clock.Now()
	d := DateOf(now.In(s.Config.Schedule.Location))
	st := StandupStatus{Date: d}
	answers, err := s.answersByUser(d)
	if err != nil {
		return st, err
	}
	users, err := s.Directory.Users(ctx)
	if err != nil {
		return st, err
	}
	away, err := s.awaySet(d, users)
	if err != nil {
		return st, err
	}
	for _, m := range s.Team.Members {
		a, ok := answers[m]
		switch {
		case ok && a.Skipped:
			st.Skipped = append(st.Skipped, m)
		case ok:
			st.Answered = append(st.Answered, m)
		case away[m]:
			st.Away = append(st.Away, m)
		default:
			st.Pending = append(st.Pending, m)
		}
	}
	return st, nil
}

// History returns a member's last n answers, newest first.
func (s *Standup) History(user string, n int) ([]StandupAnswer, error) {
	if n <= 0 {
		n = 5
	}
	return s.Store.UserAnswers(s.Config.Name, user, n)
}

func (s *Standup) day(d Date) (StandupDay, error) {
	day, ok, err := s.Store.Day(s.Config.Name, d)
	if err != nil {
		return day, fmt.Errorf("standup %s: read day %s: %w", s.Config.Name, d, err)
	}
	if !ok {
		day = StandupDay{Ritual: s.Config.Name, Date: d}
	}
	return day, nil
}

func (s *Standup) answersByUser(d Date) (map[string]StandupAnswer, error) {
	answers, err := s.Store.Answers(s.Config.Name, d)
	if err != nil {
		return nil, fmt.Errorf("standup %s: read answers: %w", s.Config.Name, err)
	}
	out := map[string]StandupAnswer{}
	for _, a := range answers {
		out[a.User] = a
	}
	return out, nil
}

// key is the message key of one of the day's messages.
func (s *Standup) key(d Date, parts ...string) string {
	return "standup/" + s.Config.Name + "/" + d.String() + "/" + strings.Join(parts, "/")
}

func hasAnswer(answers []StandupAnswer, user string) bool {
	for _, a := range answers {
		if a.User == user {
			return true
		}
	}
	return false
}

func addUnique(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}

func dayLabel(d Date) string { return d.Time().Format("Mon 2 Jan") }

func ageLabel(days int) string {
	switch days {
	case 0:
		return "since today"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
