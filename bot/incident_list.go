package bot

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// listPage is how many incidents one /incident list answer shows: each
// is a section, well within a message's 50 blocks.
const listPage = 15

// listCmd answers /incident list [open|all|30d] [PAGE]: the incidents in
// scope across the incidents rituals, newest first, a page at a time,
// with the link to the incident record when the bot has a public URL.
func (h *Incidents) listCmd(ctx context.Context, inv Invocation, args []string) (Reply, error) {
	scopeArg, page := "", 1
	if len(args) > 0 {
		if n, err := strconv.Atoi(args[len(args)-1]); err == nil {
			if n < 1 {
				return Reply{}, rituals.Errorf(rituals.EINVALID, "Pages count from 1: `/incident list all 2`.")
			}
			page, args = n, args[:len(args)-1]
		}
	}
	if len(args) > 1 {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "`/incident list` takes `open`, `all` or a number of days such as `30d`, then a page number: `/incident list all 2`.")
	}
	if len(args) == 1 {
		scopeArg = args[0]
	}
	scope, err := incident.ParseListScope(scopeArg)
	if err != nil {
		return Reply{}, err
	}
	type hit struct {
		x *incident.Incidents
		b rituals.IncidentBrief
	}
	var hits []hit
	for _, x := range h.list {
		briefs, err := x.ListBriefs(scope)
		if err != nil {
			return Reply{}, err
		}
		for _, b := range briefs {
			hits = append(hits, hit{x, b})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return b.b.Number - a.b.Number })
	title := "Incidents: open and this week"
	filters := url.Values{}
	switch {
	case scope.All:
		title = "All incidents"
	case scope.Open:
		title, filters = "Open incidents", url.Values{"status": {"open"}}
	case scope.Days > 0:
		title = fmt.Sprintf("Incidents of the last %d days, and open ones", scope.Days)
		filters = url.Values{"from": {rituals.DateOf(h.Clock.Now().AddDate(0, 0, -scope.Days)).String()}}
	}
	var record string
	if len(h.list) > 0 {
		if u := h.list[0].IndexURL(filters); u != "" {
			record, _ = rituals.Link(u, "the incident record")
		}
	}
	if len(hits) == 0 {
		msg := "No open incidents, and none resolved this week. :tada:"
		if scope != (incident.ListScope{}) {
			msg = "No incidents in that range."
		}
		if record != "" {
			msg += " Older ones are in " + record + "."
		}
		return Reply{Text: msg}, nil
	}
	pages := (len(hits) + listPage - 1) / listPage
	if page > pages {
		return Reply{}, rituals.Errorf(rituals.EINVALID, "The list has %d page%s; page %d is past its end.", pages, rituals.Plural(pages), page)
	}
	now := h.Clock.Now()
	blocks := []rituals.Block{rituals.Header(title)}
	for _, it := range hits[(page-1)*listPage : min(len(hits), page*listPage)] {
		inc, err := it.x.Lookup(it.b.Number)
		if err != nil {
			return Reply{}, err
		}
		line := fmt.Sprintf("*#%d* %s · %s", inc.Number, strings.ToUpper(inc.Severity), rituals.Escape(it.x.ShownTitle(inc.Title)))
		lasted := incident.HumanDuration(inc.Duration(now))
		if inc.IsOpen() {
			line += "\n:red_circle: open for " + lasted
			if inc.Commander != "" {
				line += ", commander " + rituals.Mention(inc.Commander)
			}
		} else {
			line += "\n:large_green_circle: resolved after " + lasted + " · " + inc.RetroState(it.x.Location())
		}
		blocks = append(blocks, rituals.Section(line))
	}
	var foot []string
	if pages > 1 {
		foot = append(foot, fmt.Sprintf("Page %d of %d (%d incidents).", page, pages, len(hits)))
		if page < pages {
			arg := strings.TrimSpace(scopeArg + " " + strconv.Itoa(page+1))
			foot = append(foot, fmt.Sprintf("Next: `/incident list %s`.", arg))
		}
	}
	if record != "" {
		foot = append(foot, "Every incident, with filters: "+record+".")
	}
	if len(foot) > 0 {
		blocks = append(blocks, rituals.Context(strings.Join(foot, " ")))
	}
	return Reply{Text: title, Blocks: blocks}, nil
}
