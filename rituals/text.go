package rituals

import (
	"fmt"
	"strings"
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

// capped keeps the first max items of a list and says how many more there
// are with more, a format of that count ("… and %d more"), so that a list
// stays readable and within a message's limits however long it grows.
func capped(items []string, max int, more string) []string {
	if len(items) <= max {
		return items
	}
	return append(items[:max:max], fmt.Sprintf(more, len(items)-max))
}

// severityLabel names an incident's severity, "unrated" if it has none.
func severityLabel(sev string) string {
	if sev == "" {
		return "unrated"
	}
	return sev
}
