package release

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// How much of a long release a message shows. Slack refuses a message over
// 50 blocks or a section over 3000 characters; a note stays well inside,
// and what it leaves out it counts ("… and 37 more").
const (
	maxGroupLines   = 15   // changes listed per group (features, fixes, other)
	maxSectionChars = 2900 // under Slack's 3000, for the "and N more" line
	maxDeployLines  = 20   // deploys listed in a batch note
	maxTitle        = 200  // characters of a change's title
)

// Change groups, in the order a note shows them.
const (
	GroupFeatures = "Features"
	GroupFixes    = "Fixes"
	GroupOther    = "Other changes"
)

var groupOrder = []string{GroupFeatures, GroupFixes, GroupOther}

// conventional reads a Conventional Commits subject, type(scope)!: text.
// (By hand: a batch of 500 deploys reads thousands, and a regexp was
// most of its time.)
func conventional(title string) (typ, scope, text string, ok bool) {
	head, rest, found := strings.Cut(title, ":")
	if !found || len(rest) < 2 || (rest[0] != ' ' && rest[0] != '\t') {
		return "", "", "", false
	}
	text = strings.TrimSpace(rest)
	head = strings.TrimSuffix(head, "!")
	if i := strings.IndexByte(head, '('); i >= 0 {
		if !strings.HasSuffix(head, ")") || i+2 > len(head)-1 || len(head)-i-2 > 60 || strings.ContainsAny(head[i+1:len(head)-1], "()") {
			return "", "", "", false
		}
		head, scope = head[:i], head[i+1:len(head)-1]
	}
	if head == "" || text == "" {
		return "", "", "", false
	}
	for i := 0; i < len(head); i++ {
		if c := head[i] | 0x20; c < 'a' || c > 'z' {
			return "", "", "", false
		}
	}
	return head, scope, text, true
}

// Change is one commit as a note lists it.
type Change struct {
	Group  string
	Scope  string
	Title  string // the subject, without its type
	SHA    string
	Author string
	URL    string
}

// ChangeOf reads a commit's first line: "feat: …" is a feature, "fix: …"
// a fix, anything else (another type, or no type at all) another change.
func ChangeOf(c rituals.Commit) Change {
	title, _, _ := strings.Cut(strings.TrimSpace(c.Message), "\n")
	ch := Change{Group: GroupOther, Title: strings.TrimSpace(title), SHA: c.SHA, Author: c.Author, URL: c.URL}
	if typ, scope, text, ok := conventional(ch.Title); ok {
		switch strings.ToLower(typ) {
		case "feat", "feature":
			ch.Group = GroupFeatures
		case "fix", "bugfix", "hotfix":
			ch.Group = GroupFixes
		}
		if ch.Group != GroupOther {
			ch.Scope, ch.Title = scope, text
		}
	}
	if ch.Title == "" {
		ch.Title = shortSHA(c.SHA)
	}
	return ch
}

// Grouped sorts the commits of deploys into the note's groups, each in
// the order shipped.
func Grouped(deploys []rituals.Deploy) map[string][]Change {
	kept, _ := grouped(deploys, -1)
	out := map[string][]Change{}
	for i, g := range groupOrder {
		if len(kept[i]) > 0 {
			out[g] = kept[i]
		}
	}
	return out
}

// grouped is Grouped in groupOrder, keeping at most keep changes a group
// (all if keep is negative), with the count of each group.
func grouped(deploys []rituals.Deploy, keep int) (kept [3][]Change, counts [3]int) {
	for _, d := range deploys {
		for _, c := range d.Commits {
			ch := ChangeOf(c)
			i := slices.Index(groupOrder, ch.Group)
			counts[i]++
			if keep < 0 || len(kept[i]) < keep {
				kept[i] = append(kept[i], ch)
			}
		}
	}
	return kept, counts
}

// line is a change as a note's line: its title linked to its commit, and
// its author. The title is inert: a pasted <!channel> or *bold* shows as
// typed.
func (c Change) line() string {
	title := rituals.Inert(rituals.OneLine(c.Title, maxTitle))
	if c.Scope != "" {
		title = "*" + rituals.Inert(c.Scope) + ":* " + title
	}
	if c.URL != "" {
		if l, ok := rituals.Link(c.URL, rituals.Escape(shortSHA(c.SHA))); ok {
			title += " (" + l + ")"
		}
	}
	if c.Author != "" {
		title += " — " + rituals.Inert(rituals.OneLine(c.Author, 60))
	}
	return "• " + title
}

// groupSections are one section per group of changes, each folded to
// maxGroupLines lines and maxSectionChars characters. unlisted counts the
// commits shipped but not kept, shown as one more line.
func groupSections(deploys []rituals.Deploy, unlisted int) []rituals.Block {
	var out []rituals.Block
	groups, counts := grouped(deploys, maxGroupLines)
	for i, g := range groupOrder {
		if counts[i] == 0 {
			continue
		}
		out = append(out, rituals.Section(foldLines(fmt.Sprintf("*%s* (%d)", g, counts[i]), groups[i], counts[i], maxGroupLines, Change.line)))
	}
	if unlisted > 0 {
		out = append(out, rituals.Context(fmt.Sprintf("and %d more commit%s the deploy system reported without listing them", unlisted, rituals.Plural(unlisted))))
	}
	return out
}

// foldLines writes a title and the lines of items, stopping at max lines or maxSectionChars characters with "… and N more".
// total counts the items, of which items may hold only the first.
func foldLines[T any](title string, items []T, total, max int, line func(T) string) string {
	var b strings.Builder
	b.Grow(min(len(title)+min(len(items), max+1)*120, maxSectionChars)) // lines run to about 120 bytes
	b.WriteString(title)
	for i, it := range items {
		l := line(it)
		if i == max || b.Len()+1+len(l) > maxSectionChars-40 {
			fmt.Fprintf(&b, "\n… and %d more", total-i)
			return b.String()
		}
		b.WriteString("\n")
		b.WriteString(l)
	}
	if total > len(items) {
		fmt.Fprintf(&b, "\n… and %d more", total-len(items))
	}
	return b.String()
}

// shortSHA is a commit's first seven characters, as git shows it.
func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// versionOf is what names a deploy: its version, else its short SHA.
func versionOf(d rituals.Deploy) string {
	if d.Version != "" {
		return d.Version
	}
	return shortSHA(d.SHA)
}

// who names a deployer: a mention for a Slack user ID, the name otherwise.
func who(deployer string) string {
	if isUserID(deployer) {
		return rituals.Mention(deployer)
	}
	return rituals.Inert(deployer)
}

func isUserID(s string) bool {
	if len(s) < 3 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// unlisted counts the commits a deploy shipped beyond those it lists.
func unlisted(d rituals.Deploy) int {
	if d.CommitsTotal > len(d.Commits) {
		return d.CommitsTotal - len(d.Commits)
	}
	return 0
}

// Note is the release note of one deploy.
func Note(d rituals.Deploy, loc *time.Location, includeCommits bool) (text string, blocks []rituals.Block) {
	name := rituals.OneLine(d.Service, 60) + " " + rituals.OneLine(versionOf(d), 40)
	text = fmt.Sprintf("Released %s to %s", name, d.Environment)
	if d.Environment == GitHubRelease {
		text = "Released " + name
	}
	blocks = append(blocks, rituals.Header("🚀 "+text))
	fields := []string{
		"*Service*\n" + rituals.Inert(d.Service),
		"*Environment*\n" + rituals.Inert(d.Environment),
		"*Version*\n" + rituals.Inert(versionOf(d)),
		"*When*\n" + rituals.SlackDate(d.Finished, loc),
		"*Duration*\n" + rituals.FormatSpan(d.Finished.Sub(d.Started)),
		"*Status*\n" + statusOf(d),
	}
	if d.Deployer != "" {
		fields = append(fields, "*Deployed by*\n"+who(d.Deployer))
	}
	if d.Version != "" && d.SHA != "" {
		fields = append(fields, "*Commit*\n"+rituals.Inert(shortSHA(d.SHA)))
	}
	blocks = append(blocks, rituals.Block{Kind: rituals.SectionBlock, Fields: fields})
	if d.Notes != "" {
		blocks = append(blocks, rituals.Section(notesText(d)))
	}
	if includeCommits && d.Environment != GitHubRelease {
		if len(d.Commits) == 0 && d.CommitsTotal == 0 {
			blocks = append(blocks, rituals.Context("No commits were reported with this deploy."))
		}
		blocks = append(blocks, groupSections([]rituals.Deploy{d}, unlisted(d))...)
	}
	if l, ok := rituals.Link(d.URL, "the deploy"); ok {
		blocks = append(blocks, rituals.Context("See "+l+"."))
	}
	return text, blocks
}

// maxNotes is how much of a release's body a note shows.
const maxNotes = 2500

// notesText is a GitHub release's body, inert (it is Markdown, which
// mrkdwn would half read), clipped with a link to the whole.
func notesText(d rituals.Deploy) string {
	body := rituals.Inert(strings.TrimSpace(d.Notes))
	if len([]rune(body)) <= maxNotes {
		return body
	}
	more := "the release"
	if l, ok := rituals.Link(d.URL, "Read the full notes"); ok {
		more = l
	}
	return rituals.Clip(body, maxNotes) + "\n" + more
}

func statusOf(d rituals.Deploy) string {
	if d.Failed() {
		return "failed"
	}
	return "succeeded"
}

// FailureLine is the one line a failed or rolled-back deploy gets.
func FailureLine(d rituals.Deploy, loc *time.Location) string {
	s := fmt.Sprintf(":warning: Deploy of *%s* %s to %s failed or was rolled back (%s",
		rituals.Inert(d.Service), rituals.Inert(versionOf(d)), rituals.Inert(d.Environment), rituals.SlackDate(d.Finished, loc))
	if d.Deployer != "" {
		s += ", by " + who(d.Deployer)
	}
	s += ")."
	if l, ok := rituals.Link(d.URL, "the deploy"); ok {
		s += " See " + l + "."
	}
	return s
}

// Changelog is the note of several deploys: a batch, or /release notes.
// The deploys are listed one a line, then their changes grouped.
func Changelog(title string, deploys []rituals.Deploy, loc *time.Location, includeCommits bool) (text string, blocks []rituals.Block) {
	ok, failed := deploys, []rituals.Deploy(nil)
	services := map[string]bool{}
	for _, d := range deploys {
		services[strings.ToLower(d.Service)] = true
		if d.Failed() {
			failed = append(failed, d)
		}
	}
	if len(failed) > 0 { // apart, without copying the common case
		ok = make([]rituals.Deploy, 0, len(deploys)-len(failed))
		for _, d := range deploys {
			if !d.Failed() {
				ok = append(ok, d)
			}
		}
	}
	text = fmt.Sprintf("%s: %d deploy%s of %d service%s", title, len(ok), rituals.Plural(len(ok)), len(services), rituals.Plural(len(services)))
	blocks = append(blocks, rituals.Header(rituals.Shorten("📦 "+text, 150)))
	if len(deploys) == 0 {
		return text, append(blocks, rituals.Section("Nothing was deployed."))
	}
	line := func(d rituals.Deploy) string {
		s := fmt.Sprintf("• *%s* %s to %s, %s", rituals.Inert(rituals.OneLine(d.Service, 60)), rituals.Inert(rituals.OneLine(versionOf(d), 40)),
			rituals.Inert(d.Environment), rituals.SlackDate(d.Finished, loc))
		if d.Deployer != "" {
			s += " by " + who(d.Deployer)
		}
		if l, ok := rituals.Link(d.URL, "deploy"); ok {
			s += " (" + l + ")"
		}
		return s
	}
	if len(ok) > 0 {
		blocks = append(blocks, rituals.Section(foldLines("*Deployed*", ok, len(ok), maxDeployLines, line)))
	}
	if len(failed) > 0 {
		blocks = append(blocks, rituals.Section(foldLines("*Failed or rolled back*", failed, len(failed), maxDeployLines, line)))
	}
	if includeCommits {
		more := 0
		for _, d := range ok {
			more += unlisted(d)
		}
		blocks = append(blocks, groupSections(ok, more)...)
	}
	return text, blocks
}
