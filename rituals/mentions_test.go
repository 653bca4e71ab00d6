package rituals_test

import (
	"slices"
	"testing"

	"github.com/ritualbot/ritualbot/rituals"
)

// Mentions finds what MentionedUsers (the regexp) finds.
func TestMentionsAsMentionedUsers(t *testing.T) {
	for _, s := range []string{
		"", "no one", "<@U1>", "<@U0BOB> and <@W2|erin>", "<@u1>", "<@U>", "<@U1", "<@U1|name", "<@U1|a<b>", "<@U1|a>b>",
		"<<@U1>>", "<@<@U1>", "<@U1x>", "<@X1>", "<@U1 >", "text <@U0ERIN>'s migration <@U0BOB|bob>", "<@U1|>", "<@U1||>", "é<@UÉ1>",
	} {
		if got, want := slices.Collect(rituals.Mentions(s)), rituals.MentionedUsers(s); !slices.Equal(got, want) {
			t.Errorf("Mentions(%q) = %q, MentionedUsers %q", s, got, want)
		}
	}
}

func FuzzMentions(f *testing.F) {
	f.Add("<@U0BOB> and <@W2|erin>")
	f.Add("<@U1|a<b><@U2>")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := slices.Collect(rituals.Mentions(s)), rituals.MentionedUsers(s); !slices.Equal(got, want) {
			t.Errorf("Mentions(%q) = %q, MentionedUsers %q", s, got, want)
		}
	})
}
