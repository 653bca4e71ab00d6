package release

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestChangeOf(t *testing.T) {
	for _, tc := range []struct{ msg, group, scope, title string }{
		{"feat(api): add refunds\n\nlong body", GroupFeatures, "api", "add refunds"},
		{"fix: crash on empty cart", GroupFixes, "", "crash on empty cart"},
		{"feat!: drop v1", GroupFeatures, "", "drop v1"},
		{"chore(deps): bump x", GroupOther, "", "chore(deps): bump x"},
		{"Merge pull request #12", GroupOther, "", "Merge pull request #12"},
		{"", GroupOther, "", "abc1234"},
		{"Fix: upper case", GroupFixes, "", "upper case"},
		{"fix:no space", GroupOther, "", "fix:no space"},
		{"feat(a)(b): two scopes", GroupOther, "", "feat(a)(b): two scopes"},
		{"feat(): empty scope", GroupOther, "", "feat(): empty scope"},
		{"feat 2: not a type", GroupOther, "", "feat 2: not a type"},
	} {
		c := ChangeOf(rituals.Commit{SHA: "abc1234def", Message: tc.msg})
		if c.Group != tc.group || c.Scope != tc.scope || c.Title != tc.title {
			t.Errorf("%q: %+v, want %s %q %q", tc.msg, c, tc.group, tc.scope, tc.title)
		}
	}
}

// checkLimits fails if blocks break a Block Kit limit a message must keep.
func checkLimits(t *testing.T, blocks []rituals.Block) {
	t.Helper()
	if len(blocks) > 50 {
		t.Errorf("%d blocks", len(blocks))
	}
	for _, b := range blocks {
		if n := utf8.RuneCountInString(b.Text); n > 3000 || (b.Kind == rituals.HeaderBlock && n > 150) {
			t.Errorf("%s block of %d characters", b.Kind, n)
		}
		if len(b.Fields) > 10 {
			t.Errorf("%d fields", len(b.Fields))
		}
		for _, f := range b.Fields {
			if utf8.RuneCountInString(f) > 2000 {
				t.Errorf("field of %d characters", utf8.RuneCountInString(f))
			}
		}
	}
}

// A deploy of 5,000 commits (2,000 listed) folds each group and counts
// what it leaves out, within Slack's limits; pasted mrkdwn stays inert.
func TestNoteFoldsALongRelease(t *testing.T) {
	d := rituals.Deploy{ID: "d1", Service: "checkout", Environment: "production", SHA: "9f8e7d6c5b", Version: "v2.0.0", Status: rituals.DeploySucceeded,
		Deployer: "U0ALICE", Started: time.Unix(1e9, 0), Finished: time.Unix(1e9+300, 0), CommitsTotal: 5000}
	for i := range 2000 {
		msg := fmt.Sprintf("fix: bug %d <!channel> *bold* `code`", i)
		if i%3 == 0 {
			msg = fmt.Sprintf("feat(ui): thing %d", i)
		} else if i%3 == 1 {
			msg = fmt.Sprintf("refactor: %d", i)
		}
		d.Commits = append(d.Commits, rituals.Commit{SHA: fmt.Sprintf("%040d", i), Message: msg, Author: "alice", URL: "https://git.example.com/c/1"})
	}
	_, blocks := Note(d, time.UTC, true)
	checkLimits(t, blocks)
	all := ""
	for _, b := range blocks {
		all += rituals.PlainText(b) + "\n"
	}
	for _, want := range []string{"*Features* (667)", "*Fixes* (666)", "*Other changes* (667)", "… and 652 more", "and 3000 more commits"} {
		if !strings.Contains(all, want) {
			t.Errorf("note lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "<!channel>") || strings.Contains(all, "*bold*") {
		t.Errorf("commit text is not inert:\n%s", all)
	}
}

// A batch of 500 deploys lists 20 and counts the rest.
func TestChangelogFoldsDeploys(t *testing.T) {
	deploys := benchDeploys(500)
	text, blocks := Changelog("Today", deploys, time.UTC, true)
	checkLimits(t, blocks)
	if !strings.Contains(text, "500 deploys of 3 services") {
		t.Errorf("text %q", text)
	}
	if !strings.Contains(blocks[1].Text, "… and 480 more") {
		t.Errorf("deploys not folded:\n%s", blocks[1].Text)
	}
}

func benchDeploys(n int) []rituals.Deploy {
	var out []rituals.Deploy
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range n {
		d := rituals.Deploy{ID: fmt.Sprint(i), Service: []string{"checkout", "search", "ledger"}[i%3], Environment: "production", Status: rituals.DeploySucceeded,
			SHA: fmt.Sprintf("%040x", i), Deployer: "U0ALICE", Started: at, Finished: at.Add(time.Duration(i) * time.Minute)}
		for j := range 5 {
			d.Commits = append(d.Commits, rituals.Commit{SHA: fmt.Sprintf("%039x%d", i, j), Message: []string{"feat: a", "fix: b", "docs: c"}[j%3], URL: "https://git.example.com/c/1"})
		}
		out = append(out, d)
	}
	return out
}

// BenchmarkBatchNote500 renders the batch note of 500 deploys of five
// commits each.
func BenchmarkBatchNote500(b *testing.B) {
	deploys := benchDeploys(500)
	b.ReportAllocs()
	for b.Loop() {
		Changelog("Today", deploys, time.UTC, true)
	}
}

// A ritual without a channel of its own posts in its team's.
func TestReleaseChannelFallsBackOnTheTeam(t *testing.T) {
	r := &Release{Config: &rituals.RitualConfig{Name: "r", Team: "payments"}, Team: &rituals.Team{ID: "payments", Channel: "C0PAY"}}
	if got := r.Channel(); got != "C0PAY" {
		t.Errorf("channel %q, want the team's", got)
	}
	r.Config.Channel = "C0REL"
	if got := r.Channel(); got != "C0REL" {
		t.Errorf("channel %q, want the ritual's", got)
	}
}
