package oncall_test

import (
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// Which rotation an /oncall command about someone means: the one named,
// else the only one, else the one the target (or else the invoker) is in.
func TestRotationsFor(t *testing.T) {
	rot := func(name, team string, rotation []string, members ...string) *oncall.Rotation {
		return &oncall.Rotation{Config: &rituals.RitualConfig{Name: name}, Settings: &oncall.Settings{Rotation: rotation},
			Team: &rituals.Team{ID: team, Members: members}}
	}
	rs := &oncall.Rotations{List: []*oncall.Rotation{
		rot("web-primary", "web", []string{"U0ANN", "U0BOB"}),
		rot("web-db", "web", []string{"U0CAT"}),
		rot("pay-oncall", "pay", []string{"U0DAN"}, "U0EVE"),
	}}
	for _, c := range []struct {
		invoker, target, arg string
		want                 string
		code                 string
	}{
		{"U0ANN", "U0ANN", "pay", "pay-oncall", ""},
		{"U0ANN", "U0ANN", "WEB-DB", "web-db", ""},
		{"U0ANN", "U0ANN", "web", "", rituals.EINVALID}, // two rotations
		{"U0ANN", "U0ANN", "nope", "", rituals.ENOTFOUND},
		{"U0ANN", "U0DAN", "", "pay-oncall", ""}, // the target's
		{"U0EVE", "U0ZED", "", "pay-oncall", ""}, // else the invoker's (a team member)
		{"U0ZED", "U0ZED", "", "", rituals.EINVALID},
	} {
		r, err := rs.For(c.invoker, c.target, c.arg)
		if rituals.ErrorCode(err) != c.code || err == nil && r.Name() != c.want {
			t.Errorf("%s about %s %q: %v, %v; want %q (%s)", c.invoker, c.target, c.arg, r, err, c.want, c.code)
		}
	}
	one := &oncall.Rotations{List: rs.List[2:]}
	if r, err := one.For("U0ZED", "U0ZED", ""); err != nil || r.Name() != "pay-oncall" {
		t.Errorf("with one rotation: %v, %v", r, err)
	}
}
