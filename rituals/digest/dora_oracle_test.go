package digest

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// The lead times and the attribution read only what a window needs (a
// set of the window's commits, no copy of the deploys); these are the
// plain readings of the rules they must agree with, on random histories:
// redeploys and rollbacks, commits shared between services, failed
// deploys, deploys finished at the same instant, skewed commit clocks.

func plainLeadTimes(sorted []*rituals.Deploy, w Window) []time.Duration {
	type change struct{ service, sha string }
	shipped := map[change]bool{}
	var out []time.Duration
	for _, d := range sorted {
		if !d.Finished.Before(w.To) {
			break
		}
		if !d.Succeeded() {
			continue
		}
		for _, c := range d.Commits {
			key := change{strings.ToLower(d.Service), c.SHA}
			if shipped[key] {
				continue
			}
			shipped[key] = true
			if !w.Contains(d.Finished) || c.Time.IsZero() || c.Time.After(d.Finished) {
				continue
			}
			out = append(out, d.Finished.Sub(c.Time))
		}
	}
	return out
}

func plainAttribute(sorted []*rituals.Deploy, incidents []rituals.IncidentBrief, within time.Duration) map[string][]int {
	var ok []*rituals.Deploy
	for _, d := range sorted {
		if d.Succeeded() {
			ok = append(ok, d)
		}
	}
	out := map[string][]int{}
	for _, in := range incidents {
		i := sort.Search(len(ok), func(i int) bool { return ok[i].Finished.After(in.Opened) }) - 1
		if i < 0 || in.Opened.Sub(ok[i].Finished) > within {
			continue
		}
		out[ok[i].ID] = append(out[ok[i].ID], in.Number)
	}
	return out
}

func TestLeadTimesAndAttributionAgreeWithThePlainRules(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 500 {
		var deploys []rituals.Deploy
		n := rng.IntN(40)
		for i := range n {
			status := rituals.DeploySucceeded
			if rng.IntN(5) == 0 {
				status = rituals.DeployFailed
			}
			service := []string{"checkout", "Checkout", "ledger"}[rng.IntN(3)]
			finished := rng.Float64() * 24 * 21 // three weeks from monday, some at the same hour
			if rng.IntN(4) == 0 {
				finished = float64(int(finished))
			}
			d := deploy(string(rune('a'+i%26))+string(rune('a'+i/26)), service, "production", status, finished)
			for range rng.IntN(4) {
				at := finished - rng.Float64()*48 + 4 // some after the deploy
				if rng.IntN(10) == 0 {
					d.Commits = append(d.Commits, rituals.Commit{SHA: "c" + string(rune('0'+rng.IntN(10)))})
					continue
				}
				d.Commits = append(d.Commits, commit("c"+string(rune('0'+rng.IntN(10)))+string(rune('0'+rng.IntN(3))), at))
			}
			deploys = append(deploys, d)
		}
		var incidents []rituals.IncidentBrief
		for k := range rng.IntN(8) {
			opened := rng.Float64() * 24 * 21
			if rng.IntN(2) == 0 { // at the edge of the failure window, some
				opened = float64(int(opened))
			}
			incidents = append(incidents, incident(k+1, opened, 0))
		}
		sorted := prodSorted(deploys)
		w := Window{hours(rng.Float64() * 24 * 14), time.Time{}}
		w.To = w.From.Add(time.Duration(rng.IntN(8)+1) * 24 * time.Hour)
		if got, want := leadTimes(sorted, w), plainLeadTimes(sorted, w); len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d, window %v: lead times %v, want %v", run, w, got, want)
		}
		within := time.Duration(rng.IntN(12)) * time.Hour
		if got, want := attribute(sorted, incidents, within), plainAttribute(sorted, incidents, within); !reflect.DeepEqual(got, want) {
			t.Fatalf("run %d, within %s: attribution %v, want %v", run, within, got, want)
		}
	}
}
