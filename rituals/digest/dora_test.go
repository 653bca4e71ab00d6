package digest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// monday is the start of the window most cases use: [Mon 00:00, next Mon).
var monday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func hours(h float64) time.Time { return monday.Add(time.Duration(h * float64(time.Hour))) }

var week = Window{monday, monday.Add(7 * 24 * time.Hour)}

func deploy(id, service, env, status string, finishedH float64, commits ...rituals.Commit) rituals.Deploy {
	return rituals.Deploy{ID: id, Service: service, Environment: env, SHA: id, Status: status, Finished: hours(finishedH), Commits: commits}
}

func ok(id string, finishedH float64, commits ...rituals.Commit) rituals.Deploy {
	return deploy(id, "checkout", "production", rituals.DeploySucceeded, finishedH, commits...)
}

func commit(sha string, atH float64) rituals.Commit {
	return rituals.Commit{SHA: sha, Time: hours(atH)}
}

func incident(n int, openedH, resolvedH float64) rituals.IncidentBrief {
	in := rituals.IncidentBrief{Number: n, Severity: "sev2", Opened: hours(openedH)}
	if resolvedH >= 0 {
		in.Resolved = hours(resolvedH)
	}
	return in
}

// alerted is in with its impact starting at the hour startH (the first
// alert's startsAt).
func alerted(in rituals.IncidentBrief, startH float64) rituals.IncidentBrief {
	in.ImpactStart = hours(startH)
	return in
}

func TestDeploymentFrequency(t *testing.T) {
	cases := []struct {
		name            string
		deploys         []rituals.Deploy
		succeeded, fail int
		perDay          float64
	}{
		{"none", nil, 0, 0, 0},
		{"seven in a week is one a day", []rituals.Deploy{ok("a", 1), ok("b", 2), ok("c", 30), ok("d", 50), ok("e", 80), ok("f", 100), ok("g", 160)}, 7, 0, 1},
		{"only production counts (Four Keys counted staging too)", []rituals.Deploy{
			ok("a", 1), deploy("s", "checkout", "staging", rituals.DeploySucceeded, 2), deploy("q", "checkout", "qa", rituals.DeploySucceeded, 3),
			deploy("p", "checkout", "Production", rituals.DeploySucceeded, 4)}, 2, 0, 2.0 / 7},
		{"failed deploys are counted apart and not as deploys", []rituals.Deploy{ok("a", 1), deploy("f", "checkout", "production", rituals.DeployFailed, 2)}, 1, 1, 1.0 / 7},
		{"a redelivered deploy counts once", []rituals.Deploy{ok("a", 1), ok("a", 1), ok("b", 5)}, 2, 0, 2.0 / 7},
		{"the window is [from, to)", []rituals.Deploy{ok("before", -0.01), ok("first", 0), ok("last", 167.99), ok("end", 168)}, 2, 0, 2.0 / 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, f := ProductionDeploys(c.deploys, week)
			if len(s) != c.succeeded || len(f) != c.fail {
				t.Errorf("ProductionDeploys = %d succeeded, %d failed; want %d, %d", len(s), len(f), c.succeeded, c.fail)
			}
			if got := DeploysPerDay(c.deploys, week); fmt.Sprintf("%.4f", got) != fmt.Sprintf("%.4f", c.perDay) {
				t.Errorf("DeploysPerDay = %.4f, want %.4f", got, c.perDay)
			}
		})
	}
}

func TestDeployCadence(t *testing.T) {
	end := monday.Add(12 * 7 * 24 * time.Hour)
	everyWeek := func(daysPerWeek int, weeks ...int) []rituals.Deploy {
		var out []rituals.Deploy
		for _, w := range weeks {
			for d := 0; d < daysPerWeek; d++ {
				h := float64(w*7*24 + d*24 + 10)
				out = append(out, ok(fmt.Sprintf("w%d-d%d", w, d), h))
				out = append(out, ok(fmt.Sprintf("w%d-d%d-again", w, d), h+1)) // a second deploy that day
			}
		}
		return out
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	cases := []struct {
		name    string
		deploys []rituals.Deploy
		want    string
	}{
		{"three days a week", everyWeek(3, all...), CadenceDaily},
		{"two days a week", everyWeek(2, all...), CadenceWeekly},
		{"many deploys on one day a week", everyWeek(1, all...), CadenceWeekly},
		{"seven weeks of twelve", everyWeek(1, 0, 2, 4, 6, 8, 10, 11), CadenceWeekly},
		{"every other week is less than weekly", everyWeek(1, 0, 2, 4, 6, 8, 10), CadenceMonthly},
		{"once every four weeks", everyWeek(1, 1, 5, 9), CadenceMonthly},
		{"twice in twelve weeks", everyWeek(1, 1, 5), CadenceMonthly},
		{"once in twelve weeks", everyWeek(1, 5), CadenceYearly},
		{"staging every day does not count", func() []rituals.Deploy {
			var out []rituals.Deploy
			for d := 0; d < 84; d++ {
				out = append(out, deploy(fmt.Sprint(d), "checkout", "staging", rituals.DeploySucceeded, float64(d*24+10)))
			}
			return out
		}(), CadenceYearly},
	}
	// A history of two weeks is judged on those two weeks.
	young := everyWeek(1, 10, 11)
	if w := HistoryWeeks(young, end); w != 2 {
		t.Errorf("HistoryWeeks = %d, want 2", w)
	}
	if got := DeployCadence(young, end, HistoryWeeks(young, end), time.UTC); got != CadenceWeekly {
		t.Errorf("two weeks of weekly deploys: %s, want weekly", got)
	}
	if got := DeployCadence(young, end, 12, time.UTC); got != CadenceYearly {
		t.Errorf("the same judged on 12 weeks: %s, want yearly", got)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DeployCadence(c.deploys, end, 12, time.UTC); got != c.want {
				t.Errorf("DeployCadence = %s, want %s", got, c.want)
			}
		})
	}
}

func TestLeadTimeForChanges(t *testing.T) {
	cases := []struct {
		name    string
		deploys []rituals.Deploy
		want    []time.Duration // per change, in order
		median  time.Duration
	}{
		{"one change", []rituals.Deploy{ok("d1", 10, commit("c1", 4))}, []time.Duration{6 * time.Hour}, 6 * time.Hour},
		{"median of an even count is the mean of the middle two",
			[]rituals.Deploy{ok("d1", 10, commit("c1", 9), commit("c2", 8)), ok("d2", 20, commit("c3", 14), commit("c4", 0))},
			[]time.Duration{time.Hour, 2 * time.Hour, 6 * time.Hour, 20 * time.Hour}, 4 * time.Hour},
		{"a failed deploy ships nothing; the redeploy ships the change",
			[]rituals.Deploy{deploy("f", "checkout", "production", rituals.DeployFailed, 10, commit("c1", 2)), ok("d", 12, commit("c1", 2))},
			[]time.Duration{10 * time.Hour}, 10 * time.Hour},
		{"a redeploy of the same commits counts them once, at the first deploy",
			[]rituals.Deploy{ok("d1", 10, commit("c1", 2)), ok("d2", 30, commit("c1", 2))},
			[]time.Duration{8 * time.Hour}, 8 * time.Hour},
		{"a commit shipped before the window is not counted again in it",
			[]rituals.Deploy{ok("old", -10, commit("c1", -20)), ok("d", 10, commit("c1", -20), commit("c2", 5))},
			[]time.Duration{5 * time.Hour}, 5 * time.Hour},
		{"staging deploys do not count, production does",
			[]rituals.Deploy{deploy("s", "checkout", "staging", rituals.DeploySucceeded, 5, commit("c1", 1)), ok("p", 9, commit("c1", 1))},
			[]time.Duration{8 * time.Hour}, 8 * time.Hour},
		{"the same commit shipped to two services counts for each",
			[]rituals.Deploy{ok("a", 4, commit("c1", 1)), deploy("b", "ledger", "production", rituals.DeploySucceeded, 6, commit("c1", 1))},
			[]time.Duration{3 * time.Hour, 5 * time.Hour}, 4 * time.Hour},
		{"a commit dated after its deploy (a skewed clock) is left out",
			[]rituals.Deploy{ok("d", 10, commit("c1", 11), commit("c2", 9))}, []time.Duration{time.Hour}, time.Hour},
		{"a deploy with no commits has no lead time", []rituals.Deploy{ok("d", 10)}, nil, 0},
		{"a deploy after the window is not in it", []rituals.Deploy{ok("d", 200, commit("c1", 100))}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := LeadTimes(c.deploys, week)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("LeadTimes = %v, want %v", got, c.want)
			}
			m, okMedian := MedianDuration(got)
			if m != c.median || okMedian != (len(c.want) > 0) {
				t.Errorf("median = %v (%v), want %v", m, okMedian, c.median)
			}
		})
	}
}

// memDeploys is a DeployStore in memory.
type memDeploys struct {
	deploys map[string]rituals.Deploy
	pushes  map[string]Push
}

func newMemDeploys() *memDeploys {
	return &memDeploys{deploys: map[string]rituals.Deploy{}, pushes: map[string]Push{}}
}

func (m *memDeploys) Deploy(id string) (rituals.Deploy, bool, error) {
	d, ok := m.deploys[id]
	return d, ok, nil
}
func (m *memDeploys) PutDeploy(d rituals.Deploy) error { m.deploys[d.ID] = d; return nil }
func (m *memDeploys) DeploysWithSHA(sha string) ([]rituals.Deploy, error) {
	var out []rituals.Deploy
	for _, d := range m.deploys {
		if d.SHA == sha {
			out = append(out, d)
		}
	}
	return out, nil
}
func (m *memDeploys) DeploysBetween(from, to time.Time) ([]rituals.Deploy, error) {
	var out []rituals.Deploy
	for _, d := range m.deploys {
		if (Window{from, to}).Contains(d.Finished) {
			out = append(out, d)
		}
	}
	return uniqueDeploys(out), nil
}
func (m *memDeploys) PutPush(p Push) error { m.pushes[p.Head] = p; return nil }
func (m *memDeploys) Push(head string) (Push, bool, error) {
	p, ok := m.pushes[head]
	return p, ok, nil
}

// The Four Keys pitfall of squash merges: the push to main holds one
// commit, made at merge time, which hides how long the work waited. The
// deploy system's own list of the PR's commits wins over the push.
func TestLeadTimeSquashMergeTakesTheDeployPayloadsCommits(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name       string
		push       *Push
		payload    []rituals.Commit
		pushLater  bool
		wantLead   []time.Duration
		wantSource string
	}{
		{"payload commits win over the squash push",
			&Push{Head: "squash", Commits: []rituals.Commit{commit("squash", 9)}},
			[]rituals.Commit{commit("wip1", 1), commit("wip2", 5)},
			false, []time.Duration{9 * time.Hour, 5 * time.Hour}, rituals.CommitsFromPayload},
		{"without a payload list the push's commits are used",
			&Push{Head: "squash", Commits: []rituals.Commit{commit("squash", 9)}},
			nil, false, []time.Duration{time.Hour}, rituals.CommitsFromPush},
		{"a push arriving after its deploy still gives it commits",
			&Push{Head: "squash", Commits: []rituals.Commit{commit("squash", 9)}},
			nil, true, []time.Duration{time.Hour}, rituals.CommitsFromPush},
		{"nothing known of the commits: no lead time", nil, nil, false, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := newMemDeploys()
			log := &DeployLog{Store: store, Clock: rituals.NewFakeClock(hours(10))}
			if c.push != nil && !c.pushLater {
				if err := log.RecordPush(ctx, *c.push); err != nil {
					t.Fatal(err)
				}
			}
			d := ok("gh:1", 10, c.payload...)
			d.SHA = "squash"
			if _, _, err := log.RecordDeploy(ctx, d); err != nil {
				t.Fatal(err)
			}
			if c.push != nil && c.pushLater {
				if err := log.RecordPush(ctx, *c.push); err != nil {
					t.Fatal(err)
				}
			}
			stored, _ := store.DeploysBetween(week.From, week.To)
			if got := LeadTimes(stored, week); fmt.Sprint(got) != fmt.Sprint(c.wantLead) {
				t.Errorf("LeadTimes = %v, want %v", got, c.wantLead)
			}
			if stored[0].CommitsFrom != c.wantSource {
				t.Errorf("CommitsFrom = %q, want %q", stored[0].CommitsFrom, c.wantSource)
			}
		})
	}
}

func TestRecordDeployIsIdempotentAndProductionOnly(t *testing.T) {
	ctx := context.Background()
	store := newMemDeploys()
	log := &DeployLog{Store: store, Clock: rituals.NewFakeClock(hours(10))}
	d := ok("gh:1", 10, commit("c1", 2))
	steps := []struct {
		d    rituals.Deploy
		want DeployOutcome
	}{
		{d, DeployRecorded},
		{d, DeployDuplicate}, // a redelivery
		{func() rituals.Deploy { x := d; x.Status = rituals.DeployFailed; return x }(), DeployUpdated},
		{deploy("s", "checkout", "staging", rituals.DeploySucceeded, 5), DeployIgnored},
		{deploy("p", "checkout", "production", "in_progress", 5), DeployIgnored},
	}
	for i, s := range steps {
		got, reason, err := log.RecordDeploy(ctx, s.d)
		if err != nil || got != s.want {
			t.Errorf("step %d: RecordDeploy = %s %q %v, want %s", i, got, reason, err, s.want)
		}
	}
	if len(store.deploys) != 1 || store.deploys["gh:1"].Status != rituals.DeployFailed {
		t.Errorf("stored %+v, want the one deploy, updated to failed", store.deploys)
	}
}

func TestChangeFailureRate(t *testing.T) {
	const within = 24 * time.Hour
	cases := []struct {
		name            string
		deploys         []rituals.Deploy
		incidents       []rituals.IncidentBrief
		failures, total int
	}{
		{"no deploys", nil, []rituals.IncidentBrief{incident(1, 10, -1)}, 0, 0},
		{"an incident two hours after a deploy is that deploy's", []rituals.Deploy{ok("a", 10), ok("b", 50)}, []rituals.IncidentBrief{incident(1, 12, 14)}, 1, 2},
		{"it goes to the latest deploy before it, not an earlier one", []rituals.Deploy{ok("a", 10), ok("b", 11)}, []rituals.IncidentBrief{incident(1, 12, -1)}, 1, 2},
		{"an incident more than the failure window after any deploy is nobody's", []rituals.Deploy{ok("a", 10)}, []rituals.IncidentBrief{incident(1, 40, -1)}, 0, 1},
		{"an incident before any deploy is nobody's", []rituals.Deploy{ok("a", 10)}, []rituals.IncidentBrief{incident(1, 9, -1)}, 0, 1},
		{"the same incident reported twice counts once", []rituals.Deploy{ok("a", 10), ok("b", 30)},
			[]rituals.IncidentBrief{incident(7, 12, -1), incident(7, 12, 13)}, 1, 2},
		{"two incidents of one deploy make one failed deploy", []rituals.Deploy{ok("a", 10), ok("b", 30), ok("c", 60)},
			[]rituals.IncidentBrief{incident(1, 11, -1), incident(2, 15, -1)}, 1, 3},
		{"a failed deploy is not blamed: the incident goes to the last that reached production",
			[]rituals.Deploy{ok("a", 10), deploy("f", "checkout", "production", rituals.DeployFailed, 11)}, []rituals.IncidentBrief{incident(1, 12, -1)}, 1, 1},
		{"a staging deploy is not blamed", []rituals.Deploy{deploy("s", "checkout", "staging", rituals.DeploySucceeded, 11)}, []rituals.IncidentBrief{incident(1, 12, -1)}, 0, 0},
		{"a deploy in the window blamed for an incident after it still fails in it", []rituals.Deploy{ok("a", 167)}, []rituals.IncidentBrief{incident(1, 169, -1)}, 1, 1},
		{"a deploy before the window caused the incident: the window's deploys did not", []rituals.Deploy{ok("old", -1), ok("a", 30)},
			[]rituals.IncidentBrief{incident(1, 2, -1)}, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, n := ChangeFailures(c.deploys, c.incidents, week, within)
			if f != c.failures || n != c.total {
				t.Errorf("ChangeFailures = %d of %d, want %d of %d", f, n, c.failures, c.total)
			}
		})
	}
}

func TestTimeToRestore(t *testing.T) {
	cases := []struct {
		name      string
		incidents []rituals.IncidentBrief
		median    time.Duration
		n         int
	}{
		{"none", nil, 0, 0},
		{"open incidents have not been restored", []rituals.IncidentBrief{incident(1, 10, -1)}, 0, 0},
		{"median of three", []rituals.IncidentBrief{incident(1, 10, 11), incident(2, 20, 24), incident(3, 30, 30.5)}, time.Hour, 3},
		{"median of two", []rituals.IncidentBrief{incident(1, 10, 11), incident(2, 20, 24)}, 150 * time.Minute, 2},
		{"a duplicate report counts once", []rituals.IncidentBrief{incident(1, 10, 11), incident(1, 10, 11), incident(2, 20, 30)}, 5*time.Hour + 30*time.Minute, 2},
		{"the report that says resolved wins over a stale open one", []rituals.IncidentBrief{incident(1, 10, -1), incident(1, 10, 12)}, 2 * time.Hour, 1},
		{"restored in the window though opened before it", []rituals.IncidentBrief{incident(1, -5, 1)}, 6 * time.Hour, 1},
		{"restored after the window: not yet", []rituals.IncidentBrief{incident(1, 160, 170)}, 0, 0},
		{"from the first alert, when it fired before the incident opened", []rituals.IncidentBrief{alerted(incident(1, 10, 11), 9.5)}, 90 * time.Minute, 1},
		{"an alert start after the opening does not shorten it", []rituals.IncidentBrief{alerted(incident(1, 10, 11), 10.5)}, time.Hour, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, n := TimeToRestore(c.incidents, week)
			if m != c.median || n != c.n {
				t.Errorf("TimeToRestore = %v over %d, want %v over %d", m, n, c.median, c.n)
			}
		})
	}
}

func TestOutOfHours(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	holidays := rituals.Holidays{{Year: 2026, Month: 12, Day: 25}: true}
	cases := []struct {
		at   string
		want bool
	}{
		{"2026-11-23 08:59", true}, {"2026-11-23 09:00", false}, {"2026-11-23 17:59", false}, {"2026-11-23 18:00", true},
		{"2026-11-28 12:00", true}, // Saturday
		{"2026-12-25 12:00", true}, // a holiday
	}
	for _, c := range cases {
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.at, berlin)
		if got := OutOfHours(at.UTC(), berlin, holidays); got != c.want {
			t.Errorf("OutOfHours(%s) = %v, want %v", c.at, got, c.want)
		}
	}
}
