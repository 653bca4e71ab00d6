package onboarding

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// Slack's limits on what /onboard status answers: 50 blocks a message,
// 3,000 characters a section.
const (
	maxStatusBlocks  = 50
	maxStatusSection = 3000
)

// statusEntry is one onboarding as /onboard status lists it.
type statusEntry struct {
	team    int // its ritual's place in the set
	running bool
	at      time.Time // started, or completed
	text    string
}

// Status is the onboardings user may follow, as `/onboard status` shows
// them: a lead's or an admin's, every one under way in their teams (and
// those completed in the last 4 weeks); anyone's own. A heading per team
// and a section per onboarding, those under way first, oldest first. Past
// a message's 50 blocks the ones under way go before the completed ones,
// and a last line counts what did not fit.
func (s *Set) Status(user string) (rituals.Message, error) {
	now := s.Clock.Now()
	var entries []statusEntry
	leads := make([]bool, len(s.List))
	for ti, r := range s.List {
		all, err := r.Store.Onboardings(r.Name())
		if err != nil {
			return rituals.Message{}, fmt.Errorf("onboarding %s: read: %w", r.Name(), err)
		}
		leads[ti] = r.mayLead(user)
		for _, o := range all {
			recent := o.Status == StatusCompleted && now.Sub(o.Completed) < 28*24*time.Hour
			if (o.Running() || recent) && (leads[ti] || o.Newcomer == user) {
				e := statusEntry{team: ti, running: o.Running(), at: o.Started, text: r.statusOf(o, now, o.Newcomer == user)}
				if !e.running {
					e.at = o.Completed
				}
				entries = append(entries, e)
			}
		}
	}
	if len(entries) == 0 {
		text := "No onboarding under way that you lead or that is yours. A lead starts one with `/onboard @user [TEAM]`."
		return rituals.Message{Text: text, Blocks: []rituals.Block{rituals.Section(text)}}, nil
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		switch {
		case a.running != b.running:
			return a.running
		case a.team != b.team:
			return a.team < b.team
		case a.running:
			return a.at.Before(b.at)
		}
		return a.at.After(b.at) // the latest completed first
	})
	var footer []string
	if slices.Contains(leads, true) {
		footer = append(footer, "Mark a step done for someone: `/onboard done @user STEP`, STEP its number above.")
	}
	// The entries that fit, in that order: a team's heading costs a block
	// the first time, and the last line (the hint, or what did not fit)
	// one in all.
	last := min(len(footer), 1)
	shown, headed, used := 0, map[int]bool{}, 0
	for _, e := range entries {
		cost := 1
		if !headed[e.team] {
			cost++
		}
		more := 0
		if last == 0 && shown+1 < len(entries) {
			more = 1
		}
		if used+cost+last+more > maxStatusBlocks {
			break
		}
		used += cost
		headed[e.team] = true
		shown++
	}
	var blocks []rituals.Block
	var summary []string
	for ti, r := range s.List {
		heading := statusHeading(r, leads[ti], entries, ti)
		if heading == "" {
			continue
		}
		summary = append(summary, heading)
		if !headed[ti] {
			continue
		}
		blocks = append(blocks, rituals.Header(heading))
		for _, e := range entries[:shown] {
			if e.team == ti {
				blocks = append(blocks, rituals.Section(rituals.Clip(e.text, maxStatusSection)))
			}
		}
	}
	if hidden := entries[shown:]; len(hidden) > 0 {
		footer = append([]string{"… and " + hiddenText(s, hidden) + " that do not fit in one message."}, footer...)
	}
	if len(footer) > 0 {
		blocks = append(blocks, rituals.Context(footer...))
	}
	return rituals.Message{Text: "Onboardings: " + strings.Join(summary, "; "), Blocks: blocks}, nil
}

// statusHeading names team ti's onboardings in the status (mrkdwn, which
// a header block reads as plain text): how many are under way and how
// many completed lately, or "" if none.
func statusHeading(r *Ritual, leads bool, entries []statusEntry, ti int) string {
	running, completed := 0, 0
	for _, e := range entries {
		if e.team == ti && e.running {
			running++
		} else if e.team == ti {
			completed++
		}
	}
	switch {
	case running+completed == 0:
		return ""
	case !leads:
		return rituals.Escape(r.Team.Name) + ": your onboarding"
	}
	var parts []string
	if running > 0 {
		parts = append(parts, fmt.Sprintf("%d under way", running))
	}
	if completed > 0 {
		parts = append(parts, fmt.Sprintf("%d completed in the last 4 weeks", completed))
	}
	return rituals.Escape(r.Team.Name) + ": " + strings.Join(parts, ", ")
}

// hiddenText counts the onboardings left out, by team: "12 more (10 in
// Payments, 2 in Billing)".
func hiddenText(s *Set, hidden []statusEntry) string {
	byTeam := map[int]int{}
	for _, e := range hidden {
		byTeam[e.team]++
	}
	var parts []string
	for ti, r := range s.List {
		if n := byTeam[ti]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d in %s", n, rituals.Escape(r.Team.Name)))
		}
	}
	return fmt.Sprintf("%d more onboarding%s (%s)", len(hidden), rituals.Plural(len(hidden)), strings.Join(parts, ", "))
}

// maxOpenListed is how many open steps an onboarding's status lists.
const maxOpenListed = 10

// statusOf is one onboarding's progress; own adds the open steps.
func (r *Ritual) statusOf(o Onboarding, now time.Time, own bool) string {
	r.fitSteps(&o)
	loc := r.zoneOf(o, Newcomer)
	day := rituals.DateOf(now.In(loc))
	done := 0
	var open []string
	for i, st := range o.Steps {
		if !st.Done.IsZero() {
			done++
		} else if !st.Sent.IsZero() {
			open = append(open, fmt.Sprintf("• `%d` %s _(%s)_", i+1, r.stepLine(i), r.Settings.Steps[i].Owner))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* in %s — ", rituals.Mention(o.Newcomer), rituals.Escape(r.Team.Name))
	if o.Status == StatusCompleted {
		fmt.Fprintf(&b, "completed %s", o.Completed.In(loc).Format("Mon 2 Jan"))
	} else {
		fmt.Fprintf(&b, "day %d (week %d), started %s", o.DayOn(day), o.DayOn(day)/7+1, o.Start.Time().Format("Mon 2 Jan"))
	}
	fmt.Fprintf(&b, " · buddy %s · steps %d/%d done", rituals.Mention(o.Buddy), done, len(o.Steps))
	if end := o.ShadowEnd(r.Settings.ShadowWeeks); r.Settings.ShadowWeeks > 0 && now.Before(end) {
		fmt.Fprintf(&b, " · shadowing the on-call until %s", end.Format("Mon 2 Jan"))
	}
	switch {
	case !o.Joined.IsZero() && o.JoinedBy == "config":
		b.WriteString(" · in the rotation (by the config)")
	case !o.Joined.IsZero():
		fmt.Fprintf(&b, " · in the rotation from %s", o.JoinFrom.In(loc).Format("Mon 2 Jan"))
	case o.Status == StatusActive && r.rotation() != nil:
		fmt.Fprintf(&b, " · rotation: the lead is asked on %s", deliveryOn(o.JoinAskOn).Time().Format("Mon 2 Jan"))
	}
	switch {
	case !o.FeedbackGiven.IsZero():
		b.WriteString(" · feedback given")
	case o.Status == StatusActive:
		fmt.Fprintf(&b, " · feedback asked on %s", deliveryOn(o.Start.AddDays(r.Settings.FeedbackAfterDays)).Time().Format("Mon 2 Jan"))
	}
	if len(open) > 0 && (own || o.Status == StatusActive) {
		b.WriteString("\nOpen:")
		for i, line := range open {
			// The lines that fit the section, and a count of the rest.
			if i == maxOpenListed || utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line) > maxStatusSection-40 {
				fmt.Fprintf(&b, "\n… and %d more open", len(open)-i)
				break
			}
			b.WriteString("\n" + line)
		}
	}
	return b.String()
}

// FeedbackList is the feedback of the teams user leads (an admin: all),
// or of team, newest first: what `/onboard feedback` shows.
func (s *Set) FeedbackList(user, team string) (string, error) {
	var parts []string
	for _, r := range s.List {
		if team != "" && !strings.EqualFold(r.Team.ID, team) {
			continue
		}
		if !r.mayLead(user) {
			if team != "" {
				return "", rituals.Errorf(rituals.EFORBIDDEN, "The onboarding feedback of %s is for %s and the admins.", rituals.Escape(r.Team.Name), r.leadsText())
			}
			continue
		}
		fs, err := r.Store.OnboardingFeedback(r.Name())
		if err != nil {
			return "", fmt.Errorf("onboarding %s: read feedback: %w", r.Name(), err)
		}
		head := fmt.Sprintf("*Onboarding feedback, %s* (%d)", rituals.Escape(r.Team.Name), len(fs))
		if len(fs) == 0 {
			parts = append(parts, head+"\nNone yet: newcomers are asked after "+FormatDays(r.Settings.FeedbackAfterDays)+".")
			continue
		}
		lines := []string{head}
		for i := len(fs) - 1; i >= 0; i-- {
			f := fs[i]
			lines = append(lines, fmt.Sprintf("%s, %s:\n%s", rituals.Mention(f.Newcomer), f.At.In(r.Zone).Format("Mon 2 Jan 2006"), FeedbackText(f)))
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	if team != "" && len(parts) == 0 {
		return "", rituals.Errorf(rituals.ENOTFOUND, "No team `%s` has an onboarding. Teams with one: %s.", rituals.Escape(team), rituals.Escape(s.TeamIDs()))
	}
	if len(parts) == 0 {
		return "", rituals.Errorf(rituals.EFORBIDDEN, "Onboarding feedback is for the leads of %s and the admins.", rituals.Escape(s.TeamIDs()))
	}
	return strings.Join(parts, "\n\n"), nil
}

// Preview is the ritual's plan as a lead would read it before anyone
// starts: the steps by day and owner, the shadowing, the rotation and the
// feedback. It reads no store.
func (r *Ritual) Preview(now time.Time) rituals.Message {
	var b strings.Builder
	fmt.Fprintf(&b, "*Onboarding in %s* — buddy: %s · started by %s", rituals.Escape(r.Team.Name), r.Settings.Buddy, r.triggerText())
	for _, s := range r.Settings.Steps {
		fmt.Fprintf(&b, "\n• day %d (%s), %s: %s", s.AfterDays, FormatDays(s.AfterDays), s.Owner, rituals.Escape(s.Text))
	}
	fmt.Fprintf(&b, "\nShadowing the on-call: the first %d week%s. The lead is asked about the rotation after %s; the newcomer for feedback after %s. Steps go at 10:00 in each reader's zone; a Saturday or Sunday there waits for Monday.",
		r.Settings.ShadowWeeks, rituals.Plural(r.Settings.ShadowWeeks), FormatDays(r.Settings.JoinRotationAfterDays), FormatDays(r.Settings.FeedbackAfterDays))
	text := b.String()
	return rituals.Message{To: r.Channel(), Text: text, Blocks: []rituals.Block{rituals.Section(text)}}
}

func (r *Ritual) triggerText() string {
	if r.Settings.Trigger == TriggerChannelJoin {
		return "`/onboard` or joining " + rituals.ChannelLink(r.Channel()) + " (a lead confirms)"
	}
	return "`/onboard`"
}
