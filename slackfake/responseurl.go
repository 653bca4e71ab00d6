package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"time"
)

// response_url rules, from Slack's docs: up to 5 posts within 30 minutes.
const (
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
)

// newResponseURLLocked hands out a response_url on the fake. kind is
// "commands" or "actions", as in Slack's hooks.slack.com URLs.
func (s *Server) newResponseURLLocked(kind, user, channel, messageTS string, ephemeral bool) (string, *responseURL) {
	s.seq++
	path := fmt.Sprintf("/%s/%s/%d/%s", kind, s.opts.TeamID, s.seq, randomHex(12))
	ru := &responseURL{user: user, channel: channel, messageTS: messageTS, ephemeralOf: ephemeral, issued: s.wall()}
	s.respURLs[path] = ru
	return s.baseURL() + path, ru
}

// flexBool accepts true, "true" and their negations, as Slack does.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(bytes.Trim(data, `"`)) {
	case "true", "1":
		*b = true
	default:
		*b = false
	}
	return nil
}

// responseMessage is a message sent to a response_url or in an ack.
type responseMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	Attachments     json.RawMessage `json:"attachments"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal flexBool        `json:"replace_original"`
	DeleteOriginal  flexBool        `json:"delete_original"`
	ThreadTS        string          `json:"thread_ts"`
}

func (m responseMessage) blocks() json.RawMessage {
	if len(m.Blocks) == 0 || string(m.Blocks) == "null" {
		return nil
	}
	var buf bytes.Buffer
	if json.Compact(&buf, m.Blocks) != nil {
		return m.Blocks
	}
	return buf.Bytes()
}

func (m responseMessage) hasAttachments() bool {
	return len(m.Attachments) > 0 && string(m.Attachments) != "null" && string(m.Attachments) != "[]"
}

func (m responseMessage) empty() bool {
	return m.Text == "" && m.blocks() == nil && !m.hasAttachments() && !bool(m.DeleteOriginal)
}

// targetLocked finds the message replace_original and delete_original
// act on: the message an action came from, else the last message posted
// through this response_url.
func (s *Server) targetLocked(ru *responseURL) (m *message, ephemeral bool) {
	ts := ru.messageTS
	eph := ru.ephemeralOf
	if ts == "" {
		ts, eph = ru.lastTS, ru.lastEphemeral
	}
	if ts == "" {
		return nil, false
	}
	if eph {
		for _, e := range s.ephemerals[ru.user] {
			if e.ts == ts && e.channel == ru.channel {
				return e, true
			}
		}
		return nil, false
	}
	m, _ = s.findMessageLocked(ru.channel, ts)
	return m, false
}

// respondLocked carries out a response_url post or an ack's message.
func (s *Server) respondLocked(ru *responseURL, msg responseMessage) (string, []string) {
	if msg.DeleteOriginal {
		m, eph := s.targetLocked(ru)
		if m == nil {
			return "message_not_found", nil
		}
		if eph {
			list := s.ephemerals[ru.user]
			s.ephemerals[ru.user] = slices.DeleteFunc(list, func(x *message) bool { return x == m })
		} else {
			list := s.msgs[m.channel]
			s.msgs[m.channel] = slices.DeleteFunc(list, func(x *message) bool { return x == m })
		}
		s.notifyLocked()
		return "", nil
	}
	blocks := msg.blocks()
	if code, problems := validateMessageContent(msg.Text, blocks, msg.hasAttachments()); code != "" {
		return code, problems
	}
	if msg.ReplaceOriginal {
		if m, eph := s.targetLocked(ru); m != nil {
			m.text, m.blocks = msg.Text, blocks
			s.noteFormattingLocked(msg.Text, blocks)
			m.edited = true
			m.editCount++
			m.editedTS, _ = s.nextTSLocked()
			ru.lastTS, ru.lastEphemeral = m.ts, eph
			s.notifyLocked()
			return "", nil
		}
	}
	if msg.ResponseType == "in_channel" {
		m := s.postLocked(ru.channel, s.opts.BotUserID, true, msg.Text, blocks, s.threadForLocked(ru.channel, msg.ThreadTS))
		ru.lastTS, ru.lastEphemeral = m.ts, false
		return "", nil
	}
	m := s.ephemeralLocked(ru.user, ru.channel, msg.Text, blocks, msg.ThreadTS)
	ru.lastTS, ru.lastEphemeral = m.ts, true
	return "", nil
}

// acceptPost counts a call to the endpoint call and reports whether to
// serve it: false when an injected fault or a method other than POST has
// already been answered.
func (s *Server) acceptPost(w http.ResponseWriter, r *http.Request, call string) bool {
	if f, ok := s.countCall(call); ok && s.applyFault(w, r, f) {
		return false
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	return true
}

func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	if !s.acceptPost(w, r, "response_url") {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseForm(); err == nil && r.PostForm.Has("payload") {
			body = []byte(r.PostForm.Get("payload"))
		}
	}
	var msg responseMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		writeJSON(w, http.StatusBadRequest, fail("invalid_payload"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ru, ok := s.respURLs[r.URL.Path]
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, fail("no_service"))
		return
	case s.wall().Sub(ru.issued) > responseURLTTL:
		writeJSON(w, http.StatusNotFound, fail("expired_url"))
		return
	case ru.uses >= responseURLUses:
		writeJSON(w, http.StatusNotFound, fail("used_url"))
		return
	}
	ru.uses++
	if msg.empty() {
		writeJSON(w, http.StatusOK, fail("no_text"))
		return
	}
	if code, problems := s.respondLocked(ru, msg); code != "" {
		writeJSON(w, http.StatusOK, failProblems(code, problems))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
