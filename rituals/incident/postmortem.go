package incident

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// PostmortemURL is the postmortem's address, "" without a public URL.
func (x *Incidents) PostmortemURL(n int) string { return x.Pages.URL(rituals.PostmortemPath(n)) }

// timeToRestoreLabel explains where time to restore counts from.
func timeToRestoreLabel(inc Incident) string {
	ttr := HumanDuration(inc.TimeToRestore())
	if !inc.ImpactStart.IsZero() && inc.ImpactStart.Before(inc.Opened) {
		return ttr + " (from the first alert)"
	}
	return ttr
}

// sortedActions orders action items by due date (none last), then by ID.
func sortedActions(actions []ActionItem) []ActionItem {
	out := append([]ActionItem(nil), actions...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Due.IsZero() != b.Due.IsZero() {
			return !a.Due.IsZero()
		}
		if a.Due != b.Due {
			return a.Due.Before(b.Due)
		}
		return a.Created.Before(b.Created)
	})
	return out
}

func sortedAnswers(inc Incident) []RetroAnswer {
	out := append([]RetroAnswer(nil), inc.Retro.Answers...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Submitted.Before(out[j].Submitted) })
	return out
}

// PostmortemMessage is the postmortem as posted to the channel.
func (x *Incidents) PostmortemMessage(inc Incident, actions []ActionItem) rituals.Message {
	loc := x.location()
	commander := "nobody recorded"
	if inc.Commander != "" {
		commander = rituals.Mention(inc.Commander)
	}
	blocks := []rituals.Block{
		rituals.Header(fmt.Sprintf("Postmortem #%d: %s", inc.Number, x.title(inc))),
		{Kind: rituals.SectionBlock, Fields: []string{
			"*Severity*\n" + strings.ToUpper(inc.Severity),
			"*Commander*\n" + commander,
			"*Duration*\n" + HumanDuration(inc.Duration(inc.Resolved)),
			"*Time to restore*\n" + timeToRestoreLabel(inc),
			// Each reader sees these in their own zone.
			"*Opened*\n" + rituals.SlackDate(inc.Opened, loc),
			"*Resolved*\n" + rituals.SlackDate(inc.Resolved, loc),
		}},
		rituals.Context(blamelessNote),
	}
	if inc.Summary != "" {
		blocks = append(blocks, rituals.Section("*Summary*\n"+rituals.EscapeText(inc.Summary)))
	}
	var lines []string
	for _, e := range inc.Timeline {
		if e.Kind == EventRetroPublished {
			continue
		}
		lines = append(lines, fmt.Sprintf("`%s` %s", e.At.In(loc).Format("Mon 15:04"), strings.ReplaceAll(strings.ReplaceAll(EventLine(e), "\n> ", " · "), "\n", " · ")))
	}
	blocks = append(blocks, chunkSections("*Timeline*", lines)...)
	answers := sortedAnswers(inc)
	for _, q := range retroQuestions(inc, x.questions()) {
		var ls []string
		for _, a := range answers {
			if v := a.Answers[q.ID]; v != "" {
				ls = append(ls, fmt.Sprintf("%s: %s", rituals.Mention(a.User), rituals.EscapeText(v)))
			}
		}
		if len(ls) == 0 {
			ls = []string{"_No answers._"}
		}
		blocks = append(blocks, chunkSections("*"+rituals.Escape(q.Text)+"*", ls)...)
	}
	var als []string
	for _, a := range sortedActions(actions) {
		als = append(als, actionLine(a))
	}
	if len(als) == 0 {
		als = []string{"_No action items._"}
	}
	blocks = append(blocks, chunkSections("*Action items*", als)...)
	if link, ok := rituals.Link(x.PostmortemURL(inc.Number), "Postmortem as Markdown"); ok {
		blocks = append(blocks, rituals.Context(link))
	}
	return rituals.Message{
		Key: fmt.Sprintf("incident/%d/postmortem", inc.Number), To: x.Channel(),
		Text:   fmt.Sprintf("Postmortem #%d: %s (%s, %s)", inc.Number, rituals.Escape(x.title(inc)), strings.ToUpper(inc.Severity), HumanDuration(inc.Duration(inc.Resolved))),
		Blocks: blocks,
	}
}

func actionLine(a ActionItem) string {
	s := fmt.Sprintf("• %s — %s", rituals.EscapeText(a.Text), rituals.Mention(a.Owner))
	if !a.Due.IsZero() {
		s += ", due " + a.Due.Time().Format("Mon 2 Jan 2006")
	}
	if !a.Open() {
		s += " :white_check_mark:"
	}
	return s
}

// chunkSections puts lines under a title in sections within Slack's
// 3,000 characters each.
func chunkSections(title string, lines []string) []rituals.Block {
	var out []rituals.Block
	cur := title
	for _, l := range lines {
		l = rituals.Clip(l, 2800)
		if len([]rune(cur))+1+len([]rune(l)) > 2900 {
			out = append(out, rituals.Section(cur))
			cur = l
			continue
		}
		cur += "\n" + l
	}
	return append(out, rituals.Section(cur))
}

// mdNamer names users in Markdown read outside Slack.
type mdNamer map[string]string

func (n mdNamer) name(id string) string {
	if id == "" {
		return ""
	}
	if v := n[id]; v != "" {
		return "@" + v
	}
	return "@" + id
}

// mdText makes text read as typed inside Markdown, on one line.
func mdText(s string) string {
	return rituals.EscapeMarkdown(strings.NewReplacer("\r\n", " ", "\n", " ").Replace(strings.TrimSpace(s)))
}

// mdBlock keeps the user's line breaks as a quoted block.
func mdBlock(s string) string {
	s = rituals.EscapeMarkdown(strings.TrimSpace(s))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> " + strings.TrimRight(l, "\r")
	}
	return strings.Join(lines, "\n")
}

// mentions turns the mentions kept in user text into names.
func (n mdNamer) mentions(s string) string {
	return rituals.ReplaceMentions(s, n.name)
}

// EventPlain is a timeline event as one line of plain text.
func EventPlain(e TimelineEvent, n mdNamer) string {
	by := ""
	if e.By != "" {
		by = " by " + n.name(e.By)
	}
	text := n.mentions(e.Text)
	switch e.Kind {
	case EventDeclared:
		s := fmt.Sprintf("Declared%s as %s", by, strings.ToUpper(e.Severity))
		if e.By == "" && text != "" {
			s += " (" + text + ")"
		}
		return s
	case EventUpdate:
		return fmt.Sprintf("Update%s: %s", by, text)
	case EventSeverity:
		return fmt.Sprintf("Severity %s%s", strings.ToUpper(text), by)
	case EventPinned:
		return fmt.Sprintf("Pinned message from %s: %s", n.name(e.By), text)
	case EventAlertFired:
		return "Alert firing: " + strings.ReplaceAll(strings.ReplaceAll(text, "\n• ", "; "), "• ", "")
	case EventAlertResolved:
		return "Alert resolved: " + strings.ReplaceAll(strings.ReplaceAll(text, "\n• ", "; "), "• ", "")
	case EventResolved:
		s := "Resolved" + by
		if text != "" {
			s += ": " + text
		}
		return s
	case EventRetroPublished:
		return "Postmortem published" + by
	case EventRetroSkipped:
		return fmt.Sprintf("Retro skipped%s: %s", by, text)
	}
	return text
}

// PostmortemMarkdown is the postmortem as a Markdown document.
func (x *Incidents) PostmortemMarkdown(inc Incident, actions []ActionItem, names map[string]string) string {
	n := mdNamer(names)
	loc := x.location()
	stamp := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	var b strings.Builder
	fmt.Fprintf(&b, "# Postmortem #%d: %s\n\n", inc.Number, mdText(n.mentions(inc.Title)))
	fmt.Fprintf(&b, "_%s_\n\n", blamelessNote)
	b.WriteString("| | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, mdText(v)) }
	row("Severity", strings.ToUpper(inc.Severity))
	commander := "nobody recorded"
	if inc.Commander != "" {
		commander = n.name(inc.Commander)
	}
	row("Commander", commander)
	var ps []string
	for _, p := range inc.Participants {
		if slices.Contains(inc.Shadowing, p) {
			ps = append(ps, n.name(p)+" (shadowing)")
			continue
		}
		ps = append(ps, n.name(p))
	}
	row("Participants", strings.Join(ps, ", "))
	row("Opened", stamp(inc.Opened)+" via "+SourceLabel(inc.Source))
	if !inc.ImpactStart.IsZero() && inc.ImpactStart.Before(inc.Opened) {
		row("Impact started", stamp(inc.ImpactStart))
	}
	row("Resolved", stamp(inc.Resolved))
	row("Duration", HumanDuration(inc.Duration(inc.Resolved)))
	row("Time to restore", timeToRestoreLabel(inc))
	if inc.SourceURL != "" {
		row("Source", inc.SourceURL)
	}
	if inc.Summary != "" {
		fmt.Fprintf(&b, "\n## Summary\n\n%s\n", mdBlock(n.mentions(inc.Summary)))
	}
	fmt.Fprintf(&b, "\n## Timeline (%s)\n\n", inc.Opened.In(loc).Format("MST"))
	for _, e := range inc.Timeline {
		if e.Kind == EventRetroPublished {
			continue
		}
		fmt.Fprintf(&b, "- **%s** %s\n", e.At.In(loc).Format("2006-01-02 15:04"), mdText(EventPlain(e, n)))
	}
	answers := sortedAnswers(inc)
	for _, q := range retroQuestions(inc, x.questions()) {
		fmt.Fprintf(&b, "\n## %s\n\n", mdText(q.Text))
		answered := false
		for _, a := range answers {
			if v := a.Answers[q.ID]; v != "" {
				fmt.Fprintf(&b, "**%s**\n\n%s\n\n", mdText(n.name(a.User)), mdBlock(n.mentions(v)))
				answered = true
			}
		}
		if !answered {
			b.WriteString("_No answers._\n")
		}
	}
	b.WriteString("\n## Action items\n\n")
	sorted := sortedActions(actions)
	if len(sorted) == 0 {
		b.WriteString("_No action items._\n")
	} else {
		b.WriteString("| Action | Owner | Due | Status |\n|---|---|---|---|\n")
		for _, a := range sorted {
			due := "—"
			if !a.Due.IsZero() {
				due = a.Due.String()
			}
			status := "open"
			if !a.Open() {
				status = "done " + a.Closed.In(loc).Format("2006-01-02")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdText(n.mentions(a.Text)), mdText(n.name(a.Owner)), due, status)
		}
	}
	if !inc.Retro.Published.IsZero() {
		fmt.Fprintf(&b, "\n---\nPublished %s by %s.\n", stamp(inc.Retro.Published), mdText(n.name(inc.Retro.PublishedBy)))
	} else {
		b.WriteString("\n---\nDraft: not published yet.\n")
	}
	return b.String()
}

// LatestPostmortem is what `ritualbot preview` shows of the ritual: the
// postmortem of its latest incident, as published or as a draft.
func (x *Incidents) LatestPostmortem() (rituals.Message, error) {
	inc, ok, err := x.Store.LatestIncident(x.Config.Name)
	if err != nil {
		return rituals.Message{}, err
	}
	if !ok {
		return rituals.Message{}, rituals.Errorf(rituals.ENOTFOUND, "%s has no incidents yet, so there is no postmortem to show.", x.Config.Name)
	}
	all, err := x.Store.ActionItems(x.Config.Name)
	if err != nil {
		return rituals.Message{}, err
	}
	var actions []ActionItem
	for _, a := range all {
		if a.Incident == inc.Number {
			actions = append(actions, a)
		}
	}
	if inc.Resolved.IsZero() {
		inc.Resolved = x.Clock.Now()
	}
	return x.PostmortemMessage(inc, actions), nil
}
