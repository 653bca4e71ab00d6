package standup

import (
	"context"
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

// The prompt a member acted on is edited to say what happened, with the
// button that still makes sense: Edit after an answer, Answer anyway after
// a skip. An edit after the summary updates it, marked edited.
func TestConfirmationsAndEditsAfterTheSummary(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	berlin := s.Config.Schedule.Location
	out := s.Outbox.(*recordingOutbox)
	clock := s.Clock.(*rituals.FakeClock)
	monday := rituals.Date{Year: 2026, Month: 11, Day: 23}
	clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, berlin))
	if err := s.Prompt(context.Background(), berlin, clock.Now()); err != nil {
		t.Fatal(err)
	}
	edits := func() map[string]rituals.Message {
		m := map[string]rituals.Message{}
		for _, msg := range out.msgs {
			if msg.Update {
				m[msg.Key] = msg
			}
		}
		out.msgs = nil
		return m
	}
	edits()
	full := map[string]string{"yesterday": "Ledger", "today": "Refunds"}

	clock.Set(time.Date(2026, 11, 23, 9, 12, 0, 0, berlin))
	if _, err := s.Submit(context.Background(), "UALICE", monday, full); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Skip(context.Background(), "UBOB", monday); err != nil {
		t.Fatal(err)
	}
	got := edits()
	for user, want := range map[string][2]string{"UALICE": {"Answered 09:12", "Edit"}, "UBOB": {"Skipped today", "Answer anyway"}} {
		m, ok := got["standup/daily/2026-11-23/prompt/"+user]
		if !ok {
			t.Errorf("%s's prompt not edited: %v", user, got)
			continue
		}
		if text := rituals.PlainText(m.Blocks[0]); !strings.Contains(text, want[0]) || len(m.Blocks) != 2 || m.Blocks[1].Buttons[0].Text != want[1] || m.Blocks[1].Buttons[0].ActionID != "standup:answer" {
			t.Errorf("%s's prompt now %+v, want %q with %q", user, m.Blocks, want[0], want[1])
		}
	}

	// The summary is out at 11:00; Alice edits at 15:00.
	clock.Set(time.Date(2026, 11, 23, 11, 0, 0, 0, berlin))
	if err := s.Summarize(context.Background(), monday); err != nil {
		t.Fatal(err)
	}
	edits()
	clock.Set(time.Date(2026, 11, 23, 15, 0, 0, 0, berlin))
	if form, err := s.AnswerFormFor(context.Background(), "UALICE", monday); err != nil || !strings.Contains(form.Intro, "marked edited") {
		t.Fatalf("Edit after the summary: %+v, %v", form.Intro, err)
	}
	if _, err := s.Submit(context.Background(), "UALICE", monday, map[string]string{"yesterday": "Ledger rounding", "today": "Refunds"}); err != nil {
		t.Fatal(err)
	}
	got = edits()
	summary, ok := got["standup/daily/2026-11-23/summary"]
	var text strings.Builder
	for _, b := range summary.Blocks {
		text.WriteString(rituals.PlainText(b) + "\n")
	}
	if !ok || !strings.Contains(text.String(), "<@UALICE>* _(edited)_") || !strings.Contains(text.String(), "Ledger rounding") {
		t.Errorf("summary after the edit (found %v):\n%s\nwant Alice's new answer marked edited", ok, text.String())
	}
	if m := got["standup/daily/2026-11-23/prompt/UALICE"]; !strings.Contains(rituals.PlainText(m.Blocks[0]), "Edited 15:00") {
		t.Errorf("Alice's prompt after the edit: %+v", m.Blocks)
	}
	// Her day over, the answer stays as it is, and the prompt offers no Edit.
	clock.Set(time.Date(2026, 11, 24, 0, 30, 0, 0, berlin))
	if _, err := s.AnswerFormFor(context.Background(), "UALICE", monday); rituals.ErrorCode(err) != rituals.ECONFLICT {
		t.Errorf("Edit after the end of the day: %v, want a conflict", err)
	}
	if msgs := s.confirmations(nil, StandupDay{Prompted: []string{"UALICE"}, Summarized: time.Date(2026, 11, 23, 11, 0, 0, 0, berlin)}, st.answers[answerKey{"daily", monday, "UALICE"}]); len(msgs) != 1 || len(msgs[0].Blocks) != 1 {
		t.Errorf("confirmation after the day: %+v, want no Edit button", msgs)
	}
	// Someone never prompted (an answer ahead) has no prompt to edit.
	if msgs := s.confirmations(nil, StandupDay{}, StandupAnswer{User: "UBOB", Date: monday}); len(msgs) != 0 {
		t.Errorf("confirmation without a prompt: %+v", msgs)
	}
}

type dirFunc func() map[string]rituals.UserInfo

func (f dirFunc) Users(context.Context) (map[string]rituals.UserInfo, error) { return f(), nil }

// With local_time, one summary goes out summary_after the prompt of the
// zone whose morning comes last, so every zone has at least summary_after
// to answer (earlier zones more): the chosen trade-off (STANDUPS.md).
func TestSummaryWindowCountsFromTheLastZone(t *testing.T) {
	s, _ := newTestStandup(t, "0 9 * * MON-FRI", true)
	s.Team.Members = []string{"UBER", "UNY", "UIN"}
	users := map[string]rituals.UserInfo{
		"UBER": {ID: "UBER", TZ: "Europe/Berlin"}, "UNY": {ID: "UNY", TZ: "America/New_York"}, "UIN": {ID: "UIN", TZ: "Asia/Kolkata"},
	}
	s.Directory = dirFunc(func() map[string]rituals.UserInfo { return users })
	jobs, err := s.Jobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var summaries []rituals.Job
	for _, j := range jobs {
		if strings.Contains(j.Name, "/summary") {
			summaries = append(summaries, j)
		}
	}
	sunday := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if len(summaries) != 1 {
		t.Fatalf("%d summary jobs, want one summary a day", len(summaries))
	}
	ny := mustLoad(t, "America/New_York")
	at := summaries[0].Schedule.Next(sunday)
	if want := time.Date(2026, 11, 23, 11, 0, 0, 0, ny); !at.Equal(want) {
		t.Errorf("Monday's summary at %s, want %s (New York's 09:00 + 2h)", at, want)
	}
	monday := rituals.Date{Year: 2026, Month: 11, Day: 23}
	for id, u := range users {
		loc := mustLoad(t, u.TZ)
		prompt, _ := s.promptAt(loc, monday)
		if window := at.Sub(prompt); window < s.Settings.SummaryAfter {
			t.Errorf("%s (%s) has %s to answer, less than summary_after", id, u.TZ, window)
		}
	}
}
