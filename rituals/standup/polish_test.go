package standup

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// /standup back tells someone who was not away so; it welcomes back only
// who was, and cancels a planned absence.
func TestBack(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	today := rituals.DateOf(s.Clock.Now().In(s.Config.Schedule.Location))
	for _, c := range []struct {
		name  string
		aways []Away
		want  string
	}{
		{"never away", nil, "You are not out of office"},
		{"away long ago", []Away{{User: "UBOB", From: today.AddDays(-9), To: today.AddDays(-2)}}, "You are not out of office"},
		{"someone else away", []Away{{User: "UALICE", From: today, To: today.AddDays(2)}}, "You are not out of office"},
		{"away today", []Away{{User: "UBOB", From: today.AddDays(-1), To: today.AddDays(2)}}, "Welcome back!"},
		{"away next week", []Away{{User: "UBOB", From: today.AddDays(7), To: today.AddDays(9)}}, "planned out of office is cancelled"},
	} {
		st.aways = append([]Away(nil), c.aways...)
		got, err := s.Back("UBOB")
		if err != nil || !strings.Contains(got, c.want) {
			t.Errorf("%s: Back = %q, %v; want %q", c.name, got, err, c.want)
		}
		for _, a := range st.aways {
			if a.User == "UBOB" && !a.To.Before(today) {
				t.Errorf("%s: still away %v after /standup back", c.name, a)
			}
		}
	}
}

// A blocker's age is calendar days in its owner's zone, not whole 24 h
// periods: raised Monday 10:00, read Tuesday 09:59, it is yesterday's.
func TestBlockerDaysOpen(t *testing.T) {
	berlin, ny := mustLoad(t, "Europe/Berlin"), mustLoad(t, "America/New_York")
	mon10 := time.Date(2026, 11, 23, 10, 0, 0, 0, berlin)
	for _, c := range []struct {
		name string
		now  time.Time
		loc  *time.Location
		want string
	}{
		{"same day", mon10.Add(13 * time.Hour), berlin, "since today"},
		{"next morning, under 24 h", mon10.Add(23*time.Hour + 59*time.Minute), berlin, "since yesterday"},
		{"next morning, over 24 h", mon10.Add(24 * time.Hour), berlin, "since yesterday"},
		{"Thursday", mon10.Add(3*24*time.Hour - 2*time.Hour), berlin, "for 3 days"},
		{"across the DST change", time.Date(2027, 3, 29, 9, 0, 0, 0, berlin), berlin, "for 126 days"},
		// 04:00 in New York is still Monday when Berlin's Monday 10:00 came.
		{"the owner's zone", time.Date(2026, 11, 23, 23, 0, 0, 0, ny), ny, "since today"},
	} {
		b := rituals.Blocker{Opened: mon10}
		if got := rituals.OpenFor(b.DaysOpen(c.now, c.loc)); got != c.want {
			t.Errorf("%s: open %q, want %q", c.name, got, c.want)
		}
	}
}

// The summary says a blocker raised yesterday is open since yesterday,
// counted in its owner's zone.
func TestSummaryBlockerAge(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	berlin := s.Config.Schedule.Location
	st.blockers["b1"] = rituals.Blocker{ID: "b1", Ritual: "daily", Team: "team", User: "UBOB", Text: "Waiting on legal", Opened: time.Date(2026, 11, 23, 10, 0, 0, 0, berlin)}
	s.Clock.(*rituals.FakeClock).Set(time.Date(2026, 11, 24, 9, 30, 0, 0, berlin))
	msgs, err := s.summaryMessages(rituals.Date{Year: 2026, Month: 11, Day: 24}, map[string]rituals.UserInfo{}, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, b := range msgs[0].Blocks {
		text.WriteString(rituals.PlainText(b) + "\n")
	}
	if !strings.Contains(text.String(), "Waiting on legal _(open since yesterday)_") {
		t.Errorf("summary:\n%s\nwant the blocker open since yesterday", text.String())
	}
}

// The history's record counts what the history lists: an answer given
// before its day's summary (so not tallied yet) counts as answered.
func TestMemberRecordCountsTodaysAnswer(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	berlin := s.Config.Schedule.Location
	s.Clock.(*rituals.FakeClock).Set(time.Date(2026, 11, 26, 10, 0, 0, 0, berlin))
	today := rituals.Date{Year: 2026, Month: 11, Day: 26}
	for i, o := range []Outcome{OutcomeAnswered, OutcomeMissing, OutcomeAnswered} {
		d := today.AddDays(i - 3)
		st.days[dayKey{"daily", d}] = StandupDay{Ritual: "daily", Date: d, Summarized: d.In(berlin).Add(11 * time.Hour)}
		st.tallies = append(st.tallies, StandupTally{Ritual: "daily", Team: "team", Date: d, Outcomes: map[string]Outcome{"UBOB": o}})
		if o == OutcomeAnswered {
			st.answers[answerKey{"daily", d, "UBOB"}] = StandupAnswer{Ritual: "daily", Date: d, User: "UBOB", Answers: map[string]string{"today": "x"}}
		}
	}
	st.answers[answerKey{"daily", today, "UBOB"}] = StandupAnswer{Ritual: "daily", Date: today, User: "UBOB", Answers: map[string]string{"today": "y"}}
	answers, err := s.History("UBOB", "UBOB", 50, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.MemberRecord("UBOB", "UBOB", 30, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Answered != len(answers) || p.Expected != 4 || p.Days != 4 {
		t.Errorf("record %+v beside %d answers listed; want answered %d of 4", p, len(answers), len(answers))
	}
}
