// Package showandtell is the show-and-tell ritual: after a team ships, the
// person who shipped is asked (once a week) to demo it; the agenda is
// posted when sign-ups close, and the recording link is kept with it.
package showandtell
