package rituals

import (
	"iter"
	"strings"
)

// Mentions yields the user IDs of the people s mentions, as
// MentionedUsers returns them, without a regexp match or a slice per
// call: the incident record's search reads every title with a mention.
func Mentions(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			i := strings.Index(s, "<@")
			if i < 0 {
				return
			}
			s = s[i:]
			id, n := mentionAt(s)
			if n == 0 {
				s = s[1:]
				continue
			}
			if !yield(id) {
				return
			}
			s = s[n:]
		}
	}
}

// mentionAt matches `<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>` at the start of s
// (which starts with "<@"): the ID and the mention's length, 0 if none.
// The run of ID characters cannot end early: what follows it must be
// "|" or ">", never an ID character.
func mentionAt(s string) (string, int) {
	if len(s) < 4 || s[2] != 'U' && s[2] != 'W' {
		return "", 0
	}
	end := 3
	for end < len(s) && ('A' <= s[end] && s[end] <= 'Z' || '0' <= s[end] && s[end] <= '9') {
		end++
	}
	if end == 3 || end == len(s) {
		return "", 0
	}
	id := s[2:end]
	switch s[end] {
	case '>':
		return id, end + 1
	case '|':
		if j := strings.IndexAny(s[end+1:], "<>"); j >= 0 && s[end+1+j] == '>' {
			return id, end + 1 + j + 1
		}
	}
	return "", 0
}
