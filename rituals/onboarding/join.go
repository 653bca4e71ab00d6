package onboarding

import (
	"context"
	"fmt"

	"github.com/ritualbot/ritualbot/rituals"
)

// Channel is where joining starts an onboarding (with trigger:
// channel_join): the ritual's channel, else the team's.
func (r *Ritual) Channel() string {
	if r.Config.Channel != "" {
		return r.Config.Channel
	}
	return r.Team.Channel
}

// MemberJoined asks the team's leads whether to onboard user, who has
// just joined the team's channel. Bots, the team's members, people in its
// rotation and anyone onboarded, asked about or ignored before are not
// asked about. asked reports whether the leads were.
func (r *Ritual) MemberJoined(ctx context.Context, user, channel string) (asked bool, err error) {
	if r.Settings.Trigger != TriggerChannelJoin || channel != r.Channel() || r.Team.IsMember(user) || r.Team.IsLead(user) || len(r.Team.Leads) == 0 {
		return false, nil
	}
	if rj := r.rotation(); rj != nil {
		if _, in := rj.RotationOf(r.Team.ID, user); in {
			return false, nil
		}
	}
	u, ok, err := r.People.Member(ctx, user)
	if err != nil {
		return false, fmt.Errorf("onboarding %s: look up %s: %w", r.Name(), user, err)
	}
	if !ok || u.Bot || u.Deleted {
		return false, nil
	}
	now := r.Clock.Now()
	o := Onboarding{Ritual: r.Name(), Team: r.Team.ID, Newcomer: user, Status: StatusAsked, Asked: now}
	fresh := false
	if _, err := r.Store.UpdateOnboarding(r.Name(), user, func(cur *Onboarding) error {
		if cur.Status != "" {
			return nil // asked, ignored, under way or done: once is enough
		}
		*cur, fresh = o, true
		return nil
	}); err != nil || !fresh {
		return false, err
	}
	text := fmt.Sprintf(":wave: %s just joined %s. Are they new to %s? Start their onboarding: a buddy, the steps on their days, %d week%s shadowing the on-call.",
		rituals.Mention(user), rituals.ChannelLink(channel), rituals.Escape(r.Team.Name), r.Settings.ShadowWeeks, rituals.Plural(r.Settings.ShadowWeeks))
	var msgs []rituals.Message
	for _, lead := range r.Team.Leads {
		msgs = append(msgs, rituals.Message{
			Key: fmt.Sprintf("onboarding/%s/%s/ask/%d/%s", r.Name(), user, now.Unix(), lead), To: lead, Text: text,
			Blocks: []rituals.Block{rituals.Section(text), rituals.Actions(
				rituals.Button{Text: "Start onboarding", ActionID: "onboarding:start", Value: ref(o), Style: "primary"},
				rituals.Button{Text: "Ignore", ActionID: "onboarding:ignore", Value: ref(o)},
			)},
		})
	}
	return true, r.Outbox.Send(ctx, msgs...)
}

// Ignore records that `by` (a lead) said the member who joined is not to
// be onboarded; they are not asked about again.
func (r *Ritual) Ignore(by, user string) error {
	if !r.mayLead(by) {
		return rituals.Errorf(rituals.EFORBIDDEN, "Only %s and the admins decide about onboardings in %s.", r.leadsText(), rituals.Escape(r.Team.Name))
	}
	_, err := r.Store.UpdateOnboarding(r.Name(), user, func(cur *Onboarding) error {
		switch cur.Status {
		case StatusActive, StatusCompleted:
			return r.alreadyErr(*cur)
		}
		cur.Ritual, cur.Team, cur.Newcomer, cur.Status = r.Name(), r.Team.ID, user, StatusIgnored
		return nil
	})
	return err
}
