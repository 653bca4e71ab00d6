package githubissues_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/githubissues"
	"github.com/ritualbot/ritualbot/internal/githubfake"
)

func TestClientAgainstTheFake(t *testing.T) {
	gh := githubfake.New("right")
	defer gh.Close()
	ctx := context.Background()
	c := &githubissues.Client{BaseURL: gh.APIURL(), Token: func() string { return "right" }}
	is, err := c.CreateIssue(ctx, "acme/pay", "[incident #3] Alert on pool", "body", nil)
	if err != nil || is.Number != 1 || is.HTMLURL != "https://github.com/acme/pay/issues/1" {
		t.Fatalf("CreateIssue = %+v, %v (refused %v)", is, err, gh.Refused())
	}
	if err := c.SetState(ctx, "acme/pay", 1, "closed"); err != nil {
		t.Fatal(err)
	}
	if got := gh.Issues("acme/pay")[0]; got.State != "closed" || got.StateReason != "completed" || got.Labels == nil {
		t.Errorf("issue = %+v", got)
	}
	if err := c.SetState(ctx, "acme/pay", 7, "closed"); !isStatus(err, 404) {
		t.Errorf("an unknown issue: %v", err)
	}
	wrong := &githubissues.Client{BaseURL: gh.APIURL(), Token: func() string { return "wrong" }}
	if _, err := wrong.CreateIssue(ctx, "acme/pay", "x", "", nil); !isStatus(err, 401) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong token: %v", err)
	}
	none := &githubissues.Client{BaseURL: gh.APIURL(), Token: func() string { return "" }}
	if _, err := none.CreateIssue(ctx, "acme/pay", "x", "", nil); err == nil || !strings.Contains(err.Error(), "GITHUB_TOKEN is not set") {
		t.Errorf("no token: %v", err)
	}
	gh.FailNext(1)
	if _, err := c.CreateIssue(ctx, "acme/pay", "x", "", nil); !isStatus(err, 502) {
		t.Errorf("GitHub down: %v", err)
	}
}

func isStatus(err error, code int) bool {
	var se *githubissues.StatusError
	return errors.As(err, &se) && se.Code == code
}
