package incident

import (
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// when writes an instant for Slack: in each reader's own zone, with a
// fallback in the ritual's.
func (x *Incidents) when(t time.Time) string {
	return rituals.SlackDate(t, x.location())
}

// SourceLabel names where an incident came from.
func SourceLabel(source string) string {
	switch source {
	case SourceAlertmanager:
		return "Alertmanager"
	case SourcePagerDuty:
		return "PagerDuty"
	}
	return "Slack"
}

// announcement is the incident's message in the channel; its thread is
// the incident's home. update re-renders it in place.
func (x *Incidents) announcement(inc Incident, update bool) rituals.Message {
	now := x.Clock.Now()
	status := ":red_circle: *Open*"
	if !inc.IsOpen() {
		status = fmt.Sprintf(":large_green_circle: *Resolved* after %s", HumanDuration(inc.Duration(now)))
	}
	commander := commanderHint(inc)
	if inc.Commander != "" {
		commander = rituals.Mention(inc.Commander)
	}
	fields := []string{
		"*Severity*\n" + strings.ToUpper(inc.Severity),
		"*Status*\n" + status,
		"*Commander*\n" + commander,
		"*Declared*\n" + x.when(inc.Opened) + " via " + SourceLabel(inc.Source),
	}
	if oc := x.onCallOf(inc); oc != "" {
		fields = append(fields, "*On call*\n"+oc)
	}
	if len(inc.Shadowing) > 0 {
		fields = append(fields, "*Shadowing*\n"+mentionAll(inc.Shadowing))
	}
	if a := alertsField(inc); a != "" {
		fields = append(fields, a)
	}
	blocks := []rituals.Block{
		rituals.Header(fmt.Sprintf("Incident #%d: %s", inc.Number, x.title(inc))),
		{Kind: rituals.SectionBlock, Fields: fields},
	}
	if link, ok := rituals.Link(inc.SourceURL, "Open in "+SourceLabel(inc.Source)); ok {
		blocks = append(blocks, rituals.Context(link))
	}
	if inc.IsOpen() {
		blocks = append(blocks, rituals.Context(fmt.Sprintf("This thread is the incident's home. Post updates with `/incident update #%d …` or by mentioning me here (`@ritualbot update …`); "+
			"react with :pushpin: to add a message to the timeline. `/incident resolve #%d` when service is restored.", inc.Number, inc.Number)))
	} else if inc.Summary != "" {
		blocks = append(blocks, rituals.Section("*Summary*\n"+rituals.EscapeText(inc.Summary)))
	}
	text := fmt.Sprintf("Incident #%d (%s): %s", inc.Number, strings.ToUpper(inc.Severity), rituals.Escape(x.title(inc)))
	if !inc.IsOpen() {
		text = "Resolved: " + text
	}
	return rituals.Message{Key: announceKey(inc.Number), To: x.Channel(), Update: update, Text: text, Blocks: blocks}
}

// onCallOf mentions the on-call engineers at the incident's opening.
func (x *Incidents) onCallOf(inc Incident) string {
	var parts []string
	for _, t := range inc.Teams {
		if x.OnCall == nil {
			break
		}
		if u, ok := x.OnCall(t, inc.Opened); ok && u != "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", rituals.Mention(u), x.teamName(t)))
		}
	}
	return strings.Join(parts, ", ")
}

func (x *Incidents) teamName(id string) string {
	for _, t := range x.Teams {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

// eventMessage posts timeline event i in the incident's thread.
func (x *Incidents) eventMessage(inc Incident, i int) rituals.Message {
	line := EventLine(inc.Timeline[i])
	return rituals.Message{
		Key: eventKey(inc.Number, i), To: x.Channel(), ThreadKey: announceKey(inc.Number),
		Text: fmt.Sprintf("#%d: %s", inc.Number, strings.SplitN(line, "\n", 2)[0]), Blocks: []rituals.Block{rituals.Section(line)},
	}
}

// EventLine is a timeline event as mrkdwn, user text escaped. Mentions in
// the text of an event a person made stay mentions; an event of an alert
// or a webhook (By empty) mentions nobody.
func EventLine(e TimelineEvent) string {
	by := ""
	if e.By != "" {
		by = " by " + rituals.Mention(e.By)
	} else {
		e.Text = rituals.DefuseMentions(e.Text)
	}
	switch e.Kind {
	case EventDeclared:
		return fmt.Sprintf(":rotating_light: *Declared*%s as %s", by, strings.ToUpper(e.Severity))
	case EventUpdate:
		return fmt.Sprintf(":speech_balloon: *Update*%s\n%s", by, rituals.EscapeText(e.Text))
	case EventSeverity:
		return fmt.Sprintf(":arrows_counterclockwise: *Severity* %s%s", rituals.EscapeText(strings.ToUpper(e.Text)), by)
	case EventPinned:
		return fmt.Sprintf(":pushpin: *Pinned* from %s\n%s", rituals.Mention(e.By), quote(rituals.EscapeText(e.Text)))
	case EventAlertFired:
		return ":bell: *Alert firing*\n" + rituals.EscapeText(e.Text)
	case EventAlertResolved:
		return ":white_check_mark: *Alert resolved*\n" + rituals.EscapeText(e.Text)
	case EventResolved:
		s := fmt.Sprintf(":large_green_circle: *Resolved*%s", by)
		if e.Text != "" {
			s += "\n" + rituals.EscapeText(e.Text)
		}
		return s
	case EventRetroPublished:
		return fmt.Sprintf(":memo: *Postmortem published*%s", by)
	case EventRetroSkipped:
		return fmt.Sprintf(":fast_forward: *Retro skipped*%s: %s", by, rituals.EscapeText(e.Text))
	}
	return rituals.EscapeText(e.Text)
}

func quote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// HumanDuration writes a duration as people say it: "2h 13m", "3d 4h",
// "45s".
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	days := int(d.Hours()) / 24
	h := int(d.Hours()) - 24*days
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd %dh", days, h)
}

// mentionAll mentions users, comma-separated.
func mentionAll(users []string) string {
	m := make([]string, len(users))
	for i, u := range users {
		m[i] = rituals.Mention(u)
	}
	return strings.Join(m, ", ")
}
