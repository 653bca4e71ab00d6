package oncall_test

import (
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

func TestUnfairLongShift(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, loc) // a week that crosses the change to summer time
	for _, tc := range []struct {
		spec   string
		people int
		want   string
	}{
		{"0 9 * * MON-FRI", 5, "with 5 people and 5 handoffs a week, the same person takes every Fri 09:00 → Mon 09:00 shift (the longest): turns come round evenly with 4 or 6 people, or with other handoff days"},
		{"0 9 * * MON-FRI", 10, "with 10 people and 5 handoffs a week, only 2 of them ever take the Fri 09:00 → Mon 09:00 shift (the longest): turns come round evenly with 9 or 11 people, or with other handoff days"},
		{"0 10 * * MON,THU", 4, "with 4 people and 2 handoffs a week, only 2 of them ever take the Thu 10:00 → Mon 10:00 shift (the longest): turns come round evenly with 3 or 5 people, or with other handoff days"},
		{"0 10 * * MON,THU", 2, "with 2 people and 2 handoffs a week, the same person takes every Thu 10:00 → Mon 10:00 shift (the longest): turns come round evenly with 3 people, or with other handoff days"},
		{"0 9 * * MON-FRI", 4, ""}, // the long shift goes round
		{"0 9 * * MON-FRI", 7, ""}, // likewise
		{"0 10 * * MON", 5, ""},    // weekly: every shift is a week
		{"0 9 * * *", 7, ""},       // daily: every shift is a day (DST's hour is no longer shift)
		{"0 9,21 * * *", 4, ""},    // twelve-hour shifts, all alike
		{"0 9 * * MON-FRI", 1, ""}, // one person takes everything anyway
	} {
		s := rituals.MustParseSchedule(tc.spec, loc)
		if got := oncall.UnfairLongShift(s, tc.people, now); got != tc.want {
			t.Errorf("%q with %d people:\n got %q\nwant %q", tc.spec, tc.people, got, tc.want)
		}
	}
}
