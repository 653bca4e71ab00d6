package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/bot"
	"github.com/ritualbot/ritualbot/rituals"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

func TestParseOverrideEnd(t *testing.T) {
	now := time.Date(2026, 10, 21, 14, 30, 0, 0, berlin) // a Wednesday
	for _, tc := range []struct {
		args []string
		want string // in Berlin, or the error's words
		rest int
	}{
		{[]string{"4h"}, "2026-10-21 18:30", 0},
		{[]string{"90m", "payments"}, "2026-10-21 16:00", 1},
		{[]string{"2d"}, "2026-10-23 14:30", 0},
		{[]string{"1d12h"}, "2026-10-23 02:30", 0},
		{[]string{"until", "2026-10-23"}, "2026-10-24 00:00", 0},
		{[]string{"until", "2026-10-23", "18:00"}, "2026-10-23 18:00", 0},
		{[]string{"until", "tomorrow", "09:15"}, "2026-10-22 09:15", 0},
		{[]string{"until", "today"}, "2026-10-22 00:00", 0},
		{[]string{"until", "Friday"}, "2026-10-24 00:00", 0},
		{[]string{"until", "wed"}, "2026-10-29 00:00", 0}, // today is Wednesday: the next one
		{[]string{"until", "2026-10-25", "12:00"}, "2026-10-25 12:00", 0},
		{[]string{"until", "2026-10-26"}, "2026-10-27 00:00", 0}, // the day after the DST change, in CET
		{[]string{"soon"}, "is not a duration", 0},
		{[]string{"-3h"}, "is not a duration", 0},
		{[]string{"0h"}, "is not a duration", 0},
		{[]string{"400d"}, "too long", 0},
		{[]string{"until"}, "Until when?", 0},
		{[]string{"until", "someday"}, "is not a date", 0},
		{nil, "Say how long", 0},
	} {
		end, rest, err := bot.ParseOverrideEnd(tc.args, now, berlin)
		if err != nil {
			if rituals.ErrorCode(err) != rituals.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: error %v, want one saying %q", tc.args, err, tc.want)
			}
			continue
		}
		if got := end.In(berlin).Format("2006-01-02 15:04"); got != tc.want || len(rest) != tc.rest {
			t.Errorf("%q = %s (rest %q), want %s (rest %d)", tc.args, got, rest, tc.want, tc.rest)
		}
	}
}

// FuzzParseOverrideEnd: whatever follows `/oncall override @user`, the
// parser answers an end after now or a user-facing error, and never panics.
func FuzzParseOverrideEnd(f *testing.F) {
	for _, s := range []string{"4h", "until 2026-10-23 18:00", "until friday", "1d12h payments", "until", "99999999999d", "until tomorrow 25:61"} {
		f.Add(s)
	}
	now := time.Date(2026, 10, 21, 14, 30, 0, 0, berlin)
	f.Fuzz(func(t *testing.T, text string) {
		end, rest, err := bot.ParseOverrideEnd(strings.Fields(text), now, berlin)
		if err != nil {
			if rituals.ErrorCode(err) == rituals.EINTERNAL {
				t.Fatalf("%q: an error users cannot read: %v", text, err)
			}
			return
		}
		if end.Before(now) && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(text)), "until") {
			t.Fatalf("%q: a duration ending before now: %s", text, end)
		}
		if len(rest) > len(strings.Fields(text)) {
			t.Fatalf("%q: more left over than given", text)
		}
	})
}
