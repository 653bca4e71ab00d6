package config

import (
	"strings"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

// GitHub's owner and repository names: letters, digits, '-', '_' and '.';
// an owner is at most 39 long, a repository at most 100.
var (
	githubOwnerRE = boundedRE(`^[A-Za-z0-9][A-Za-z0-9-]*$`, 39)
	githubNameRE  = boundedRE(`^[A-Za-z0-9_.-]+$`, 100)
)

// githubRepo reports whether s is owner/name.
func githubRepo(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && githubOwnerRE.MatchString(owner) && githubNameRE.MatchString(name)
}

// parseActionsGitHub reads actions: {github: {repo: owner/name, labels:
// [...]}}, which makes each action item a GitHub issue.
func parseActionsGitHub(r *ritualReader) *incident.GitHubConfig {
	if !r.has("actions") {
		r.get("actions")
		return nil
	}
	act := r.sub2("actions")
	defer act.finish()
	if !act.has("github") {
		act.errorf("github", "actions takes github: {repo: owner/name, labels: [postmortem]}")
		return nil
	}
	gh := act.sub2("github")
	defer gh.finish()
	cfg := &incident.GitHubConfig{Repo: gh.str("repo", ""), Labels: gh.strings("labels")}
	if !githubRepo(cfg.Repo) {
		gh.errorf("repo", "give the repository as owner/name, e.g. repo: acme/payments")
	}
	for _, l := range cfg.Labels {
		if l == "" || len(l) > 50 {
			gh.errorf("labels", "a label is 1 to 50 characters")
			break
		}
	}
	return cfg
}
