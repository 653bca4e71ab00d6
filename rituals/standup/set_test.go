package standup_test

import (
	"slices"
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
