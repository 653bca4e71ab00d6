package rituals_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestClipKeepsEscapesAndMentionsWhole(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short enough", "hello", 5, "hello"},
		{"cut with ellipsis", "hello world", 6, "hello…"},
		{"runes, not bytes", "ääääää", 4, "äää…"},
		{"does not split an entity", "ab &amp; cd", 6, "ab …"},
		{"does not split a mention", "hi <@U0123ABCD> there", 8, "hi …"},
		{"keeps a whole mention", "<@U0123ABCD> there", 14, "<@U0123ABCD> …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rituals.Clip(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("rituals.Clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max {
				t.Errorf("result has %d characters, over %d", n, tt.max)
			}
		})
	}
}

func TestShortenCutsPlainText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 5, "short"},
		{"a longer title", 8, "a longe…"},
		{"ääää", 3, "ää…"},
		{"x", 0, ""},
	} {
		if got := rituals.Shorten(tt.in, tt.n); got != tt.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestFormatSpan(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0m"}, {29 * time.Second, "0m"}, {30 * time.Second, "1m"}, {45 * time.Minute, "45m"},
		{59*time.Minute + 30*time.Second, "1h"}, {2*time.Hour + 10*time.Minute, "2h 10m"},
		{24 * time.Hour, "1d"}, {3*24*time.Hour + 4*time.Hour + 20*time.Minute, "3d 4h"},
		{-90 * time.Minute, "-90m"},
	} {
		if got := rituals.FormatSpan(c.d); got != c.want {
			t.Errorf("FormatSpan(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestEscapeDropsDirectionControls(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<!channel> & co", "&lt;!channel&gt; &amp; co"},
		{"\u202eevil\u202c by", "evil by"},
		{"a\u2066b\u2069c\u202ad\u202be", "abcde"},
		{"שלום \u200fמה", "שלום \u200fמה"}, // a right-to-left script and its mark stay
		{"pay\u200bment", "pay\u200bment"}, // zero-width space reorders nothing
	} {
		if got := rituals.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDefusedMentionsStayText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ask <@U0BOB>", "ask <@U0BOB>"},                                     // a mention kept by SlackText
		{rituals.DefuseMentions("ask <@U0BOB>"), "ask &lt;\u2060@U0BOB&gt;"}, // typed: text
		{rituals.DefuseMentions("<@U0BOB|bob> <!here>"), "&lt;\u2060@U0BOB|bob&gt; &lt;!here&gt;"},
	} {
		if got := rituals.EscapeText(tt.in); got != tt.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLinkOnlyOfPlainHTTPURLs(t *testing.T) {
	for _, tt := range []struct {
		url  string
		want string
		ok   bool
	}{
		{"https://am.example.com:9093/#/alerts?a=1&b=2", "<https://am.example.com:9093/#/alerts?a=1&amp;b=2|Open>", true},
		{"http://pd.example.com/incidents/Q1", "<http://pd.example.com/incidents/Q1|Open>", true},
		{"https://evil.example/x|<!channel>", "Open", false},
		{"https://evil.example/>", "Open", false},
		{"https://evil.example/a b", "Open", false},
		{"javascript:alert(1)", "Open", false},
		{"mailto:x@example.com", "Open", false},
		{"//no-scheme.example", "Open", false},
		{"", "Open", false},
		{"https://evil.example/\u202e", "Open", false},
	} {
		got, ok := rituals.Link(tt.url, "Open")
		if got != tt.want || ok != tt.ok {
			t.Errorf("Link(%q) = %q, %v; want %q, %v", tt.url, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSplitKeepsEverythingOnTokenBoundaries(t *testing.T) {
	long := strings.Repeat("a &amp; b <@U0ALICE> <https://example.com/x|the link> ", 200)
	for _, max := range []int{50, 300, 3000} {
		parts := rituals.Split(long, max)
		if got := strings.Join(parts, ""); got != long {
			t.Fatalf("max %d: the parts do not make up the text", max)
		}
		for i, p := range parts {
			if n := utf8.RuneCountInString(p); n > max {
				t.Errorf("max %d: part %d has %d characters", max, i, n)
			}
			if strings.Count(p, "<") != strings.Count(p, ">") {
				t.Errorf("max %d: part %d splits a <…> token: %q", max, i, p)
			}
			if a, semi := strings.LastIndexByte(p, '&'), strings.LastIndexByte(p, ';'); a > semi {
				t.Errorf("max %d: part %d splits an entity: %q", max, i, p)
			}
		}
	}
	if got := rituals.Split("short", 3000); len(got) != 1 || got[0] != "short" {
		t.Errorf("Split of short text = %q", got)
	}
}

// A member named by e-mail and not resolved by Slack (a preview) reads
// as the e-mail, not as a broken mention.
func TestMentionOfAnUnresolvedEmail(t *testing.T) {
	for in, want := range map[string]string{
		"U0ALICE":           "<@U0ALICE>",
		"carol@example.com": "carol@example.com",
		"<b>@x.y":           "&lt;b&gt;@x.y",
	} {
		if got := rituals.Mention(in); got != want {
			t.Errorf("Mention(%q) = %q, want %q", in, got, want)
		}
	}
}

// Mentions kept in text, bare or with the name Slack adds, are found and
// replaced in place; the rest of the text is untouched.
func TestMentionsInText(t *testing.T) {
	s := "Ledger stuck after <@U0ERIN|erin>'s migration, paged <@W0BOB> and <@U0ERIN>; <!channel> &lt;@U0X&gt;"
	if got, want := rituals.MentionedUsers(s), []string{"U0ERIN", "W0BOB", "U0ERIN"}; !slices.Equal(got, want) {
		t.Errorf("MentionedUsers = %q, want %q", got, want)
	}
	got := rituals.ReplaceMentions(s, func(id string) string { return "@" + strings.ToLower(id) })
	if want := "Ledger stuck after @u0erin's migration, paged @w0bob and @u0erin; <!channel> &lt;@U0X&gt;"; got != want {
		t.Errorf("ReplaceMentions = %q, want %q", got, want)
	}
	if rituals.MentionedUsers("no one") != nil || rituals.ReplaceMentions("no one", nil) != "no one" {
		t.Error("text without mentions changed")
	}
}
