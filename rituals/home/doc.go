// Package home is a member's App Home tab: where they stand this week,
// read from the other kinds through the seams when they open it.
package home
