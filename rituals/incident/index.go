package incident

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// The incident record: every incident and every action item, filtered,
// for the pages that make it discoverable (GET /incidents/, /actions/)
// and for /incident list. It reads briefs and items only, which the store
// keeps in memory, so a page over years of incidents costs no disk read.

// IndexQuery filters the incident record. Zero fields match everything.
type IndexQuery struct {
	Team     string // a team ID
	Severity string
	// From and To bound the day an incident was opened (in the ritual's
	// zone), both included.
	From, To rituals.Date
	// Text: every word must be found in the title (a person it mentions
	// by their names too), "#N", the severity or a team's ID or name (any
	// case).
	Text string
	// Status is "open", "resolved" or "" for both.
	Status string
}

// Retro states of an index entry.
const (
	RetroNone      = "none"      // no retro expected (or skipped)
	RetroOpen      = "open"      // the incident is not resolved yet
	RetroScheduled = "scheduled" // the prompt goes out at RetroDue
	RetroDueState  = "due"       // prompted, no postmortem yet
	RetroPublished = "published"
)

// IndexEntry is one incident as the record lists it.
type IndexEntry struct {
	Number   int       `json:"number"`
	Title    string    `json:"title"`
	Teams    []string  `json:"teams"`
	Severity string    `json:"severity"`
	Source   string    `json:"source"`
	Opened   time.Time `json:"opened"`
	Resolved time.Time `json:"resolved,omitzero"`
	// Duration is until the resolve, or until now while open.
	Duration        string    `json:"duration"`
	DurationSeconds int64     `json:"duration_seconds"`
	Status          string    `json:"status"`
	Retro           string    `json:"retro"`
	RetroDue        time.Time `json:"retro_due,omitzero"`
	// Postmortem is the path of the published postmortem, "" until then.
	Postmortem string `json:"postmortem,omitempty"`
}

// IndexNames are what the text search finds an incident by beyond its
// own words. Either may be nil.
type IndexNames struct {
	Teams map[string]string // team ID → name
	// Person gives the names of a person a title mentions (<@U…>), as
	// one string ("erin Erin Example"); it is asked only for titles with
	// a mention, while a text filter is set, so it may read the directory
	// on its first call.
	Person func(id string) string
}

// Index returns the incidents among briefs that match q, newest first.
func Index(briefs []rituals.IncidentBrief, q IndexQuery, names IndexNames, now time.Time, loc *time.Location) []IndexEntry {
	f := NewIndexFilter(q, names, loc)
	var out []IndexEntry
	for i := len(briefs) - 1; i >= 0; i-- {
		if f.Matches(&briefs[i]) {
			out = append(out, entryOf(briefs[i], now))
		}
	}
	return out
}

// IndexEntries lists briefs (already filtered and ordered) as the record
// does: a page builds the entries of the rows it shows only.
func IndexEntries(briefs []rituals.IncidentBrief, now time.Time) []IndexEntry {
	out := make([]IndexEntry, 0, len(briefs))
	for _, b := range briefs {
		out = append(out, entryOf(b, now))
	}
	return out
}

// IndexFilter is an IndexQuery made ready to test every brief of the
// record: its words and the teams' names lowered once, and each person's
// names asked and lowered once, not once per title that mentions them.
// It is used by one request at a time.
type IndexFilter struct {
	q         IndexQuery
	loc       *time.Location
	words     []string
	wordBytes [][]byte
	teams     map[string]string // team ID → lowered name
	person    func(id string) string
	people    map[string]string // user ID → "@" and lowered names
	number    [24]byte          // "#N" of the brief being tested
}

// NewIndexFilter prepares q for Matches.
func NewIndexFilter(q IndexQuery, names IndexNames, loc *time.Location) *IndexFilter {
	f := &IndexFilter{q: q, loc: loc, words: strings.Fields(strings.ToLower(q.Text)), person: names.Person}
	if len(f.words) == 0 {
		return f
	}
	for _, w := range f.words {
		f.wordBytes = append(f.wordBytes, []byte(w))
	}
	f.teams = make(map[string]string, len(names.Teams))
	for id, name := range names.Teams {
		f.teams[id] = strings.ToLower(name)
	}
	return f
}

// Matches says whether b passes every filter. A word of the text may be
// found in any of the brief's parts (the title, "#N", the severity, a
// team's ID or name, "@" and the names of a person the title mentions):
// the words hold no space, so a word is in one part or in none, as it
// would be in the parts joined by spaces.
func (f *IndexFilter) Matches(b *rituals.IncidentBrief) bool {
	q := f.q
	switch {
	case q.Team != "" && !slices.Contains(b.Teams, q.Team):
		return false
	case q.Severity != "" && !strings.EqualFold(q.Severity, b.Severity):
		return false
	case q.Status == "open" && !b.Resolved.IsZero(), q.Status == "resolved" && b.Resolved.IsZero():
		return false
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		d := rituals.DateOf(b.Opened.In(f.loc))
		if !q.From.IsZero() && d.Before(q.From) || !q.To.IsZero() && q.To.Before(d) {
			return false
		}
	}
	var number []byte
	for i, w := range f.words {
		if containsLower(b.Title, w) || containsLower(b.Severity, w) || f.inTeams(b.Teams, w) {
			continue
		}
		if number == nil {
			number = strconv.AppendInt(append(f.number[:0], '#'), int64(b.Number), 10)
		}
		if bytes.Contains(number, f.wordBytes[i]) || f.inMentioned(b.Title, w) {
			continue
		}
		return false
	}
	return true
}

func (f *IndexFilter) inTeams(teams []string, w string) bool {
	for _, t := range teams {
		if containsLower(t, w) || strings.Contains(f.teams[t], w) {
			return true
		}
	}
	return false
}

// inMentioned looks for w among the names of the people title mentions,
// as shown ("@erin") and by every name: the raw title holds the user ID
// only.
func (f *IndexFilter) inMentioned(title, w string) bool {
	if f.person == nil || !strings.Contains(title, "<@") {
		return false
	}
	for id := range rituals.Mentions(title) {
		names, ok := f.people[id]
		if !ok {
			names = "@" + strings.ToLower(f.person(id))
			if f.people == nil {
				f.people = map[string]string{}
			}
			f.people[id] = names
		}
		if strings.Contains(names, w) {
			return true
		}
	}
	return false
}

// containsLower reports whether strings.ToLower(s) contains w (which is
// lower case), without lowering a copy of s when s is ASCII.
func containsLower(s, w string) bool {
	if !isASCII(s) {
		// Some letters beyond ASCII lower to ASCII ones (the Kelvin sign
		// to k), and to other lengths: lower a copy.
		return strings.Contains(strings.ToLower(s), w)
	}
	n := len(w)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lowerASCII(s[i+j]) == w[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func entryOf(b rituals.IncidentBrief, now time.Time) IndexEntry {
	end := b.Resolved
	status := string(IncidentResolved)
	if end.IsZero() {
		end, status = now, string(IncidentOpen)
	}
	d := end.Sub(b.Opened)
	e := IndexEntry{
		Number: b.Number, Title: b.Title, Teams: append([]string{}, b.Teams...), Severity: b.Severity, Source: b.Source,
		Opened: b.Opened, Resolved: b.Resolved, Duration: HumanDuration(d), DurationSeconds: int64(d / time.Second),
		Status: status, RetroDue: b.RetroDue,
	}
	switch {
	case !b.RetroPublished.IsZero():
		e.Retro, e.Postmortem = RetroPublished, rituals.PostmortemPath(b.Number)
	case b.Resolved.IsZero():
		e.Retro = RetroOpen
	case b.RetroDue.IsZero():
		e.Retro = RetroNone
	case b.RetroDue.After(now):
		e.Retro = RetroScheduled
	default:
		e.Retro = RetroDueState
	}
	return e
}

// ActionQuery filters action items: Status "open", "overdue", "done" or
// "" for all; Owner and Team narrow further.
type ActionQuery struct {
	Status, Owner, Team string
}

// ActionEntry is one action item as the record lists it.
type ActionEntry struct {
	ID            string       `json:"id"`
	Incident      int          `json:"incident"`
	IncidentTitle string       `json:"incident_title"`
	Owner         string       `json:"owner"`
	Text          string       `json:"text"`
	Due           rituals.Date `json:"due,omitzero"`
	Status        string       `json:"status"` // open, overdue, done
	Closed        time.Time    `json:"closed,omitzero"`
}

// ActionIndex returns the items that match q: open ones soonest due
// first, then the done ones, most recently closed first. titles maps
// incident numbers to titles.
func ActionIndex(items []ActionItem, q ActionQuery, titles map[int]string, today rituals.Date) []ActionEntry {
	var open, done []ActionItem
	for _, a := range items {
		switch {
		case q.Owner != "" && a.Owner != q.Owner, q.Team != "" && !slices.Contains(a.Teams, q.Team):
			continue
		case q.Status == "open" && !a.Open(), q.Status == "overdue" && !a.Overdue(today), q.Status == "done" && a.Open():
			continue
		}
		if a.Open() {
			open = append(open, a)
		} else {
			done = append(done, a)
		}
	}
	slices.SortStableFunc(done, func(a, b ActionItem) int { return b.Closed.Compare(a.Closed) })
	var out []ActionEntry
	for _, a := range append(sortedActions(open), done...) {
		status := "open"
		switch {
		case !a.Open():
			status = "done"
		case a.Overdue(today):
			status = "overdue"
		}
		out = append(out, ActionEntry{ID: a.ID, Incident: a.Incident, IncidentTitle: titles[a.Incident], Owner: a.Owner, Text: a.Text,
			Due: a.Due, Status: status, Closed: a.Closed})
	}
	return out
}

// ListScope is which incidents /incident list shows.
type ListScope struct {
	// Open only; All of them; else Days > 0: opened in the last Days days
	// or still open; else (the zero scope) open ones, those resolved in
	// the last week and those whose retro is due.
	Open, All bool
	Days      int
}

// ParseListScope reads `open`, `all`, `30d` (any number of days up to
// ten years) or nothing.
func ParseListScope(arg string) (ListScope, error) {
	switch a := strings.ToLower(strings.TrimSpace(arg)); {
	case a == "":
		return ListScope{}, nil
	case a == "open":
		return ListScope{Open: true}, nil
	case a == "all":
		return ListScope{All: true}, nil
	case strings.HasSuffix(a, "d"):
		if n, err := strconv.Atoi(strings.TrimSuffix(a, "d")); err == nil && n >= 1 && n <= 3650 {
			return ListScope{Days: n}, nil
		}
	}
	return ListScope{}, rituals.Errorf(rituals.EINVALID, "`/incident list` takes `open`, `all` or a number of days such as `30d`, then a page number: `/incident list all 2`.")
}

// ListBriefs returns the briefs of the ritual's incidents in scope,
// newest first.
func (x *Incidents) ListBriefs(scope ListScope) ([]rituals.IncidentBrief, error) {
	briefs, err := x.Store.IncidentBriefs(x.Config.Name)
	if err != nil {
		return nil, err
	}
	now := x.Clock.Now()
	week := now.Add(-7 * 24 * time.Hour)
	var out []rituals.IncidentBrief
	for i := len(briefs) - 1; i >= 0; i-- {
		b := briefs[i]
		open := b.Resolved.IsZero()
		var in bool
		switch {
		case scope.All:
			in = true
		case scope.Open:
			in = open
		case scope.Days > 0:
			in = open || !b.Opened.Before(now.AddDate(0, 0, -scope.Days))
		default:
			// RetroDue is zero once skipped: set and unpublished, it is due.
			in = open || b.Resolved.After(week) || !b.RetroDue.IsZero() && b.RetroPublished.IsZero()
		}
		if in {
			out = append(out, b)
		}
	}
	return out, nil
}

// IndexURL is the address of the incident record's page with filters,
// signed when pages are, "" without a public URL. The signature is the
// page's, so it holds for any filters.
func (x *Incidents) IndexURL(filters url.Values) string {
	u := x.Pages.URL(IndexPagePath)
	if u == "" || len(filters) == 0 {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + filters.Encode()
}

// IndexPagePath is where the bot serves the incident record.
const IndexPagePath = "/incidents/"
