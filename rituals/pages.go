package rituals

import (
	"fmt"
	"strings"
)

// Pages makes the addresses of the bot's own pages (postmortems, calendar
// feeds) that messages link to: the bot's public URL (http.public_url)
// and the page's path, with the path's signature when the pages need one
// (cmd/ritualbot decides; the domain only carries it).
type Pages struct {
	Base string                   // "" when the bot has no public URL: no links
	Sign func(path string) string // nil: pages are open, links unsigned
}

// URL is the address of the page at path, "" without a public URL.
func (p Pages) URL(path string) string {
	if p.Base == "" {
		return ""
	}
	u := strings.TrimRight(p.Base, "/") + path
	if p.Sign != nil {
		u += "?sig=" + p.Sign(path)
	}
	return u
}

// FeedPath is where the bot serves a rotation's calendar feed.
func FeedPath(ritual string) string { return "/oncall/" + ritual + ".ics" }

// PostmortemPath is where the bot serves incident n's postmortem.
func PostmortemPath(n int) string { return fmt.Sprintf("/incidents/%d/postmortem.md", n) }
