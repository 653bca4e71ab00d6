package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/ritualbot/ritualbot/githubissues"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/webhooks"
)

// Action items as GitHub issues (actions.github): GITHUB_TOKEN is a token
// that may create and edit issues of the repositories named, and
// GITHUB_API_URL the API's address (GitHub Enterprise Server, a test's
// fake); both are read from the environment, never from the config.
const (
	envGitHubToken  = "GITHUB_TOKEN"
	envGitHubAPIURL = "GITHUB_API_URL"
)

// issueSync keeps the items of the incidents rituals that ask for it as
// GitHub issues, nil when none asks. The rituals' outbox wakes it, so an
// item added or closed is synced at once.
func (m *Main) issueSync(xs []*incident.Incidents) *githubissues.Sync {
	var rs []githubissues.Ritual
	for _, x := range xs {
		if g := x.Settings.GitHub; g != nil {
			rs = append(rs, githubissues.Ritual{Name: x.Name(), GitHub: *g, Postmortem: x.PostmortemURL})
		}
	}
	if len(rs) == 0 {
		return nil
	}
	base := m.Env(envGitHubAPIURL)
	if base == "" {
		base = githubissues.DefaultAPIURL
	}
	s := &githubissues.Sync{
		API:   &githubissues.Client{BaseURL: base, Token: func() string { return m.Env(envGitHubToken) }, HTTP: &http.Client{Timeout: 30 * time.Second}},
		Store: m.DB, Rituals: rs, Clock: m.Clock, Names: m.displayNames, Log: m.component("github-issues"),
	}
	if m.Env(envGitHubToken) == "" {
		s.Log.Warn().Msg(envGitHubToken + " is not set: action items wait for it to become GitHub issues")
	}
	outbox := &rituals.DurableOutbox{Store: m.DB, Clock: m.Clock, Wake: func() { m.Sender.Wake(); s.Wake() }}
	for _, x := range xs {
		if x.Settings.GitHub != nil {
			x.Outbox = outbox
		}
	}
	return s
}

// githubHook is POST /hooks/github for what the config takes from it:
// deploys for the digest, issues events for action items; nil for
// neither.
func (m *Main) githubHook(observe func(string)) http.Handler {
	h := &webhooks.GitHub{
		Secret: m.Env(envGitHubSecret), Log: m.component("webhook-github"), Observe: observe,
		Deliveries: m.webhookDeliveries(), Body: m.bodies["/hooks/github"], Refusals: m.refusals,
	}
	if m.provided.deploys != nil {
		h.Recorder = m.deployRecorder()
	}
	if m.provided.issues != nil {
		h.Issues = m.issueClosed
	}
	if h.Recorder == nil && h.Issues == nil {
		return nil
	}
	return h
}

// issueClosed marks the action item of a closed (reopened) issue done
// (open), and notes the issue's state so the sync does not set it back.
func (m *Main) issueClosed(ctx context.Context, ev webhooks.IssueEvent) (string, error) {
	links, err := m.DB.IssueLinks()
	if err != nil {
		return "", fmt.Errorf("read the action items' issues: %w", err)
	}
	for _, l := range links {
		if l.Repo != ev.Repo || l.Number != ev.Number {
			continue
		}
		l.State = incident.IssueOpen
		if ev.Closed {
			l.State = incident.IssueClosed
		}
		if err := m.DB.PutIssueLink(l); err != nil {
			return "", fmt.Errorf("store the issue of action item %s: %w", l.ActionID, err)
		}
		for _, x := range m.provided.incidents {
			if x.Name() != l.Ritual {
				continue
			}
			_, changed, err := x.SetActionDoneFromIssue(ctx, l.ActionID, ev.Closed, l.URL)
			switch {
			case err != nil:
				return "", err
			case !changed:
				return "unchanged", nil
			}
			return "updated", nil
		}
	}
	return "ignored", nil
}
