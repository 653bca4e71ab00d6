package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/slack-go/slack"
)

// directoryAPI is what the resolver needs from Slack.
type directoryAPI interface {
	GetUsersContext(ctx context.Context, options ...slack.GetUsersOption) ([]slack.User, error)
	GetUserByEmailContext(ctx context.Context, email string) (*slack.User, error)
	GetConversationsContext(ctx context.Context, params *slack.GetConversationsParameters) ([]slack.Channel, string, error)
}

// maxConversationsPage is the largest page conversations.list takes: its
// limit "must be an integer under 1000" (api.slack.com/methods/conversations.list).
const maxConversationsPage = 999

// Resolver turns the config's e-mails into user IDs and #names into
// channel IDs, at start-up.
type Resolver struct {
	API     directoryAPI
	Limiter *RateLimiter

	once     sync.Once
	channels map[string]string
	listErr  error

	usersOnce sync.Once
	byEmail   map[string]string // lower-case e-mail → user ID; nil if users.list failed
}

// UserIDByEmail finds a user by e-mail. The workspace's members are read
// once (users.list, a thousand a call) and every e-mail of the config
// found there: users.lookupByEmail is Tier 3, 50 a minute, and a config
// of a few teams given by e-mail would wait seconds for it at each
// start. An address not in the list (or all of them, if the list could
// not be read) is looked up on its own.
func (r *Resolver) UserIDByEmail(ctx context.Context, email string) (string, error) {
	r.usersOnce.Do(func() { r.byEmail = r.listUsers(ctx) })
	if id, ok := r.byEmail[strings.ToLower(strings.TrimSpace(email))]; ok {
		return id, nil
	}
	return r.lookupByEmail(ctx, email)
}

// listUsers maps the active members' e-mails to their IDs, or returns nil.
func (r *Resolver) listUsers(ctx context.Context) map[string]string {
	users, err := readUsers(ctx, r.API, r.Limiter)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, u := range users {
		if u.Deleted || u.IsBot || u.Profile.Email == "" {
			continue
		}
		out[strings.ToLower(u.Profile.Email)] = u.ID
	}
	return out
}

// lookupByEmail asks Slack for one user by e-mail (users.lookupByEmail).
func (r *Resolver) lookupByEmail(ctx context.Context, email string) (string, error) {
	var u *slack.User
	var err error
	for {
		if err := r.Limiter.Wait(ctx, "users.lookupByEmail", ""); err != nil {
			return "", err
		}
		u, err = r.API.GetUserByEmailContext(ctx, email)
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) {
			break
		}
		r.Limiter.Pause("users.lookupByEmail", rl.RetryAfter)
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "users_not_found" {
		return "", fmt.Errorf("no Slack user has the e-mail %s", email)
	}
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", email, err)
	}
	return u.ID, nil
}

// ChannelIDByName finds a channel by name (paginated conversations.list,
// fetched once).
func (r *Resolver) ChannelIDByName(ctx context.Context, name string) (string, error) {
	r.once.Do(func() { r.channels, r.listErr = r.listChannels(ctx) })
	if r.listErr != nil {
		return "", r.listErr
	}
	id, ok := r.channels[strings.TrimPrefix(name, "#")]
	if !ok {
		return "", fmt.Errorf("no channel named #%s is visible to the bot (check the name, or invite the bot to a private channel)", strings.TrimPrefix(name, "#"))
	}
	return id, nil
}

func (r *Resolver) listChannels(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	params := &slack.GetConversationsParameters{Types: []string{"public_channel", "private_channel"}, Limit: maxConversationsPage, ExcludeArchived: true}
	for {
		if err := r.Limiter.Wait(ctx, "conversations.list", ""); err != nil {
			return nil, err
		}
		chans, next, err := r.API.GetConversationsContext(ctx, params)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			r.Limiter.Pause("conversations.list", rl.RetryAfter)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list channels: %w", err)
		}
		for _, c := range chans {
			out[c.Name] = c.ID
		}
		if next == "" {
			return out, nil
		}
		params.Cursor = next
	}
}
