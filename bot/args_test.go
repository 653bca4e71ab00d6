package bot

import (
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestSlackTextKeepsWhatWasTypedAndOnlyRealMentions(t *testing.T) {
	for _, tt := range []struct{ wire, want string }{
		{"Rolled back", "Rolled back"},
		{"a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"},
		{"a &amp;lt; b", "a &lt; b"}, // "&lt;" typed as text
		{"ask <@U0BOB|bob> and <@W0CAROL>", "ask <@U0BOB> and <@W0CAROL>"},
		{"&lt;@U0ADMIN&gt; approved", "<\u2060@U0ADMIN> approved"}, // typed, not picked
		{"<!channel> look", "@channel look"},
		{"<!here|here> <!everyone>", "@here @everyone"},
		{"<!subteam^S0ONCALL|@oncall> <!subteam^S0X>", "@oncall @S0X"},
		{"<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"},
		{"in <#C0PAY|payments> and <#C0X>", "in #payments and #C0X"},
		{"see <https://status.example.com>", "see https://status.example.com"},
		{"<https://evil.example/login|click here>", "click here (https://evil.example/login)"},
		{"<https://a.example/?x=1&amp;y=2|https://a.example/?x=1&amp;y=2>", "https://a.example/?x=1&y=2"},
		{"<mailto:a@example.com|a@example.com>", "a@example.com (mailto:a@example.com)"},
		{"unclosed <@U0BOB", "unclosed <\u2060@U0BOB"},
		// Harmless pieces side by side that spell a mention (found by
		// FuzzSlackText): "<", a form reading "@U", "0>".
		{"<<!U>0>", "<\u2060@U0>"},
		{"&lt;<!here>&gt; <@U0BOB>", "<\u2060@here> <@U0BOB>"},
	} {
		if got := SlackText(tt.wire); got != tt.want {
			t.Errorf("SlackText(%q) = %q, want %q", tt.wire, got, tt.want)
		}
	}
}

// FuzzSlackText: whatever Slack sends, the text the bot shows again
// (EscapeText of what it keeps) mentions only people the sender picked in
// Slack, and pings no channel or group.
func FuzzSlackText(f *testing.F) {
	for _, s := range []string{"<!channel>", "&lt;@U0A&gt;", "<@U0B|b> <#C1|c> <https://x|y>", "<<@U1>>", "<@U1|<!here>>", "&amp;lt;!here&amp;gt;", "<!subteam^S1|@g>", "<", "&", "<@>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, wire string) {
		shown := rituals.EscapeText(SlackText(wire))
		for _, bad := range []string{"<!", "<#", "<http", "<mailto"} {
			if strings.Contains(shown, bad) {
				t.Fatalf("%q shows as %q, which holds %q", wire, shown, bad)
			}
		}
		picked := map[string]bool{}
		for _, m := range slackFormRE.FindAllStringSubmatch(wire, -1) {
			target, _, _ := strings.Cut(m[1], "|")
			if personRE.MatchString(target) {
				picked[target[1:]] = true
			}
		}
		for i := strings.Index(shown, "<@"); i >= 0; i = strings.Index(shown, "<@") {
			end := strings.IndexByte(shown[i:], '>')
			if end < 0 {
				t.Fatalf("%q shows an unclosed mention: %q", wire, shown)
			}
			if id := shown[i+2 : i+end]; !picked[id] {
				t.Fatalf("%q shows a mention of %q nobody picked: %q", wire, id, shown)
			}
			shown = shown[i+end:]
		}
	})
}
