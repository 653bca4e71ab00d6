package release

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// DefaultSince is how far back /release notes and the pages look when not
// told.
const DefaultSince = 7 * 24 * time.Hour

// maxSince bounds a changelog's range.
const maxSince = 366 * 24 * time.Hour

// ParseSince reads a changelog's start: a date (2026-11-23) in loc, or a
// span back from now (12h, 7d, 2w).
func ParseSince(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	if d, err := rituals.ParseDate(s); err == nil {
		return d.In(loc), true
	}
	if len(s) < 2 {
		return time.Time{}, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 || time.Duration(n) > maxSince/unit {
		return time.Time{}, false
	}
	return now.Add(-time.Duration(n) * unit), true
}

// NotesArgs reads `/release notes [SERVICE] [SINCE]`: the service, if
// one is named, must be one the release rituals announce.
func (s *Set) NotesArgs(args []string, now time.Time) (service string, since time.Time, err error) {
	loc := time.UTC
	if len(s.List) > 0 {
		loc = s.List[0].Location()
	}
	since = now.Add(-DefaultSince)
	known := s.Services()
	for _, a := range args {
		if t, ok := ParseSince(a, now, loc); ok {
			since = t
			continue
		}
		if service != "" || !slices.Contains(known, strings.ToLower(a)) {
			return "", time.Time{}, rituals.Errorf(rituals.EINVALID, "%q is neither a service the release notes announce (%s) nor a start such as 7d, 2w or 2026-11-23. Usage: /release notes [SERVICE] [SINCE]",
				rituals.OneLine(a, 60), strings.Join(known, ", "))
		}
		service = strings.ToLower(a)
	}
	if since.Before(now.Add(-maxSince)) {
		since = now.Add(-maxSince)
	}
	return service, since, nil
}

// Notes is the changelog `/release notes` prints: the announced deploys
// of service (all, if "") from since to now, grouped.
func (s *Set) Notes(service string, since, now time.Time) (text string, blocks []rituals.Block, err error) {
	deploys, _, err := s.announced(service, since, now)
	if err != nil {
		return "", nil, err
	}
	loc, include := time.UTC, true
	if len(s.List) > 0 {
		loc, include = s.List[0].Location(), s.List[0].Settings.IncludeCommits
	}
	what := "All services"
	if service != "" {
		what = service
	}
	title := fmt.Sprintf("%s since %s", what, since.In(loc).Format("Mon 2 Jan 2006"))
	text, blocks = Changelog(title, deploys, loc, include)
	return text, blocks, nil
}
