// Package oncall is the on-call rotation ritual: who is on call when
// (rotation, overrides, swaps, holidays), handoffs between shifts, the
// Slack user group and channel topic kept in step, and how fair the
// shifts are. Other kinds ask it who is on call through the seams.
package oncall
