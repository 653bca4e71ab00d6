package incident

import (
	"context"
	"fmt"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// GitHubConfig makes each action item of the ritual a GitHub issue
// (actions.github).
type GitHubConfig struct {
	Repo   string // owner/name
	Labels []string
}

// IssueLink is the GitHub issue of an action item, and the state the bot
// last gave it there.
type IssueLink struct {
	ActionID string
	Ritual   string
	Repo     string
	Number   int
	URL      string
	State    string // open or closed
}

// Issue states.
const (
	IssueOpen   = "open"
	IssueClosed = "closed"
)

// IssueTitle and IssueBody are what an action item's issue says.
func IssueTitle(a ActionItem) string {
	return rituals.Shorten(fmt.Sprintf("[incident #%d] %s", a.Incident, a.Text), 256)
}

// IssueBody is the issue's description, in Markdown.
func IssueBody(a ActionItem, incidentTitle, ownerName, postmortemURL string) string {
	s := fmt.Sprintf("Action item %s of incident #%d: %s\n\n%s\n\n- Owner: %s\n", a.ID, a.Incident, rituals.EscapeMarkdown(incidentTitle),
		rituals.EscapeMarkdown(a.Text), rituals.EscapeMarkdown(ownerName))
	if !a.Due.IsZero() {
		s += "- Due: " + a.Due.String() + "\n"
	}
	if postmortemURL != "" {
		s += "- Postmortem: " + postmortemURL + "\n"
	}
	return s + "\nClosing this issue marks the action item done in ritualbot; marking it done there closes this issue.\n"
}

// SetActionDoneFromIssue marks action item id done (or open again) as its
// GitHub issue was closed (or reopened): the webhook is signed, so no
// person's role is checked; the thread says what happened.
func (x *Incidents) SetActionDoneFromIssue(ctx context.Context, id string, done bool, issueURL string) (ActionItem, bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	a, ok, err := x.Store.Action(id)
	if err != nil || !ok || a.Ritual != x.Config.Name {
		return a, false, err
	}
	if done != a.Open() {
		return a, false, nil // already so
	}
	now := x.Clock.Now()
	var line string
	link, _ := rituals.Link(issueURL, "on GitHub")
	if done {
		a.Closed, a.ClosedBy = now, ""
		line = fmt.Sprintf(":white_check_mark: *Action item done*: its issue was closed %s\n~%s~", link, rituals.EscapeText(a.Text))
	} else {
		a.Closed, a.ClosedBy = time.Time{}, ""
		line = fmt.Sprintf(":arrows_counterclockwise: *Action item open again*: its issue was reopened %s\n%s", link, rituals.EscapeText(a.Text))
	}
	if err := x.Store.PutAction(a); err != nil {
		return a, false, fmt.Errorf("store action item %s: %w", a.ID, err)
	}
	change := "reopened"
	if done {
		change = "closed"
	}
	return a, true, x.Outbox.Send(ctx, rituals.Message{
		Key: fmt.Sprintf("incident/%d/action/%s/issue/%s/%d", a.Incident, a.ID, change, now.Unix()),
		To:  x.Channel(), ThreadKey: announceKey(a.Incident),
		Text: fmt.Sprintf("Action item of #%d changed on GitHub", a.Incident), Blocks: []rituals.Block{rituals.Section(line)},
	})
}
