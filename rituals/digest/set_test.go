package digest_test

import (
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Which digest /digest means: the one named, else the first covering a
// team of the caller, else the first.
func TestSetPick(t *testing.T) {
	web := &rituals.Team{ID: "web", Members: []string{"U0ANN"}}
	pay := &rituals.Team{ID: "pay", Leads: []string{"U0BOB"}}
	set := digest.Set{
		{Config: &rituals.RitualConfig{Name: "web-weekly"}, Teams: []*rituals.Team{web}},
		{Config: &rituals.RitualConfig{Name: "pay-weekly"}, Teams: []*rituals.Team{pay}},
	}
	for _, c := range []struct {
		user string
		args []string
		want string
		code string
	}{
		{"U0ANN", nil, "web-weekly", ""},
		{"U0BOB", nil, "pay-weekly", ""},
		{"U0ZED", nil, "web-weekly", ""},
		{"U0ANN", []string{"PAY-WEEKLY"}, "pay-weekly", ""},
		{"U0ANN", []string{"monthly"}, "", rituals.ENOTFOUND},
	} {
		d, err := set.Pick(c.user, c.args)
		if rituals.ErrorCode(err) != c.code || err == nil && d.Name() != c.want {
			t.Errorf("%s %v: %v, %v; want %q (%s)", c.user, c.args, d, err, c.want, c.code)
		}
	}
}
