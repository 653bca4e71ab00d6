package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
	"github.com/ritualbot/ritualbot/rituals/oncall"
	"github.com/ritualbot/ritualbot/rituals/pulse"
)

// Describe lists each ritual with its next n fire times in its own zone,
// as `ritualbot validate` prints them.
func Describe(cfg *rituals.Config, now time.Time, n int) string {
	return DescribeWith(cfg, now, n, nil)
}

// DescribeWith is Describe with notes, by ritual name, printed under each
// ritual: what the store adds to the config (a rotation's members added
// from Slack).
func DescribeWith(cfg *rituals.Config, now time.Time, n int, notes map[string][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d team(s), %d ritual(s); default time zone %s\n", len(cfg.Teams), len(cfg.Rituals), cfg.Timezone)
	r := cfg.Retention
	fmt.Fprintf(&b, "retention: standups %s, incidents %s, deploys %s, delivery records %s, onboardings %s, members taken out of rotations %s\n",
		days(r.Standup), days(r.Incidents), days(r.Deploys), days(r.Outbox), days(r.Onboarding), days(r.OnCall))
	for _, rc := range cfg.Rituals {
		fmt.Fprintf(&b, "\n%s (%s", rc.Name, rc.Kind)
		if rc.Team != "" {
			fmt.Fprintf(&b, ", team %s", rc.Team)
		}
		if !rc.Enabled {
			b.WriteString(", disabled")
		}
		b.WriteString(")\n")
		s := rc.Schedule
		if s == nil {
			b.WriteString("  no schedule of its own: it acts on commands and webhooks\n")
			if inc := incident.SettingsOf(rc); inc != nil {
				describeSlots(&b, "retro prompts", inc.Retro.Schedule, now, n)
				describeSlots(&b, "action item reminders", inc.ActionsRemind, now, n)
			}
			if ob := onboarding.SettingsOf(rc); ob != nil {
				describeOnboarding(&b, ob)
			}
			continue
		}
		fmt.Fprintf(&b, "  schedule %q in %s", s.Spec, s.Location)
		if s.EveryWeeks > 1 {
			fmt.Fprintf(&b, ", every %d weeks from the week of %s", s.EveryWeeks, s.Start)
		}
		if s.NthWeekday != 0 {
			fmt.Fprintf(&b, ", only the %s such weekday of the month", ordinal(s.NthWeekday))
		}
		if len(s.Holidays) > 0 {
			b.WriteString(", skipping holidays")
		}
		b.WriteString("\n")
		times := s.NextN(now, n)
		if len(times) == 0 {
			b.WriteString("  never fires\n")
		}
		for _, t := range times {
			fmt.Fprintf(&b, "  %s\n", t.In(s.Location).Format("Mon 2006-01-02 15:04 MST"))
		}
		if ps := pulse.SettingsOf(rc); ps != nil {
			fmt.Fprintf(&b, "  each round stays open %s, with one reminder halfway; results only if at least %d answer\n", rituals.FormatSpan(ps.CloseAfter), ps.MinResponses)
		}
		if oc := oncall.SettingsOf(rc); oc != nil {
			if unfair := oncall.UnfairLongShift(s, len(oc.Rotation), now); unfair != "" {
				fmt.Fprintf(&b, "  note: %s\n", unfair)
			}
		}
		for _, line := range notes[rc.Name] {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	return b.String()
}

func ordinal(n int) string {
	switch n {
	case -1:
		return "last"
	case 1:
		return "first"
	case 2:
		return "second"
	case 3:
		return "third"
	case 4:
		return "fourth"
	}
	return "fifth"
}

// describeSlots lists the next n times of a ritual's secondary schedule.
func describeSlots(b *strings.Builder, what string, s *rituals.Schedule, now time.Time, n int) {
	if s == nil {
		return
	}
	fmt.Fprintf(b, "  %s %q in %s:", what, s.Spec, s.Location)
	for _, t := range s.NextN(now, n) {
		fmt.Fprintf(b, " %s;", t.In(s.Location).Format("Mon 01-02 15:04"))
	}
	b.WriteString("\n")
}

// days shows a retention as the config writes it.
func days(d time.Duration) string {
	if d == rituals.Forever {
		return "forever"
	}
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// describeOnboarding says when an onboarding's steps and asks come.
func describeOnboarding(b *strings.Builder, s *onboarding.Settings) {
	fmt.Fprintf(b, "  started by /onboard%s; buddy: %s; %d step(s) at 10:00 in each reader's zone, on days", map[bool]string{true: " or joining the team channel (a lead confirms)"}[s.Trigger == onboarding.TriggerChannelJoin], s.Buddy, len(s.Steps))
	for _, st := range s.Steps {
		fmt.Fprintf(b, " %d", st.AfterDays)
	}
	fmt.Fprintf(b, "\n  shadows the on-call %d week(s); the lead is asked about the rotation after %s, the newcomer for feedback after %s\n",
		s.ShadowWeeks, onboarding.FormatDays(s.JoinRotationAfterDays), onboarding.FormatDays(s.FeedbackAfterDays))
}
