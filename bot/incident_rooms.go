package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

// roomAPI is what a channel per incident needs from Slack.
type roomAPI interface {
	CreateConversationContext(ctx context.Context, params slack.CreateConversationParams) (*slack.Channel, error)
	InviteUsersToConversationContext(ctx context.Context, channelID string, users ...string) (*slack.Channel, error)
	ArchiveConversationContext(ctx context.Context, channelID string) error
}

// IncidentRooms makes, fills and archives incident channels
// (conversations.create, .invite, .archive), paced by the rate limiter.
// Slack's refusals come back as *incident.RoomError with Slack's code.
type IncidentRooms struct {
	API     roomAPI
	Limiter *RateLimiter
	// Observe, if set, is told the outcome of each call (metrics).
	Observe func(method, outcome string)
}

var _ incident.RoomMaker = (*IncidentRooms)(nil)

func (r *IncidentRooms) call(ctx context.Context, method string, f func() error) error {
	if err := r.Limiter.Wait(ctx, method, ""); err != nil {
		return err
	}
	err := f()
	outcome := "ok"
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &rl):
		outcome = "ratelimited"
		r.Limiter.Pause(method, rl.RetryAfter)
	case errors.As(err, &se):
		outcome = "error"
		err = &incident.RoomError{Code: se.Err, Needed: se.Needed}
	case err != nil:
		outcome = "error"
	}
	if r.Observe != nil {
		r.Observe(method, outcome)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
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
