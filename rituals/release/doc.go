// Package release is the release ritual: release notes from the deploys
// the deploy webhooks report (a note per deploy, or a batch on a
// schedule), a line for a failed deploy, a reply in a note's thread when
// an incident follows the deploy, and the changelog that /release notes,
// the /releases/ page and its Atom feed show.
package release
