package standup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestIsEmptyAnswer(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"", true}, {"   ", true}, {"none", true}, {"None", true}, {"NONE.", true}, {"no", true}, {"No!", true},
		{"nope", true}, {"-", true}, {"–", true}, {"n/a", true}, {"N/A", true}, {"nothing", true}, {"Nothing.", true},
		{"no blockers", true}, {"No  blockers", true}, {"not blocked", true}, {"nada", true},
		{"no access to prod", false}, {"nothing works", false}, {"none of the tests pass", false},
		{"waiting on review", false}, {"-1 from security", false}, {"nope, blocked on legal", false},
	} {
		if got := IsEmptyAnswer(c.in); got != c.want {
			t.Errorf("IsEmptyAnswer(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestAwayByStatus(t *testing.T) {
	for _, c := range []struct {
		text, emoji string
		want        bool
	}{
		{"", ":palm_tree:", true},
		{"Back Monday", ":airplane:", true},
		{"On vacation", "", true},
		{"VACATION until 3 Dec", ":sunny:", true},
		{"OOO", "", true},
		{"ooo till Friday", "", true},
		{"Out of office", "", true},
		{"Public holiday", "", true},
		{"PTO", "", true},
		{"On parental leave", ":baby:", true},
		{"Out sick", ":face_with_thermometer:", true},
		{"", "", false},
		{"In a meeting", ":calendar:", false},
		{"Working remotely", ":house_with_garden:", false},
		{"Zoooom calls all day", "", false}, // "ooo" inside a word
		{"Holidaying soon? no, coding", ":computer:", false},
		{"Looking at leaves", "", false},
		{"Commuting", ":bus:", false},
	} {
		if got := AwayByStatus(rituals.UserInfo{StatusText: c.text, StatusEmoji: c.emoji}); got != c.want {
			t.Errorf("AwayByStatus(%q, %q) = %v, want %v", c.text, c.emoji, got, c.want)
		}
	}
}

func TestDateFor(t *testing.T) {
	berlin, ny, kolkata := mustLoad(t, "Europe/Berlin"), mustLoad(t, "America/New_York"), mustLoad(t, "Asia/Kolkata")
	s, st := newTestStandup(t, "0 9 * * MON-FRI", true)
	s.Config.Schedule.Holidays = rituals.Holidays{{Year: 2026, Month: 11, Day: 27}: true}
	// Each day's summary is out at 11:00 New York time, 16:00 UTC.
	summarizeUntil := func(t time.Time) {
		for d := (rituals.Date{Year: 2026, Month: 11, Day: 23}); d.Before(rituals.Date{Year: 2026, Month: 11, Day: 28}); d = d.AddDays(1) {
			at := d.In(time.UTC).Add(16 * time.Hour)
			if !t.Before(at) {
				st.days[dayKey{"daily", d}] = StandupDay{Ritual: "daily", Date: d, Summarized: at}
			}
		}
	}
	users := map[string]rituals.UserInfo{
		"UBER": {ID: "UBER", TZ: "Europe/Berlin"},
		"UNY":  {ID: "UNY", TZ: "America/New_York"},
		"UIN":  {ID: "UIN", TZ: "Asia/Kolkata"},
	}
	for _, c := range []struct {
		name string
		user string
		at   time.Time
		want string
	}{
		{"before Monday's prompt: Monday", "UBER", time.Date(2026, 11, 23, 7, 0, 0, 0, berlin), "2026-11-23"},
		{"Sunday evening: Monday", "UBER", time.Date(2026, 11, 22, 21, 0, 0, 0, berlin), "2026-11-23"},
		{"after Monday's summary: Tuesday", "UBER", time.Date(2026, 11, 23, 18, 0, 0, 0, berlin), "2026-11-24"},
		{"Tuesday before the summary: Tuesday", "UBER", time.Date(2026, 11, 24, 15, 0, 0, 0, berlin), "2026-11-24"},
		{"Thursday evening, Friday a holiday: Monday", "UBER", time.Date(2026, 11, 26, 20, 0, 0, 0, berlin), "2026-11-30"},
		{"the holiday itself: Monday", "UBER", time.Date(2026, 11, 27, 10, 0, 0, 0, berlin), "2026-11-30"},
		{"Saturday: Monday", "UBER", time.Date(2026, 11, 28, 10, 0, 0, 0, berlin), "2026-11-30"},
		{"New York, Monday 00:30 local (Berlin's Monday morning): Monday", "UNY", time.Date(2026, 11, 23, 0, 30, 0, 0, ny), "2026-11-23"},
		{"New York, Sunday 23:00 local (Berlin's Monday already): Monday", "UNY", time.Date(2026, 11, 22, 23, 0, 0, 0, ny), "2026-11-23"},
		{"New York, Monday after the summary: Tuesday", "UNY", time.Date(2026, 11, 23, 12, 0, 0, 0, ny), "2026-11-24"},
		{"Kolkata, Monday 23:30 local after the summary: Tuesday", "UIN", time.Date(2026, 11, 23, 23, 30, 0, 0, kolkata), "2026-11-24"},
		{"Kolkata, Tuesday 01:00 local: Tuesday", "UIN", time.Date(2026, 11, 24, 1, 0, 0, 0, kolkata), "2026-11-24"},
	} {
		st.days = map[dayKey]StandupDay{}
		summarizeUntil(c.at)
		d, err := s.dateFor(users, c.user, c.at)
		if err != nil || d.String() != c.want {
			t.Errorf("%s: dateFor = %s, %v; want %s", c.name, d, err, c.want)
		}
	}
}

func TestOnCallIsAskedOnCallQuestions(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	s.Settings.OnCallQuestions = []rituals.Question{{ID: "pages", Text: "Pages overnight?"}, {ID: "handover", Text: "Anything to hand over?", Optional: true}}
	var asked []string
	s.OnCall = func(team string, at time.Time) (string, bool) {
		asked = append(asked, team+"@"+at.Format(time.RFC3339))
		return "UBOB", team == "team"
	}
	out := s.Outbox.(*recordingOutbox)
	berlin := s.Config.Schedule.Location
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, berlin)
	s.Clock.(*rituals.FakeClock).Set(monday)
	if err := s.Prompt(context.Background(), berlin, monday); err != nil {
		t.Fatal(err)
	}
	if len(asked) == 0 || asked[0] != "team@"+monday.Format(time.RFC3339) {
		t.Errorf("on call looked up as %v, want the team at the prompt time", asked)
	}
	for _, m := range out.msgs {
		text := rituals.PlainText(m.Blocks[0])
		onCall := strings.Contains(text, "Pages overnight?")
		if onCall != (m.To == "UBOB") || onCall == strings.Contains(text, "What did you do?") {
			t.Errorf("prompt to %s asks %q", m.To, text)
		}
	}
	form, err := s.AnswerForm(context.Background(), "UBOB")
	if err != nil {
		t.Fatal(err)
	}
	if len(form.Inputs) != 2 || form.Inputs[0].ID != "pages" || form.Inputs[1].Optional != true {
		t.Errorf("on-call form inputs = %+v", form.Inputs)
	}
	if form, _ := s.AnswerForm(context.Background(), "UALICE"); len(form.Inputs) != 3 || form.Inputs[0].ID != "yesterday" {
		t.Errorf("a member off call is asked %+v", form.Inputs)
	}
	_, day, err := ParseStandupRef(form.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := s.Submit(context.Background(), "UBOB", day, map[string]string{"handover": "the DB failover"})
	if err != nil || errs["pages"] == "" || len(errs) != 1 {
		t.Errorf("on-call answer without the required one: %v, %v", errs, err)
	}
	if errs, err := s.Submit(context.Background(), "UBOB", day, map[string]string{"pages": "two, both disk"}); err != nil || len(errs) != 0 {
		t.Fatalf("on-call answer: %v, %v", errs, err)
	}
	a, _, _ := st.Answer("daily", rituals.Date{Year: 2026, Month: 11, Day: 23}, "UBOB")
	if len(a.Questions) != 2 || a.Answers["pages"] != "two, both disk" {
		t.Errorf("stored on-call answer = %+v", a)
	}
}

func TestSummaryStaysWithinBlockKitLimits(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	d := rituals.Date{Year: 2026, Month: 11, Day: 23}
	s.Team.Members = nil
	long := strings.Repeat("<b>&", 800) // 3,200 characters, 12,800 escaped
	for i := 0; i < 60; i++ {
		u := fmt.Sprintf("U%03d", i)
		s.Team.Members = append(s.Team.Members, u)
		st.answers[answerKey{"daily", d, u}] = StandupAnswer{Ritual: "daily", Date: d, User: u, Questions: s.Settings.Questions,
			Answers: map[string]string{"yesterday": long, "today": "short", "blockers": long}}
		if i < 15 {
			st.blockers[u] = rituals.Blocker{ID: u, Ritual: "daily", User: u, Text: long, Opened: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
		}
	}
	s.Clock.(*rituals.FakeClock).Set(time.Date(2026, 11, 23, 11, 0, 0, 0, s.Config.Schedule.Location))
	for _, mode := range []string{SummaryChannel, SummaryThread} {
		s.Settings.Summary = mode
		answers, _ := s.answersByUser(d)
		outcomes, _ := s.outcomes(d, StandupDay{}, map[string]rituals.UserInfo{}, answers)
		msgs, err := s.summaryMessages(d, map[string]rituals.UserInfo{}, answers, outcomes, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if len(m.Blocks) > maxMessageBlocks {
				t.Errorf("%s: message %s has %d blocks", mode, m.Key, len(m.Blocks))
			}
			for _, b := range m.Blocks {
				if n := utf8.RuneCountInString(b.Text); n > maxSectionChars {
					t.Errorf("%s: a %s block of %d characters", mode, b.Kind, n)
				}
				if strings.Contains(b.Text, "<b>") {
					t.Errorf("%s: unescaped user text in %q", mode, b.Text[:40])
				}
			}
		}
		parent := msgs[0].Blocks
		if last := rituals.PlainText(parent[len(parent)-1]); !strings.Contains(last, "60/60 answered") {
			t.Errorf("%s: the summary does not end with participation: %q", mode, last)
		}
		all := ""
		for _, b := range parent {
			all += rituals.PlainText(b) + "\n"
		}
		if !strings.Contains(all, "15 open blockers") || !strings.Contains(all, "… and 5 more open blockers") {
			t.Errorf("%s: blockers not listed and cut: %.300q", mode, all)
		}
		if mode == SummaryChannel && !strings.Contains(all, "more answers") {
			t.Errorf("channel summary of 60 does not say answers were left out")
		}
		if mode == SummaryThread && len(msgs) != 61 {
			t.Errorf("thread summary: %d messages, want a parent and 60 replies", len(msgs))
		}
	}
}

func TestClipKeepsEscapesWhole(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello world", 6, "hello…"},
		{"a &amp; b", 4, "a …"},
		{"see <@U123> now", 8, "see …"},
		{"ééééé", 3, "éé…"},
		{"abc", 0, ""},
	} {
		if got := rituals.Clip(c.in, c.max); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestShareOut(t *testing.T) {
	for _, c := range []struct {
		wants []int
		total int
		want  []int
	}{
		{[]int{10, 20}, 100, []int{10, 20}},
		{[]int{10, 500, 500}, 210, []int{10, 100, 100}},
		{[]int{3000, 50}, 1000, []int{950, 50}},
		{[]int{}, 10, []int{}},
	} {
		if got := shareOut(c.wants, c.total); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("shareOut(%v, %d) = %v, want %v", c.wants, c.total, got, c.want)
		}
	}
}

func TestOutcomes(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	d := rituals.Date{Year: 2026, Month: 11, Day: 25}
	s.Team.Members = []string{"UANS", "USKIP", "UOOO", "USTATUS", "UMISS", "UGONE", "UAWAYANSWERED"}
	st.aways = append(st.aways, Away{User: "UOOO", From: d, To: d.AddDays(1)}, Away{User: "UAWAYANSWERED", From: d, To: d})
	answers := map[string]StandupAnswer{"UANS": {User: "UANS"}, "USKIP": {User: "USKIP", Skipped: true}, "UAWAYANSWERED": {User: "UAWAYANSWERED"}}
	users := map[string]rituals.UserInfo{"USTATUS": {StatusEmoji: ":palm_tree:"}, "UGONE": {Deleted: true}}
	got, err := s.outcomes(d, StandupDay{}, users, answers)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Outcome{"UANS": OutcomeAnswered, "USKIP": OutcomeSkipped, "UOOO": OutcomeAway, "USTATUS": OutcomeAway,
		"UMISS": OutcomeMissing, "UAWAYANSWERED": OutcomeAnswered}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}
	if p := (StandupTally{Outcomes: got}).Counts(); p != (rituals.Participation{Days: 1, Expected: 4, Answered: 2, Skipped: 1, Away: 2}) {
		t.Errorf("counts = %+v", p)
	}
}

func TestALargeTeamsPromptsAndRemindersGoToTheOutboxInBatches(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	s.Settings.RemindAfter = time.Hour
	s.Team.Members = nil
	for i := range 2*sendBatch + 100 {
		s.Team.Members = append(s.Team.Members, fmt.Sprintf("U%04d", i))
	}
	out := s.Outbox.(*recordingOutbox)
	berlin := s.Config.Schedule.Location
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, berlin)
	s.Clock.(*rituals.FakeClock).Set(monday)
	if err := s.Prompt(context.Background(), berlin, monday); err != nil {
		t.Fatal(err)
	}
	want := []int{sendBatch, sendBatch, 100}
	if fmt.Sprint(out.sends) != fmt.Sprint(want) {
		t.Errorf("prompts went to the outbox in sends of %v, want %v", out.sends, want)
	}
	seen := map[string]int{}
	for _, m := range out.msgs {
		seen[m.To]++
	}
	for _, m := range s.Team.Members {
		if seen[m] != 1 {
			t.Errorf("%s got %d prompts, want 1", m, seen[m])
		}
	}
	if day := st.days[dayKey{"daily", rituals.DateOf(monday)}]; len(day.Prompted) != len(s.Team.Members) {
		t.Errorf("the day records %d members prompted, want %d", len(day.Prompted), len(s.Team.Members))
	}

	out.msgs, out.sends = nil, nil
	s.Clock.(*rituals.FakeClock).Set(monday.Add(time.Hour))
	if err := s.Remind(context.Background(), berlin, monday); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out.sends) != fmt.Sprint(want) || len(out.msgs) != len(s.Team.Members) {
		t.Errorf("%d reminders went to the outbox in sends of %v, want %d in %v", len(out.msgs), out.sends, len(s.Team.Members), want)
	}
}

// Test doubles.

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func newTestStandup(t testing.TB, spec string, localTime bool) (*Standup, *memStandupStore) {
	t.Helper()
	berlin := mustLoad(t, "Europe/Berlin")
	st := newMemStandupStore()
	rc := &rituals.RitualConfig{Name: "daily", Kind: rituals.KindStandup, Team: "team", Enabled: true, Schedule: rituals.MustParseSchedule(spec, berlin)}
	rc.Settings = &Settings{
		Questions: []rituals.Question{
			{ID: "yesterday", Text: "What did you do?"},
			{ID: "today", Text: "What next?"},
			{ID: "blockers", Text: "Blocked?", Blocker: true},
		},
		LocalTime: localTime, SummaryAfter: 2 * time.Hour, Summary: SummaryChannel,
	}
	return &Standup{
		Config: rc, Settings: SettingsOf(rc), Store: st, Outbox: &recordingOutbox{},
		Team:  &rituals.Team{ID: "team", Name: "Team", Channel: "CTEAM", Members: []string{"UALICE", "UBOB"}, Leads: []string{"UALICE"}},
		Clock: rituals.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, berlin)),
	}, st
}

type recordingOutbox struct {
	msgs  []rituals.Message
	sends []int // how many messages each Send carried
}

func (o *recordingOutbox) Send(_ context.Context, msgs ...rituals.Message) error {
	o.msgs = append(o.msgs, msgs...)
	o.sends = append(o.sends, len(msgs))
	return nil
}

type dayKey struct {
	ritual string
	d      rituals.Date
}

type answerKey struct {
	ritual string
	d      rituals.Date
	user   string
}

// memStandupStore is a StandupStore in maps, for rules tests; the bbolt
// one is tested in package store.
type memStandupStore struct {
	answers  map[answerKey]StandupAnswer
	days     map[dayKey]StandupDay
	aways    []Away
	blockers map[string]rituals.Blocker
	tallies  []StandupTally
}

func newMemStandupStore() *memStandupStore {
	return &memStandupStore{answers: map[answerKey]StandupAnswer{}, days: map[dayKey]StandupDay{}, blockers: map[string]rituals.Blocker{}}
}

func (m *memStandupStore) PutAnswer(a StandupAnswer) error {
	m.answers[answerKey{a.Ritual, a.Date, a.User}] = a
	return nil
}

func (m *memStandupStore) Answer(ritual string, d rituals.Date, user string) (StandupAnswer, bool, error) {
	a, ok := m.answers[answerKey{ritual, d, user}]
	return a, ok, nil
}

func (m *memStandupStore) Answers(ritual string, d rituals.Date) ([]StandupAnswer, error) {
	var out []StandupAnswer
	for k, a := range m.answers {
		if k.ritual == ritual && k.d == d {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memStandupStore) UserAnswers(ritual, user string, limit int) ([]StandupAnswer, error) {
	var out []StandupAnswer
	for k, a := range m.answers {
		if k.ritual == ritual && k.user == user && !a.Skipped {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[j].Date.Before(out[i].Date) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (m *memStandupStore) PutDay(day StandupDay) error {
	m.days[dayKey{day.Ritual, day.Date}] = day
	return nil
}

func (m *memStandupStore) Day(ritual string, d rituals.Date) (StandupDay, bool, error) {
	day, ok := m.days[dayKey{ritual, d}]
	return day, ok, nil
}

func (m *memStandupStore) Days(ritual string, from, to rituals.Date) ([]StandupDay, error) {
	var out []StandupDay
	for k, day := range m.days {
		if k.ritual == ritual && !k.d.Before(from) && !to.Before(k.d) {
			out = append(out, day)
		}
	}
	return out, nil
}

func (m *memStandupStore) PutAway(a Away) error {
	m.aways = append(m.aways, a)
	return nil
}

func (m *memStandupStore) Aways(from rituals.Date) ([]Away, error) {
	var out []Away
	for _, a := range m.aways {
		if !a.To.Before(from) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memStandupStore) DeleteAways(user string, from rituals.Date) error {
	kept := m.aways[:0]
	for _, a := range m.aways {
		if a.User != user || a.To.Before(from) {
			kept = append(kept, a)
		}
	}
	m.aways = kept
	return nil
}

func (m *memStandupStore) PutBlocker(b rituals.Blocker) error {
	m.blockers[b.ID] = b
	return nil
}

func (m *memStandupStore) Blocker(id string) (rituals.Blocker, bool, error) {
	b, ok := m.blockers[id]
	return b, ok, nil
}

func (m *memStandupStore) Blockers(ritual string, openOnly bool) ([]rituals.Blocker, error) {
	var out []rituals.Blocker
	for _, b := range m.blockers {
		if (ritual == "" || b.Ritual == ritual) && (!openOnly || b.Open()) {
			out = append(out, b)
		}
	}
	return out, nil
}

func (m *memStandupStore) PutTally(t StandupTally) error {
	m.tallies = append(m.tallies, t)
	return nil
}

func (m *memStandupStore) Tallies(team string, from, to rituals.Date) ([]TallyCounts, error) {
	var out []TallyCounts
	for _, t := range m.tallies {
		if t.Team == team && !t.Date.Before(from) && !to.Before(t.Date) {
			out = append(out, TallyCounts{Ritual: t.Ritual, Team: t.Team, Date: t.Date, At: t.At, Counts: t.Counts()})
		}
	}
	return out, nil
}

func (m *memStandupStore) MemberParticipation(team, user string, from, to rituals.Date) (rituals.Participation, error) {
	var p rituals.Participation
	for _, t := range m.tallies {
		if o, ok := t.Outcomes[user]; ok && t.Team == team && !t.Date.Before(from) && !to.Before(t.Date) {
			p.Days++
			CountOutcome(&p, o)
		}
	}
	return p, nil
}
