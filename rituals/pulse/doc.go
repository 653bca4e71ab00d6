// Package pulse is the anonymous team-health pulse: on a schedule each
// member of a team gets a short form; when it closes the team channel gets
// the averages, their trend and the free-text answers in random order, or,
// when too few answered, only that.
//
// Anonymity is a property of what is stored, not of who reads it: the
// record that a member answered (to remind the others once and to refuse a
// second answer) and the answers are written apart, the answers carry no
// member, no Slack ts and no time finer than the round, and are stored
// under random keys. docs/PULSE.md is the threat model.
package pulse
