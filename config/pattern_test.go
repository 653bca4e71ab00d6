package config

import (
	"regexp"
	"strings"
	"testing"
)

// TestBoundedPatternsMatchTheCountedOnes checks each name pattern against
// the counted regexp it replaced, at and around its length bound.
func TestBoundedPatternsMatchTheCountedOnes(t *testing.T) {
	cases := []struct {
		name    string
		match   func(string) bool
		counted string
		first   string // a valid first part
		fill    string // a valid character to repeat
	}{
		{"teamIDRE", teamIDRE.MatchString, `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`, "a", "."},
		{"serviceRE", serviceRE.MatchString, `^[A-Za-z0-9][A-Za-z0-9_./-]{0,127}$`, "a", "/"},
		{"severityRE", severityRE.MatchString, `^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`, "S", "-"},
		{"channelName", channelName.MatchString, `^#[a-z0-9][a-z0-9._-]{0,79}$`, "#a", "_"},
		{"ritualNameRE", ritualNameRE.MatchString, `^[a-z0-9][a-z0-9_.-]{0,63}$`, "a", "-"},
		{"questionIDRE", questionIDRE.MatchString, `^[a-z0-9][a-z0-9_-]{0,63}$`, "q", "_"},
		{"githubRepo owner", githubRepo, `^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9_.-]{1,100}$`, "a", "-"},
	}
	for _, c := range cases {
		re := regexp.MustCompile(c.counted)
		var inputs []string
		for n := 0; n <= 130; n++ {
			s := c.first + strings.Repeat(c.fill, n)
			inputs = append(inputs, s, s+" ", "-"+s, strings.ToUpper(s), s+"\n")
			if c.name == "githubRepo owner" {
				inputs = append(inputs, s+"/r", "o/"+strings.Repeat("r", n), s+"/", s+"/r/x")
			}
		}
		inputs = append(inputs, "", "#", "/", "a b", "é", "a\x00")
		for _, s := range inputs {
			if got, want := c.match(s), re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the counted regexp says %v", c.name, s, got, want)
			}
		}
	}
}
