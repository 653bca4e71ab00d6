package digest

import (
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// The four DORA keys, as Google's Four Keys defines them (deployment
// frequency, lead time for changes, change failure rate, time to restore),
// without its known flaws:
//
//   - only production deploys count (Four Keys counted every environment);
//   - an incident reported several times (the same number from several
//     events or teams) counts once (duplicate rows inflated its failure rate);
//   - a commit's time comes from the deploy's own commit list when the
//     deploy system sends one, so a squash merge, whose single commit is as
//     new as the merge, does not hide how long the work waited; and a commit
//     is counted at the first deploy that shipped it, not again at each
//     redeploy or rollback.

// ProductionEnvironment is the one environment whose deploys count.
const ProductionEnvironment = "production"

// ReleaseEnvironment is where a published GitHub release is recorded: it
// is announced as a release, and is not a production deploy (DORA counts
// the deployment that ships it).
const ReleaseEnvironment = "release"

// IsProduction reports whether a deploy environment is production.
func IsProduction(env string) bool {
	return strings.EqualFold(strings.TrimSpace(env), ProductionEnvironment)
}

// Push is a push to a repository, as GitHub reports it: the commits it
// brought, with their times, and the head it left the branch at.
type Push struct {
	Repo     string
	Head     string // the SHA the branch points at after the push
	Commits  []rituals.Commit
	Received time.Time
}

// Window is the span [From, To).
type Window struct{ From, To time.Time }

// WindowEnding returns the window of length d that ends at end.
func WindowEnding(end time.Time, d time.Duration) Window { return Window{end.Add(-d), end} }

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// Length is the window's duration.
func (w Window) Length() time.Duration { return w.To.Sub(w.From) }

// Previous is the window of the same length just before w.
func (w Window) Previous() Window { return Window{w.From.Add(-w.Length()), w.From} }

// Days is the window's length in days.
func (w Window) Days() float64 { return w.Length().Hours() / 24 }

// uniqueDeploys drops repeated deploys (same ID), keeping the last seen,
// and returns them in order of finishing.
func uniqueDeploys(deploys []rituals.Deploy) []rituals.Deploy {
	byID := make(map[string]int, len(deploys))
	out := make([]rituals.Deploy, 0, len(deploys))
	for _, d := range deploys {
		if i, ok := byID[d.ID]; ok && d.ID != "" {
			out[i] = d
			continue
		}
		byID[d.ID] = len(out)
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Finished.Before(out[j].Finished) })
	return out
}

// ProductionDeploys returns the production deploys that finished in w,
// each once, split into those that succeeded and those that failed.
func ProductionDeploys(deploys []rituals.Deploy, w Window) (succeeded, failed []rituals.Deploy) {
	for _, d := range inWindow(prodSorted(deploys), w) {
		switch d.Status {
		case rituals.DeploySucceeded:
			succeeded = append(succeeded, *d)
		case rituals.DeployFailed:
			failed = append(failed, *d)
		}
	}
	return succeeded, failed
}

// prodSorted returns the production deploys, each once, in order of
// finishing: what every key below reads. The digest computes it once per
// team (from the store's deploys, which it only points to); the exported
// functions take any list.
func prodSorted(deploys []rituals.Deploy) []*rituals.Deploy {
	unique := uniqueDeploys(deploys)
	out := make([]*rituals.Deploy, 0, len(unique))
	for i := range unique {
		if IsProduction(unique[i].Environment) {
			out = append(out, &unique[i])
		}
	}
	return out
}

// inWindow returns the part of sorted deploys that finished in w, without
// copying.
func inWindow(sorted []*rituals.Deploy, w Window) []*rituals.Deploy {
	lo, hi := windowBounds(sorted, w)
	return sorted[lo:hi]
}

// windowBounds are the indexes of the part of sorted deploys that
// finished in w.
func windowBounds(sorted []*rituals.Deploy, w Window) (lo, hi int) {
	lo = sort.Search(len(sorted), func(i int) bool { return !sorted[i].Finished.Before(w.From) })
	hi = lo + sort.Search(len(sorted)-lo, func(i int) bool { return !sorted[lo+i].Finished.Before(w.To) })
	return lo, hi
}

// countDeploys counts sorted production deploys finished in w.
func countDeploys(sorted []*rituals.Deploy, w Window) (succeeded, failed int) {
	for _, d := range inWindow(sorted, w) {
		switch d.Status {
		case rituals.DeploySucceeded:
			succeeded++
		case rituals.DeployFailed:
			failed++
		}
	}
	return succeeded, failed
}

// DeploysPerDay is deployment frequency: successful production deploys
// per day of the window.
func DeploysPerDay(deploys []rituals.Deploy, w Window) float64 {
	n, _ := countDeploys(prodSorted(deploys), w)
	return perDay(n, w)
}

func perDay(n int, w Window) float64 {
	if w.Days() <= 0 {
		return 0
	}
	return float64(n) / w.Days()
}

// Deployment frequency buckets, after Four Keys.
const (
	CadenceDaily   = "daily"
	CadenceWeekly  = "weekly"
	CadenceMonthly = "monthly"
	CadenceYearly  = "yearly"
)

// DeployCadence buckets deployment frequency over the weeks (at most 12)
// before end into DORA's tiers, with Four Keys' medians, counting days in
// loc: daily when the median week had successful production deploys on at
// least 3 days; weekly when most weeks had one; monthly when most
// four-week periods had one; yearly otherwise. Fewer than 12 weeks are
// judged when the deploy history is younger than that, so a new install
// is not called yearly for the weeks before it existed.
func DeployCadence(deploys []rituals.Deploy, end time.Time, weeks int, loc *time.Location) string {
	const week = 7 * 24 * time.Hour
	if weeks < 1 || weeks > cadenceWeeks {
		weeks = cadenceWeeks
	}
	start := end.Add(-time.Duration(weeks) * week)
	return cadence(prodSorted(deploys), start, end, weeks, loc)
}

func cadence(sorted []*rituals.Deploy, start, end time.Time, weeks int, loc *time.Location) string {
	const week = 7 * 24 * time.Hour
	days := make([]map[rituals.Date]bool, weeks)
	for i := range days {
		days[i] = map[rituals.Date]bool{}
	}
	for _, d := range inWindow(sorted, Window{start, end}) {
		if !d.Succeeded() {
			continue
		}
		if i := int(d.Finished.Sub(start) / week); i >= 0 && i < weeks {
			days[i][rituals.DateOf(d.Finished.In(loc))] = true
		}
	}
	daysPerWeek := make([]float64, weeks)
	active := make([]float64, weeks)
	for i, ds := range days {
		daysPerWeek[i] = float64(len(ds))
		if len(ds) > 0 {
			active[i] = 1
		}
	}
	// Four-week periods, counted back from end; the oldest may be short.
	periods := make([]float64, (weeks+3)/4)
	for i := range active {
		periods[(weeks-1-i)/4] += active[i]
	}
	switch {
	case medianFloat(daysPerWeek) >= 3:
		return CadenceDaily
	case medianFloat(active) >= 1:
		return CadenceWeekly
	case medianFloat(periods) >= 1:
		return CadenceMonthly
	}
	return CadenceYearly
}

// HistoryWeeks is how many whole or started weeks (at most 12) lie
// between the first of deploys and end: the weeks a cadence can be judged on.
func HistoryWeeks(deploys []rituals.Deploy, end time.Time) int {
	const week = 7 * 24 * time.Hour
	var first time.Time
	for _, d := range deploys {
		if first.IsZero() || d.Finished.Before(first) {
			first = d.Finished
		}
	}
	if first.IsZero() {
		return cadenceWeeks
	}
	n := int((end.Sub(first) + week - 1) / week)
	if n < 1 {
		n = 1
	}
	if n > cadenceWeeks {
		n = cadenceWeeks
	}
	return n
}

// LeadTimes returns lead time for changes: for each commit that a
// successful production deploy finished in w shipped for the first time,
// the time from the commit to the end of that deploy. A commit already
// shipped to the same service by an earlier deploy among deploys (a
// redeploy, a rollback, or a deploy before w that deploys includes) is not
// counted again; a commit dated after its deploy (a skewed clock) is left
// out rather than counted as zero.
func LeadTimes(deploys []rituals.Deploy, w Window) []time.Duration {
	return leadTimes(prodSorted(deploys), w)
}

func leadTimes(sorted []*rituals.Deploy, w Window) []time.Duration {
	type change struct{ service, sha string }
	// Only the commits of the deploys in w can count: the set of those
	// shipped holds them alone (a window's, not the quarter's thousands),
	// first marked by the deploys before w.
	lo, hi := windowBounds(sorted, w)
	n := 0
	for _, d := range sorted[lo:hi] {
		if d.Succeeded() {
			n += len(d.Commits)
		}
	}
	if n == 0 {
		return nil
	}
	shipped := make(map[change]bool, n)
	for _, d := range sorted[lo:hi] {
		if d.Succeeded() {
			service := strings.ToLower(d.Service)
			for _, c := range d.Commits {
				shipped[change{service, c.SHA}] = false
			}
		}
	}
	for _, d := range sorted[:lo] {
		if !d.Succeeded() {
			continue
		}
		service := strings.ToLower(d.Service)
		for _, c := range d.Commits {
			if _, ok := shipped[change{service, c.SHA}]; ok {
				shipped[change{service, c.SHA}] = true
			}
		}
	}
	out := make([]time.Duration, 0, n)
	for _, d := range sorted[lo:hi] {
		if !d.Succeeded() {
			continue
		}
		service := strings.ToLower(d.Service)
		for _, c := range d.Commits {
			key := change{service, c.SHA}
			if shipped[key] {
				continue
			}
			shipped[key] = true
			if c.Time.IsZero() || c.Time.After(d.Finished) {
				continue
			}
			out = append(out, d.Finished.Sub(c.Time))
		}
	}
	return out
}

// MedianDuration returns the median of ds; ok is false when ds is empty.
func MedianDuration(ds []time.Duration) (m time.Duration, ok bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return s[n/2-1] + (s[n/2]-s[n/2-1])/2, true
}

func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// AttributeIncidents says which deploy caused which incident. The rule,
// as far as deploys and incidents can tell without a root-cause commit: an
// incident is caused by the latest successful production deploy among
// deploys (the team's) that finished before the incident opened and at
// most `within` before it. Each incident is attributed to at most one
// deploy, and counted once however often it was reported. The result maps
// deploy IDs to the numbers of the incidents they caused.
func AttributeIncidents(deploys []rituals.Deploy, incidents []rituals.IncidentBrief, within time.Duration) map[string][]int {
	return attribute(prodSorted(deploys), rituals.UniqueIncidents(incidents), within)
}

// attribute is AttributeIncidents over sorted production deploys and
// unique incidents.
func attribute(sorted []*rituals.Deploy, incidents []rituals.IncidentBrief, within time.Duration) map[string][]int {
	out := map[string][]int{}
	for _, in := range incidents {
		// The latest deploy finished at or before the opening, back to
		// the latest that succeeded, as long as it is within reach.
		i := sort.Search(len(sorted), func(i int) bool { return sorted[i].Finished.After(in.Opened) }) - 1
		for ; i >= 0 && in.Opened.Sub(sorted[i].Finished) <= within; i-- {
			if sorted[i].Succeeded() {
				out[sorted[i].ID] = append(out[sorted[i].ID], in.Number)
				break
			}
		}
	}
	return out
}

// ChangeFailures returns change failure rate's parts: of the successful
// production deploys finished in w, how many caused at least one incident
// (AttributeIncidents), and how many there were. A failed deploy never
// reached production, so it is neither a change nor a change failure.
func ChangeFailures(deploys []rituals.Deploy, incidents []rituals.IncidentBrief, w Window, within time.Duration) (failures, total int) {
	sorted := prodSorted(deploys)
	return changeFailures(sorted, attribute(sorted, rituals.UniqueIncidents(incidents), within), w)
}

func changeFailures(sorted []*rituals.Deploy, caused map[string][]int, w Window) (failures, total int) {
	for _, d := range inWindow(sorted, w) {
		if !d.Succeeded() {
			continue
		}
		total++
		if len(caused[d.ID]) > 0 {
			failures++
		}
	}
	return failures, total
}

// TimeToRestore returns the median time from the start of the impact (the
// first alert, or the opening) to resolving of the incidents resolved in
// w, each counted once, and how many there were.
func TimeToRestore(incidents []rituals.IncidentBrief, w Window) (median time.Duration, n int) {
	var ds []time.Duration
	for _, in := range rituals.UniqueIncidents(incidents) {
		if in.Resolved.IsZero() || !w.Contains(in.Resolved) || in.Resolved.Before(in.Opened) {
			continue
		}
		ds = append(ds, in.TimeToRestore())
	}
	m, _ := MedianDuration(ds)
	return m, len(ds)
}
