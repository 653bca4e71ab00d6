// Package onboarding is the onboarding of a new team member: a buddy to
// pair with, steps sent on their day at 10:00 in the reader's own zone
// (Monday for a Saturday or Sunday there) with Done buttons, weeks of shadowing the team's on-call (handoffs and
// incidents include the newcomer as "shadowing"), the lead's question
// whether to add them to the rotation, and the newcomer's feedback on the
// onboarding itself, which goes to the lead so that the steps get better.
//
// An onboarding is one stored record per newcomer and ritual; every job
// reads it, so a restart picks up where the last run was, and message keys
// derived from it keep a re-run from sending anything twice.
package onboarding
