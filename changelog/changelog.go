// Package changelog serves the release notes on the web: GET /releases/
// as an HTML page and GET /releases/feed.xml as an Atom feed, both from
// the deploys the release rituals announce.
package changelog

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/release"
)

// maxEntries bounds the deploys a page or feed lists.
const maxEntries = 200

// Entry is one deploy as the page and the feed show it.
type Entry struct {
	ID, Anchor    string
	Service       string
	Environment   string
	Version       string
	Deployer      string
	Failed        bool
	Finished      time.Time
	Duration      string
	URL           string
	Groups        []Group
	Unlisted      int
	CommitsListed int
}

// Group is a group of changes (features, fixes, other).
type Group struct {
	Name    string
	Changes []release.Change
}

// Entries are the announced deploys of [since, now), newest first, at
// most maxEntries.
func Entries(set *release.Set, since, now time.Time) ([]Entry, error) {
	deploys, err := set.History("", since, now)
	if err != nil {
		return nil, err
	}
	slices.Reverse(deploys)
	if len(deploys) > maxEntries {
		deploys = deploys[:maxEntries]
	}
	out := make([]Entry, 0, len(deploys))
	for _, d := range deploys {
		e := Entry{ID: d.ID, Anchor: anchor(d.ID), Service: d.Service, Environment: d.Environment, Version: d.Version,
			Deployer: d.Deployer, Failed: d.Failed(), Finished: d.Finished, Duration: rituals.FormatSpan(d.Finished.Sub(d.Started)),
			URL: safeURL(d.URL), CommitsListed: len(d.Commits)}
		if e.Version == "" && len(d.SHA) > 7 {
			e.Version = d.SHA[:7]
		} else if e.Version == "" {
			e.Version = d.SHA
		}
		if d.CommitsTotal > len(d.Commits) {
			e.Unlisted = d.CommitsTotal - len(d.Commits)
		}
		groups := release.Grouped([]rituals.Deploy{d})
		for _, g := range []string{release.GroupFeatures, release.GroupFixes, release.GroupOther} {
			if len(groups[g]) > 0 {
				for i := range groups[g] {
					groups[g][i].URL = safeURL(groups[g][i].URL)
				}
				e.Groups = append(e.Groups, Group{Name: g, Changes: groups[g]})
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// anchor is an HTML id for a deploy's ID.
func anchor(id string) string {
	return "d-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, id)
}

// safeURL keeps http(s) links only.
func safeURL(u string) string {
	if _, ok := rituals.Link(u, ""); ok {
		return u
	}
	return ""
}

// Handler serves /releases/ and /releases/feed.xml. base is the bot's
// public URL ("" if none: the feed's links are then relative).
func Handler(set *release.Set, clock rituals.Clock, base string, log zerolog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /releases/{$}", func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		since, ok := sinceOf(r, set, now)
		if !ok {
			http.Error(w, "since: give a date (2026-11-23) or a span (7d, 2w)", http.StatusBadRequest)
			return
		}
		entries, err := Entries(set, since, now)
		if err != nil {
			log.Error().Err(err).Msg("read releases")
			http.Error(w, "could not read the releases", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		if err := page.Execute(w, map[string]any{"Entries": entries, "Since": since.UTC().Format("Mon 2 Jan 2006")}); err != nil {
			log.Error().Err(err).Msg("render releases page")
		}
	})
	mux.HandleFunc("GET /releases/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		entries, err := Entries(set, now.Add(-30*24*time.Hour), now)
		if err != nil {
			log.Error().Err(err).Msg("read releases")
			http.Error(w, "could not read the releases", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		if err := Feed(entries, base, now).WriteAtom(w); err != nil {
			log.Error().Err(err).Msg("render releases feed")
		}
	})
	return mux
}

func sinceOf(r *http.Request, set *release.Set, now time.Time) (time.Time, bool) {
	s := r.URL.Query().Get("since")
	if s == "" {
		return now.Add(-30 * 24 * time.Hour), true
	}
	loc := time.UTC
	if len(set.List) > 0 {
		loc = set.List[0].Location()
	}
	return release.ParseSince(s, now, loc)
}

// Feed is the Atom feed of entries: one entry per deploy, its changes as
// the entry's HTML content. gorilla/feeds writes the XML: Atom's ids,
// dates and escaped content are easy to get subtly wrong by hand.
func Feed(entries []Entry, base string, now time.Time) *feeds.Feed {
	base = strings.TrimRight(base, "/")
	f := &feeds.Feed{Title: "Releases", Link: &feeds.Link{Href: base + "/releases/"}, Id: base + "/releases/feed.xml",
		Description: "What was deployed, and what changed", Updated: now}
	if len(entries) > 0 {
		f.Updated = entries[0].Finished
	}
	for _, e := range entries {
		var content strings.Builder
		if err := entryHTML.Execute(&content, e); err != nil {
			continue
		}
		title := fmt.Sprintf("%s %s to %s", e.Service, e.Version, e.Environment)
		if e.Failed {
			title += " (failed)"
		}
		item := &feeds.Item{Title: title, Link: &feeds.Link{Href: base + "/releases/#" + e.Anchor},
			Id: "tag:ritualbot," + e.Finished.UTC().Format("2006-01-02") + ":" + e.Anchor, Updated: e.Finished, Created: e.Finished,
			Content: content.String()}
		if e.Deployer != "" {
			item.Author = &feeds.Author{Name: e.Deployer}
		}
		f.Add(item)
	}
	return f
}

// entry is one deploy's HTML, for the page and the feed alike.
const entry = `{{define "entry"}}<h2 id="{{.Anchor}}">{{.Service}} {{.Version}} to {{.Environment}}{{if .Failed}} <span class="failed">failed</span>{{end}}</h2>
<p class="meta">{{.Finished.UTC.Format "Mon 2 Jan 2006 15:04 MST"}} · took {{.Duration}}{{if .Deployer}} · by {{.Deployer}}{{end}}{{if .URL}} · <a href="{{.URL}}">the deploy</a>{{end}}</p>
{{range .Groups}}<h3>{{.Name}} ({{len .Changes}})</h3>
<ul>{{range .Changes}}<li>{{if .Scope}}<b>{{.Scope}}:</b> {{end}}{{.Title}}{{if .URL}} (<a href="{{.URL}}">{{slice .SHA 0 (min7 .SHA)}}</a>){{end}}{{if .Author}} — {{.Author}}{{end}}</li>
{{end}}</ul>
{{end}}{{if .Unlisted}}<p>and {{.Unlisted}} more commits not listed</p>{{end}}{{end}}`

var funcs = template.FuncMap{"min7": func(s string) int { return min(len(s), 7) }}

var (
	entryHTML = template.Must(template.New("one").Funcs(funcs).Parse(entry + `{{template "entry" .}}`))
	page      = template.Must(template.New("page").Funcs(funcs).Parse(entry + `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Releases</title>
<link rel="alternate" type="application/atom+xml" title="Releases" href="feed.xml">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}.meta{color:#666}.failed{color:#b00}</style></head>
<body><h1>Releases</h1><p>Deploys since {{.Since}}. <a href="feed.xml">Atom feed</a>.</p>
{{range .Entries}}{{template "entry" .}}{{else}}<p>Nothing was deployed.</p>{{end}}
</body></html>
`))
)
