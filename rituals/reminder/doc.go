// Package reminder is the simplest ritual: a templated message in a
// channel on a schedule, which may name who is on call.
package reminder
