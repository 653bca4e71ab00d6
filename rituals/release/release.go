package release

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Modes of a release ritual.
const (
	ModeEach  = "each"  // a note per deploy, as it is reported
	ModeBatch = "batch" // one note of the deploys since the last, at schedule
)

// Settings are what a release ritual is configured with.
type Settings struct {
	Teams    []string // the teams whose services it announces
	Services []string // services named directly
	// Environments it announces, lower case; production by default.
	Environments   []string
	Mode           string
	IncludeCommits bool
	NotifyFailed   bool
}

// SettingsOf returns rc's release settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}

// Release is the release ritual: it announces the deploys of its services
// in its channel, a note per deploy or per batch, and replies in a note's
// thread when an incident follows the deploy.
type Release struct {
	Config   *rituals.RitualConfig
	Settings *Settings
	Team     *rituals.Team // the ritual's team, nil if it has none
	// Services maps each service it announces (lower case) to the teams
	// that own it (none for a service named directly).
	Services map[string][]string
	Deploys  rituals.DeployHistory
	// Incidents, if set, is read for incidents that follow a deploy
	// within FailureWindow (it provides nil while none is configured).
	Incidents     func() rituals.IncidentLog
	FailureWindow time.Duration
	Pages         rituals.Pages
	Outbox        rituals.Outbox
	Clock         rituals.Clock
}

// Channel is where the ritual posts: its own channel, else its team's.
func (r *Release) Channel() string {
	if r.Config.Channel != "" || r.Team == nil {
		return r.Config.Channel
	}
	return r.Team.Channel
}

// Location is the ritual's zone, for the fallback text of dates.
func (r *Release) Location() *time.Location {
	if r.Config.Schedule != nil && r.Config.Schedule.Location != nil {
		return r.Config.Schedule.Location
	}
	return time.UTC
}

// Covers reports whether the ritual announces d.
func (r *Release) Covers(d rituals.Deploy) bool {
	if _, ok := r.Services[strings.ToLower(d.Service)]; !ok {
		return false
	}
	return d.Environment == GitHubRelease || slices.Contains(r.Settings.Environments, strings.ToLower(d.Environment))
}

// GitHubRelease is the environment of a published GitHub release (the
// deploy log's): every release ritual of its repository announces it.
const GitHubRelease = "release"

// NoteKey is the key of the note that announces deploy id.
func (r *Release) NoteKey(id string) string { return "release/" + r.Config.Name + "/" + id }

// Announce posts what a deploy reported just now says in `each` mode: its
// note, or the failure line. Keys make a redelivery say nothing twice.
func (r *Release) Announce(ctx context.Context, d rituals.Deploy) error {
	if r.Settings.Mode != ModeEach || !r.Covers(d) {
		return nil
	}
	msg := rituals.Message{Key: r.NoteKey(d.ID), To: r.Channel()}
	if d.Failed() {
		if !r.Settings.NotifyFailed {
			return nil
		}
		msg.Key += "/failed"
		msg.Text = FailureLine(d, r.Location())
		msg.Blocks = []rituals.Block{rituals.Section(msg.Text)}
	} else {
		msg.Text, msg.Blocks = Note(d, r.Location(), r.Settings.IncludeCommits)
	}
	return r.Outbox.Send(ctx, msg)
}

// Jobs returns the batch note's job (batch mode) and the hourly look for
// incidents that followed a deploy.
func (r *Release) Jobs() []rituals.Job {
	var jobs []rituals.Job
	if r.Settings.Mode == ModeBatch && r.Config.Schedule != nil {
		jobs = append(jobs, rituals.Job{Name: r.Config.Name, Ritual: r.Config.Name, Schedule: r.Config.Schedule,
			Run: func(ctx context.Context, at time.Time) error {
				msgs, err := r.Batch(at)
				if err != nil || len(msgs) == 0 {
					return err
				}
				return r.Outbox.Send(ctx, msgs...)
			}})
	}
	if r.Incidents != nil {
		// A watch, not an occurrence anyone waits for: it runs as the
		// bot's housekeeping ("ritualbot"), which lists of upcoming
		// rituals leave out.
		jobs = append(jobs, rituals.Job{Name: r.Config.Name + "/incidents", Ritual: "ritualbot",
			Schedule: rituals.MustParseSchedule("0 * * * *", r.Location()),
			Run: func(ctx context.Context, at time.Time) error {
				msgs, err := r.IncidentReplies(at)
				if err != nil || len(msgs) == 0 {
					return err
				}
				return r.Outbox.Send(ctx, msgs...)
			}})
	}
	return jobs
}

// covered returns the deploys of [from, to) the ritual announces.
func (r *Release) covered(from, to time.Time) ([]rituals.Deploy, error) {
	all, err := r.Deploys(from, to)
	if err != nil {
		return nil, fmt.Errorf("release %s: deploys: %w", r.Config.Name, err)
	}
	out := make([]rituals.Deploy, 0, len(all))
	for _, d := range all {
		if r.Covers(d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// previous is the batch occurrence before at, or a day before at if the
// schedule has none in the month before.
func (r *Release) previous(at time.Time) time.Time {
	prev := time.Time{}
	for t := at.AddDate(0, 0, -32); ; {
		n := r.Config.Schedule.Next(t)
		if n.IsZero() || !n.Before(at) {
			break
		}
		prev, t = n, n
	}
	if prev.IsZero() {
		return at.Add(-24 * time.Hour)
	}
	return prev
}

// Batch is the batch note of the occurrence at `at`: the deploys since the
// previous occurrence, and with NotifyFailed the failed ones too. Nothing
// deployed, nothing posted.
func (r *Release) Batch(at time.Time) ([]rituals.Message, error) {
	deploys, err := r.covered(r.previous(at), at)
	if err != nil {
		return nil, err
	}
	if !r.Settings.NotifyFailed {
		deploys = slices.DeleteFunc(deploys, func(d rituals.Deploy) bool { return d.Failed() })
	}
	if len(deploys) == 0 {
		return nil, nil
	}
	title := "Released since " + r.previous(at).In(r.Location()).Format("Mon 2 Jan 15:04")
	text, blocks := Changelog(title, deploys, r.Location(), r.Settings.IncludeCommits)
	return []rituals.Message{{Key: rituals.OccurrenceKey(r.Config.Name, at), To: r.Channel(), Text: text, Blocks: blocks}}, nil
}

// threadOf is the key of the message that announced d: its note in each
// mode, the batch that held it in batch mode; "" while not yet posted.
func (r *Release) threadOf(d rituals.Deploy, now time.Time) string {
	if r.Settings.Mode == ModeEach {
		return r.NoteKey(d.ID)
	}
	at := r.Config.Schedule.Next(d.Finished)
	if at.IsZero() || at.After(now) {
		return ""
	}
	return rituals.OccurrenceKey(r.Config.Name, at)
}

// lookBack is how far back the hourly look reads incidents: past a
// missed hour and a batch that posts a day after its deploys.
const lookBack = 48 * time.Hour

// IncidentReplies are the replies, in release notes' threads, to the
// incidents opened within FailureWindow after a deploy of a service of
// one of their teams. Keys make each said once.
func (r *Release) IncidentReplies(now time.Time) ([]rituals.Message, error) {
	log := rituals.Linked(r.Incidents)
	if log == nil {
		return nil, nil
	}
	teams := map[string]bool{}
	for _, ts := range r.Services {
		for _, t := range ts {
			teams[t] = true
		}
	}
	seen := map[int]bool{}
	var incidents []rituals.IncidentBrief
	for _, t := range slices.Sorted(maps.Keys(teams)) {
		list, err := log.IncidentsBetween(t, now.Add(-lookBack), now)
		if err != nil {
			return nil, fmt.Errorf("release %s: incidents of %s: %w", r.Config.Name, t, err)
		}
		for _, in := range list {
			if !seen[in.Number] {
				seen[in.Number] = true
				incidents = append(incidents, in)
			}
		}
	}
	if len(incidents) == 0 {
		return nil, nil
	}
	deploys, err := r.covered(now.Add(-lookBack-r.FailureWindow), now)
	if err != nil {
		return nil, err
	}
	var out []rituals.Message
	for _, in := range incidents {
		for _, d := range deploys {
			if d.Failed() || d.Finished.After(in.Opened) || in.Opened.Sub(d.Finished) > r.FailureWindow || !r.shares(d, in) {
				continue
			}
			thread := r.threadOf(d, now)
			if thread == "" {
				continue
			}
			text := fmt.Sprintf(":rotating_light: Incident #%d, *%s*, was opened %s after this deploy of *%s* %s.",
				in.Number, rituals.Inert(rituals.OneLine(in.Title, 150)), rituals.FormatSpan(in.Opened.Sub(d.Finished)),
				rituals.Inert(d.Service), rituals.Inert(versionOf(d)))
			if u := r.Pages.URL(rituals.PostmortemPath(in.Number)); u != "" {
				if l, ok := rituals.Link(u, "the incident's record"); ok {
					text += " See " + l + "."
				}
			}
			out = append(out, rituals.Message{Key: fmt.Sprintf("%s/incident/%d/%s", r.NoteKey(d.ID), in.Number, thread),
				To: r.Channel(), ThreadKey: thread, Text: text, Blocks: []rituals.Block{rituals.Section(text)}})
		}
	}
	return out, nil
}

// shares reports whether the deploy's service belongs to one of the
// incident's teams.
func (r *Release) shares(d rituals.Deploy, in rituals.IncidentBrief) bool {
	for _, t := range r.Services[strings.ToLower(d.Service)] {
		if slices.Contains(in.Teams, t) {
			return true
		}
	}
	return false
}

// Set is every release ritual, and what they share: the announcement of
// a reported deploy and the one log line for a service nobody announces.
type Set struct {
	List []*Release
	// Unknown is told, once per service, of a deploy of a service no
	// release ritual announces.
	Unknown func(service string)

	mu      sync.Mutex
	unknown map[string]bool
}

// Announce hands a deploy just reported to every ritual that announces it.
func (s *Set) Announce(ctx context.Context, d rituals.Deploy) error {
	known := false
	for _, r := range s.List {
		if _, ok := r.Services[strings.ToLower(d.Service)]; ok {
			known = true
		}
		if err := r.Announce(ctx, d); err != nil {
			return err
		}
	}
	if !known && s.Unknown != nil {
		s.mu.Lock()
		first := !s.unknown[strings.ToLower(d.Service)]
		if s.unknown == nil {
			s.unknown = map[string]bool{}
		}
		s.unknown[strings.ToLower(d.Service)] = true
		s.mu.Unlock()
		if first {
			s.Unknown(d.Service)
		}
	}
	return nil
}

// Covers reports whether any ritual announces d.
func (s *Set) Covers(d rituals.Deploy) bool {
	return slices.ContainsFunc(s.List, func(r *Release) bool { return r.Covers(d) })
}

// Services lists the services the rituals announce, sorted.
func (s *Set) Services() []string {
	seen := map[string]bool{}
	for _, r := range s.List {
		for k := range r.Services {
			seen[k] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// History is the deploys of [from, to) any ritual announces, of service
// (any, if ""), newest last, in a slice of the caller's own.
func (s *Set) History(service string, from, to time.Time) ([]rituals.Deploy, error) {
	out, own, err := s.announced(service, from, to)
	if err != nil || own {
		return out, err
	}
	return slices.Clone(out), nil
}

// announced is History, shared with the deploy history (own false) when
// every deploy of it is announced: the common case of /release notes,
// which only reads them.
func (s *Set) announced(service string, from, to time.Time) (deploys []rituals.Deploy, own bool, err error) {
	if len(s.List) == 0 {
		return nil, true, nil
	}
	all, err := s.List[0].Deploys(from, to)
	if err != nil {
		return nil, false, fmt.Errorf("release history: %w", err)
	}
	keep := func(d rituals.Deploy) bool {
		return (service == "" || strings.EqualFold(d.Service, service)) && s.Covers(d)
	}
	n := 0
	for _, d := range all {
		if keep(d) {
			n++
		}
	}
	if n == len(all) {
		return all, false, nil
	}
	out := make([]rituals.Deploy, 0, n)
	for _, d := range all {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out, true, nil
}
