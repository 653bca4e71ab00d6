package oncall

import (
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// UnfairLongShift says, in a sentence, when a rotation's handoffs give
// its longest shift to only some of its people, and "" when turns come
// round fairly. The rotation moves one step per handoff, so with k
// handoffs a week and n people sharing a factor g, each person always
// lands on the same weekly slots, and only n/g of them ever take the
// longest: with a weekdays-only schedule and 5 people, one person takes
// every Friday-to-Monday shift. Weekly handoffs (k = 1), or shifts all
// the same length, are fair whatever n is. Schedules that skip weeks or
// pick a weekday of the month are not judged.
func UnfairLongShift(s *rituals.Schedule, people int, now time.Time) string {
	if s == nil || people < 2 || s.EveryWeeks > 1 || s.NthWeekday != 0 {
		return ""
	}
	plain := *s
	plain.Holidays = nil // a holiday moves a turn once; the pattern is the week's
	times := plain.NextN(now, 64)
	if len(times) < 2 {
		return ""
	}
	week := times[0].AddDate(0, 0, 7)
	k := 0
	for k < len(times) && times[k].Before(week) {
		k++
	}
	if k < 2 || k >= len(times) {
		return ""
	}
	longest, equal := 0, true
	length := func(i int) time.Duration { return times[i+1].Sub(times[i]) }
	for i := 1; i < k; i++ {
		// Daylight saving moves an hour; that is not a longer shift.
		if d := length(i) - length(0); d > time.Hour || d < -time.Hour {
			equal = false
		}
		if length(i) > length(longest) {
			longest = i
		}
	}
	g := gcd(people, k)
	if equal || g == 1 {
		return ""
	}
	from, to := times[longest].In(s.Location), times[longest+1].In(s.Location)
	slot := from.Format("Mon 15:04") + " → " + to.Format("Mon 15:04")
	who := fmt.Sprintf("only %d of them ever take the %s shift (the longest)", people/g, slot)
	if people/g == 1 {
		who = fmt.Sprintf("the same person takes every %s shift (the longest)", slot)
	}
	fewer, more := people-1, people+1
	for fewer > 1 && gcd(fewer, k) != 1 {
		fewer--
	}
	for gcd(more, k) != 1 {
		more++
	}
	fix := fmt.Sprintf("%d people", more)
	if fewer > 1 {
		fix = fmt.Sprintf("%d or %d people", fewer, more)
	}
	return fmt.Sprintf("with %d people and %d handoffs a week, %s: turns come round evenly with %s, or with other handoff days", people, k, who, fix)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
