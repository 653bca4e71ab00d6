// Package standup is the async standup ritual: each member is prompted
// (in their own zone if asked), answers or skips in a modal, raises and
// clears blockers, marks days away; a summary follows, and the
// participation log feeds the digest and the App Home.
package standup
