package showandtell

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// DefaultSignupClose is how long before the demo the agenda is posted
// when signup_close is not set.
const DefaultSignupClose = 2 * time.Hour

// Settings are what a show-and-tell ritual is configured with.
type Settings struct {
	Teams []string // the teams whose releases lead to an ask
	// AskAfterRelease: a production deploy of a team's service asks its
	// deployer to demo it.
	AskAfterRelease bool
	// SignupClose is how long before the demo sign-ups close and the
	// agenda is posted.
	SignupClose time.Duration
}

// memberID is the shape of a Slack member ID; a deploy names its deployer
// by one when the sender knows it, by a login otherwise.
var memberID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// SettingsOf returns rc's show-and-tell settings, nil if rc is of another
// kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}

// SignUp is one demo on a demo day's agenda.
type SignUp struct {
	Ritual string
	DemoAt time.Time // the demo day's occurrence
	User   string
	Team   string // "" if the speaker is in none of the ritual's teams
	Topic  string
	// Created orders the slots: first signed up, first on.
	Created time.Time
}

// Recording is the link to a demo day's recording.
type Recording struct {
	Ritual string
	DemoAt time.Time
	URL    string
	By     string
	At     time.Time
}

// Store keeps sign-ups and recordings.
type Store interface {
	// PutSignUp stores s, replacing the user's sign-up for the same day.
	PutSignUp(s SignUp) error
	// SignUps returns the sign-ups of the ritual's demo days in [from, to].
	SignUps(ritual string, from, to time.Time) ([]SignUp, error)
	// RemoveSignUp drops the user's sign-up for the day; false if none.
	RemoveSignUp(ritual string, demoAt time.Time, user string) (bool, error)
	PutRecording(r Recording) error
	// Recording returns the day's recording; ok is false if none is kept.
	Recording(ritual string, demoAt time.Time) (r Recording, ok bool, err error)
}

// ShowAndTell is one show-and-tell ritual.
type ShowAndTell struct {
	Config   *rituals.RitualConfig
	Settings *Settings
	Team     *rituals.Team // the ritual's team, nil if it has none
	// Teams are the teams of Settings.Teams, and Owners maps each of
	// their services (lower case) to the team that owns it.
	Teams  []*rituals.Team
	Owners map[string]*rituals.Team
	Store  Store
	Outbox rituals.Outbox
	Clock  rituals.Clock
}

// Name is the ritual's name.
func (s *ShowAndTell) Name() string { return s.Config.Name }

// Channel is where the agenda goes: its own channel, else its team's.
func (s *ShowAndTell) Channel() string {
	if s.Config.Channel != "" || s.Team == nil {
		return s.Config.Channel
	}
	return s.Team.Channel
}

// Location is the ritual's zone.
func (s *ShowAndTell) Location() *time.Location {
	if s.Config.Schedule != nil && s.Config.Schedule.Location != nil {
		return s.Config.Schedule.Location
	}
	return time.UTC
}

// DemoFor is the demo day a sign-up made at t is for: the first
// occurrence whose sign-ups are still open at t. Zero if none.
func (s *ShowAndTell) DemoFor(t time.Time) time.Time {
	return s.Config.Schedule.Next(t.Add(s.Settings.SignupClose))
}

// Closes is when sign-ups for the demo day at demoAt close.
func (s *ShowAndTell) Closes(demoAt time.Time) time.Time { return demoAt.Add(-s.Settings.SignupClose) }

// AskKey is the key of the ask to user for the demo day at demoAt: one
// ask per person per demo day (so per week for a weekly show-and-tell),
// however many releases they ship.
func (s *ShowAndTell) AskKey(user string, demoAt time.Time) string {
	return "showandtell/" + s.Config.Name + "/ask/" + strconv.FormatInt(demoAt.Unix(), 10) + "/" + user
}

// AgendaKey is the key of the demo day's agenda.
func (s *ShowAndTell) AgendaKey(demoAt time.Time) string {
	return "showandtell/" + s.Config.Name + "/agenda/" + strconv.FormatInt(demoAt.Unix(), 10)
}

// dayName is how a demo day is named in an ask: "Friday".
func (s *ShowAndTell) dayName(demoAt time.Time) string {
	return demoAt.In(s.Location()).Weekday().String()
}

// dayDate is a demo day with its date and time: "Fri 4 Dec 15:00".
func (s *ShowAndTell) dayDate(demoAt time.Time) string {
	return demoAt.In(s.Location()).Format("Mon 2 Jan 15:04")
}

// Asker is who is asked to demo a deploy: its deployer when that is a
// Slack member, else the first lead of the team that owns the service.
// ok is false if the service is none of the ritual's teams'.
func (s *ShowAndTell) Asker(d rituals.Deploy) (user string, team *rituals.Team, ok bool) {
	team = s.Owners[strings.ToLower(d.Service)]
	if team == nil {
		return "", nil, false
	}
	if memberID.MatchString(d.Deployer) {
		return d.Deployer, team, true
	}
	if len(team.Leads) > 0 {
		return team.Leads[0], team, true
	}
	return "", team, false
}

// Shipped is what a deploy shipped, as the ask names it.
func Shipped(d rituals.Deploy) string {
	if d.Version != "" {
		return d.Service + " " + d.Version
	}
	return d.Service
}

// Fresh bounds how long ago a deploy finished for its report to ask for
// a demo: a pipeline replaying old deploys (or reporting ones dated
// ahead) asks nobody.
const Fresh = 24 * time.Hour

// clockSkew is how far ahead of now a deploy's finish may be dated.
const clockSkew = 5 * time.Minute

// Ask is the DM asking who shipped d to demo it, or nothing: a failed,
// non-production or stale deploy, a service none of the teams own, asks
// turned off, or someone already on that day's agenda. The key makes it
// one ask per person per demo day.
func (s *ShowAndTell) Ask(d rituals.Deploy, now time.Time) ([]rituals.Message, error) {
	if !s.Settings.AskAfterRelease || d.Failed() || !strings.EqualFold(strings.TrimSpace(d.Environment), "production") {
		return nil, nil
	}
	if !d.Finished.IsZero() && (d.Finished.Before(now.Add(-Fresh)) || d.Finished.After(now.Add(clockSkew))) {
		return nil, nil
	}
	user, team, ok := s.Asker(d)
	if !ok {
		return nil, nil
	}
	demoAt := s.DemoFor(now)
	if demoAt.IsZero() {
		return nil, nil
	}
	list, err := s.Store.SignUps(s.Config.Name, demoAt, demoAt)
	if err != nil {
		return nil, fmt.Errorf("show-and-tell %s: sign-ups: %w", s.Config.Name, err)
	}
	if slices.ContainsFunc(list, func(u SignUp) bool { return u.User == user }) {
		return nil, nil
	}
	what := Shipped(d)
	text := fmt.Sprintf("You shipped *%s* — demo it at %s's show-and-tell (%s)?",
		rituals.Escape(what), s.dayName(demoAt), s.dayDate(demoAt))
	value := s.Config.Name + "|" + strconv.FormatInt(demoAt.Unix(), 10) + "|" + team.ID + "|" + rituals.Clip(what, 150)
	return []rituals.Message{{Key: s.AskKey(user, demoAt), To: user, Text: text, Blocks: []rituals.Block{
		rituals.Section(text),
		rituals.Context("Sign-ups close " + s.dayDate(s.Closes(demoAt)) + "; change the topic with `/demo add TEXT`."),
		rituals.Actions(
			rituals.Button{Text: "Sign up", ActionID: "showandtell:signup", Value: value, Style: "primary"},
			rituals.Button{Text: "Not this time", ActionID: "showandtell:decline", Value: value},
		),
	}}}, nil
}

// SignUpFor puts user on the agenda of the demo day at demoAt with topic.
// Signing up again changes the topic and keeps the slot.
func (s *ShowAndTell) SignUpFor(user, team, topic string, demoAt, now time.Time) (SignUp, error) {
	if !now.Before(s.Closes(demoAt)) {
		return SignUp{}, rituals.Errorf(rituals.ECONFLICT, "Sign-ups for %s closed at %s.", s.dayDate(demoAt), s.dayDate(s.Closes(demoAt)))
	}
	u := SignUp{Ritual: s.Config.Name, DemoAt: demoAt, User: user, Team: team, Topic: topic, Created: now}
	list, err := s.Store.SignUps(s.Config.Name, demoAt, demoAt)
	if err != nil {
		return SignUp{}, fmt.Errorf("show-and-tell %s: sign-ups: %w", s.Config.Name, err)
	}
	for _, old := range list {
		if old.User == user {
			u.Created = old.Created
			if u.Team == "" {
				u.Team = old.Team
			}
		}
	}
	if err := s.Store.PutSignUp(u); err != nil {
		return SignUp{}, fmt.Errorf("show-and-tell %s: sign up: %w", s.Config.Name, err)
	}
	return u, nil
}

// TeamOf is the first of the ritual's teams user is a member of, "" if
// none.
func (s *ShowAndTell) TeamOf(user string) string {
	for _, t := range s.Teams {
		if slices.Contains(t.Members, user) || slices.Contains(t.Leads, user) {
			return t.ID
		}
	}
	return ""
}

// Slots orders a day's sign-ups: first signed up, first on; a tie by
// member ID so the order never changes between readings.
func Slots(list []SignUp) []SignUp {
	out := slices.Clone(list)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].User < out[j].User
	})
	return out
}

// Agenda is the demo day's agenda as it stands, with its recording once
// kept.
func (s *ShowAndTell) Agenda(demoAt time.Time) (rituals.Message, error) {
	list, err := s.Store.SignUps(s.Config.Name, demoAt, demoAt)
	if err != nil {
		return rituals.Message{}, fmt.Errorf("show-and-tell %s: sign-ups: %w", s.Config.Name, err)
	}
	rec, hasRec, err := s.Store.Recording(s.Config.Name, demoAt)
	if err != nil {
		return rituals.Message{}, fmt.Errorf("show-and-tell %s: recording: %w", s.Config.Name, err)
	}
	head := "Show-and-tell agenda · " + s.dayDate(demoAt)
	blocks := []rituals.Block{rituals.Header(head)}
	lines := []string{head}
	slots := Slots(list)
	if len(slots) == 0 {
		lines = append(lines, "Nobody signed up this time; sign up for the next one with `/demo add TEXT`.")
	}
	for i, u := range slots {
		lines = append(lines, s.slotLine(i+1, u))
	}
	blocks = append(blocks, rituals.Section(strings.Join(lines[1:], "\n")))
	if hasRec {
		if l, ok := rituals.Link(rec.URL, "the recording"); ok {
			line := ":movie_camera: Watch " + l + "."
			lines = append(lines, line)
			blocks = append(blocks, rituals.Context(line))
		}
	}
	return rituals.Message{Key: s.AgendaKey(demoAt), To: s.Channel(), Text: strings.Join(lines, "\n"), Blocks: blocks}, nil
}

func (s *ShowAndTell) slotLine(n int, u SignUp) string {
	line := fmt.Sprintf("%d. %s — %s", n, rituals.Mention(u.User), rituals.Inert(rituals.OneLine(u.Topic, 200)))
	if t := s.teamName(u.Team); t != "" {
		line += " _(" + rituals.Escape(t) + ")_"
	}
	return line
}

func (s *ShowAndTell) teamName(id string) string {
	for _, t := range s.Teams {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

// RecordingAsk is the reply, in the agenda's thread, that asks for the
// recording link; nothing when nobody demoed.
func (s *ShowAndTell) RecordingAsk(demoAt time.Time) ([]rituals.Message, error) {
	list, err := s.Store.SignUps(s.Config.Name, demoAt, demoAt)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	text := "Thanks for the demos! Who has the recording? Add its link so it is kept with the agenda."
	return []rituals.Message{{Key: s.AgendaKey(demoAt) + "/recording", To: s.Channel(), ThreadKey: s.AgendaKey(demoAt), Text: text,
		Blocks: []rituals.Block{rituals.Section(text), rituals.Actions(rituals.Button{Text: "Add recording link",
			ActionID: "showandtell:recording", Value: s.Config.Name + "|" + strconv.FormatInt(demoAt.Unix(), 10)})}}}, nil
}

// KeepRecording keeps url as the demo day's recording and returns the
// agenda updated with it and a reply in its thread.
func (s *ShowAndTell) KeepRecording(demoAt time.Time, url, by string, now time.Time) ([]rituals.Message, error) {
	url = strings.TrimSpace(url)
	if _, ok := rituals.Link(url, "x"); !ok || !(strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) {
		return nil, rituals.Errorf(rituals.EINVALID, "Give the recording's link, starting with https://.")
	}
	if err := s.Store.PutRecording(Recording{Ritual: s.Config.Name, DemoAt: demoAt, URL: url, By: by, At: now}); err != nil {
		return nil, fmt.Errorf("show-and-tell %s: keep recording: %w", s.Config.Name, err)
	}
	agenda, err := s.Agenda(demoAt)
	if err != nil {
		return nil, err
	}
	agenda.Update = true
	text := fmt.Sprintf("%s added the recording; it is kept with the agenda.", rituals.Mention(by))
	reply := rituals.Message{Key: s.AgendaKey(demoAt) + "/recording/" + strconv.FormatInt(now.UnixNano(), 10), To: s.Channel(),
		ThreadKey: s.AgendaKey(demoAt), Text: text, Blocks: []rituals.Block{rituals.Section(text)}}
	return []rituals.Message{agenda, reply}, nil
}

// RecordingAfter is how long after a demo starts its recording is asked
// for: at 17:00 that day, or an hour after a demo that starts at 16:00
// or later. It reads the first occurrence, so a schedule with demos at
// several times of day asks at the first's offset.
func (s *ShowAndTell) RecordingAfter() time.Duration {
	first := s.Config.Schedule.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, s.Location()))
	if first.IsZero() {
		return time.Hour
	}
	local := first.In(s.Location())
	end := time.Date(local.Year(), local.Month(), local.Day(), 17, 0, 0, 0, s.Location())
	if d := end.Sub(local); d >= time.Hour {
		return d
	}
	return time.Hour
}

// Jobs are the agenda at sign-up close and the ask for the recording at
// the end of the day.
func (s *ShowAndTell) Jobs() []rituals.Job {
	closeAt := s.Config.Schedule.WithOffset(-s.Settings.SignupClose)
	after := s.RecordingAfter()
	return []rituals.Job{
		{Name: s.Config.Name, Ritual: s.Config.Name, Schedule: closeAt, Run: func(ctx context.Context, at time.Time) error {
			msg, err := s.Agenda(at.Add(s.Settings.SignupClose))
			if err != nil {
				return err
			}
			return s.Outbox.Send(ctx, msg)
		}},
		{Name: s.Config.Name + "/recording", Ritual: s.Config.Name, Schedule: s.Config.Schedule.WithOffset(after),
			Run: func(ctx context.Context, at time.Time) error {
				msgs, err := s.RecordingAsk(at.Add(-after))
				if err != nil || len(msgs) == 0 {
					return err
				}
				return s.Outbox.Send(ctx, msgs...)
			}},
	}
}

// Demos are the sign-ups of the demo days in [from, to) whose agenda
// was posted (sign-ups closed by now), with the day's recording.
func (s *ShowAndTell) Demos(team string, from, to, now time.Time) ([]rituals.DemoBrief, error) {
	list, err := s.Store.SignUps(s.Config.Name, from, to)
	if err != nil {
		return nil, fmt.Errorf("show-and-tell %s: sign-ups: %w", s.Config.Name, err)
	}
	var out []rituals.DemoBrief
	recs := map[int64]string{}
	for _, u := range Slots(list) {
		if !u.DemoAt.Before(to) || s.Closes(u.DemoAt).After(now) || (team != "" && u.Team != team) {
			continue
		}
		url, seen := recs[u.DemoAt.Unix()]
		if !seen {
			rec, ok, err := s.Store.Recording(s.Config.Name, u.DemoAt)
			if err != nil {
				return nil, fmt.Errorf("show-and-tell %s: recording: %w", s.Config.Name, err)
			}
			if ok {
				url = rec.URL
			}
			recs[u.DemoAt.Unix()] = url
		}
		out = append(out, rituals.DemoBrief{Ritual: s.Config.Name, Team: u.Team, User: u.User, Topic: u.Topic, At: u.DemoAt, Recording: url})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
