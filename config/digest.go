package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Defaults of a digest.
const (
	DefaultDigestWindow  = 7 * 24 * time.Hour
	DefaultFailureWindow = 24 * time.Hour
)

// serviceRE is a deployed service's name as deploy systems send it: a
// repository name, "owner/repo", or a service id.
var serviceRE = boundedRE(`^[A-Za-z0-9][A-Za-z0-9_./-]*$`, 128)

// services reads a team's `services`: the deployed services it owns, whose
// deploys count in its DORA figures.
func (p *parser) services(tm *mapping) []string {
	var out []string
	seen := map[string]bool{}
	for i, n := range tm.seq("services") {
		path := fmt.Sprintf("%s[%d]", tm.sub("services"), i)
		v := strings.TrimSpace(n.Value)
		switch {
		case !serviceRE.MatchString(v):
			p.d.errorAt(n, path, "%q: a service is named as the deploy webhooks send it (letters, digits, - _ . /), e.g. checkout", n.Value)
			continue
		case seen[strings.ToLower(v)]:
			p.d.errorAt(n, path, "service %q is listed twice", v)
			continue
		}
		seen[strings.ToLower(v)] = true
		out = append(out, v)
	}
	return out
}

// parseDigest reads a digest: a schedule, a channel, the teams it covers
// and the window it looks back on.
func parseDigest(r *ritualReader) {
	d := &digest.Settings{
		Window:        r.duration("window", DefaultDigestWindow),
		FailureWindow: r.duration("failure_window", DefaultFailureWindow),
	}
	if d.Window < 24*time.Hour {
		r.errorf("window", "%s is too short: a digest looks back at least a day (7d is a week, 28d serves a monthly review)", d.Window)
	}
	if d.Window > 366*24*time.Hour {
		r.errorf("window", "%s is too long: at most a year", d.Window)
	}
	if d.Window%(24*time.Hour) != 0 {
		r.errorf("window", "%s: give whole days, e.g. 7d or 28d", d.Window)
	}
	if d.FailureWindow <= 0 || d.FailureWindow > 7*24*time.Hour {
		r.errorf("failure_window", "want a duration from 1m to 7d: how long after a deploy an incident is blamed on it")
	}
	d.Teams = r.teamList("teams")
	r.notEmpty("teams", len(r.seq("teams")), "name the teams the digest covers, or leave the key out for all teams")
	if len(d.Teams) == 0 && !r.has("teams") {
		switch {
		case r.team != nil:
			d.Teams = []string{r.team.ID}
		default:
			for _, t := range r.Config().Teams {
				d.Teams = append(d.Teams, t.ID)
			}
		}
	}
	if len(r.Config().Teams) == 0 {
		r.errorf("teams", "a digest reports on teams, and the config has none; add them under the top-level teams:")
	}
	r.needChannel()
	r.rc.Settings = d
}
