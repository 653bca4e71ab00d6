package standup

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// A summary must be one message Slack accepts: at most 50 blocks, at most
// 3,000 characters in a section. Escaping makes user text longer (one "<"
// is four characters), so budgets apply to the escaped text.
const (
	maxMessageBlocks  = 50
	maxSectionChars   = 3000
	maxBlockersListed = 10
	maxBlockerChars   = 500
	maxLabelChars     = 100
)

// summaryMessages builds day d's summary: in channel mode one message; in
// thread mode a parent and a reply per answer. update makes the parent an
// edit of the posted one, and leaves the replies out.
func (s *Standup) summaryMessages(d rituals.Date, users map[string]rituals.UserInfo, answers map[string]StandupAnswer, outcomes map[string]Outcome, update bool) ([]rituals.Message, error) {
	blockers, err := s.Store.Blockers(s.Config.Name, true)
	if err != nil {
		return nil, fmt.Errorf("standup %s: read blockers: %w", s.Config.Name, err)
	}
	sort.Slice(blockers, func(i, j int) bool { return blockers[i].Opened.Before(blockers[j].Opened) })

	var answered []StandupAnswer
	var away, skipped []string
	missing := 0
	for _, m := range s.members(users) {
		switch outcomes[m] {
		case OutcomeAnswered:
			answered = append(answered, answers[m])
		case OutcomeSkipped:
			skipped = append(skipped, displayName(users, m))
		case OutcomeAway:
			away = append(away, displayName(users, m))
		case OutcomeMissing:
			missing++
		}
	}
	participation := fmt.Sprintf("%d/%d answered", len(answered), len(answered)+missing)
	if len(away) > 0 {
		participation += fmt.Sprintf(" · %d away", len(away))
	}
	if len(skipped) > 0 {
		participation += fmt.Sprintf(" · %d skipped", len(skipped))
	}
	var who []string
	if len(away) > 0 {
		who = append(who, "Away: "+strings.Join(away, ", "))
	}
	if len(skipped) > 0 {
		who = append(who, "Skipped: "+strings.Join(skipped, ", "))
	}

	title := fmt.Sprintf("%s standup · %s", s.teamName(), dayLabel(d))
	text := title + ": " + participation
	head := []rituals.Block{rituals.Header(title)}
	head = append(head, s.blockerBlocks(users, blockers, d)...)
	var tail []rituals.Block
	if len(who) > 0 {
		tail = append(tail, rituals.Context(rituals.Clip(strings.Join(who, " · "), maxSectionChars)))
	}
	parentKey := s.key(d, "summary")

	if s.Settings.Summary == SummaryThread {
		line := participation
		if len(answered) > 0 {
			line += " · answers in the thread"
		}
		blocks := append(head, rituals.Context(line))
		blocks = append(blocks, tail...)
		msgs := []rituals.Message{{Key: parentKey, To: s.channel(), Update: update, Text: text, Blocks: blocks}}
		if !update {
			for _, a := range answered {
				msgs = append(msgs, s.threadReply(users, a))
			}
		}
		return msgs, nil
	}

	blocks := append(head, rituals.Divider())
	tail = append([]rituals.Block{rituals.Context(participation)}, tail...)
	// Each answer takes the sections it needs; what no longer fits in
	// the message's blocks is counted in a line, never cut silently.
	room := maxMessageBlocks - len(blocks) - len(tail) - 1
	shown := 0
	for i, a := range answered {
		secs := answerSections(a)
		if len(secs) > room && !(i == len(answered)-1 && len(secs) == room+1) {
			break
		}
		for _, sec := range secs {
			blocks = append(blocks, rituals.Section(sec))
		}
		room -= len(secs)
		shown++
	}
	if n := len(answered) - shown; n > 0 {
		blocks = append(blocks, rituals.Context(fmt.Sprintf("… and %d more answer%s: too many for one message (a thread summary shows them all).", n, rituals.Plural(n))))
	}
	blocks = append(blocks, tail...)
	return []rituals.Message{{Key: parentKey, To: s.channel(), Update: update, Text: text, Blocks: blocks}}, nil
}

// blockerBlocks lists the open blockers, oldest first, each with who, for
// how many calendar days of its owner's zone, and a Cleared button that refers to day d's summary.
func (s *Standup) blockerBlocks(users map[string]rituals.UserInfo, blockers []rituals.Blocker, d rituals.Date) []rituals.Block {
	if len(blockers) == 0 {
		return []rituals.Block{rituals.Context(":white_check_mark: No open blockers")}
	}
	now := s.Clock.Now()
	out := []rituals.Block{rituals.Section(fmt.Sprintf(":rotating_light: *%d open blocker%s*", len(blockers), rituals.Plural(len(blockers))))}
	for i, b := range blockers {
		if i == maxBlockersListed {
			n := len(blockers) - i
			out = append(out, rituals.Context(fmt.Sprintf("… and %d more open blocker%s", n, rituals.Plural(n))))
			break
		}
		blk := rituals.Section(fmt.Sprintf("%s: %s _(open %s)_", rituals.Mention(b.User), rituals.Clip(rituals.Escape(b.Text), maxBlockerChars), rituals.OpenFor(b.DaysOpen(now, memberZone(users, b.User, s.Config.Schedule.Location)))))
		// Unique action IDs, so each button names its own blocker.
		blk.Buttons = []rituals.Button{{Text: "Cleared", ActionID: fmt.Sprintf("standup:clear:%d", i), Value: b.ID + "|" + d.String()}}
		out = append(out, blk)
	}
	return out
}

// threadReply is a member's answer as a reply under the summary: a
// section per question, so each answer gets a section's full length.
func (s *Standup) threadReply(users map[string]rituals.UserInfo, a StandupAnswer) rituals.Message {
	blocks := []rituals.Block{rituals.Section(answerHead(a))}
	for _, it := range answerItems(a) {
		for _, part := range rituals.Split(it.label+"\n"+it.body, maxSectionChars) {
			blocks = append(blocks, rituals.Section(part))
		}
	}
	if len(blocks) > maxMessageBlocks {
		// Questions × 3,000 characters cannot run past 50 blocks with
		// the form's limits; kept as a guard against a config of dozens
		// of questions.
		blocks = blocks[:maxMessageBlocks]
	}
	return rituals.Message{
		Key: s.key(a.Date, "answer", a.User), To: s.channel(), ThreadKey: s.key(a.Date, "summary"),
		Text: "Standup answer from " + displayName(users, a.User), Blocks: blocks,
	}
}

// answerSections is a's answers as the sections of a summary: one when
// they fit in a section, else one per question, a long answer going on
// over more sections, so that nothing anyone wrote is cut.
func answerSections(a StandupAnswer) []string {
	head := answerHead(a)
	items := answerItems(a)
	n := utf8.RuneCountInString(head)
	for _, it := range items {
		n += utf8.RuneCountInString(it.label) + utf8.RuneCountInString(it.body) + 2
	}
	if n <= maxSectionChars {
		return []string{answerText(a, maxSectionChars)}
	}
	out := []string{head}
	for _, it := range items {
		out = append(out, rituals.Split(it.label+"\n"+it.body, maxSectionChars)...)
	}
	return out
}

// StandupAnswerText is one member's answers as one mrkdwn section: user
// text escaped, and each answer cut to its share of a section's length.
func StandupAnswerText(a StandupAnswer) string { return answerText(a, maxSectionChars) }

type answerItem struct{ label, body string }

// answerItems are the answered questions: the label (bold question) and
// the escaped answer. Empty answers and "none" to a blocker question are
// left out.
func answerItems(a StandupAnswer) []answerItem {
	var out []answerItem
	for _, q := range a.Questions {
		v := strings.TrimSpace(a.Answers[q.ID])
		if v == "" || q.Blocker && IsEmptyAnswer(v) {
			continue
		}
		label := "*" + rituals.Clip(rituals.Escape(q.Text), maxLabelChars) + "*"
		if q.Blocker {
			label = ":rotating_light: " + label
		}
		out = append(out, answerItem{label: label, body: rituals.Escape(v)})
	}
	return out
}

func answerHead(a StandupAnswer) string {
	h := "*" + rituals.Mention(a.User) + "*"
	switch {
	case a.Late && a.EditedAfterSummary:
		h += " _(late, edited)_"
	case a.Late:
		h += " _(late)_"
	case a.EditedAfterSummary:
		h += " _(edited)_"
	}
	return h
}

// answerText renders a's answers within budget characters: the answers
// share what the labels leave, short ones giving their unused share to
// long ones.
func answerText(a StandupAnswer, budget int) string {
	head := answerHead(a)
	items := answerItems(a)
	avail := budget - utf8.RuneCountInString(head)
	lens := make([]int, len(items))
	for i, it := range items {
		avail -= utf8.RuneCountInString(it.label) + 2 // two newlines
		lens[i] = utf8.RuneCountInString(it.body)
	}
	allow := shareOut(lens, max(avail, 0))
	var b strings.Builder
	b.WriteString(head)
	for i, it := range items {
		b.WriteString("\n" + it.label + "\n" + rituals.Clip(it.body, allow[i]))
	}
	return b.String()
}

// shareOut splits total among wants: everyone gets what they want if it
// fits; otherwise the smallest wants are met first and the rest share
// evenly.
func shareOut(wants []int, total int) []int {
	order := make([]int, len(wants))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return wants[order[i]] < wants[order[j]] })
	out := make([]int, len(wants))
	left := total
	for n, i := range order {
		share := left / (len(order) - n)
		out[i] = min(wants[i], share)
		left -= out[i]
	}
	return out
}

// displayName is how a member is named where a mention would notify them
// for nothing (who is away): their Slack name, else a mention.
func displayName(users map[string]rituals.UserInfo, id string) string {
	if u, ok := users[id]; ok && u.Name != "" {
		return rituals.Escape(u.Name)
	}
	return rituals.Mention(id)
}
