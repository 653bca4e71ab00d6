package digest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// DeployStore keeps deploys and the pushes whose commits they ship.
type DeployStore interface {
	// Deploy returns the deploy with the given ID.
	Deploy(id string) (rituals.Deploy, bool, error)
	// PutDeploy stores d, replacing the deploy with the same ID.
	PutDeploy(d rituals.Deploy) error
	// DeploysWithSHA returns the deploys of a commit.
	DeploysWithSHA(sha string) ([]rituals.Deploy, error)
	// DeploysBetween returns the deploys finished in [from, to), in
	// order of finishing. What it returns may be shared: callers do not
	// change it.
	DeploysBetween(from, to time.Time) ([]rituals.Deploy, error)
	// PutPush stores a push under its head SHA.
	PutPush(p Push) error
	// Push returns the push that left a branch at head.
	Push(head string) (Push, bool, error)
}

// DeployOutcome is what became of a reported deploy.
type DeployOutcome string

const (
	DeployRecorded  DeployOutcome = "recorded"  // a new deploy
	DeployUpdated   DeployOutcome = "updated"   // a known deploy changed (its status, say)
	DeployDuplicate DeployOutcome = "duplicate" // a redelivery: nothing changed
	DeployIgnored   DeployOutcome = "ignored"   // not a production deploy
)

// DeployLog records what the deploy webhooks report. It is where the
// rules of ingestion live: only production counts, a redelivery changes
// nothing, and a deploy's commit times come from its own list first and
// from the push of its SHA otherwise.
type DeployLog struct {
	Store DeployStore
	Clock rituals.Clock
	// Environments are kept besides production, for the release notes
	// that announce them; the DORA figures still count production only.
	Environments []string

	mu sync.Mutex // one read-modify-write at a time
}

// RecordDeploy stores a finished deploy. A deploy outside production is
// ignored, with the reason.
func (l *DeployLog) RecordDeploy(ctx context.Context, d rituals.Deploy) (DeployOutcome, string, error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	if !IsProduction(d.Environment) && !slices.ContainsFunc(l.Environments, func(e string) bool { return strings.EqualFold(e, strings.TrimSpace(d.Environment)) }) {
		return DeployIgnored, fmt.Sprintf("environment %q is not %s; only production deploys count", d.Environment, ProductionEnvironment), nil
	}
	if d.Status != rituals.DeploySucceeded && d.Status != rituals.DeployFailed {
		return DeployIgnored, fmt.Sprintf("status %q is not a finished deploy", d.Status), nil
	}
	if IsProduction(d.Environment) {
		d.Environment = ProductionEnvironment
	} else {
		d.Environment = strings.ToLower(strings.TrimSpace(d.Environment))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	prev, known, err := l.Store.Deploy(d.ID)
	if err != nil {
		return "", "", fmt.Errorf("read deploy %s: %w", d.ID, err)
	}
	if len(d.Commits) > 0 {
		d.CommitsFrom = rituals.CommitsFromPayload
	} else if known && len(prev.Commits) > 0 {
		d.Commits, d.CommitsFrom, d.CommitsTotal = prev.Commits, prev.CommitsFrom, prev.CommitsTotal
	} else if d.SHA != "" {
		p, ok, err := l.Store.Push(d.SHA)
		if err != nil {
			return "", "", fmt.Errorf("read push %s: %w", d.SHA, err)
		}
		if ok {
			d.Commits, d.CommitsFrom = p.Commits, rituals.CommitsFromPush
		}
	}
	if known && sameDeploy(prev, d) {
		return DeployDuplicate, "", nil
	}
	d.Received = l.Clock.Now()
	if err := l.Store.PutDeploy(d); err != nil {
		return "", "", fmt.Errorf("store deploy %s: %w", d.ID, err)
	}
	if known {
		return DeployUpdated, "", nil
	}
	return DeployRecorded, "", nil
}

// sameDeploy reports whether b says nothing that a did not.
func sameDeploy(a, b rituals.Deploy) bool {
	return a.Service == b.Service && a.SHA == b.SHA && a.Status == b.Status &&
		a.Version == b.Version && a.URL == b.URL && a.Deployer == b.Deployer && a.Notes == b.Notes &&
		a.Started.Equal(b.Started) && a.Finished.Equal(b.Finished) &&
		slices.EqualFunc(a.Commits, b.Commits, func(x, y rituals.Commit) bool {
			return x.SHA == y.SHA && x.Time.Equal(y.Time) && x.Message == y.Message
		})
}

// RecordPush stores a push's commits, and gives them to the deploys of its
// head that arrived before it without commits of their own.
func (l *DeployLog) RecordPush(ctx context.Context, p Push) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.Head == "" || len(p.Commits) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	p.Received = l.Clock.Now()
	if err := l.Store.PutPush(p); err != nil {
		return fmt.Errorf("store push %s: %w", p.Head, err)
	}
	deploys, err := l.Store.DeploysWithSHA(p.Head)
	if err != nil {
		return fmt.Errorf("deploys of %s: %w", p.Head, err)
	}
	for _, d := range deploys {
		if len(d.Commits) > 0 {
			continue
		}
		d.Commits, d.CommitsFrom = p.Commits, rituals.CommitsFromPush
		if err := l.Store.PutDeploy(d); err != nil {
			return fmt.Errorf("store deploy %s: %w", d.ID, err)
		}
	}
	return nil
}

// TeamServices maps each service name (lower case) to the teams that list
// it under `services`.
func TeamServices(teams []*rituals.Team) map[string][]string {
	out := map[string][]string{}
	for _, t := range teams {
		for _, s := range t.Services {
			k := strings.ToLower(strings.TrimSpace(s))
			if !slices.Contains(out[k], t.ID) {
				out[k] = append(out[k], t.ID)
			}
		}
	}
	return out
}
