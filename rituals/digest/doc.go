// Package digest is the weekly digest ritual: each team's week (standup
// participation, blockers, incidents, on-call, deploys and the DORA
// figures) read through the seams and from the deploy log that the deploy
// webhooks feed (DeployLog).
package digest
