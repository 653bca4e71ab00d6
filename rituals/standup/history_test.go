package standup

import (
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

// TestStandupHistoryIsForTheTeam: a member's answers (and their record)
// are read by the member, the team's members and leads, and admins; not
// by anyone else, whether the summary is posted or not.
func TestStandupHistoryIsForTheTeam(t *testing.T) {
	s, st := newTestStandup(t, "0 9 * * MON-FRI", false)
	s.Team.Leads = []string{"ULEAD"} // a lead who is not a member
	today := rituals.DateOf(s.Clock.Now().In(s.Config.Schedule.Location))
	st.answers[answerKey{"daily", today, "UBOB"}] = StandupAnswer{Ritual: "daily", Date: today, User: "UBOB", Answers: map[string]string{"today": "Tax export"}}
	for _, tc := range []struct {
		reader string
		admin  bool
		may    bool
	}{
		{"UBOB", false, true},   // themself
		{"UALICE", false, true}, // a teammate
		{"ULEAD", false, true},  // the team's lead
		{"UADAM", true, true},   // an admin
		{"UOTTO", false, false}, // in no team
		{"USAM", false, false},  // a member or lead of another team is an outsider here
		{"", false, false},
	} {
		answers, err := s.History(tc.reader, "UBOB", 5, tc.admin)
		_, recErr := s.MemberRecord(tc.reader, "UBOB", 30, tc.admin)
		if s.MayReadHistory(tc.reader, "UBOB", tc.admin) != tc.may {
			t.Errorf("MayReadHistory(%q) = %v", tc.reader, !tc.may)
		}
		if tc.may {
			if err != nil || recErr != nil || len(answers) != 1 {
				t.Errorf("%s reads Bob's history: %d answers, %v, %v", tc.reader, len(answers), err, recErr)
			}
			continue
		}
		if rituals.ErrorCode(err) != rituals.EFORBIDDEN || rituals.ErrorCode(recErr) != rituals.EFORBIDDEN || len(answers) != 0 {
			t.Errorf("%s reads Bob's history: %d answers, %v, %v; want refused", tc.reader, len(answers), err, recErr)
		}
	}
}
