package incidentindex

import (
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// Paths of the pages.
const (
	IndexPath     = "/incidents/"
	IndexJSONPath = "/incidents/index.json"
	ActionsPath   = "/actions/"
)

// Store is what the pages read: the incidents' briefs and the action
// items of every incidents ritual.
type Store interface {
	IncidentBriefs(ritual string) ([]rituals.IncidentBrief, error)
	// IncidentBriefsWhere returns the briefs keep accepts, oldest first:
	// the index copies its matches only.
	IncidentBriefsWhere(keep func(ritual string, b rituals.IncidentBrief) bool) ([]rituals.IncidentBrief, error)
	ActionItems(ritual string) ([]incident.ActionItem, error)
}

// Pages serves the incident record.
type Pages struct {
	Store Store
	Teams []*rituals.Team
	// Severities are offered in the filter, most severe first.
	Severities []string
	Clock      rituals.Clock
	// Location is the zone times are written in.
	Location *time.Location
	// Sign, if set, signs the paths the pages link to (the pages are
	// served only with their signature then).
	Sign func(path string) string
	// People, if set, gives the workspace's members by user ID (empty
	// when the directory cannot be read): a person a title mentions is
	// shown by display name and found by display or full name.
	People func(ctx context.Context) map[string]rituals.UserInfo
	Log    zerolog.Logger
}

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"join": strings.Join}).ParseFS(templateFS, "templates/*.html"))

// link is path with its signature, if pages are signed, and query (which
// starts with "?" or is empty).
func (p *Pages) link(path, query string) string {
	if p.Sign == nil {
		return path + query
	}
	sig := "sig=" + p.Sign(path)
	if query == "" {
		return path + "?" + sig
	}
	return path + query + "&" + sig
}

func (p *Pages) sig(path string) string {
	if p.Sign == nil {
		return ""
	}
	return p.Sign(path)
}

func (p *Pages) loc() *time.Location {
	if p.Location != nil {
		return p.Location
	}
	return time.UTC
}

func (p *Pages) teamNames() map[string]string {
	out := make(map[string]string, len(p.Teams))
	for _, t := range p.Teams {
		out[t.ID] = t.Name
	}
	return out
}

// index reads the briefs the request's filters select, newest first.
func (p *Pages) index(r *http.Request) (incident.IndexQuery, int, []rituals.IncidentBrief, *people, error, error) {
	q, page, bad := parseQuery(r.URL.Query(), p.Teams, p.Severities)
	if bad != nil {
		return q, page, nil, nil, bad, nil
	}
	people := p.directory(r.Context())
	filter := incident.NewIndexFilter(q, incident.IndexNames{Teams: p.teamNames(), Person: people.searchNames}, p.loc())
	briefs, err := p.Store.IncidentBriefsWhere(func(_ string, b rituals.IncidentBrief) bool { return filter.Matches(&b) })
	if err != nil {
		return q, page, nil, nil, nil, err
	}
	slices.Reverse(briefs)
	return q, page, briefs, people, nil, nil
}

// entries lists briefs as the record shows them, each person a title
// mentions by name.
func (p *Pages) entries(briefs []rituals.IncidentBrief, people *people) []incident.IndexEntry {
	entries := incident.IndexEntries(briefs, p.Clock.Now())
	for i, e := range entries {
		if strings.Contains(e.Title, "<@") {
			entries[i].Title = incident.ShowMentions(e.Title, people.displayNames())
		}
	}
	return entries
}

// directory reads the members once per request, when first needed:
// most titles mention nobody.
func (p *Pages) directory(ctx context.Context) *people {
	return &people{read: func() map[string]rituals.UserInfo {
		if p.People == nil {
			return nil
		}
		return p.People(ctx)
	}}
}

type people struct {
	read    func() map[string]rituals.UserInfo
	users   map[string]rituals.UserInfo
	display map[string]string
	done    bool
}

func (pp *people) all() map[string]rituals.UserInfo {
	if !pp.done {
		pp.users, pp.done = pp.read(), true
	}
	return pp.users
}

// displayNames maps user IDs to the names the pages show.
func (pp *people) displayNames() map[string]string {
	if pp.display == nil {
		users := pp.all()
		pp.display = make(map[string]string, len(users))
		for id, u := range users {
			pp.display[id] = u.Name
		}
	}
	return pp.display
}

// searchNames are the names the free-text filter finds id by.
func (pp *people) searchNames(id string) string {
	u := pp.all()[id]
	return u.Name + " " + u.RealName
}

// ServeIndex serves GET /incidents/.
func (p *Pages) ServeIndex(w http.ResponseWriter, r *http.Request) {
	q, page, matches, people, bad, err := p.index(r)
	switch {
	case err != nil:
		p.fail(w, err, "read the incidents for the index")
		return
	case bad != nil:
		http.Error(w, "bad filter: "+bad.Error(), http.StatusBadRequest)
		return
	}
	total := len(matches)
	pages := max(1, (total+PerPage-1)/PerPage)
	page = min(page, pages)
	from := (page - 1) * PerPage
	shown := p.entries(matches[from:min(total, from+PerPage)], people)
	names := p.teamNames()
	loc := p.loc()
	v := indexView{
		Action: IndexPath, Sig: p.sig(IndexPath), Query: q, From: dateValue(q.From), To: dateValue(q.To),
		Total: total, First: from + 1, Last: from + len(shown), Page: page, Pages: pages,
		JSON: p.link(IndexJSONPath, encode(q, 0, "")), Actions: p.link(ActionsPath, ""),
	}
	for _, t := range p.Teams {
		v.Teams = append(v.Teams, option{Value: t.ID, Label: t.Name, Selected: t.ID == q.Team})
	}
	for _, s := range p.Severities {
		v.Severities = append(v.Severities, option{Value: s, Label: strings.ToUpper(s), Selected: strings.EqualFold(s, q.Severity)})
	}
	for _, s := range []string{"open", "resolved"} {
		v.Statuses = append(v.Statuses, option{Value: s, Label: s, Selected: s == q.Status})
	}
	if page > 1 {
		v.Newer = IndexPath + encode(q, page-1, v.Sig)
	}
	if page < pages {
		v.Older = IndexPath + encode(q, page+1, v.Sig)
	}
	for _, e := range shown {
		row := indexRow{IndexEntry: e, Severity: strings.ToUpper(e.Severity), Opened: e.Opened.In(loc).Format("2006-01-02 15:04 MST"), Retro: retroLabel(e, loc)}
		for _, t := range e.Teams {
			row.TeamNames = append(row.TeamNames, nameOr(names[t], t))
		}
		if e.Postmortem != "" {
			row.Link = p.link(e.Postmortem, "")
		}
		v.Rows = append(v.Rows, row)
	}
	p.render(w, "index.html", v)
}

// ServeIndexJSON serves GET /incidents/index.json: every entry that
// matches the filters (no pages), with the filters as read.
func (p *Pages) ServeIndexJSON(w http.ResponseWriter, r *http.Request) {
	q, _, matches, people, bad, err := p.index(r)
	switch {
	case err != nil:
		p.fail(w, err, "read the incidents for the index")
		return
	case bad != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad filter: " + bad.Error()})
		return
	}
	entries := p.entries(matches, people)
	writeJSON(w, http.StatusOK, struct {
		Filters   jsonFilters           `json:"filters"`
		Total     int                   `json:"total"`
		Incidents []incident.IndexEntry `json:"incidents"`
	}{jsonFilters{q.Team, q.Severity, q.From, q.To, q.Text, q.Status}, len(entries), entries})
}

type jsonFilters struct {
	Team     string       `json:"team,omitempty"`
	Severity string       `json:"severity,omitempty"`
	From     rituals.Date `json:"from,omitzero"`
	To       rituals.Date `json:"to,omitzero"`
	Text     string       `json:"q,omitempty"`
	Status   string       `json:"status,omitempty"`
}

// ServeActions serves GET /actions/: every action item, filtered by
// status (open, overdue, done), owner or team; as JSON when asked for
// (?format=json or Accept: application/json).
func (p *Pages) ServeActions(w http.ResponseWriter, r *http.Request) {
	q, bad := parseActionQuery(r.URL.Query(), p.Teams)
	if bad != nil {
		http.Error(w, "bad filter: "+bad.Error(), http.StatusBadRequest)
		return
	}
	items, err := p.Store.ActionItems("")
	if err != nil {
		p.fail(w, err, "read the action items")
		return
	}
	briefs, err := p.Store.IncidentBriefs("")
	if err != nil {
		p.fail(w, err, "read the incidents for the action items")
		return
	}
	names := p.directory(r.Context()).displayNames()
	titles := make(map[int]string, len(briefs))
	for _, b := range briefs {
		titles[b.Number] = incident.ShowMentions(b.Title, names)
	}
	entries := incident.ActionIndex(items, q, titles, rituals.DateOf(p.Clock.Now().In(p.loc())))
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		if entries == nil {
			entries = []incident.ActionEntry{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"total": len(entries), "actions": entries})
		return
	}
	v := actionsView{Action: ActionsPath, Sig: p.sig(ActionsPath), Total: len(entries), Index: p.link(IndexPath, ""), Owner: q.Owner}
	for _, s := range []string{"open", "overdue", "done"} {
		v.Statuses = append(v.Statuses, option{Value: s, Label: s, Selected: s == q.Status})
	}
	for _, t := range p.Teams {
		v.Teams = append(v.Teams, option{Value: t.ID, Label: t.Name, Selected: t.ID == q.Team})
	}
	for _, e := range entries {
		row := actionRow{ActionEntry: e, OwnerName: "@" + nameOr(names[e.Owner], e.Owner), Due: "—"}
		if !e.Due.IsZero() {
			row.Due = e.Due.String()
		}
		if !e.Closed.IsZero() {
			row.Closed = e.Closed.In(p.loc()).Format("2006-01-02")
		}
		v.Rows = append(v.Rows, row)
	}
	p.render(w, "actions.html", v)
}

func (p *Pages) render(w http.ResponseWriter, name string, v any) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, v); err != nil {
		p.fail(w, err, "render "+name)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// A page of the record is read, never framed or scripted.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(b.String()))
}

func (p *Pages) fail(w http.ResponseWriter, err error, what string) {
	p.Log.Error().Err(err).Msg(what)
	http.Error(w, "could not "+what, http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func dateValue(d rituals.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// retroLabel says where an incident's retro stands.
func retroLabel(e incident.IndexEntry, loc *time.Location) string {
	switch e.Retro {
	case incident.RetroPublished:
		return "postmortem published"
	case incident.RetroOpen:
		return "after the resolve"
	case incident.RetroScheduled:
		return "prompt " + e.RetroDue.In(loc).Format("Mon 2 Jan 15:04")
	case incident.RetroDueState:
		return "awaiting the postmortem"
	}
	return "none"
}

type option struct {
	Value, Label string
	Selected     bool
}

type indexView struct {
	Action, Sig                 string
	Query                       incident.IndexQuery
	From, To                    string
	Teams, Severities, Statuses []option
	Total, First, Last          int
	Page, Pages                 int
	Newer, Older, JSON, Actions string
	Rows                        []indexRow
}

type indexRow struct {
	incident.IndexEntry
	Severity, Opened, Retro, Link string
	TeamNames                     []string
}

type actionsView struct {
	Action, Sig, Index, Owner string
	Statuses, Teams           []option
	Total                     int
	Rows                      []actionRow
}

type actionRow struct {
	incident.ActionEntry
	OwnerName, Due, Closed string
}
