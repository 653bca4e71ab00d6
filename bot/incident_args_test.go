package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestParseIncidentRefAndActionArgs(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, berlin) // a Wednesday
	n, rest, err := ParseIncidentRef(strings.Fields("#12 <@U0BOB|bob> fix it due fri"))
	if err != nil || n != 12 || strings.Join(rest, " ") != "<@U0BOB|bob> fix it due fri" {
		t.Errorf("ParseIncidentRef = %d %q %v", n, rest, err)
	}
	// Only the first word names the incident: a "#N" in the text is text.
	for _, tc := range []struct {
		args string
		n    int
		rest string
	}{
		{"#1 Same cause as #3", 1, "Same cause as #3"},
		{"Same cause as #3", 0, "Same cause as #3"},
		{"#1 #2", 1, "#2"},
		{"", 0, ""},
	} {
		n, rest, err := ParseIncidentRef(strings.Fields(tc.args))
		if err != nil || n != tc.n || strings.Join(rest, " ") != tc.rest {
			t.Errorf("ParseIncidentRef(%q) = %d %q %v, want %d %q", tc.args, n, rest, err, tc.n, tc.rest)
		}
	}
	// A first word starting with # that is no incident number is an error,
	// never "no number given" (which would pick the only open incident).
	for _, bad := range []string{"#0", "#12345678901", "#1234567890", "#-3", "#+3", "#", "##1", "#1x", "#1.5", "#general", "#0x1", "#٣"} {
		n, rest, err := ParseIncidentRef([]string{bad, "taking", "this"})
		if err == nil || rituals.ErrorCode(err) != rituals.EINVALID {
			t.Errorf("ParseIncidentRef(%q) = %d %q %v, want a usage error", bad, n, rest, err)
		}
	}
	if n, _, err := ParseIncidentRef([]string{"#123456789"}); err != nil || n != 123456789 {
		t.Errorf("ParseIncidentRef(#123456789) = %d %v", n, err)
	}
	for _, tc := range []struct {
		args  string
		owner string
		text  string
		due   string
		bad   bool
	}{
		{args: "<@U0BOB|bob> Alert on pool saturation due 2026-12-04", owner: "U0BOB", text: "Alert on pool saturation", due: "2026-12-04"},
		{args: "<@U0BOB> Alert on &lt;pool&gt; &amp; queue", owner: "U0BOB", text: "Alert on <pool> & queue"},
		{args: "<@U0BOB> Fix due friday", owner: "U0BOB", text: "Fix", due: "2026-11-27"},
		{args: "<@U0BOB> Fix due wed", owner: "U0BOB", text: "Fix", due: "2026-12-02"},
		{args: "<@U0BOB> Fix due +2w", owner: "U0BOB", text: "Fix", due: "2026-12-09"},
		{args: "<@U0BOB> Fix due tomorrow", owner: "U0BOB", text: "Fix", due: "2026-11-26"},
		{args: "<@U0BOB> Fix the due date parser", owner: "U0BOB", text: "Fix the due date parser"},
		{args: "<@U0BOB> Fix due someday", bad: true},
		{args: "bob Fix", bad: true},
		{args: "<@U0BOB>", bad: true},
		{args: "<@U0BOB> due 2026-12-01", bad: true},
	} {
		got, err := ParseActionArgs(strings.Fields(tc.args), now, berlin)
		if tc.bad {
			if err == nil || rituals.ErrorCode(err) != rituals.EINVALID {
				t.Errorf("%q: want a usage error, got %+v %v", tc.args, got, err)
			}
			continue
		}
		due := ""
		if !got.Due.IsZero() {
			due = got.Due.String()
		}
		if err != nil || got.Owner != tc.owner || got.Text != tc.text || due != tc.due {
			t.Errorf("%q = %+v (due %q), %v; want %s %q %q", tc.args, got, due, err, tc.owner, tc.text, tc.due)
		}
	}
}

// FuzzIncidentArgs: whatever is typed after /incident, the parsers answer
// with a value or a user-facing error, never a panic or an internal error.
func FuzzIncidentArgs(f *testing.F) {
	for _, s := range []string{"declare sev2 Checkout down", "action #3 <@U0BOB|bob> fix it due 2026-12-01", "update #1 &lt;!channel&gt; ok",
		"#", "#999999999999", "#-3", "#general", "action <@U1> x due", "due due due", "action <@W0AB|x> y due +999w", "#1 #1"} {
		f.Add(s)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, berlin)
	f.Fuzz(func(t *testing.T, text string) {
		args := strings.Fields(text)
		n, rest, err := ParseIncidentRef(args)
		if err != nil {
			if rituals.ErrorCode(err) != rituals.EINVALID {
				t.Fatalf("internal error for %q: %v", text, err)
			}
			return
		}
		if n < 0 || len(rest) > len(args) {
			t.Fatalf("ParseIncidentRef(%q) = %d %q", text, n, rest)
		}
		if len(args) > 0 && strings.HasPrefix(args[0], "#") && n == 0 {
			t.Fatalf("ParseIncidentRef(%q) took %q for no incident", text, args[0])
		}
		a, err := ParseActionArgs(rest, now, berlin)
		if err != nil {
			if code := rituals.ErrorCode(err); code != rituals.EINVALID {
				t.Fatalf("ParseActionArgs(%q): %s error %v", text, code, err)
			}
			return
		}
		if a.Owner == "" || strings.TrimSpace(a.Text) == "" {
			t.Fatalf("ParseActionArgs(%q) accepted %+v", text, a)
		}
		_ = commandText(rest)
	})
}
