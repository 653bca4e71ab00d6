package standup_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// Which standup a command means: the one named (by ritual or team), else
// the first the member is in.
func TestSetPick(t *testing.T) {
	st := func(name, team string, members ...string) *standup.Standup {
		return &standup.Standup{Config: &rituals.RitualConfig{Name: name}, Team: &rituals.Team{ID: team, Members: members}}
	}
	set := standup.Set{st("web-daily", "web", "U0ANN"), st("pay-daily", "pay", "U0BOB", "U0ANN")}
	for _, c := range []struct {
		user     string
		args     []string
		want     string
		rest     []string
		notFound bool
	}{
		{"U0BOB", nil, "pay-daily", nil, false},
		{"U0ANN", nil, "web-daily", nil, false},
		{"U0ANN", []string{"PAY", "x"}, "pay-daily", []string{"x"}, false},
		{"U0ANN", []string{"pay-daily"}, "pay-daily", []string{}, false},
		{"U0BOB", []string{"status"}, "pay-daily", []string{"status"}, false},
		{"U0EVE", nil, "", nil, true},
		{"U0EVE", []string{"web"}, "web-daily", []string{}, false},
	} {
		s, rest, err := set.Pick(c.user, c.args)
		if c.notFound {
			if rituals.ErrorCode(err) != rituals.ENOTFOUND {
				t.Errorf("%s %v: %v, want not found", c.user, c.args, err)
			}
			continue
		}
		if err != nil || s.Name() != c.want || !slices.Equal(rest, c.rest) && len(rest)+len(c.rest) > 0 {
			t.Errorf("%s %v: %v %v, %v; want %s %v", c.user, c.args, s, rest, err, c.want, c.rest)
		}
	}
	if _, err := set.ByName("gone"); rituals.ErrorCode(err) != rituals.ENOTFOUND {
		t.Errorf("a standup no longer configured: %v", err)
	}
}

// Whose history /standup history @user reads: the target's standup, one
// the reader may read if the target has several; the reader's own
// standups do not matter (an admin is in none).
func TestSetPickFor(t *testing.T) {
	st := func(name, team string, members ...string) *standup.Standup {
		return &standup.Standup{Config: &rituals.RitualConfig{Name: name}, Team: &rituals.Team{ID: team, Members: members}}
	}
	set := standup.Set{st("web-daily", "web", "U0ANN", "U0CAT"), st("pay-daily", "pay", "U0BOB", "U0CAT")}
	for _, c := range []struct {
		reader, member string
		admin          bool
		args           []string
		want           string // "" when the target is in no standup
	}{
		{"U0ADM", "U0BOB", true, nil, "pay-daily"},              // an admin in no team
		{"U0ANN", "U0BOB", false, nil, "pay-daily"},             // another team's member: refused there, not "no answers" here
		{"U0BOB", "U0CAT", false, nil, "pay-daily"},             // Cat is in two: the one Bob may read
		{"U0ANN", "U0CAT", false, nil, "web-daily"},             // and Ann the other
		{"U0ANN", "U0CAT", false, []string{"pay"}, "pay-daily"}, // named
		{"U0ANN", "U0ANN", false, nil, "web-daily"},             // oneself
		{"U0ADM", "U0EVE", true, nil, ""},
	} {
		s, _, err := set.PickFor(c.reader, c.member, c.admin, c.args)
		if c.want == "" {
			if rituals.ErrorCode(err) != rituals.ENOTFOUND || !strings.Contains(err.Error(), "<@U0EVE> is not in any standup") {
				t.Errorf("%s reads %s: %v, want not found naming the target", c.reader, c.member, err)
			}
			continue
		}
		if err != nil || s.Name() != c.want {
			t.Errorf("%s reads %s %v: %v, %v; want %s", c.reader, c.member, c.args, s, err, c.want)
		}
	}
}
