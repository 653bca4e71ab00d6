package digest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Bounds of the summary DM: Block Kit's 3,000-character section, and a
// handful of answers before "and N more".
const (
	maxSummaryTexts   = 10
	maxSummarySection = 2900
)

// Message is the summary as the leads' DM.
func (s FeedbackSummary) Message(ritual string) (string, []rituals.Block) {
	text := fmt.Sprintf("Feedback on the %s digest this week: %d useful, %d not useful", rituals.EscapeText(ritual), s.Useful, s.NotUseful)
	blocks := []rituals.Block{rituals.Section("*" + text + "*")}
	if len(s.Texts) > 0 {
		var b strings.Builder
		b.WriteString("*What readers miss:*")
		for i, t := range s.Texts {
			if i == maxSummaryTexts {
				fmt.Fprintf(&b, "\n… and %d more", len(s.Texts)-i)
				break
			}
			b.WriteString("\n> " + strings.ReplaceAll(rituals.Clip(rituals.EscapeText(t), 280), "\n", " "))
		}
		blocks = append(blocks, rituals.Section(rituals.Clip(b.String(), maxSummarySection)))
	}
	if line := wantsLine(s.More, s.Less); line != "" {
		blocks = append(blocks, rituals.Section(line))
	}
	if len(s.Drop) > 0 {
		var labels []string
		for _, id := range s.Drop {
			l, _ := figureLabel(id)
			labels = append(labels, l)
		}
		blocks = append(blocks, rituals.Section(fmt.Sprintf(":scissors: *Consider dropping:* %s — most readers asked for less of it over the last %d weeks. Nothing changes unless you change the digest.",
			strings.Join(labels, ", "), SuggestWeeks)))
	}
	return text, blocks
}

// wantsLine lists the figures asked more and less of, most asked first.
func wantsLine(more, less map[string]int) string {
	list := func(m map[string]int) string {
		var ids []string
		for id := range m {
			if _, ok := figureLabel(id); ok {
				ids = append(ids, id)
			}
		}
		sort.Slice(ids, func(i, j int) bool {
			if m[ids[i]] != m[ids[j]] {
				return m[ids[i]] > m[ids[j]]
			}
			return ids[i] < ids[j]
		})
		var parts []string
		for _, id := range ids {
			l, _ := figureLabel(id)
			parts = append(parts, fmt.Sprintf("%s (%d)", l, m[id]))
		}
		return strings.Join(parts, ", ")
	}
	var lines []string
	if m := list(more); m != "" {
		lines = append(lines, "*More of:* "+m)
	}
	if l := list(less); l != "" {
		lines = append(lines, "*Less of:* "+l)
	}
	return strings.Join(lines, "\n")
}

// FeedbackTrend is /digest feedback: per digest of the last weeks, its
// votes and answers, then the figures asked more and less of.
func FeedbackTrend(s FeedbackStore, ritual string, weeks int, now time.Time, loc *time.Location) (string, error) {
	from := now.Add(-time.Duration(weeks) * 7 * 24 * time.Hour)
	fbs, err := s.FeedbackBetween(ritual, from, now.Add(time.Second))
	if err != nil {
		return "", fmt.Errorf("digest %s: read feedback: %w", ritual, err)
	}
	noun := "weeks"
	if weeks == 1 {
		noun = "week"
	}
	if len(fbs) == 0 {
		return fmt.Sprintf("No feedback on the %s digest in the last %d %s.", rituals.EscapeText(ritual), weeks, noun), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Feedback on the %s digest, last %d %s*", rituals.EscapeText(ritual), weeks, noun)
	for i := 0; i < len(fbs); {
		j := i
		for j < len(fbs) && fbs[j].At.Equal(fbs[i].At) {
			j++
		}
		one := Summarize(fbs[i:j], time.Time{}, now.Add(time.Second))
		fmt.Fprintf(&b, "\n%s: :thumbsup: %d · :thumbsdown: %d · %d written", fbs[i].At.In(loc).Format("Mon 2 Jan"), one.Useful, one.NotUseful, len(one.Texts))
		i = j
	}
	all := Summarize(fbs, time.Time{}, now.Add(time.Second))
	if line := wantsLine(all.More, all.Less); line != "" {
		b.WriteString("\n" + line)
	}
	return rituals.Clip(b.String(), maxSummarySection), nil
}
