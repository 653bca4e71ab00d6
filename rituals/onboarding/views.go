package onboarding

import (
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Status is the onboardings user may follow, as `/onboard status` shows
// them: a lead's or an admin's, every one under way in their teams (and
// those completed in the last 4 weeks); anyone's own.
func (s *Set) Status(user string) (string, error) {
	now := s.Clock.Now()
	var parts []string
	for _, r := range s.List {
		all, err := r.Store.Onboardings(r.Name())
		if err != nil {
			return "", fmt.Errorf("onboarding %s: read: %w", r.Name(), err)
		}
		leads := r.mayLead(user)
		for _, o := range all {
			recent := o.Status == StatusCompleted && now.Sub(o.Completed) < 28*24*time.Hour
			if (o.Running() || recent) && (leads || o.Newcomer == user) {
				parts = append(parts, r.statusOf(o, now, o.Newcomer == user))
			}
		}
	}
	if len(parts) == 0 {
		return "No onboarding under way that you lead or that is yours. A lead starts one with `/onboard @user [TEAM]`.", nil
	}
	return strings.Join(parts, "\n\n"), nil
}

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
		b.WriteString("\nOpen: \n" + strings.Join(rituals.Capped(open, 10, "… %d more"), "\n"))
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
