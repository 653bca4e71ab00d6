package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/chart"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// The digest's performance target (docs/CONTRACT.md): 50 teams with a year of
// history in under 200 ms and 50 MB. The history is in a real store; the
// other rituals' logs are in-memory stand-ins, as their own stores answer
// per team.

const (
	benchTeams         = 50
	benchDeploysPerDay = 3 // per team
)

var benchEnd = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC) // a Friday, 16:00 in Berlin

type benchIncidents struct {
	byTeam map[string][]rituals.IncidentBrief
}

func (b benchIncidents) IncidentsBetween(team string, from, to time.Time) ([]rituals.IncidentBrief, error) {
	var out []rituals.IncidentBrief
	for _, in := range b.byTeam[team] {
		if !in.Opened.Before(from) && in.Opened.Before(to) {
			out = append(out, in)
		}
	}
	return out, nil
}
func (b benchIncidents) OpenIncidents(string) ([]rituals.IncidentBrief, error) { return nil, nil }
func (b benchIncidents) Actions(team string) ([]rituals.ActionBrief, error) {
	var out []rituals.ActionBrief
	for i, in := range b.byTeam[team] {
		a := rituals.ActionBrief{ID: fmt.Sprint(i), Incident: in.Number, Owner: "U0A", Text: "Follow up", Created: in.Resolved, Due: rituals.DateOf(in.Resolved.AddDate(0, 0, 7))}
		if i%3 != 0 {
			a.Closed = in.Resolved.AddDate(0, 0, 5)
		}
		out = append(out, a)
	}
	return out, nil
}
func (b benchIncidents) OpenActions(string) ([]rituals.ActionBrief, error) { return nil, nil }

type benchStandups struct{}

func (benchStandups) Participation(team string, from, to time.Time) (rituals.Participation, error) {
	return rituals.Participation{Days: 5, Expected: 40, Answered: 34, Skipped: 2, Away: 3}, nil
}
func (benchStandups) OpenBlockers(team string) ([]rituals.Blocker, error) {
	return []rituals.Blocker{{ID: team, User: "U0A", Text: "Waiting on review", Opened: benchEnd.AddDate(0, 0, -4)}}, nil
}
func (benchStandups) UserStandup(context.Context, string, time.Time) (rituals.UserStandup, bool, error) {
	return rituals.UserStandup{}, false, nil
}

type benchOnCall struct{}

func (benchOnCall) ShiftsBetween(team string, from, to time.Time) ([]rituals.ShiftBrief, error) {
	return []rituals.ShiftBrief{{Team: team, User: "U0A", Start: from, End: to}}, nil
}
func (benchOnCall) NextShift(string, time.Time) (rituals.ShiftBrief, bool, error) {
	return rituals.ShiftBrief{}, false, nil
}

// benchDigest fills a store with a year of deploys for 50 teams and
// returns a digest over all of them.
func benchDigest(b *testing.B) *digest.Digest {
	b.Helper()
	db := MustOpen(b)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	var teams []*rituals.Team
	incidents := benchIncidents{byTeam: map[string][]rituals.IncidentBrief{}}
	var deploys []rituals.Deploy
	start := benchEnd.AddDate(-1, 0, 0)
	for t := 0; t < benchTeams; t++ {
		id := fmt.Sprintf("team%02d", t)
		svcs := []string{fmt.Sprintf("svc%02d-api", t), fmt.Sprintf("svc%02d-worker", t)}
		teams = append(teams, &rituals.Team{ID: id, Name: fmt.Sprintf("Team %02d", t), Services: svcs, Members: []string{"U0A"}, Leads: []string{"U0A"}})
		n := 0
		for day := start; day.Before(benchEnd); day = day.AddDate(0, 0, 1) {
			for k := 0; k < benchDeploysPerDay; k++ {
				n++
				fin := day.Add(time.Duration(9+k*3) * time.Hour)
				d := rituals.Deploy{
					ID: fmt.Sprintf("deploy:%s/%d", id, n), Source: "deploy", Service: svcs[k%2], Environment: "production",
					SHA: fmt.Sprintf("%s-%d", id, n), Status: rituals.DeploySucceeded, Started: fin.Add(-10 * time.Minute), Finished: fin,
					Commits: []rituals.Commit{
						{SHA: fmt.Sprintf("%s-%d-a", id, n), Time: fin.Add(-30 * time.Hour)},
						{SHA: fmt.Sprintf("%s-%d-b", id, n), Time: fin.Add(-6 * time.Hour)},
						{SHA: fmt.Sprintf("%s-%d-c", id, n), Time: fin.Add(-90 * time.Minute)},
					},
				}
				if n%17 == 0 {
					d.Status = rituals.DeployFailed
				}
				deploys = append(deploys, d)
			}
			if day.Weekday() == time.Tuesday || day.Weekday() == time.Thursday && n%2 == 0 {
				opened := day.Add(13 * time.Hour)
				incidents.byTeam[id] = append(incidents.byTeam[id], rituals.IncidentBrief{
					Number: t*1000 + n, Title: "Errors", Severity: "sev2", Teams: []string{id}, Opened: opened,
					Resolved: opened.Add(95 * time.Minute), Alerts: 4, RetroDue: opened.AddDate(0, 0, 3), RetroPublished: opened.AddDate(0, 0, 2),
				})
			}
		}
	}
	// One transaction for the lot: a year of webhooks, not a year of fsyncs.
	err := db.update("bench_fill", func(tx *bolt.Tx) error {
		for _, d := range deploys {
			if err := putDeploy(tx.Bucket(bucketDeploys), d); err != nil {
				return err
			}
			if err := tx.Bucket(bucketDeployIDs).Put([]byte(d.ID), timeKey(d.Finished)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	rc := &rituals.RitualConfig{Name: "org-digest", Kind: rituals.KindDigest, Channel: "C0DIGEST", Enabled: true,
		Schedule: rituals.MustParseSchedule("0 16 * * FRI", berlin)}
	var ids []string
	for _, t := range teams {
		ids = append(ids, t.ID)
	}
	rc.Settings = &digest.Settings{Teams: ids, Window: 7 * 24 * time.Hour, FailureWindow: 24 * time.Hour}
	b.Logf("%d deploys, %d teams", len(deploys), len(teams))
	return &digest.Digest{
		Config: rc, Settings: digest.SettingsOf(rc), Teams: teams, AllTeams: teams, Store: db, Clock: rituals.NewFakeClock(benchEnd),
		Standups:  func() rituals.StandupLog { return benchStandups{} },
		OnCall:    func() rituals.OnCallSchedule { return benchOnCall{} },
		Incidents: func() rituals.IncidentLog { return incidents },
		Pages:     rituals.Pages{Base: "https://ritualbot.example.com"},
	}
}

// BenchmarkDigest50Teams is the digest's computation and rendering: what
// the Friday job does before handing the messages to the outbox.
func BenchmarkDigest50Teams(b *testing.B) {
	d := benchDigest(b)
	ctx := context.Background()
	b.Run("report+messages", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := d.Report(ctx, benchEnd)
			if err != nil {
				b.Fatal(err)
			}
			if msgs := r.Messages("k", "C0DIGEST"); len(msgs) < 2 {
				b.Fatalf("%d messages", len(msgs))
			}
		}
	})
	b.Run("with-chart", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := d.Report(ctx, benchEnd)
			if err != nil {
				b.Fatal(err)
			}
			r.Messages("k", "C0DIGEST")
			if _, err := chart.TrendPNG(r.Trend); err != nil {
				b.Fatal(err)
			}
		}
	})
}
