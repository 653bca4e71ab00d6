package standup

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// brokenEntity finds an & that does not start one of the three escapes.
var brokenEntity = regexp.MustCompile(`&(?:[^agl]|a[^m]|am[^p]|amp[^;]|l[^t]|lt[^;]|g[^t]|gt[^;]|$|a$|am$|amp$|l$|lt$|g$|gt$)`)

// FuzzClip: cutting escaped user text never exceeds the budget, never
// leaves half an escape (which Slack would show as "&am"), and keeps what
// it keeps unchanged.
func FuzzClip(f *testing.F) {
	for _, s := range []string{"", "hello", "<!channel> & <@U123>", strings.Repeat("<&>", 50), "ééé&<>", "\xff\xfe"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, user string, max int) {
		if max < 0 || max > 5000 || !utf8.ValidString(user) {
			return
		}
		escaped := rituals.Escape(user)
		got := rituals.Clip(escaped, max)
		if n := utf8.RuneCountInString(got); n > max {
			t.Fatalf("Clip(%q, %d) has %d characters", escaped, max, n)
		}
		if brokenEntity.MatchString(got) {
			t.Fatalf("Clip(%q, %d) = %q breaks an escape", escaped, max, got)
		}
		if kept := strings.TrimSuffix(got, "…"); !strings.HasPrefix(escaped, kept) {
			t.Fatalf("Clip(%q, %d) = %q is not a prefix", escaped, max, got)
		}
		if utf8.RuneCountInString(escaped) <= max && got != escaped {
			t.Fatalf("clip cut %q that fits in %d", escaped, max)
		}
	})
}

// FuzzParseStandupRef: the "ritual|date" of buttons and forms comes back
// from Slack; whatever it holds, parsing fails cleanly or round-trips.
func FuzzParseStandupRef(f *testing.F) {
	for _, s := range []string{"payments-standup|2026-11-23", "x|", "|2026-11-23", "", "a|b|c", "a|2026-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ritual, d, err := ParseStandupRef(v)
		if err != nil {
			if rituals.ErrorCode(err) != rituals.EINVALID {
				t.Fatalf("ParseStandupRef(%q): %v is not a user error", v, err)
			}
			return
		}
		if ritual == "" || ritual+"|"+d.String() != v && !strings.HasPrefix(v, ritual+"|") {
			t.Fatalf("ParseStandupRef(%q) = %q, %s", v, ritual, d)
		}
	})
}
