package incidentindex

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// PerPage is how many incidents one page lists; older ones are on the
// next pages (?page=2).
const PerPage = 100

// maxText bounds the free-text filter.
const maxText = 200

// parseQuery reads the index filters from a URL's query: team, severity,
// from, to (YYYY-MM-DD), q (free text), status (open|resolved) and page.
// A bad value is a clear error, never ignored.
func parseQuery(v url.Values, teams []*rituals.Team, severities []string) (incident.IndexQuery, int, error) {
	q := incident.IndexQuery{Team: strings.TrimSpace(v.Get("team")), Severity: strings.TrimSpace(v.Get("severity")),
		Text: strings.TrimSpace(v.Get("q")), Status: strings.TrimSpace(v.Get("status"))}
	if q.Team != "" && !knownTeam(teams, q.Team) {
		return q, 0, fmt.Errorf("unknown team %q", clip(q.Team))
	}
	if q.Severity != "" && !knownSeverity(severities, q.Severity) {
		return q, 0, fmt.Errorf("unknown severity %q: one of %s", clip(q.Severity), strings.Join(severities, ", "))
	}
	if q.Status != "" && q.Status != "open" && q.Status != "resolved" {
		return q, 0, fmt.Errorf("status is open or resolved, not %q", clip(q.Status))
	}
	if len(q.Text) > maxText {
		return q, 0, fmt.Errorf("the search text is over %d characters", maxText)
	}
	var err error
	for _, d := range []struct {
		key string
		to  *rituals.Date
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := strings.TrimSpace(v.Get(d.key)); s != "" {
			if *d.to, err = rituals.ParseDate(s); err != nil {
				return q, 0, fmt.Errorf("%s: %w", d.key, err)
			}
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, 0, fmt.Errorf("to (%s) is before from (%s)", q.To, q.From)
	}
	page, err := parsePage(v.Get("page"))
	return q, page, err
}

func parsePage(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, fmt.Errorf("page is a number from 1, not %q", clip(s))
	}
	return n, nil
}

func parseActionQuery(v url.Values, teams []*rituals.Team) (incident.ActionQuery, error) {
	q := incident.ActionQuery{Status: strings.TrimSpace(v.Get("status")), Owner: strings.TrimSpace(v.Get("owner")), Team: strings.TrimSpace(v.Get("team"))}
	switch q.Status {
	case "", "open", "overdue", "done":
	default:
		return q, fmt.Errorf("status is open, overdue or done, not %q", clip(q.Status))
	}
	if q.Team != "" && !knownTeam(teams, q.Team) {
		return q, fmt.Errorf("unknown team %q", clip(q.Team))
	}
	if len(q.Owner) > 40 {
		return q, fmt.Errorf("owner is a user ID")
	}
	return q, nil
}

func knownTeam(teams []*rituals.Team, id string) bool {
	for _, t := range teams {
		if t.ID == id {
			return true
		}
	}
	return false
}

func knownSeverity(sevs []string, s string) bool {
	for _, v := range sevs {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func clip(s string) string { return rituals.Shorten(s, 40) }

// encode writes the filters of q back as a query string, with sig (the
// page's signature, if any) and page, for links between pages.
func encode(q incident.IndexQuery, page int, sig string) string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("team", q.Team)
	set("severity", q.Severity)
	set("q", q.Text)
	set("status", q.Status)
	if !q.From.IsZero() {
		v.Set("from", q.From.String())
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.String())
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	set("sig", sig)
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
