package config

import (
	"regexp"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

// GitHub's owner and repository names: letters, digits, '-', '_' and '.'.
var githubRepoRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9_.-]{1,100}$`)

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
	if !githubRepoRE.MatchString(cfg.Repo) {
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
