package bot

import (
	"bytes"
	"context"
	"errors"
	"net"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// metadataEventType marks ritualbot's posts; the payload's "key" is the
// message's outbox key.
const metadataEventType = "ritualbot_message"

// send makes the call for m; mark runs, once the rate limiter lets the
// call go, just before the request leaves.
func (s *Sender) send(ctx context.Context, method string, m rituals.Message, mark func() error) (rituals.SentMessage, error) {
	if m.Upload != nil {
		return s.upload(ctx, m, mark)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(fallbackText(m), false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(RenderBlocks(m.Blocks, maxMessageBlocks)...))
	}
	sent := rituals.SentMessage{Key: m.Key, Sent: s.Now()}
	if m.Update {
		prev, ok, err := s.sentOf(m.Key)
		if err != nil {
			return sent, err
		}
		if !ok {
			return sent, errNothingToUpdate
		}
		if err := s.waitTurn(ctx, method, ""); err != nil {
			return sent, err
		}
		_, ts, _, err := s.API.UpdateMessageContext(ctx, prev.Channel, prev.TS, opts...)
		sent.Channel, sent.TS = prev.Channel, ts
		if ts == "" {
			sent.TS = prev.TS
		}
		return sent, err
	}
	opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{
		EventType: metadataEventType, EventPayload: map[string]any{"key": m.Key},
	}))
	if m.ThreadKey != "" {
		parent, ok, err := s.sentOf(m.ThreadKey)
		if err != nil {
			return sent, err
		}
		if ok {
			opts = append(opts, slack.MsgOptionTS(parent.TS))
		}
	}
	if err := s.waitTurn(ctx, method, m.To); err != nil {
		return sent, err
	}
	if err := mark(); err != nil {
		return sent, errNotSent{err}
	}
	channel, ts, err := s.API.PostMessageContext(ctx, m.To, opts...)
	sent.Channel, sent.TS = channel, ts
	return sent, err
}

// upload shares a file in m.To through Slack's three steps
// (files.getUploadURLExternal, the upload, files.completeUploadExternal),
// in the thread of m.ThreadKey if it has been sent. A retry starts over:
// an upload never completed is discarded by Slack.
func (s *Sender) upload(ctx context.Context, m rituals.Message, mark func() error) (rituals.SentMessage, error) {
	sent := rituals.SentMessage{Key: m.Key, Channel: m.To, Sent: s.Now()}
	u := m.Upload
	params := slack.UploadFileParameters{
		Reader: bytes.NewReader(u.Data), FileSize: len(u.Data), Filename: u.Filename, Title: u.Title,
		AltTxt: u.AltText, InitialComment: fallbackText(m), Channel: m.To,
	}
	if m.ThreadKey != "" {
		parent, ok, err := s.sentOf(m.ThreadKey)
		if err != nil {
			return sent, err
		}
		if ok {
			params.ThreadTimestamp = parent.TS
		}
	}
	for _, method := range []string{"files.getUploadURLExternal", "files.completeUploadExternal"} {
		if err := s.waitTurn(ctx, method, ""); err != nil {
			return sent, err
		}
	}
	if err := mark(); err != nil {
		return sent, errNotSent{err}
	}
	_, err := s.API.UploadFileContext(ctx, params)
	return sent, err
}

var errNothingToUpdate = errors.New("the message to update was never sent")

// permanent reports whether Slack refused for good: retrying the same
// request would fail the same way.
func permanent(err error) bool {
	if errors.Is(err, errNothingToUpdate) {
		return true
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited",
			// Auth failures are an outage of ours (a rotated token), not of
			// the message: keep it until the token works again.
			"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
			return false
		}
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 400 && sc.Code < 500 && sc.Code != 408 && sc.Code != 429
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return false
	}
	return false
}
