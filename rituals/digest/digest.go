package digest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Settings are what a digest ritual is configured with.
type Settings struct {
	// Teams are the IDs of the teams it reports on, in order.
	Teams []string
	// Window is how far each digest looks back (7d weekly, 28d for the
	// monthly operations review); figures compare with the window before.
	Window time.Duration
	// FailureWindow is how long after a production deploy an incident is
	// blamed on it (change failure rate).
	FailureWindow time.Duration
}

// TrendWindows is how many windows the trend chart shows.
const TrendWindows = 8

// cadenceWeeks is the history deployment cadence is judged on.
const cadenceWeeks = 12

// restoreLookback is how long before the window an incident restored in
// the window may have opened and still count in time to restore.
const restoreLookback = 120 * 24 * time.Hour

// DigestStore is what the digest reads and keeps.
type DigestStore interface {
	// DeploysBetween returns the deploys finished in [from, to), each
	// once, in order of finishing. What it returns may be shared:
	// callers do not change it.
	DeploysBetween(from, to time.Time) ([]rituals.Deploy, error)
	NoteStore
}

// ChartRenderer draws the trend chart as a PNG.
type ChartRenderer func(t Trend) ([]byte, error)

// Digest is the stakeholder digest: per team a handful of figures with
// their change against the window before, the leads' highlights and
// risks, and a trend chart.
type Digest struct {
	Config   *rituals.RitualConfig
	Settings *Settings
	// Teams are the teams reported on; AllTeams every team of the config,
	// to tell which deploys no team owns.
	Teams    []*rituals.Team
	AllTeams []*rituals.Team
	Outbox   rituals.Outbox
	Store    DigestStore
	Clock    rituals.Clock
	// The other rituals, read at run time: a func or its result may be
	// nil, and the digest then leaves out what it would have said.
	Standups  func() rituals.StandupLog
	OnCall    func() rituals.OnCallSchedule
	Incidents func() rituals.IncidentLog
	Pulses    func() rituals.PulseTrends
	// Demos is the show-and-tells' demos (nil: none is configured).
	Demos func() rituals.DemoLog
	// Onboardings is the newcomers' onboardings (nil: none is configured).
	Onboardings func() rituals.OnboardingLog
	// Chart, if set, draws the trend chart sent with the digest.
	Chart ChartRenderer
	// Pages links to postmortems (no links without a public URL).
	Pages    rituals.Pages
	Holidays rituals.Holidays
	// Feedback, if set, keeps what readers say with the buttons every
	// posted digest carries, and the leads get it weekly.
	Feedback FeedbackStore
}

// Name is the ritual's name.
func (d *Digest) Name() string { return d.Config.Name }

// Location is the zone the digest reads days and hours in.
func (d *Digest) Location() *time.Location { return d.Config.Schedule.Location }

// Channel is where the digest is posted.
func (d *Digest) Channel() string {
	if d.Config.Channel != "" {
		return d.Config.Channel
	}
	for _, t := range d.Teams {
		if t.ID == d.Config.Team {
			return t.Channel
		}
	}
	if len(d.Teams) > 0 {
		return d.Teams[0].Channel
	}
	return ""
}

// Covers reports whether the digest reports on team.
func (d *Digest) Covers(team string) bool {
	for _, t := range d.Teams {
		if t.ID == team {
			return true
		}
	}
	return false
}

// Jobs returns the digest's job and, with Feedback, its weekly feedback
// summary.
func (d *Digest) Jobs() []rituals.Job {
	jobs := []rituals.Job{{
		Name: d.Config.Name, Ritual: d.Config.Name, Schedule: d.Config.Schedule,
		Run: d.Post,
	}}
	if d.Feedback != nil {
		if j, err := d.FeedbackJob(); err == nil {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// Post computes the digest of the window ending at `at`, sends it (with
// the trend chart) to the channel, and archives the highlights and risks
// it showed. The message keys come from the occurrence, so a re-run posts
// nothing twice.
func (d *Digest) Post(ctx context.Context, at time.Time) error {
	report, err := d.Report(ctx, at)
	if err != nil {
		return err
	}
	key := rituals.OccurrenceKey(d.Config.Name, at)
	msgs := report.Messages(key, d.Channel())
	if d.Feedback != nil {
		msgs[0].Blocks = append(msgs[0].Blocks, FeedbackButtons(d.Config.Name, at))
	}
	var chartErr error
	if d.Chart != nil {
		png, err := d.Chart(report.Trend)
		if err != nil {
			chartErr = fmt.Errorf("digest %s: draw the trend chart: %w", d.Config.Name, err)
		} else {
			msgs = append(msgs, report.ChartMessage(key, d.Channel(), png))
		}
	}
	if err := d.Outbox.Send(ctx, msgs...); err != nil {
		return fmt.Errorf("digest %s: send: %w", d.Config.Name, err)
	}
	var shown []string
	for _, t := range report.Teams {
		for _, n := range append(append([]DigestNote(nil), t.Highlights...), t.Risks...) {
			if n.Archived.IsZero() {
				shown = append(shown, n.ID)
			}
		}
	}
	if len(shown) > 0 {
		if err := d.Store.ArchiveNotes(shown, key, d.Clock.Now()); err != nil {
			return errors.Join(chartErr, fmt.Errorf("digest %s: archive notes: %w", d.Config.Name, err))
		}
	}
	return errors.Join(chartErr, report.Err())
}

// Preview returns the digest's main message as it would be posted at now.
// It leaves out the trend, which only the chart shows.
func (d *Digest) Preview(ctx context.Context, now time.Time) (rituals.Message, error) {
	report, err := d.report(ctx, now, false)
	if err != nil {
		return rituals.Message{}, err
	}
	msgs := report.Messages(rituals.OccurrenceKey(d.Config.Name, now), d.Channel())
	return msgs[0], nil
}

// DigestReport is one digest's figures.
type DigestReport struct {
	Ritual   string
	Title    string
	Window   Window
	Previous Window
	Location *time.Location
	Teams    []*TeamDigest
	// Unowned counts deploys in the window of services no team lists.
	Unowned map[string]int
	Trend   Trend
	// Pages links to postmortems.
	Pages    rituals.Pages
	problems []error
}

// Err joins what could not be read (the digest went out without it).
func (r *DigestReport) Err() error { return errors.Join(r.problems...) }

// Period holds one team's figures for one window.
type Period struct {
	Window         Window
	Deploys        int // successful production deploys
	FailedDeploys  int
	PerDay         float64
	LeadTime       time.Duration
	Changes        int // commits whose lead time is known
	ChangeFailures int
	TimeToRestore  time.Duration
	Restored       int
	Incidents      int
	BySeverity     map[string]int
	Alerts         int
	OutOfHours     int
	Participation  rituals.Participation
	ActionsOpened  int
	ActionsClosed  int
	ActionsOpen    int // at the window's end
	ActionsOverdue int // at the window's end
	RetrosDone     int
	RetrosOverdue  int // at the window's end
	// Shifts counts the scheduled shifts (handoff periods) overlapping the
	// window, however many pieces overrides cut them into.
	Shifts int
	// Load is each person's share of those shifts by time covered within
	// the window, overrides attributed to whoever covered; Overridden
	// says whether any override did.
	Load       map[string]float64
	Overridden bool
}

// StandupRate is the share of expected standups answered, skips counting
// like days away; ok is false when none were expected.
func (p Period) StandupRate() (rate float64, ok bool) {
	asked := p.Participation.Expected - p.Participation.Skipped
	if asked <= 0 {
		return 0, false
	}
	return float64(p.Participation.Answered) / float64(asked), true
}

// FailureRate is change failure rate; ok is false without deploys.
func (p Period) FailureRate() (rate float64, ok bool) {
	if p.Deploys == 0 {
		return 0, false
	}
	return float64(p.ChangeFailures) / float64(p.Deploys), true
}

// IncidentsPerShift is on-call load; ok is false without shifts.
func (p Period) IncidentsPerShift() (float64, bool) {
	if p.Shifts == 0 {
		return 0, false
	}
	return float64(p.Incidents) / float64(p.Shifts), true
}

// TeamDigest is one team's part of the digest.
type TeamDigest struct {
	Team   *rituals.Team
	Drills []rituals.DrillBrief // in the window: practice, not incidents
	Demos  []rituals.DemoBrief  // shown at a show-and-tell in the window
	// Onboardings in progress at the window's end or completed in it.
	Onboardings []rituals.OnboardingBrief
	Now         Period
	Prev        Period
	Cadence     string
	// What the team's sources said; Has* is false when a source is not
	// configured (its figures are then left out).
	HasDeploys   bool // the team lists services
	HasStandups  bool
	HasIncidents bool
	HasOnCall    bool
	Blockers     []rituals.Blocker       // open, oldest first
	Incidents    []rituals.IncidentBrief // opened in the window
	Postmortems  []rituals.IncidentBrief // retros published in the window
	Highlights   []DigestNote
	Risks        []DigestNote
	// Pulse is the team-health pulse's trend per question, published
	// pulses only.
	Pulse []rituals.PulseTrend
}

// Report computes the digest of the window ending at end.
func (d *Digest) Report(ctx context.Context, end time.Time) (*DigestReport, error) {
	return d.report(ctx, end, true)
}

// report computes the digest of the window ending at end, and the trend
// of the windows before it if withTrend. Every figure of the message is
// the same either way: the trend only adds the chart's series.
func (d *Digest) report(ctx context.Context, end time.Time, withTrend bool) (*DigestReport, error) {
	length := d.Settings.Window
	w := WindowEnding(end, length)
	r := &DigestReport{
		Ritual: d.Config.Name, Title: digestTitle(length), Window: w, Previous: w.Previous(),
		Location: d.Location(), Unowned: map[string]int{}, Pages: d.Pages,
	}
	// One read of the deploys serves every team, the chart and the
	// cadence; the window before the oldest one tells which commits were
	// shipped already.
	back := time.Duration(TrendWindows+1) * length
	if c := cadenceWeeks*7*24*time.Hour + length; c > back {
		back = c
	}
	deploys, err := d.Store.DeploysBetween(end.Add(-back), end)
	if err != nil {
		return nil, fmt.Errorf("digest %s: read deploys: %w", d.Config.Name, err)
	}
	history := HistoryWeeks(deploys, end)
	owners := TeamServices(d.AllTeams)
	byTeam := map[string][]*rituals.Deploy{} // pointing to the store's deploys, which are shared
	for i := range deploys {
		dep := &deploys[i]
		if !IsProduction(dep.Environment) {
			continue
		}
		teams := owners[strings.ToLower(dep.Service)]
		if len(teams) == 0 && w.Contains(dep.Finished) {
			r.Unowned[dep.Service]++
		}
		for _, t := range teams {
			byTeam[t] = append(byTeam[t], dep)
		}
	}
	standups, oncall, incidents := rituals.Linked(d.Standups), rituals.Linked(d.OnCall), rituals.Linked(d.Incidents)
	windows := r.trendWindows()
	// The figures read the standups of the window and the one before; the
	// trend, of every window it shows.
	read := windows[len(windows)-2:]
	if withTrend {
		read = windows
		r.Trend = Trend{
			Title:         d.trendTitle(),
			HasIncidents:  incidents != nil,
			HasStandups:   standups != nil,
			Deploys:       make([]float64, TrendWindows),
			Incidents:     make([]float64, TrendWindows),
			Participation: make([]float64, TrendWindows),
		}
		for _, tw := range windows {
			r.Trend.Labels = append(r.Trend.Labels, tw.To.In(d.Location()).Format("2 Jan"))
		}
	}
	answered := make([]int, len(read))
	asked := make([]int, len(read))
	seenIncident := map[int]bool{}
	for _, team := range d.Teams {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		td := &TeamDigest{Team: team, HasDeploys: len(team.Services) > 0}
		td.Now.Window, td.Prev.Window = w, r.Previous
		dep := byTeam[team.ID] // production only, each once, in order (DeploysBetween)
		td.Cadence = cadence(dep, end.Add(-time.Duration(history)*7*24*time.Hour), end, history, d.Location())
		var teamIncidents []rituals.IncidentBrief
		if incidents != nil {
			from := windows[0].From
			if f := r.Previous.From.Add(-restoreLookback); f.Before(from) {
				from = f
			}
			list, err := incidents.IncidentsBetween(team.ID, from, end)
			if err != nil {
				r.problems = append(r.problems, fmt.Errorf("incidents of %s: %w", team.ID, err))
			} else {
				td.HasIncidents = true
				teamIncidents = rituals.UniqueIncidents(list)
				actions, err := incidents.Actions(team.ID)
				if err != nil {
					r.problems = append(r.problems, fmt.Errorf("action items of %s: %w", team.ID, err))
				}
				d.incidentFigures(td, teamIncidents, actions)
			}
		}
		d.deployFigures(td, dep, teamIncidents)
		if standups != nil {
			if err := d.standupFigures(td, standups, read, answered, asked); err != nil {
				r.problems = append(r.problems, err)
			}
		}
		if oncall != nil {
			if err := d.onCallFigures(td, oncall); err != nil {
				r.problems = append(r.problems, err)
			}
		}
		if demos := rituals.Linked(d.Demos); demos != nil {
			if err := demoFigures(td, demos); err != nil {
				r.problems = append(r.problems, err)
			}
		}
		if obs := rituals.Linked(d.Onboardings); obs != nil {
			if err := onboardingFigures(td, obs); err != nil {
				r.problems = append(r.problems, err)
			}
		}
		if err := d.notes(td, w); err != nil {
			r.problems = append(r.problems, err)
		}
		if pulses := rituals.Linked(d.Pulses); pulses != nil {
			if td.Pulse, err = pulses(team.ID, end); err != nil {
				r.problems = append(r.problems, fmt.Errorf("pulse of %s: %w", team.ID, err))
			}
		}
		if withTrend {
			for i, tw := range windows {
				ok, _ := countDeploys(dep, tw)
				r.Trend.Deploys[i] += float64(ok)
				for _, in := range teamIncidents {
					if tw.Contains(in.Opened) && !seenIncident[in.Number] {
						r.Trend.Incidents[i]++
					}
				}
			}
			for _, in := range teamIncidents {
				seenIncident[in.Number] = true
			}
		}
		r.Teams = append(r.Teams, td)
	}
	if withTrend {
		for i := range windows {
			r.Trend.Participation[i] = math.NaN()
			if asked[i] > 0 {
				r.Trend.Participation[i] = 100 * float64(answered[i]) / float64(asked[i])
			}
		}
	}
	return r, nil
}

// trendWindows are the chart's windows, oldest first, the last being the
// digest's own.
func (r *DigestReport) trendWindows() []Window {
	out := make([]Window, TrendWindows)
	w := r.Window
	for i := TrendWindows - 1; i >= 0; i-- {
		out[i] = w
		w = w.Previous()
	}
	return out
}

func (d *Digest) trendTitle() string {
	var names []string
	for _, t := range d.Teams {
		names = append(names, t.Name)
	}
	if len(names) > 3 {
		return fmt.Sprintf("%d teams", len(names))
	}
	return strings.Join(names, ", ")
}

// deployFigures fills the DORA keys that come from deploys (sorted
// production deploys, unique incidents).
func (d *Digest) deployFigures(td *TeamDigest, deploys []*rituals.Deploy, incidents []rituals.IncidentBrief) {
	caused := attribute(deploys, incidents, d.Settings.FailureWindow)
	for _, p := range []*Period{&td.Now, &td.Prev} {
		p.Deploys, p.FailedDeploys = countDeploys(deploys, p.Window)
		p.PerDay = perDay(p.Deploys, p.Window)
		lead := leadTimes(deploys, p.Window)
		p.LeadTime, _ = MedianDuration(lead)
		p.Changes = len(lead)
		p.ChangeFailures, _ = changeFailures(deploys, caused, p.Window)
	}
}

// incidentFigures fills incidents, time to restore, retros and action items.
func (d *Digest) incidentFigures(td *TeamDigest, incidents []rituals.IncidentBrief, actions []rituals.ActionBrief) {
	loc := d.Location()
	for _, p := range []*Period{&td.Now, &td.Prev} {
		w := p.Window
		p.BySeverity = map[string]int{}
		for _, in := range incidents {
			if w.Contains(in.Opened) {
				p.Incidents++
				p.BySeverity[in.Severity]++
				p.Alerts += in.Alerts
				if OutOfHours(in.Opened, loc, d.Holidays) {
					p.OutOfHours++
				}
			}
			if !in.RetroPublished.IsZero() && w.Contains(in.RetroPublished) {
				p.RetrosDone++
			}
			if !in.RetroDue.IsZero() && in.RetroDue.Before(w.To) && (in.RetroPublished.IsZero() || !in.RetroPublished.Before(w.To)) {
				p.RetrosOverdue++
			}
		}
		p.TimeToRestore, p.Restored = TimeToRestore(incidents, w)
		endDay := rituals.DateOf(w.To.In(loc))
		for _, a := range actions {
			if w.Contains(a.Created) {
				p.ActionsOpened++
			}
			if a.Done() && w.Contains(a.Closed) {
				p.ActionsClosed++
			}
			openAtEnd := a.Created.Before(w.To) && (!a.Done() || !a.Closed.Before(w.To))
			if openAtEnd {
				p.ActionsOpen++
				if !a.Due.IsZero() && a.Due.Before(endDay) {
					p.ActionsOverdue++
				}
			}
		}
	}
	for _, in := range incidents {
		if td.Now.Window.Contains(in.Opened) {
			td.Incidents = append(td.Incidents, in)
		}
		if !in.RetroPublished.IsZero() && td.Now.Window.Contains(in.RetroPublished) {
			td.Postmortems = append(td.Postmortems, in)
		}
	}
}

// standupFigures fills participation (for both windows and the chart's)
// and open blockers.
func (d *Digest) standupFigures(td *TeamDigest, log rituals.StandupLog, windows []Window, answered, asked []int) error {
	var errs []error
	for i, w := range windows {
		p, err := log.Participation(td.Team.ID, w.From, w.To)
		if err != nil {
			errs = append(errs, fmt.Errorf("standup participation of %s: %w", td.Team.ID, err))
			break
		}
		answered[i] += p.Answered
		if n := p.Expected - p.Skipped; n > 0 {
			asked[i] += n
		}
		switch i {
		case len(windows) - 1:
			td.Now.Participation = p
		case len(windows) - 2:
			td.Prev.Participation = p
		}
	}
	blockers, err := log.OpenBlockers(td.Team.ID)
	if err != nil {
		errs = append(errs, fmt.Errorf("blockers of %s: %w", td.Team.ID, err))
	}
	sort.SliceStable(blockers, func(i, j int) bool { return blockers[i].Opened.Before(blockers[j].Opened) })
	td.Blockers = blockers
	if len(errs) == 0 {
		td.HasStandups = true
	}
	return errors.Join(errs...)
}

// notes reads the highlights and risks leads gave for the window.
func (d *Digest) notes(td *TeamDigest, w Window) error {
	notes, err := d.Store.Notes(td.Team.ID, w.From, w.To)
	if err != nil {
		return fmt.Errorf("highlights and risks of %s: %w", td.Team.ID, err)
	}
	for _, n := range notes {
		if n.Kind == NoteRisk {
			td.Risks = append(td.Risks, n)
		} else {
			td.Highlights = append(td.Highlights, n)
		}
	}
	return nil
}

// digestTitle names a digest after its window.
func digestTitle(window time.Duration) string {
	switch windowNoun(window) {
	case "week":
		return "Weekly digest"
	case "fortnight":
		return "Fortnightly digest"
	case "month":
		return "Monthly operations review"
	}
	return "Digest"
}

// Trend is what the chart shows: a value per window, oldest first.
type Trend struct {
	Title     string
	Labels    []string // each window's last day
	Deploys   []float64
	Incidents []float64
	// Participation is the share of standups answered, in percent; NaN
	// where no standup was held.
	Participation []float64
	HasIncidents  bool
	HasStandups   bool
}

// SettingsOf returns rc's digest settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}
