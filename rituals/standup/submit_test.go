package standup

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Who may answer, what an answer must hold, and how a day's answer may
// change as the day goes: a member answers and edits until the summary;
// after it a first answer is late (the summary is updated), an edit is
// taken until the end of the member's day (the summary is updated, marked
// edited); once the next prompt is out, the day is over.
func TestSubmitRules(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	berlin := s.Config.Schedule.Location
	clock := s.Clock.(*rituals.FakeClock)
	monday, tuesday := rituals.Date{Year: 2026, Month: 11, Day: 23}, rituals.Date{Year: 2026, Month: 11, Day: 24}
	at := func(d rituals.Date, hm string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", d.String()+" "+hm, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	full := map[string]string{"yesterday": "Ledger rounding", "today": "Refunds"}
	for _, c := range []struct {
		name   string
		now    time.Time
		user   string
		day    rituals.Date
		values map[string]string
		code   string   // the error's code, or ""
		fields []string // the questions refused, if any
		late   bool
	}{
		{"not a member", at(monday, "09:05"), "UCAROL", monday, full, rituals.EFORBIDDEN, nil, false},
		{"a required answer missing", at(monday, "09:05"), "UALICE", monday, map[string]string{"yesterday": "x", "today": "  "}, "", []string{"today"}, false},
		{"too long", at(monday, "09:05"), "UALICE", monday, map[string]string{"yesterday": "x", "today": strings.Repeat("y", MaxAnswerLength+1)}, "", []string{"today"}, false},
		{"an answer", at(monday, "09:05"), "UALICE", monday, full, "", nil, false},
		{"an edit before the summary", at(monday, "09:30"), "UALICE", monday, map[string]string{"yesterday": "Ledger", "today": "Refunds"}, "", nil, false},
		{"ahead, for tomorrow", at(monday, "20:00"), "UALICE", tuesday, full, "", nil, false},
		{"an edit after the summary", at(monday, "11:05"), "UALICE", monday, full, "", nil, false},
		{"a first answer after the summary", at(monday, "11:10"), "UBOB", monday, full, "", nil, true},
		{"an edit after the end of the day", at(tuesday, "00:01"), "UALICE", monday, map[string]string{"yesterday": "x", "today": "y"}, rituals.ECONFLICT, nil, false},
		{"after the next prompt", at(tuesday, "09:01"), "UBOB", monday, full, rituals.ECONFLICT, nil, false},
	} {
		if c.now.After(at(monday, "11:00")) {
			if err := st.PutDay(StandupDay{Ritual: "daily", Date: monday, Summarized: at(monday, "11:00")}); err != nil {
				t.Fatal(err)
			}
		}
		clock.Set(c.now)
		errs, err := s.Submit(context.Background(), c.user, c.day, c.values)
		if rituals.ErrorCode(err) != c.code || len(errs) != len(c.fields) {
			t.Errorf("%s: %v, %v; want code %q, refused %v", c.name, errs, err, c.code, c.fields)
			continue
		}
		for _, f := range c.fields {
			if errs[f] == "" {
				t.Errorf("%s: %v, want %s refused", c.name, errs, f)
			}
		}
		if err != nil || len(errs) > 0 {
			continue
		}
		a, ok, _ := st.Answer("daily", c.day, c.user)
		if !ok || a.Date != c.day || a.Late != c.late || a.Answers["today"] != c.values["today"] {
			t.Errorf("%s: stored %+v (found %v), want %s's answer for %s, late %v", c.name, a, ok, c.user, c.day, c.late)
		}
	}
	if a, _, _ := st.Answer("daily", monday, "UALICE"); a.Answers["yesterday"] != "Ledger rounding" || !a.EditedAfterSummary || a.Late || !a.Submitted.Equal(at(monday, "09:05")) {
		t.Errorf("Alice's edited answer: %+v, want the edit after the summary, marked edited, submitted at 09:05", a)
	}
}
