package onboarding

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Jobs are one job per zone that someone of a running onboarding is in
// now, at 10:00 there every day (and always one in the ritual's zone):
// each brings that zone's people what is due on their day. The daily
// refresh of the jobs follows people who change zone.
func (r *Ritual) Jobs() []rituals.Job {
	zones := map[string]*time.Location{r.Zone.String(): r.Zone}
	if all, err := r.Store.Onboardings(r.Name()); err == nil {
		now := r.readZones(context.Background())
		for _, o := range all {
			if o.Running() {
				for _, role := range Roles {
					loc := r.zoneNow(now, o, role)
					zones[loc.String()] = loc
				}
			}
		}
	}
	var jobs []rituals.Job
	for _, n := range slices.Sorted(maps.Keys(zones)) {
		jobs = append(jobs, rituals.Job{
			Name: r.Name() + "/day@" + n, Ritual: r.Name(),
			Schedule: rituals.MustParseSchedule(fmt.Sprintf("0 %d * * *", SendHour), zones[n]),
			Run:      r.Day,
		})
	}
	return jobs
}

// Day sends everyone of a running onboarding what is due on their day:
// the date of the last 10:00 in the zone they are in now. Their steps,
// the weekly list of steps not done, the lead's question about the
// rotation and the newcomer's feedback form. The job of their zone brings
// it at their 10:00; the run of any other zone's job brings what that one
// missed: someone who moved ahead past their 10:00 (Berlin to Tokyo, where
// no job ran since the jobs are rebuilt at night) gets it the same day,
// late, rather than the next. What was sent is in the record, so the other
// runs send nothing again. On a Saturday or Sunday in their zone nothing
// goes: what falls due then waits for Monday, when the steps "due by" the
// day and the nudge of the weekend's week go.
func (r *Ritual) Day(ctx context.Context, at time.Time) error {
	all, err := r.Store.Onboardings(r.Name())
	if err != nil {
		return fmt.Errorf("onboarding %s: read: %w", r.Name(), err)
	}
	zs := r.readZones(ctx)
	for _, o := range all {
		if !o.Running() {
			continue
		}
		if err := r.dayOf(ctx, o, zs, at); err != nil {
			return err
		}
	}
	return nil
}

// dayAt is a reader's day at `at` in loc: the date of the last 10:00 there.
func dayAt(at time.Time, loc *time.Location) rituals.Date {
	local := at.In(loc)
	if local.Hour() < SendHour {
		return rituals.DateOf(local).AddDays(-1)
	}
	return rituals.DateOf(local)
}

func (r *Ritual) dayOf(ctx context.Context, o Onboarding, zs zones, at time.Time) error {
	r.fitSteps(&o)
	var msgs []rituals.Message
	var sent []int
	nudged := map[Role]int{}
	askJoin, askFeedback, joinedByConfig := false, false, false
	for _, role := range Roles {
		who := o.Of(role)
		day := dayAt(at, r.zoneNow(zs, o, role))
		if weekend(day) || who == "" || who == rituals.FormerMember || seenRole(o, role) {
			continue
		}
		due := r.dueSteps(o, who, day)
		if len(due) > 0 {
			msgs = append(msgs, r.stepsMessage(o, role, due, r.stepsLead(o, role, day), key(o, "steps", who, day)))
			sent = append(sent, due...)
		}
		if week := nudgeDue(o, role, day); week > 0 {
			nudged[role] = week // also with nothing open: a week's list is due once
			if open := r.openSteps(o, who, day); len(open) > 0 {
				text := fmt.Sprintf(":hourglass_flowing_sand: Week %d of %s onboarding in %s: %s still open. Mark each done when it is.",
					week, mentionOrYou(o.Newcomer, who), rituals.Escape(r.Team.Name), countSteps(len(open)))
				msgs = append(msgs, r.stepsMessage(o, role, open, text, key(o, "nudge", week, who)))
			}
		}
		if who == o.Lead && o.Joined.IsZero() && !day.Before(o.JoinAskOn) && o.JoinAskedOn != o.JoinAskOn {
			if rj := r.rotation(); rj != nil {
				if _, in := rj.RotationOf(r.Team.ID, o.Newcomer); in {
					joinedByConfig = true
				} else {
					msgs = append(msgs, r.joinAsk(o))
					askJoin = true
				}
			}
		}
		if role == Newcomer && o.FeedbackAsked.IsZero() && !day.Before(o.Start.AddDays(r.Settings.FeedbackAfterDays)) {
			msgs = append(msgs, r.feedbackAsk(o))
			askFeedback = true
		}
	}
	if len(msgs) == 0 && len(nudged) == 0 && !joinedByConfig {
		return nil
	}
	if err := r.Outbox.Send(ctx, msgs...); err != nil {
		return fmt.Errorf("onboarding %s: the day's DMs of %s's onboarding: %w", r.Name(), o.Newcomer, err)
	}
	_, err := r.Store.UpdateOnboarding(r.Name(), o.Newcomer, func(cur *Onboarding) error {
		if cur.Started != o.Started {
			return nil
		}
		r.fitSteps(cur)
		for _, i := range sent {
			if cur.Steps[i].Sent.IsZero() {
				cur.Steps[i].Sent = at
			}
		}
		for role, week := range nudged {
			if cur.Nudged == nil {
				cur.Nudged = map[Role]int{}
			}
			cur.Nudged[role] = max(cur.Nudged[role], week)
		}
		if askJoin {
			cur.JoinAskedOn = o.JoinAskOn
		}
		if joinedByConfig {
			cur.Joined, cur.JoinedBy = at, "config"
		}
		if askFeedback {
			cur.FeedbackAsked = at
		}
		r.complete(cur, at)
		return nil
	})
	return err
}

// seenRole reports whether role's holder also holds an earlier role in o
// (a lead who is the buddy): they are handled once, under the first.
func seenRole(o Onboarding, role Role) bool {
	for _, earlier := range Roles {
		if earlier == role {
			return false
		}
		if o.Of(earlier) == o.Of(role) {
			return true
		}
	}
	return false
}

// dueSteps lists the steps of every role who holds that are due by day
// and not sent yet.
func (r *Ritual) dueSteps(o Onboarding, who string, day rituals.Date) []int {
	var out []int
	for _, role := range Roles {
		if o.Of(role) == who {
			out = append(out, r.due(o, role, day)...)
		}
	}
	sort.Ints(out)
	return out
}

// openSteps lists who's steps delivered before day, sent and not done:
// those delivered on day itself (due then or on the weekend before) are
// in the day's own DM.
func (r *Ritual) openSteps(o Onboarding, who string, day rituals.Date) []int {
	var out []int
	for i, s := range r.Settings.Steps {
		if o.Of(s.Owner) == who && deliveryOn(r.dueOn(o, i)).Before(day) && !o.Steps[i].Sent.IsZero() && o.Steps[i].Done.IsZero() {
			out = append(out, i)
		}
	}
	return out
}

// stepsLead opens the DM of the day's steps.
func (r *Ritual) stepsLead(o Onboarding, role Role, day rituals.Date) string {
	if role == Newcomer {
		return fmt.Sprintf(":compass: *Day %d of your onboarding in %s* — today:", o.DayOn(day), rituals.Escape(r.Team.Name))
	}
	return fmt.Sprintf(":compass: *Day %d of %s's onboarding in %s* — for you today:", o.DayOn(day), rituals.Mention(o.Newcomer), rituals.Escape(r.Team.Name))
}

func mentionOrYou(newcomer, reader string) string {
	if newcomer == reader {
		return "your"
	}
	return rituals.Mention(newcomer) + "'s"
}

func countSteps(n int) string {
	if n == 1 {
		return "1 step is"
	}
	return fmt.Sprintf("%d steps are", n)
}

// joinAsk is the lead's question: add the newcomer to the rotation now?
func (r *Ritual) joinAsk(o Onboarding) rituals.Message {
	text := fmt.Sprintf(":pager: Add %s to the %s rotation from the next handoff? They started %s, %d weeks ago, and shadowed the on-call for %d week%s.",
		rituals.Mention(o.Newcomer), rituals.Escape(r.Team.Name), o.Start.In(r.zoneOf(o, Lead)).Format("Mon 2 Jan"),
		o.DayOn(o.JoinAskOn)/7, r.Settings.ShadowWeeks, rituals.Plural(r.Settings.ShadowWeeks))
	buttons := []rituals.Button{{Text: "Add", ActionID: "onboarding:join", Value: ref(o), Style: "primary"}}
	for w := 1; w <= 4; w++ {
		buttons = append(buttons, rituals.Button{Text: fmt.Sprintf("Not yet: %d week%s", w, rituals.Plural(w)), ActionID: fmt.Sprintf("onboarding:later:%d", w), Value: ref(o, fmt.Sprint(w))})
	}
	return rituals.Message{Key: key(o, "join", o.JoinAskOn), To: o.Lead, Text: text,
		Blocks: []rituals.Block{rituals.Section(text), rituals.Actions(buttons...)}}
}

// feedbackAsk asks the newcomer what helped and what did not.
func (r *Ritual) feedbackAsk(o Onboarding) rituals.Message {
	text := fmt.Sprintf(":speech_balloon: *How is your onboarding in %s going?* Three short questions: what helped, what was missing, which docs were wrong. %s reads the answers and improves the steps for whoever comes next.",
		rituals.Escape(r.Team.Name), rituals.Mention(o.Lead))
	return rituals.Message{Key: key(o, "feedback"), To: o.Newcomer, Text: text,
		Blocks: []rituals.Block{rituals.Section(text), rituals.Actions(rituals.Button{Text: "Give feedback", ActionID: "onboarding:feedback", Value: ref(o), Style: "primary"})}}
}
