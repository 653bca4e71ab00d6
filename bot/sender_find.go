package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// After an attempt whose outcome is unknown, the sender reads the
// conversation back to tell whether Slack posted the message: every post
// carries its key as metadata (event type metadataEventType), which
// conversations.history and conversations.replies return with
// include_all_metadata. An upload carries no metadata; its message is
// known by the file's name and title. The search covers what was posted
// since the first uncertain attempt (less findSkew for clocks that
// disagree), a few pages at most: this runs only for uncertain items.
const (
	findSkew     = 5 * time.Minute
	findPages    = 5
	findPageSize = 200
)

// find looks for the message of it in Slack, posted since about since.
func (s *Sender) find(ctx context.Context, it rituals.OutboxItem, since time.Time) (rituals.SentMessage, bool, error) {
	m := it.Message
	channel := m.To
	if isUserID(channel) {
		// A DM is posted to the user ID; reading it back needs the
		// conversation's ID, which conversations.open returns.
		if err := s.waitTurn(ctx, "conversations.open", ""); err != nil {
			return rituals.SentMessage{}, false, err
		}
		ch, _, _, err := s.API.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}})
		if err != nil {
			return rituals.SentMessage{}, false, err
		}
		channel = ch.ID
	}
	oldest := formatTS(since.Add(-findSkew))
	var parentTS string
	if m.ThreadKey != "" {
		parent, ok, err := s.sentOf(m.ThreadKey)
		if err != nil {
			return rituals.SentMessage{}, false, err
		}
		if ok {
			parentTS = parent.TS
		}
	}
	cursor := ""
	for range findPages {
		var msgs []slack.Message
		var next string
		var err error
		if parentTS != "" {
			if err = s.waitTurn(ctx, "conversations.replies", ""); err != nil {
				return rituals.SentMessage{}, false, err
			}
			msgs, _, next, err = s.API.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: parentTS, Oldest: oldest, Cursor: cursor, Limit: findPageSize, IncludeAllMetadata: true,
			})
		} else {
			if err = s.waitTurn(ctx, "conversations.history", ""); err != nil {
				return rituals.SentMessage{}, false, err
			}
			var h *slack.GetConversationHistoryResponse
			h, err = s.API.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: oldest, Cursor: cursor, Limit: findPageSize, IncludeAllMetadata: true,
			})
			if h != nil {
				msgs, next = h.Messages, h.ResponseMetaData.NextCursor
			}
		}
		if err != nil {
			return rituals.SentMessage{}, false, err
		}
		for _, msg := range msgs {
			if isMessageOf(msg, m) {
				return rituals.SentMessage{Key: m.Key, Channel: channel, TS: msg.Timestamp, Sent: s.Now()}, true, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return rituals.SentMessage{}, false, nil
}

// isMessageOf reports whether msg, read back from Slack, is m.
func isMessageOf(msg slack.Message, m rituals.Message) bool {
	if m.Upload != nil {
		for _, f := range msg.Files {
			if f.Name == m.Upload.Filename && (m.Upload.Title == "" || f.Title == m.Upload.Title) {
				return true
			}
		}
		return false
	}
	key, _ := msg.Metadata.EventPayload["key"].(string)
	return msg.Metadata.EventType == metadataEventType && key == m.Key
}

func isUserID(id string) bool { return id != "" && (id[0] == 'U' || id[0] == 'W') }

// formatTS renders t as a Slack timestamp.
func formatTS(t time.Time) string {
	if t.Unix() < 0 {
		return "0"
	}
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// unreadable reports whether err means the bot may not read the
// conversation (no scope, not a member): looking again will not help, so
// the message is sent again, accepting a possible duplicate.
func unreadable(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "not_in_channel", "missing_scope", "channel_not_found", "not_allowed_token_type", "method_not_supported_for_channel_type",
		"user_not_found", "cannot_dm_bot", "user_disabled":
		return true
	}
	return false
}

// errNotSent marks a failure before the request left: Slack cannot have
// acted on it.
type errNotSent struct{ err error }

func (e errNotSent) Error() string { return e.err.Error() }
func (e errNotSent) Unwrap() error { return e.err }

// maybeSent reports whether Slack may have carried out a call that failed
// with err: only an answer from Slack (an error code, a 429, a 4xx, a
// 503), or a request that never left, says it did not.
func maybeSent(err error) bool {
	var ns errNotSent
	var se slack.SlackErrorResponse
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var op *net.OpError
	switch {
	case errors.As(err, &ns), errors.As(err, &se), errors.As(err, &rl):
		return false
	case errors.As(err, &sc):
		// 503 says the request was not taken; a 500, 502 or 504 may hide
		// a post that went through behind it.
		return sc.Code >= 500 && sc.Code != 503
	case errors.As(err, &op) && op.Op == "dial":
		return false // never reached Slack
	}
	return true
}

// authRefused reports whether Slack refused the token.
func authRefused(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && fatalAuthErrors[se.Err]
}
