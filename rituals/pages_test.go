package rituals_test

import (
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestPagesURL(t *testing.T) {
	sign := func(path string) string { return "s(" + path + ")" }
	for _, tc := range []struct {
		pages rituals.Pages
		path  string
		want  string
	}{
		{rituals.Pages{}, "/incidents/3/postmortem.md", ""}, // no public URL: no link
		{rituals.Pages{Base: "https://bot.example.com/"}, "/incidents/3/postmortem.md", "https://bot.example.com/incidents/3/postmortem.md"},
		{rituals.Pages{Base: "https://bot.example.com", Sign: sign}, rituals.FeedPath("payments-oncall"), "https://bot.example.com/oncall/payments-oncall.ics?sig=s(/oncall/payments-oncall.ics)"},
	} {
		if got := tc.pages.URL(tc.path); got != tc.want {
			t.Errorf("%+v URL(%q) = %q, want %q", tc.pages.Base, tc.path, got, tc.want)
		}
	}
}
