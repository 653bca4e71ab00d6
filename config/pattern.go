package config

import "regexp"

// bounded is a name pattern whose length bound is checked apart from the
// regexp. A counted repetition such as [a-z]{0,127} compiles into one
// instruction per count: the config's handful of names held 450 KB of
// heap for the life of the process. The classes are ASCII, so a match is
// as many bytes long as characters.
type bounded struct {
	re  *regexp.Regexp
	max int // bytes
}

// boundedRE compiles pattern, which must not count its repetitions, and
// bounds what it matches to max bytes.
func boundedRE(pattern string, max int) bounded {
	return bounded{re: regexp.MustCompile(pattern), max: max}
}

// MatchString reports whether s is at most max bytes and matches.
func (b bounded) MatchString(s string) bool {
	return len(s) <= b.max && b.re.MatchString(s)
}
