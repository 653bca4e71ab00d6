package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/rituals"
)

// usersAPI is what the directory needs from Slack.
type usersAPI interface {
	GetUsersContext(ctx context.Context, options ...slack.GetUsersOption) ([]slack.User, error)
}

// Directory is the workspace's members with their time zones and statuses,
// read with paginated users.list (a page of 1,000 per call) and cached, so
// a 1,000-member standup costs one or two calls, not one per member.
type Directory struct {
	API     usersAPI
	Limiter *RateLimiter
	// TTL is how long a read is reused (default 10 minutes: statuses
	// change, zones rarely).
	TTL time.Duration
	Now func() time.Time

	mu      sync.Mutex
	users   map[string]rituals.UserInfo
	fetched time.Time
}

var _ rituals.Directory = (*Directory)(nil)

// Warm reads the members now (at start-up), so that the first command
// that needs them does not wait for users.list: a modal must open within
// 3 s of the click, and a big workspace is several pages.
func (d *Directory) Warm(ctx context.Context) error {
	_, err := d.Users(ctx)
	return err
}

// Users returns every member by ID.
func (d *Directory) Users(ctx context.Context) (map[string]rituals.UserInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	ttl := d.TTL
	if ttl == 0 {
		ttl = 10 * time.Minute
	}
	if d.users != nil && now.Sub(d.fetched) < ttl && !now.Before(d.fetched) {
		return d.users, nil
	}
	list, err := readUsers(ctx, d.API, d.Limiter)
	if err != nil {
		if d.users != nil {
			return d.users, nil // a stale directory beats no standup
		}
		return nil, fmt.Errorf("users.list: %w", err)
	}
	users := make(map[string]rituals.UserInfo, len(list))
	for _, u := range list {
		users[u.ID] = rituals.UserInfo{
			ID: u.ID, Name: displayName(u), RealName: realName(u), TZ: u.TZ, Deleted: u.Deleted,
			StatusText: u.Profile.StatusText, StatusEmoji: u.Profile.StatusEmoji,
		}
	}
	d.users, d.fetched = users, now
	return users, nil
}

// displayName is the name people see in Slack: the display name, else the
// full name. users.list's "name" is the legacy username, deprecated since
// 2017 and often unlike either.
func displayName(u slack.User) string {
	switch {
	case u.Profile.DisplayName != "":
		return u.Profile.DisplayName
	case u.Profile.RealName != "":
		return u.Profile.RealName
	case u.RealName != "":
		return u.RealName
	}
	return u.Name
}

// realName is the member's full name.
func realName(u slack.User) string {
	if u.Profile.RealName != "" {
		return u.Profile.RealName
	}
	return u.RealName
}

// pagedUsersAPI reads users.list a page at a time (*slack.Client).
type pagedUsersAPI interface {
	GetUsersPaginated(options ...slack.GetUsersOption) slack.UserPagination
}

// readUsers reads every member with users.list, a thousand a page, each
// page paced by the limiter: slack-go's GetUsersContext pages on its own,
// outside the limiter, and sleeps through a 429 unmetered. A 429 pauses
// the method for its Retry-After and the page is asked again. An API
// without paging (a test double) is read in one call.
func readUsers(ctx context.Context, api usersAPI, lim *RateLimiter) ([]slack.User, error) {
	pager, ok := api.(pagedUsersAPI)
	if !ok {
		if err := lim.Wait(ctx, "users.list", ""); err != nil {
			return nil, err
		}
		return api.GetUsersContext(ctx, slack.GetUsersOptionLimit(1000))
	}
	var users []slack.User
	page := pager.GetUsersPaginated(slack.GetUsersOptionLimit(1000))
	for {
		if err := lim.Wait(ctx, "users.list", ""); err != nil {
			return nil, err
		}
		next, err := page.Next(ctx)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			lim.Pause("users.list", rl.RetryAfter)
			continue
		}
		if err != nil {
			return nil, err
		}
		users = append(users, next.Users...)
		if next.Cursor == "" {
			return users, nil
		}
		page = next
	}
}
