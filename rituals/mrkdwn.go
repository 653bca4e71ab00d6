package rituals

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Clip cuts mrkdwn to at most max characters, ending with "…" when cut.
// It never splits a character, an &entity; or a <link>, so that escaped
// user text stays escaped and mentions stay whole. Slack rejects a message
// whose text breaks a Block Kit limit, so everything long is clipped.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	cut, n := len(s), 0
	for i := range s {
		if n == max-1 {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if i := strings.LastIndexByte(head, '&'); i >= 0 && !strings.Contains(head[i:], ";") {
		head = head[:i]
	}
	if i := strings.LastIndexByte(head, '<'); i >= 0 && !strings.Contains(head[i:], ">") {
		head = head[:i]
	}
	return head + "…"
}

// Split cuts mrkdwn into parts of at most max characters each, on the
// same token boundaries as Clip (never inside a character, an &entity; or
// a <link>), preferring a line break, then a space, in the last quarter of
// a part. Nothing is dropped: the parts put together are s. Long text goes
// over several sections this way instead of being cut.
func Split(s string, max int) []string {
	if max < 8 {
		max = 8
	}
	var parts []string
	for utf8.RuneCountInString(s) > max {
		cut, n := len(s), 0
		for i := range s {
			if n == max {
				cut = i
				break
			}
			n++
		}
		head := s[:cut]
		if i := strings.LastIndexByte(head, '&'); i > 0 && !strings.Contains(head[i:], ";") {
			head = head[:i]
		}
		if i := strings.LastIndexByte(head, '<'); i > 0 && !strings.Contains(head[i:], ">") {
			head = head[:i]
		}
		floor := len(head) * 3 / 4
		if i := strings.LastIndexByte(head, '\n'); i >= floor && i > 0 {
			head = head[:i+1]
		} else if i := strings.LastIndexByte(head, ' '); i >= floor && i > 0 {
			head = head[:i+1]
		}
		if head == "" { // a token longer than max: cut it (Clip would too)
			head = s[:cut]
		}
		parts = append(parts, head)
		s = s[len(head):]
	}
	return append(parts, s)
}

// Shorten cuts plain text (user text before it is escaped) to at most n
// characters, ending with "…" when cut.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Capped keeps the first max items of a list and says how many more there
// are with more, a format of that count ("… and %d more"), so that a list
// stays readable and within a message's limits however long it grows.
func Capped(items []string, max int, more string) []string {
	if len(items) <= max {
		return items
	}
	return append(items[:max:max], fmt.Sprintf(more, len(items)-max))
}

// SeverityLabel names an incident's severity, "unrated" if it has none.
func SeverityLabel(sev string) string {
	if sev == "" {
		return "unrated"
	}
	return sev
}

// isDirectionControl reports whether r is a Unicode embedding, override or
// isolate (U+202A–U+202E, U+2066–U+2069). Placed in user text they make
// what follows read backwards ("Resolved by @alice" shown as its mirror),
// the trick of CVE-2021-42574. Letters of right-to-left scripts need none
// of them, and the marks U+200E and U+200F, which reorder nothing, stay.
func isDirectionControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// StripDirection drops the direction controls from s.
func StripDirection(s string) string {
	if !strings.ContainsFunc(s, isDirectionControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isDirectionControl(r) {
			return -1
		}
		return r
	}, s)
}

// DefuseMentions makes text that only looks like a mention stay text for
// good. Stored user text keeps a mention of a person as <@U…> when Slack
// sent it as one (someone picked a name), and EscapeText turns those back
// into mentions; text typed into a plain-text input, sent by a webhook or
// typed literally as "<@U0ADMIN>" gets a word joiner (U+2060, invisible)
// between "<" and "@", so that it can never come out as a mention.
func DefuseMentions(s string) string {
	if !strings.Contains(s, "<@") {
		return s
	}
	return strings.ReplaceAll(s, "<@", "<\u2060@")
}

// Link returns the mrkdwn that links label (mrkdwn already) to rawURL, and
// false, with just the label, when rawURL is not a plain http(s) URL. URLs
// come from webhooks and configs: one holding '|' or '>' would end the link
// early and have the rest read as mrkdwn, a <!channel> included.
func Link(rawURL, label string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" ||
		strings.ContainsFunc(rawURL, func(r rune) bool {
			return r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '|' || isDirectionControl(r)
		}) {
		return label, false
	}
	// A label may not hold '|' either (escaping took '>').
	return "<" + strings.ReplaceAll(rawURL, "&", "&amp;") + "|" + strings.ReplaceAll(label, "|", "¦") + ">", true
}

// AgeLabel says how long something has been open, in whole days.
func AgeLabel(days int) string {
	switch days {
	case 0:
		return "since today"
	case 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}

// OpenFor says how long something has been open, in calendar days, to
// follow "open": "since today", "since yesterday", "for 3 days".
func OpenFor(days int) string {
	switch {
	case days <= 0:
		return "since today"
	case days == 1:
		return "since yesterday"
	}
	return fmt.Sprintf("for %d days", days)
}

// Plural is the "s" of a count's noun: "" for one, "s" otherwise.
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// FormatSpan writes a duration as people read it: 45m, 2h 10m, 3d 4h.
func FormatSpan(d time.Duration) string {
	m := int(math.Round(d.Minutes()))
	if m < 60 {
		return fmt.Sprintf("%dm", m)
	}
	h, m := m/60, m%60
	if h < 24 {
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	days, h := h/24, h%24
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, h)
}

// OneLine puts user text on one line of at most n characters, before it is
// escaped.
func OneLine(s string, n int) string { return Shorten(strings.Join(strings.Fields(s), " "), n) }

// Slack sends a mention in command text as <@U123|name>; escaping turns
// it into &lt;@U123|name&gt;, which escapedMentionRE finds again.
var (
	mentionInTextRE  = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>`)
	escapedMentionRE = regexp.MustCompile(`&lt;@([UW][A-Z0-9]+)(?:\|[^&<>]*)?&gt;`)
)

// EscapeText escapes user text like Escape, but keeps mentions of
// people, so an update can name someone while <!channel> stays inert.
func EscapeText(s string) string {
	return escapedMentionRE.ReplaceAllString(Escape(s), "<@$1>")
}

// MentionedUsers returns the user IDs of the people s mentions (<@U…>,
// <@U…|name>), in order, repeats included.
func MentionedUsers(s string) []string {
	var ids []string
	for _, m := range mentionInTextRE.FindAllStringSubmatchIndex(s, -1) {
		ids = append(ids, s[m[2]:m[3]])
	}
	return ids
}

// ReplaceMentions replaces each mention of a person kept in text (<@U…>,
// <@U…|name>) with what name returns for its user ID.
func ReplaceMentions(s string, name func(id string) string) string {
	// One pass that keeps each match's submatch: ReplaceAllStringFunc
	// would need a second match per mention to find the ID.
	found := mentionInTextRE.FindAllStringSubmatchIndex(s, -1)
	if found == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range found {
		b.WriteString(s[last:m[0]])
		b.WriteString(name(s[m[2]:m[3]]))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// SlackDate writes an instant for Slack: each reader sees it in their own
// zone; clients that cannot format it show the fallback, in loc.
func SlackDate(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.In(loc).Format("Mon 2 Jan 15:04 MST"))
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes user text inert in mrkdwn: a pasted <!channel> or <@U123>
// shows as text and notifies nobody (Slack asks for &, < and > only). It
// also drops Unicode direction controls, so that user text cannot reorder
// the bot's own words around it (see StripDirection).
func Escape(s string) string { return mrkdwnEscaper.Replace(StripDirection(s)) }

// Mention returns the mrkdwn that mentions a user. A member the config
// names by e-mail that Slack has not resolved yet (a preview runs without
// Slack) stays the e-mail, as plain text: <@a@b.c> is a broken mention.
func Mention(userID string) string {
	switch {
	case userID == FormerMember:
		return userID // an erased person: there is no one to mention
	case strings.Contains(userID, "@"):
		return Escape(userID)
	}
	return "<@" + userID + ">"
}

// ChannelLink returns the mrkdwn that links a channel.
func ChannelLink(channelID string) string { return "<#" + channelID + ">" }

// Inert makes text from outside (a commit message, a release's title)
// show as typed: Escape, and a word joiner (U+2060, invisible) after each
// of Slack's formatting marks * _ ~ `, so that "*fix*" shows its stars
// instead of bold and a stray backtick opens no code span.
func Inert(s string) string {
	s = Escape(s)
	if !strings.ContainsAny(s, "*_~`") {
		return s
	}
	return inertMarks.Replace(s)
}

var inertMarks = strings.NewReplacer("*", "*\u2060", "_", "_\u2060", "~", "~\u2060", "`", "`\u2060")
