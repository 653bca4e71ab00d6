package web

import (
	"regexp"
	"strings"
	"testing"
)

var testDirectory = directory{
	users:    map[string]string{"alice": "U0ALICE", "bob.smith": "U0BOB"},
	channels: map[string]string{"payments": "C0PAY", "ops-review": "C0OPS"},
	groups:   map[string]string{"oncall": "S0ONCALL"},
}

func TestTypedTextBecomesSlackWireFormat(t *testing.T) {
	for _, tc := range []struct{ in, message, command string }{
		{"hello", "hello", "hello"},
		{"@alice", "<@U0ALICE>", "<@U0ALICE|alice>"},
		{"ping @Alice.", "ping <@U0ALICE>.", "ping <@U0ALICE|Alice>."},
		{"@bob.smith, see #payments", "<@U0BOB>, see <#C0PAY>", "<@U0BOB|bob.smith>, see <#C0PAY|payments>"},
		{"#ops-review at 3", "<#C0OPS> at 3", "<#C0OPS|ops-review> at 3"},
		{"cc @oncall", "cc <!subteam^S0ONCALL>", "cc <!subteam^S0ONCALL|@oncall>"},
		{"@here @channel @everyone", "<!here> <!channel> <!everyone>", "<!here> <!channel> <!everyone>"},
		{"@nobody #nowhere", "@nobody #nowhere", "@nobody #nowhere"},
		{"mail bob@example.com", "mail bob@example.com", "mail bob@example.com"},
		{"(@alice)", "(<@U0ALICE>)", "(<@U0ALICE|alice>)"},
		{"a<b & c>d", "a&lt;b &amp; c&gt;d", "a&lt;b &amp; c&gt;d"},
		{"<!channel> <@U0BOB>", "&lt;!channel&gt; &lt;@U0BOB&gt;", "&lt;!channel&gt; &lt;@U0BOB&gt;"},
		{"2026-12-01 issue#12", "2026-12-01 issue#12", "2026-12-01 issue#12"},
	} {
		if got := testDirectory.messageText(tc.in); got != tc.message {
			t.Errorf("message %q = %q, want %q", tc.in, got, tc.message)
		}
		if got := testDirectory.commandText(tc.in); got != tc.command {
			t.Errorf("command %q = %q, want %q", tc.in, got, tc.command)
		}
	}
}

var ourTokens = regexp.MustCompile(`<(@U0[A-Z]+(\|[^<>]*)?|#C0[A-Z]+(\|[^<>]*)?|!(here|channel|everyone)|!subteam\^S0ONCALL(\|@[^<>]*)?)>`)

// FuzzTypedText checks that whatever is typed, the only markup in what is
// sent is the mentions the encoder made: a typed <!channel> stays inert.
func FuzzTypedText(f *testing.F) {
	for _, s := range []string{"hi @alice", "<!channel>", "&amp;", "@@alice", "#payments#payments", "@alice.", "a & b < c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, named := range []bool{false, true} {
			out := testDirectory.encode(in, named)
			rest := ourTokens.ReplaceAllString(out, "")
			if strings.ContainsAny(rest, "<>") {
				t.Fatalf("encode(%q) = %q leaves markup", in, out)
			}
			for i := strings.IndexByte(rest, '&'); i >= 0; i = strings.IndexByte(rest, '&') {
				tail := rest[i:]
				if !strings.HasPrefix(tail, "&amp;") && !strings.HasPrefix(tail, "&lt;") && !strings.HasPrefix(tail, "&gt;") {
					t.Fatalf("encode(%q) = %q has a bare &", in, out)
				}
				rest = tail[1:]
			}
		}
	})
}
