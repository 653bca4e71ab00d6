package standup

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/ritualbot/ritualbot/rituals"
)

// Settings are what a standup ritual is configured with.
type Settings struct {
	Questions       []rituals.Question
	OnCallQuestions []rituals.Question // asked of the on-call engineer instead
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

// MaxQuestions bounds a standup's questions: each is an input of the
// modal and a line of every summary, and both have Block Kit limits.
const MaxQuestions = 20

// MaxAnswerLength is the most a member can type in one answer: Slack's
// limit on a plain-text input.
const MaxAnswerLength = 3000

// StandupAnswer is one member's answer for one standup day.
type StandupAnswer struct {
	Ritual    string
	Date      rituals.Date
	User      string
	Answers   map[string]string  // question ID → text
	Questions []rituals.Question // as asked (on-call members get others)
	Skipped   bool
	Submitted time.Time
	Edited    time.Time `json:",omitempty"`
	// Late: given after the summary was posted.
	Late bool
	// EditedAfterSummary: changed once the summary was out; the summary
	// says so.
	EditedAfterSummary bool `json:",omitempty"`
}

// StandupDay is the record of one standup day of a ritual.
type StandupDay struct {
	Ritual   string
	Date     rituals.Date
	Prompted []string
	Away     []string
	Reminded []string
	// Summarized is when the summary was posted (zero before).
	Summarized time.Time
}

// Away is a stretch of days a member is out of office (inclusive).
type Away struct {
	User string
	From rituals.Date
	To   rituals.Date
	Set  time.Time
}

// Covers reports whether d falls in the stretch.
func (a Away) Covers(d rituals.Date) bool { return !d.Before(a.From) && !a.To.Before(d) }

// Outcome is how a member took part in one standup day.
type Outcome string

const (
	OutcomeAnswered Outcome = "answered"
	OutcomeSkipped  Outcome = "skipped"
	OutcomeAway     Outcome = "away"    // out of office, or a Slack status saying so
	OutcomeMissing  Outcome = "missing" // asked, and no answer
)

// StandupTally is one standup day's participation, kept for the digest:
// the counts, and each member's outcome.
type StandupTally struct {
	Ritual string
	Team   string
	Date   rituals.Date
	// At is when the day's standup is over: its summary time. Windows of
	// time ("the last 7 days") select by it, so that a day counts once it
	// is over, in the window its summary comes out in: a digest due while
	// members are still answering leaves the day to the next one, rather
	// than to none.
	At       time.Time
	Outcomes map[string]Outcome
}

// Counts sums the tally's outcomes as one standup day.
func (t StandupTally) Counts() rituals.Participation {
	p := rituals.Participation{Days: 1}
	for _, o := range t.Outcomes {
		CountOutcome(&p, o)
	}
	return p
}

// CountOutcome adds one member-day with outcome o to p.
func CountOutcome(p *rituals.Participation, o Outcome) {
	switch o {
	case OutcomeAnswered:
		p.Expected++
		p.Answered++
	case OutcomeSkipped:
		p.Expected++
		p.Skipped++
	case OutcomeMissing:
		p.Expected++
	case OutcomeAway:
		p.Away++
	}
}

// StandupStore keeps answers, days, away stretches, blockers and tallies.
type StandupStore interface {
	PutAnswer(a StandupAnswer) error
	Answer(ritual string, d rituals.Date, user string) (StandupAnswer, bool, error)
	Answers(ritual string, d rituals.Date) ([]StandupAnswer, error)
	// UserAnswers returns a member's latest answers (skips left out),
	// newest first.
	UserAnswers(ritual, user string, limit int) ([]StandupAnswer, error)
	PutDay(day StandupDay) error
	Day(ritual string, d rituals.Date) (StandupDay, bool, error)
	// Days returns the days of a ritual from..to inclusive, oldest first.
	Days(ritual string, from, to rituals.Date) ([]StandupDay, error)
	PutAway(a Away) error
	// Aways returns every away stretch ending on or after from.
	Aways(from rituals.Date) ([]Away, error)
	DeleteAways(user string, from rituals.Date) error
	PutBlocker(b rituals.Blocker) error
	Blocker(id string) (rituals.Blocker, bool, error)
	// Blockers returns the blockers of a ritual ("" for all), open only or all.
	Blockers(ritual string, openOnly bool) ([]rituals.Blocker, error)
	// PutTally stores a day's participation, replacing an earlier tally
	// of the same ritual and day.
	PutTally(t StandupTally) error
	// Tallies returns the team's tallies dated from..to inclusive, with
	// counts only (Outcomes nil), oldest first.
	Tallies(team string, from, to rituals.Date) ([]TallyCounts, error)
	// MemberParticipation sums one member's outcomes in the team's
	// standups dated from..to inclusive.
	MemberParticipation(team, user string, from, to rituals.Date) (rituals.Participation, error)
}

// TallyCounts is a stored tally without its per-member outcomes: what the
// digest reads for a year of days.
type TallyCounts struct {
	Ritual string
	Team   string
	Date   rituals.Date
	At     time.Time
	Counts rituals.Participation
}

// emptyAnswers are the answers to a blocker question that mean "nothing
// in my way". Trailing punctuation and case do not matter.
var emptyAnswers = map[string]bool{
	"": true, "none": true, "no": true, "nope": true, "-": true, "–": true, "—": true, "n/a": true, "na": true,
	"nothing": true, "nada": true, "nil": true, "no blockers": true, "no blocker": true, "none so far": true,
	"nothing blocking": true, "not blocked": true, "no blockers so far": true, "nothing so far": true,
}

// IsEmptyAnswer reports whether an answer to a blocker question says
// there is no blocker.
func IsEmptyAnswer(s string) bool {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if emptyAnswers[s] {
		return true
	}
	return emptyAnswers[strings.TrimRight(s, ".!")]
}

// awayEmoji are status emoji that say a member is away.
var awayEmoji = map[string]bool{
	":palm_tree:": true, ":airplane:": true, ":desert_island:": true, ":beach_with_umbrella:": true,
	":face_with_thermometer:": true, ":thermometer:": true,
}

// awayWords are whole words of a status that say a member is away; the
// phrases are matched on word boundaries too.
var (
	awayWords   = map[string]bool{"vacation": true, "vacationing": true, "holiday": true, "holidays": true, "ooo": true, "pto": true}
	awayPhrases = []string{"out of office", "out of the office", "on leave", "parental leave", "sick leave", "out sick", "off sick", "day off"}
)

// AwayByStatus reports whether a Slack status says the member is away:
// a :palm_tree: or :airplane: emoji, or words such as vacation, OOO or
// holiday.
func AwayByStatus(u rituals.UserInfo) bool {
	if awayEmoji[strings.ToLower(u.StatusEmoji)] {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(u.StatusText), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if awayWords[w] {
			return true
		}
	}
	joined := " " + strings.Join(words, " ") + " "
	for _, p := range awayPhrases {
		if strings.Contains(joined, " "+p+" ") {
			return true
		}
	}
	return false
}

// Standup is the async standup ritual of one team.
type Standup struct {
	Config    *rituals.RitualConfig
	Settings  *Settings
	Team      *rituals.Team
	Outbox    rituals.Outbox
	Store     StandupStore
	Directory rituals.Directory // nil: every member in the ritual's zone, no statuses
	Clock     rituals.Clock
	OnCall    rituals.OnCallLookup // may be nil

	mu sync.Mutex // one change at a time: answers, days and the summary agree
	// summaryZone is the zone whose prompt the summary follows, set by
	// Jobs; read while mu is held, so it has its own synchronization.
	summaryZone atomic.Pointer[time.Location]
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

func (s *Standup) teamName() string {
	if s.Team != nil && s.Team.Name != "" {
		return s.Team.Name
	}
	return s.Config.Name
}

// users reads the directory; without one, nobody is known. When Slack's
// member list cannot be read, it returns nobody with the error: a standup
// goes on without members' zones and statuses rather than not at all.
func (s *Standup) users(ctx context.Context) (map[string]rituals.UserInfo, error) {
	if s.Directory == nil {
		return map[string]rituals.UserInfo{}, nil
	}
	users, err := s.Directory.Users(ctx)
	if err != nil {
		return map[string]rituals.UserInfo{}, fmt.Errorf("standup %s: read the workspace's members: %w", s.Config.Name, err)
	}
	return users, nil
}

// members are the team's members who can be asked: those Slack has not
// deactivated.
func (s *Standup) members(users map[string]rituals.UserInfo) []string {
	var out []string
	for _, m := range s.Team.Members {
		if u, ok := users[m]; ok && u.Deleted {
			continue
		}
		out = append(out, m)
	}
	return out
}

// zoneOf is a member's zone: their own with LocalTime (the ritual's when
// Slack does not know it), else the ritual's.
func (s *Standup) zoneOf(users map[string]rituals.UserInfo, member string) *time.Location {
	if s.Settings.LocalTime {
		if u, ok := users[member]; ok && u.TZ != "" {
			if l, err := rituals.LoadZone(u.TZ); err == nil {
				return l
			}
		}
	}
	return s.Config.Schedule.Location
}

// memberZone is member's own zone as Slack has it, else def: a blocker's
// age counts the days its owner lives through.
func memberZone(users map[string]rituals.UserInfo, member string, def *time.Location) *time.Location {
	if u, ok := users[member]; ok && u.TZ != "" {
		if l, err := rituals.LoadZone(u.TZ); err == nil {
			return l
		}
	}
	return def
}

// promptAt is when members in loc are prompted on d; ok is false if d is
// no standup day there (a weekend, a holiday).
func (s *Standup) promptAt(loc *time.Location, d rituals.Date) (time.Time, bool) {
	at := s.Config.Schedule.In(loc).Next(d.In(loc).Add(-time.Nanosecond))
	if at.IsZero() || rituals.DateOf(at.In(loc)) != d {
		return time.Time{}, false
	}
	return at, true
}

// nextPromptAfter is the first prompt in loc on a day after d.
func (s *Standup) nextPromptAfter(loc *time.Location, d rituals.Date) time.Time {
	return s.Config.Schedule.In(loc).Next(d.AddDays(1).In(loc).Add(-time.Nanosecond))
}

// concludedAt is when day d's standup is over: its summary time (the
// instant tallies are filed under).
func (s *Standup) concludedAt(d rituals.Date) time.Time {
	if at := s.summaryAt(d); !at.IsZero() {
		return at
	}
	return d.In(s.Config.Schedule.Location).Add(s.Settings.SummaryAfter)
}

// questionsFor returns what a member is asked at the prompt time at: the
// on-call questions if they are on call for the team then.
func (s *Standup) questionsFor(user string, at time.Time) []rituals.Question {
	if len(s.Settings.OnCallQuestions) > 0 && s.OnCall != nil && s.Team != nil {
		if u, ok := s.OnCall(s.Team.ID, at); ok && u == user {
			return s.Settings.OnCallQuestions
		}
	}
	return s.Settings.Questions
}

// questionsOn returns what a member is asked for day d.
func (s *Standup) questionsOn(users map[string]rituals.UserInfo, user string, d rituals.Date) []rituals.Question {
	loc := s.zoneOf(users, user)
	at, ok := s.promptAt(loc, d)
	if !ok {
		at = d.In(loc).Add(12 * time.Hour)
	}
	return s.questionsFor(user, at)
}

// awaySet returns who is away on d: out of office, or a Slack status that
// says so.
func (s *Standup) awaySet(d rituals.Date, users map[string]rituals.UserInfo) (map[string]bool, error) {
	aways, err := s.Store.Aways(d)
	if err != nil {
		return nil, fmt.Errorf("standup %s: read out-of-office: %w", s.Config.Name, err)
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

func (s *Standup) day(d rituals.Date) (StandupDay, error) {
	day, ok, err := s.Store.Day(s.Config.Name, d)
	if err != nil {
		return day, fmt.Errorf("standup %s: read day %s: %w", s.Config.Name, d, err)
	}
	if !ok {
		day = StandupDay{Ritual: s.Config.Name, Date: d}
	}
	return day, nil
}

func (s *Standup) answersByUser(d rituals.Date) (map[string]StandupAnswer, error) {
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
func (s *Standup) key(d rituals.Date, parts ...string) string {
	return "standup/" + s.Config.Name + "/" + d.String() + "/" + strings.Join(parts, "/")
}

// buttonValue ties a button to this ritual and a day.
func (s *Standup) buttonValue(d rituals.Date) string { return s.Config.Name + "|" + d.String() }

// ParseStandupRef reads the "ritual|date" that standup buttons and forms
// carry.
func ParseStandupRef(v string) (ritual string, d rituals.Date, err error) {
	ritual, dateText, _ := strings.Cut(v, "|")
	d, err = rituals.ParseDate(dateText)
	if err != nil || ritual == "" {
		return "", rituals.Date{}, rituals.Errorf(rituals.EINVALID, "That standup button or form is from an older version; use /standup instead.")
	}
	return ritual, d, nil
}

func dayLabel(d rituals.Date) string { return d.Time().Format("Mon 2 Jan") }

// SettingsOf returns rc's standup settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}
