package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// fakeDirectoryAPI answers the resolver's calls from a list of users,
// counting them.
type fakeDirectoryAPI struct {
	users   []slack.User
	listErr error
	lists   int
	lookups int
}

func (f *fakeDirectoryAPI) GetUsersContext(ctx context.Context, options ...slack.GetUsersOption) ([]slack.User, error) {
	f.lists++
	return f.users, f.listErr
}

func (f *fakeDirectoryAPI) GetUserByEmailContext(ctx context.Context, email string) (*slack.User, error) {
	f.lookups++
	for _, u := range f.users {
		if strings.EqualFold(u.Profile.Email, email) {
			return &u, nil
		}
	}
	return nil, slack.SlackErrorResponse{Err: "users_not_found"}
}

func (f *fakeDirectoryAPI) GetConversationsContext(ctx context.Context, params *slack.GetConversationsParameters) ([]slack.Channel, string, error) {
	return nil, "", nil
}

// Resolving a team of e-mails costs one users.list, not a
// users.lookupByEmail each: at Slack's 50 lookups a minute, ten e-mails
// held start-up back for six seconds.
func TestResolverReadsTheMembersOnceForEveryEmail(t *testing.T) {
	api := &fakeDirectoryAPI{}
	for i := 0; i < 40; i++ {
		u := slack.User{ID: fmt.Sprintf("U%03d", i)}
		u.Profile.Email = fmt.Sprintf("eng%d@example.com", i)
		api.users = append(api.users, u)
	}
	r := &Resolver{API: api, Limiter: NewRateLimiter(nil)}
	ctx := context.Background()
	for i := 0; i < 40; i++ {
		id, err := r.UserIDByEmail(ctx, fmt.Sprintf("ENG%d@example.com", i))
		if err != nil || id != fmt.Sprintf("U%03d", i) {
			t.Fatalf("eng%d: %q %v", i, id, err)
		}
	}
	if api.lists != 1 || api.lookups != 0 {
		t.Errorf("%d users.list and %d users.lookupByEmail calls, want 1 and 0", api.lists, api.lookups)
	}
	// Someone not in the list is looked up, and not found.
	if _, err := r.UserIDByEmail(ctx, "nobody@example.com"); err == nil || !strings.Contains(err.Error(), "no Slack user has the e-mail nobody@example.com") {
		t.Errorf("unknown e-mail: %v", err)
	}
	if api.lookups != 1 {
		t.Errorf("%d lookups for the unknown e-mail, want 1", api.lookups)
	}
	// Without the list (a scope missing, Slack down), each is looked up.
	api = &fakeDirectoryAPI{users: api.users, listErr: slack.SlackErrorResponse{Err: "missing_scope"}}
	r = &Resolver{API: api, Limiter: NewRateLimiter(nil)}
	if id, err := r.UserIDByEmail(ctx, "eng3@example.com"); err != nil || id != "U003" || api.lookups != 1 {
		t.Errorf("without the list: %q %v, %d lookups", id, err, api.lookups)
	}
}
