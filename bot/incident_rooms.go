package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

// roomAPI is what a channel per incident needs from Slack.
type roomAPI interface {
	CreateConversationContext(ctx context.Context, params slack.CreateConversationParams) (*slack.Channel, error)
	InviteUsersToConversationContext(ctx context.Context, channelID string, users ...string) (*slack.Channel, error)
	ArchiveConversationContext(ctx context.Context, channelID string) error
	GetConversationsContext(ctx context.Context, params *slack.GetConversationsParameters) ([]slack.Channel, string, error)
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
}

// IncidentRooms makes, fills and archives incident channels
// (conversations.create, .invite, .archive), paced by the rate limiter.
// Slack's refusals come back as *incident.RoomError with Slack's code.
type IncidentRooms struct {
	API     roomAPI
	Limiter *RateLimiter
	// Observe, if set, is told the outcome of each call (metrics).
	Observe func(method, outcome string)

	mu    sync.Mutex
	botID string // the bot's user ID, from auth.test, once needed
}

var _ incident.RoomMaker = (*IncidentRooms)(nil)

func (r *IncidentRooms) call(ctx context.Context, method string, f func() error) error {
	return r.Limiter.call(ctx, method, r.Observe, f, func(err error, _ *slack.RateLimitedError) error {
		var se slack.SlackErrorResponse
		if errors.As(err, &se) {
			return &incident.RoomError{Code: se.Err, Needed: se.Needed}
		}
		return err
	})
}

// CreateChannel creates a public channel named name.
func (r *IncidentRooms) CreateChannel(ctx context.Context, name string) (string, error) {
	var id string
	err := r.call(ctx, "conversations.create", func() error {
		ch, err := r.API.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name})
		if err == nil {
			id = ch.ID
		}
		return err
	})
	return id, err
}

// Invite adds users to channel; at most 1,000 per call, as Slack allows.
func (r *IncidentRooms) Invite(ctx context.Context, channel string, users []string) error {
	for len(users) > 0 {
		batch := users[:min(len(users), 1000)]
		users = users[len(batch):]
		if err := r.call(ctx, "conversations.invite", func() error {
			_, err := r.API.InviteUsersToConversationContext(ctx, channel, batch...)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// Archive archives channel.
func (r *IncidentRooms) Archive(ctx context.Context, channel string) error {
	return r.call(ctx, "conversations.archive", func() error { return r.API.ArchiveConversationContext(ctx, channel) })
}

// maxChannelPages bounds the conversations.list pages read for a name.
const maxChannelPages = 20

// OwnChannel finds the unarchived public channel named name and reports
// it if the bot created it (conversations.list, auth.test for the bot's
// own ID).
func (r *IncidentRooms) OwnChannel(ctx context.Context, name string) (string, bool, error) {
	bot, err := r.botUser(ctx)
	if err != nil {
		return "", false, err
	}
	params := &slack.GetConversationsParameters{Types: []string{"public_channel"}, ExcludeArchived: true, Limit: maxConversationsPage}
	for page := 0; page < maxChannelPages; page++ {
		var chans []slack.Channel
		var cursor string
		if err := r.call(ctx, "conversations.list", func() error {
			var err error
			chans, cursor, err = r.API.GetConversationsContext(ctx, params)
			return err
		}); err != nil {
			return "", false, err
		}
		for _, c := range chans {
			if c.Name == name {
				return c.ID, c.Creator == bot && !c.IsArchived, nil
			}
		}
		if cursor == "" {
			break
		}
		params.Cursor = cursor
	}
	return "", false, nil
}

func (r *IncidentRooms) botUser(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.botID != "" {
		return r.botID, nil
	}
	err := r.call(ctx, "auth.test", func() error {
		res, err := r.API.AuthTestContext(ctx)
		if err == nil {
			r.botID = res.UserID
		}
		return err
	})
	return r.botID, err
}

// permalinkAPI is what a message's link needs from Slack.
type permalinkAPI interface {
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
}

// Permalink asks Slack for the link to the message ts in channel
// (chat.getPermalink, https://api.slack.com/methods/chat.getPermalink:
// {"ok":true,"channel":"C…","permalink":"https://…/archives/C…/p…"}),
// paced by limiter; observe, if set, is told the outcome.
func Permalink(ctx context.Context, api permalinkAPI, limiter *RateLimiter, observe func(method, outcome string), channel, ts string) (string, error) {
	const method = "chat.getPermalink"
	if err := limiter.Wait(ctx, method, ""); err != nil {
		return "", err
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
	outcome := "ok"
	var rl *slack.RateLimitedError
	switch {
	case errors.As(err, &rl):
		outcome = "ratelimited"
		limiter.Pause(method, rl.RetryAfter)
	case err != nil:
		outcome = "error"
	}
	if observe != nil {
		observe(method, outcome)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", method, err)
	}
	return link, nil
}
