package digest

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// The digest is read in 30 seconds: per team one section of at most ten
// figures, each with its change against the window before and whether
// that is good or bad news, then what needs a name (blockers, incidents,
// postmortems) and the leads' highlights and risks.

// Block Kit's limits, which the digest stays within however many teams.
const (
	maxDigestBlocks = 50
	// maxMainBlocks leaves room in the posted message for the feedback
	// buttons.
	maxMainBlocks    = maxDigestBlocks - 1
	maxDigestFields  = 10
	maxDigestSection = 3000
)

// News says what a figure's change means.
type News int

const (
	NoNews   News = iota // nothing to compare with
	SameNews             // unchanged
	GoodNews
	BadNews
)

// Emoji shows the news at a glance.
func (n News) Emoji() string {
	switch n {
	case GoodNews:
		return ":large_green_circle:"
	case BadNews:
		return ":red_circle:"
	case SameNews:
		return ":white_circle:"
	}
	return ""
}

// Figure is one number of a team's digest.
type Figure struct {
	Label  string
	Value  string
	Change string // "↑ 3", "↓ 40m", "→ same"; "" when not comparable
	News   News
	Detail string
}

// Trend is the value, its change and the news, as one line.
func (f Figure) Trend() string {
	s := f.Value
	if f.Change != "" {
		s += " " + f.Change + " " + f.News.Emoji()
	}
	return s
}

// Field renders the figure as a section field.
func (f Figure) Field() string {
	s := "*" + f.Label + "*\n" + f.Trend()
	if f.Detail != "" {
		s += "\n_" + f.Detail + "_"
	}
	return s
}

// change compares now with prev, both already rounded as shown, and says
// whether the change is good news; higherIsBetter tells which way is good.
func change(now, prev float64, comparable, higherIsBetter bool, magnitude func(float64) string) (string, News) {
	if !comparable {
		return "", NoNews
	}
	d := now - prev
	switch {
	case d == 0:
		return "→ same", SameNews
	case d > 0:
		return "↑ " + magnitude(d), newsOf(higherIsBetter)
	}
	return "↓ " + magnitude(-d), newsOf(!higherIsBetter)
}

func newsOf(good bool) News {
	if good {
		return GoodNews
	}
	return BadNews
}

func count(x float64) string { return fmt.Sprintf("%d", int(math.Round(x))) }

func points(x float64) string { return fmt.Sprintf("%d pts", int(math.Round(x))) }

func minutes(x float64) string { return rituals.FormatSpan(time.Duration(x) * time.Minute) }

func tenths(x float64) string { return fmt.Sprintf("%.1f", x) }

// percent rounds a rate to whole percent.
func percent(r float64) float64 { return math.Round(r * 100) }

// roundMinutes rounds a duration to whole minutes.
func roundMinutes(d time.Duration) float64 { return math.Round(d.Minutes()) }

func roundTenths(x float64) float64 { return math.Round(x*10) / 10 }

// Figures are the team's numbers, as many as its sources allow (at most
// ten, Block Kit's limit of fields in a section).
func (td *TeamDigest) Figures() []Figure {
	now, prev := td.Now, td.Prev
	var out []Figure
	if td.HasDeploys {
		f := Figure{Label: "Deploys", Value: fmt.Sprintf("%d · %.1f/day", now.Deploys, now.PerDay)}
		f.Change, f.News = change(float64(now.Deploys), float64(prev.Deploys), true, true, count)
		detail := []string{td.Cadence + " cadence"}
		if now.FailedDeploys > 0 {
			detail = append(detail, fmt.Sprintf("%d failed", now.FailedDeploys))
		}
		f.Detail = strings.Join(detail, " · ")
		out = append(out, f)

		f = Figure{Label: "Lead time", Value: "—", Detail: "no changes shipped"}
		if now.Changes > 0 {
			f.Value, f.Detail = rituals.FormatSpan(now.LeadTime), fmt.Sprintf("median of %d change%s", now.Changes, rituals.Plural(now.Changes))
		}
		f.Change, f.News = change(roundMinutes(now.LeadTime), roundMinutes(prev.LeadTime), now.Changes > 0 && prev.Changes > 0, false, minutes)
		out = append(out, f)

		if td.HasIncidents {
			f = Figure{Label: "Change failure rate", Value: "—", Detail: "no deploys"}
			rate, ok := now.FailureRate()
			prevRate, prevOK := prev.FailureRate()
			if ok {
				f.Value, f.Detail = fmt.Sprintf("%d%%", int(percent(rate))), fmt.Sprintf("%d of %d deploy%s", now.ChangeFailures, now.Deploys, rituals.Plural(now.Deploys))
			}
			f.Change, f.News = change(percent(rate), percent(prevRate), ok && prevOK, false, points)
			out = append(out, f)
		}
	}
	if td.HasIncidents {
		f := Figure{Label: "Time to restore", Value: "—", Detail: "nothing restored"}
		if now.Restored > 0 {
			f.Value, f.Detail = rituals.FormatSpan(now.TimeToRestore), fmt.Sprintf("median of %d", now.Restored)
		}
		f.Change, f.News = change(roundMinutes(now.TimeToRestore), roundMinutes(prev.TimeToRestore), now.Restored > 0 && prev.Restored > 0, false, minutes)
		out = append(out, f)

		f = Figure{Label: "Incidents", Value: fmt.Sprintf("%d", now.Incidents), Detail: severities(now.BySeverity)}
		if !td.HasOnCall && now.OutOfHours > 0 {
			f.Detail += fmt.Sprintf(" · %d out of hours", now.OutOfHours)
		}
		f.Change, f.News = change(float64(now.Incidents), float64(prev.Incidents), true, false, count)
		out = append(out, f)
	}
	if td.HasStandups {
		f := Figure{Label: "Standups", Value: "—", Detail: "no standups held"}
		rate, ok := now.StandupRate()
		prevRate, prevOK := prev.StandupRate()
		if ok {
			p := now.Participation
			f.Value = fmt.Sprintf("%d%% answered", int(percent(rate)))
			f.Detail = fmt.Sprintf("%d of %d", p.Answered, p.Expected-p.Skipped)
			if away := p.Away + p.Skipped; away > 0 {
				f.Detail += fmt.Sprintf(" · %d away", away)
			}
		}
		f.Change, f.News = change(percent(rate), percent(prevRate), ok && prevOK, true, points)
		out = append(out, f)

		f = Figure{Label: "Open blockers", Value: fmt.Sprintf("%d", len(td.Blockers)), Detail: "none"}
		if len(td.Blockers) > 0 {
			f.Detail = "oldest " + rituals.AgeLabel(td.Blockers[0].AgeDays(td.Now.Window.To))
		}
		out = append(out, f)
	}
	if td.HasIncidents {
		f := Figure{Label: "Action items", Value: fmt.Sprintf("%d overdue", now.ActionsOverdue),
			Detail: fmt.Sprintf("%d open · %d opened · %d closed", now.ActionsOpen, now.ActionsOpened, now.ActionsClosed)}
		f.Change, f.News = change(float64(now.ActionsOverdue), float64(prev.ActionsOverdue), true, false, count)
		out = append(out, f)

		f = Figure{Label: "Retros", Value: fmt.Sprintf("%d overdue", now.RetrosOverdue), Detail: fmt.Sprintf("%d published", now.RetrosDone)}
		f.Change, f.News = change(float64(now.RetrosOverdue), float64(prev.RetrosOverdue), true, false, count)
		out = append(out, f)
	}
	if td.HasOnCall {
		f := Figure{Label: "On-call load", Value: fmt.Sprintf("%d shift%s", now.Shifts, rituals.Plural(now.Shifts))}
		if td.HasIncidents {
			load, ok := now.IncidentsPerShift()
			prevLoad, prevOK := prev.IncidentsPerShift()
			f.Value = fmt.Sprintf("%.1f incidents/shift", roundTenths(load))
			alerts := 0.0
			if now.Shifts > 0 {
				alerts = float64(now.Alerts) / float64(now.Shifts)
			}
			f.Detail = fmt.Sprintf("%d shift%s · %.1f alerts/shift · %d out of hours", now.Shifts, rituals.Plural(now.Shifts), roundTenths(alerts), now.OutOfHours)
			f.Change, f.News = change(roundTenths(load), roundTenths(prevLoad), ok && prevOK, false, tenths)
		}
		if now.Overridden {
			// Who carried the load when overrides moved it.
			if f.Detail != "" {
				f.Detail += " · "
			}
			f.Detail += loadLine(now.Load)
		}
		out = append(out, f)
	}
	if f, ok := onboardingFigure(td.Onboardings); ok {
		out = append(out, f)
	}
	if f, ok := drillFigure(td.Drills); ok {
		out = append(out, f)
	}
	if f, ok := demoFigure(td.Demos); ok {
		out = append(out, f)
	}
	if len(out) > maxDigestFields {
		out = out[:maxDigestFields]
	}
	return out
}

// severities lists incident counts by severity: "sev1 1 · sev2 2".
func severities(by map[string]int) string {
	var names []string
	for s, n := range by {
		if n > 0 {
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	var parts []string
	for _, s := range names {
		parts = append(parts, fmt.Sprintf("%s %d", rituals.Escape(rituals.SeverityLabel(s)), by[s]))
	}
	return strings.Join(parts, " · ")
}

// PostmortemURL is where the incident's postmortem is served, "" without a
// public URL.
func (r *DigestReport) PostmortemURL(number int) string {
	return r.Pages.URL(rituals.PostmortemPath(number))
}

// teamBlocks is one team's part: its figures, what needs a name, and its
// lead's notes.
func (r *DigestReport) teamBlocks(td *TeamDigest) []rituals.Block {
	fields := td.Figures()
	head := rituals.Section("*" + rituals.Escape(td.Team.Name) + "*")
	for _, f := range fields {
		head.Fields = append(head.Fields, f.Field())
	}
	if len(fields) == 0 {
		head.Text += "\n_Nothing to report: the team lists no `services`, and no standup, incident or on-call ritual covers it._"
	}
	blocks := []rituals.Block{head}
	var lines []string
	if len(td.Blockers) > 0 {
		var items []string
		for _, b := range td.Blockers {
			items = append(items, fmt.Sprintf("%s %s _(%s)_", rituals.Mention(b.User), rituals.Escape(rituals.OneLine(b.Text, 80)), rituals.AgeLabel(b.AgeDays(td.Now.Window.To))))
		}
		lines = append(lines, "*Open blockers:* "+strings.Join(rituals.Capped(items, 3, "and %d more"), " · "))
	}
	if len(td.Incidents) > 0 {
		var items []string
		for _, in := range td.Incidents {
			state := "open"
			if !in.Resolved.IsZero() && in.Resolved.Before(td.Now.Window.To) {
				state = "restored in " + rituals.FormatSpan(in.TimeToRestore())
			}
			items = append(items, fmt.Sprintf("#%d %s _(%s, %s)_", in.Number, rituals.Escape(rituals.OneLine(in.Title, 60)), rituals.Escape(rituals.SeverityLabel(in.Severity)), state))
		}
		lines = append(lines, "*Incidents:* "+strings.Join(rituals.Capped(items, 5, "and %d more"), " · "))
	}
	if len(td.Postmortems) > 0 {
		var items []string
		for _, in := range td.Postmortems {
			label := fmt.Sprintf("#%d %s", in.Number, rituals.Escape(rituals.OneLine(in.Title, 60)))
			if u := r.PostmortemURL(in.Number); u != "" {
				label, _ = rituals.Link(u, label)
			}
			items = append(items, label)
		}
		lines = append(lines, "*Postmortems:* "+strings.Join(items, " · "))
	}
	if len(td.Pulse) > 0 {
		var items []string
		for _, q := range td.Pulse {
			var means []string
			for _, m := range q.Means {
				means = append(means, fmt.Sprintf("%.1f", m))
			}
			items = append(items, fmt.Sprintf("%s %s _(of %d)_", rituals.Escape(rituals.OneLine(q.Question, 60)), strings.Join(means, " → "), q.Scale))
		}
		lines = append(lines, "*Team health pulse:* "+strings.Join(items, " · "))
	}
	if len(lines) > 0 {
		blocks = append(blocks, rituals.Section(strings.Join(lines, "\n")))
	}
	if notes := notesText(td); notes != "" {
		blocks = append(blocks, rituals.Section(notes))
	}
	return blocks
}

// notesText lists the lead's highlights and risks.
func notesText(td *TeamDigest) string {
	var b strings.Builder
	write := func(title string, notes []DigestNote) {
		if len(notes) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(title)
		for _, n := range notes {
			fmt.Fprintf(&b, "\n• %s — %s", rituals.EscapeText(n.Text), rituals.Mention(n.Author))
		}
	}
	write(":star: *Highlights*", td.Highlights)
	write(":warning: *Risks*", td.Risks)
	return b.String()
}

// windowNoun names the window: week, fortnight, month.
func windowNoun(length time.Duration) string {
	switch days := int(length.Hours() / 24); {
	case days == 7:
		return "week"
	case days == 14:
		return "fortnight"
	case days >= 28 && days <= 31:
		return "month"
	default:
		return fmt.Sprintf("%d days", days)
	}
}

// Heading is the digest's title with its window: "Weekly digest · week to
// Fri 27 Nov".
func (r *DigestReport) Heading() string {
	return fmt.Sprintf("%s · %s to %s", r.Title, windowNoun(r.Window.Length()), r.Window.To.In(r.Location).Format("Mon 2 Jan"))
}

// legend says what the figures are compared with and what the colours mean.
func (r *DigestReport) legend() rituals.Block {
	return rituals.Context(fmt.Sprintf("Each figure against the %s before · %s good news · %s bad news · %s no change",
		windowNoun(r.Window.Length()), GoodNews.Emoji(), BadNews.Emoji(), SameNews.Emoji()))
}

// footer names the services whose deploys no team counts.
func (r *DigestReport) footer() []rituals.Block {
	if len(r.Unowned) == 0 {
		return nil
	}
	var names []string
	for s := range r.Unowned {
		names = append(names, s)
	}
	sort.Strings(names)
	var parts []string
	for _, s := range names {
		parts = append(parts, fmt.Sprintf("%s (%d)", rituals.Escape(rituals.OneLine(s, 60)), r.Unowned[s]))
	}
	return []rituals.Block{rituals.Context(rituals.Clip("Deploys of services no team lists: "+strings.Join(parts, ", ")+". Add them to a team's `services` to count them.", maxDigestSection))}
}

// summary is the notification text.
func (r *DigestReport) summary() string {
	var parts []string
	for _, td := range r.Teams {
		var bits []string
		if td.HasDeploys {
			bits = append(bits, fmt.Sprintf("%d deploy%s", td.Now.Deploys, rituals.Plural(td.Now.Deploys)))
		}
		if td.HasIncidents {
			bits = append(bits, fmt.Sprintf("%d incident%s", td.Now.Incidents, rituals.Plural(td.Now.Incidents)))
		}
		if len(bits) > 0 {
			parts = append(parts, td.Team.Name+": "+strings.Join(bits, ", "))
		}
	}
	s := r.Heading()
	if len(parts) > 0 {
		s += " — " + strings.Join(parts, "; ")
	}
	return rituals.Clip(s, maxDigestSection)
}

// overviewLine is one team in a line, for digests of many teams.
func (r *DigestReport) overviewLine(td *TeamDigest) string {
	var parts []string
	for i, f := range td.Figures() {
		if i == 6 {
			break
		}
		parts = append(parts, f.Label+" "+f.Trend())
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing to report")
	}
	return "*" + rituals.Escape(td.Team.Name) + "* — " + strings.Join(parts, " · ")
}

// Messages are the digest as posted under key in channel: one message if
// every team's block fits in Block Kit's 50 blocks; otherwise a line per
// team in the message and each team's block in its thread.
func (r *DigestReport) Messages(key, channel string) []rituals.Message {
	head := []rituals.Block{rituals.Header(r.Heading()), r.legend()}
	footer := r.footer()
	groups := make([][]rituals.Block, len(r.Teams))
	total := len(head) + len(footer)
	for i, td := range r.Teams {
		groups[i] = r.teamBlocks(td)
		total += len(groups[i])
		if i > 0 {
			total++ // divider
		}
	}
	if total <= maxMainBlocks {
		blocks := head
		for i, g := range groups {
			if i > 0 {
				blocks = append(blocks, rituals.Divider())
			}
			blocks = append(blocks, g...)
		}
		blocks = append(blocks, footer...)
		return []rituals.Message{{Key: key, To: channel, Text: r.summary(), Blocks: blocks}}
	}

	// Many teams: the message stays readable as one line per team.
	blocks := head
	var section strings.Builder
	flush := func() {
		if section.Len() > 0 {
			blocks = append(blocks, rituals.Section(section.String()))
			section.Reset()
		}
	}
	for _, td := range r.Teams {
		line := rituals.Clip(r.overviewLine(td), maxDigestSection)
		if section.Len() > 0 && section.Len()+1+len(line) > maxDigestSection {
			flush()
		}
		if section.Len() > 0 {
			section.WriteString("\n")
		}
		section.WriteString(line)
	}
	flush()
	blocks = append(blocks, rituals.Context("Each team's figures, blockers, incidents, highlights and risks are in the thread."))
	blocks = append(blocks, footer...)
	if len(blocks) > maxMainBlocks {
		blocks = append(blocks[:maxMainBlocks-1], rituals.Context(fmt.Sprintf("… and more: %d teams in all, see the thread.", len(r.Teams))))
	}
	msgs := []rituals.Message{{Key: key, To: channel, Text: r.summary(), Blocks: blocks}}
	var reply []rituals.Block
	part := 0
	send := func() {
		if len(reply) == 0 {
			return
		}
		part++
		msgs = append(msgs, rituals.Message{Key: fmt.Sprintf("%s/teams-%d", key, part), To: channel, ThreadKey: key,
			Text: fmt.Sprintf("%s, part %d", r.Heading(), part), Blocks: reply})
		reply = nil
	}
	for _, g := range groups {
		need := len(g)
		if len(reply) > 0 {
			need++
		}
		if len(reply)+need > maxDigestBlocks {
			send()
		}
		if len(reply) > 0 {
			reply = append(reply, rituals.Divider())
		}
		reply = append(reply, g...)
	}
	send()
	return msgs
}

// ChartMessage shares the trend chart in channel after the digest.
func (r *DigestReport) ChartMessage(key, channel string, png []byte) rituals.Message {
	noun := windowNoun(r.Window.Length())
	if noun == "week" || noun == "fortnight" || noun == "month" {
		noun += "s"
	} else {
		noun = "periods of " + noun
	}
	text := fmt.Sprintf("Trends over the last %d %s: deploys, incidents and standup participation", TrendWindows, noun)
	day := r.Window.To.In(r.Location).Format("2006-01-02")
	return rituals.Message{
		Key: key + "/chart", To: channel, Text: text,
		Upload: &rituals.Upload{
			Filename: fmt.Sprintf("%s-%s.png", r.Ritual, day),
			Title:    fmt.Sprintf("%s · trends to %s", r.Title, r.Window.To.In(r.Location).Format("2 Jan")),
			AltText:  text,
			Data:     png,
		},
	}
}

// loadLine names each person's share of the on-call shifts, most first.
func loadLine(load map[string]float64) string {
	people := make([]string, 0, len(load))
	for u := range load {
		people = append(people, u)
	}
	sort.Slice(people, func(i, j int) bool {
		if load[people[i]] != load[people[j]] {
			return load[people[i]] > load[people[j]]
		}
		return people[i] < people[j]
	})
	var parts []string
	for _, u := range people {
		parts = append(parts, fmt.Sprintf("%s %.1f", rituals.Mention(u), roundTenths(load[u])))
	}
	return "On call by time covered: " + strings.Join(parts, " · ")
}
