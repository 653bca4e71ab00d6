package slackfake

import (
	"encoding/json"
	"strings"
)

// Slack shows a message's mrkdwn as it comes: a text cut inside a token
// shows the broken token (a raw "<@U0AL", "&am", "<https://x|lab") instead
// of a mention, a character or a link (api.slack.com/reference/surfaces/
// formatting#escaping). Slack accepts such a message, so the fake does
// too, and records the cut text: BrokenFormatting lists it for tests.

// BrokenFormatting lists the bot's texts (message text, mrkdwn of its
// blocks) that end inside a <…> token or an &entity; (a "…" after the cut
// does not hide it), oldest first.
func (s *Server) BrokenFormatting() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.broken...)
}

// noteFormattingLocked records the broken texts of a message the bot sent.
func (s *Server) noteFormattingLocked(text string, blocks json.RawMessage) {
	texts := []string{text}
	if len(blocks) > 0 {
		var v any
		if json.Unmarshal(blocks, &v) == nil {
			texts = append(texts, mrkdwnTexts(v)...)
		}
	}
	for _, t := range texts {
		if cutInToken(t) {
			s.broken = append(s.broken, t)
		}
	}
}

// mrkdwnTexts collects the mrkdwn text objects in decoded Block Kit JSON.
func mrkdwnTexts(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if x["type"] == "mrkdwn" {
			if t, ok := x["text"].(string); ok {
				out = append(out, t)
			}
		}
		for _, c := range x {
			out = append(out, mrkdwnTexts(c)...)
		}
	case []any:
		for _, c := range x {
			out = append(out, mrkdwnTexts(c)...)
		}
	}
	return out
}

// cutInToken reports whether t ends inside a <…> token or an entity.
func cutInToken(t string) bool {
	t = strings.TrimSuffix(t, "…")
	if strings.LastIndexByte(t, '<') > strings.LastIndexByte(t, '>') {
		return true
	}
	i := strings.LastIndexByte(t, '&')
	if i < 0 {
		return false
	}
	rest := t[i+1:]
	if strings.ContainsRune(rest, ';') {
		return false
	}
	for _, e := range []string{"amp", "lt", "gt"} {
		if strings.HasPrefix(e, rest) {
			return true
		}
	}
	return false
}
