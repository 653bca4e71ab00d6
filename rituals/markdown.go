package rituals

import "strings"

// Markdown is the other text format the bot writes: documents read outside
// Slack (the postmortem served as Markdown). Slack's escaping (&lt; &gt;)
// is wrong there, since Markdown shows entities as typed and a reader of
// the raw file sees them; Markdown wants a backslash before the characters
// that would start emphasis, code, links, HTML or a table cell instead.

// markdownInline are the characters that mean something anywhere in a
// line of CommonMark (or a GFM table cell, for '|').
var markdownInline = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `&`, `\&`, `|`, `\|`, `~`, `\~`,
)

// EscapeMarkdown makes user text read as typed in Markdown: inline
// markup is backslash-escaped, and a line that would start a heading, a
// list or a quote is escaped at its start. Direction controls are dropped
// as in Escape.
func EscapeMarkdown(s string) string {
	lines := strings.Split(markdownInline.Replace(StripDirection(s)), "\n")
	for i, l := range lines {
		lines[i] = escapeLineStart(l)
	}
	return strings.Join(lines, "\n")
}

// escapeLineStart escapes what makes a block of a line: "# ", "- ", "+ ",
// "=", "1. " or "1) ".
func escapeLineStart(l string) string {
	t := strings.TrimLeft(l, " ")
	if t == "" {
		return l
	}
	indent := l[:len(l)-len(t)]
	switch t[0] {
	case '#', '-', '+', '=':
		return indent + `\` + t
	}
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	if digits > 0 && digits < len(t) && (t[digits] == '.' || t[digits] == ')') {
		return indent + t[:digits] + `\` + t[digits:]
	}
	return l
}
