package oncall

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Member is one who takes turns in a rotation, as `/oncall rotation`
// lists them.
type Member struct {
	User string
	// Addition is the stored addition that puts them in; nil for a member
	// the config lists.
	Addition *Addition
}

// Members returns who takes turns in the rotation now or from a coming
// handoff: the config's members in its order, then the stored additions
// in the order added (one leaving at a coming handoff has its Until).
func (r *Rotation) Members() ([]Member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return nil, err
	}
	var out []Member
	for _, u := range r.Settings.Rotation {
		out = append(out, Member{User: u})
	}
	now := r.Clock.Now()
	for _, a := range r.additions {
		if indexOf(r.Settings.Rotation, a.User) >= 0 || a.endedBy(now) || !a.Until.IsZero() && !a.Until.After(a.From) {
			continue
		}
		out = append(out, Member{User: a.User, Addition: &a})
	}
	return out, nil
}

// Leave is what taking a member out of a rotation did.
type Leave struct {
	Ritual string
	User   string
	// Until is the handoff from which they take no shift.
	Until time.Time
	// Told are the people DMed, the member taken out among them.
	Told []string
}

// Remove takes user, added from Slack, out of the rotation from its next
// handoff after at (its first, if it has not started), as `by`, a lead of
// the team or an admin, asks. Shifts already started and overrides stay;
// everyone whose shifts within plan_ahead move is DMed old → new, and the
// member that they leave. The addition keeps its span (so the shifts they
// had never change) and is stored with the DMs in one transaction, keyed
// by the removal, so that nobody is told twice.
func (r *Rotation) Remove(ctx context.Context, user, by string, at time.Time) (Leave, error) {
	if !r.mayLead(by) {
		return Leave{}, rituals.Errorf(rituals.EFORBIDDEN, "Only a lead of %s (%s) or an admin can take someone out of its on-call rotation.",
			r.TeamName(), mentions(r.Team.Leads))
	}
	if indexOf(r.Settings.Rotation, user) >= 0 {
		return Leave{}, r.listedByConfig(user)
	}
	if r.Additions == nil {
		return Leave{}, fmt.Errorf("oncall %s: no store for rotation additions", r.Config.Name)
	}
	until := r.Config.Schedule.Next(at)
	if first := r.First(); !first.IsZero() && at.Before(first) {
		until = first
	}
	if until.IsZero() {
		return Leave{}, rituals.Errorf(rituals.ENOTFOUND, "The %s rotation (%s) has no handoff coming, so nobody can leave it.", r.TeamName(), r.Config.Name)
	}
	zones := r.Zones(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return Leave{}, err
	}
	i := r.additionOfLocked(user)
	if i < 0 {
		return Leave{}, rituals.Errorf(rituals.ENOTFOUND, "%s is not in the %s on-call rotation (%s). `/oncall rotation %s` lists its members.",
			rituals.Mention(user), r.TeamName(), r.Config.Name, r.Team.ID)
	}
	if a := r.additions[i]; !a.Until.IsZero() {
		return Leave{}, rituals.Errorf(rituals.ECONFLICT, "%s leaves the %s on-call rotation from the handoff of %s already (%s took them out).",
			rituals.Mention(user), r.TeamName(), r.FormatTime(a.Until), rituals.Mention(a.RemovedBy))
	}
	if err := ctx.Err(); err != nil {
		return Leave{}, err
	}
	now := r.Clock.Now()
	a := r.additions[i]
	a.Until, a.RemovedBy, a.Removed = until, by, now
	if a.Until.Before(a.From) {
		a.Until = a.From // never took a shift
	}
	kept := r.additions
	before := r.planLocked(at)
	r.additions = slices.Clone(r.additions)
	r.additions[i] = a
	after := r.planLocked(at)
	key := fmt.Sprintf("leave/%s/%d-%d", user, a.Until.Unix(), now.Unix())
	why := fmt.Sprintf("%s leaves the rotation from the handoff of %s", rituals.Mention(user), r.FormatTime(a.Until))
	var msgs []rituals.Message
	for _, m := range r.ShiftMoves(key, why, before, after, zones) {
		if m.To != user {
			msgs = append(msgs, m)
		}
	}
	msgs = append(msgs, r.farewell(a, key, lost(before[user], after[user]), zones(user)))
	stored, err := r.Additions.EndAddition(a, now, msgs)
	if err == nil && !stored {
		err = rituals.Errorf(rituals.ECONFLICT, "%s was taken out of the %s on-call rotation meanwhile. `/oncall rotation %s` lists its members.",
			rituals.Mention(user), r.TeamName(), r.Team.ID)
	}
	if err != nil {
		r.additions = kept
		return Leave{}, err
	}
	if r.Wake != nil {
		r.Wake()
	}
	r.wakeKeeper() // the secondary of the shift under way may change
	l := Leave{Ritual: r.Config.Name, User: user, Until: a.Until}
	for _, m := range msgs {
		l.Told = append(l.Told, m.To)
	}
	r.Log.Info().Str("user", user).Str("by", by).Time("until", a.Until).Int("told", len(l.Told)).Msg("member taken out of the rotation")
	return l, nil
}

// listedByConfig refuses to take out a member the config lists: only an
// edit of the config file can.
func (r *Rotation) listedByConfig(user string) error {
	where := fmt.Sprintf("the `rotation:` of the `%s` ritual lists them", r.Config.Name)
	change := "remove them from that list"
	if r.Settings.RotationFromTeam {
		where = fmt.Sprintf("`%s` has no `rotation:`, so it takes the `members:` of the team `%s`, who include them", r.Config.Name, r.Team.ID)
		change = "give the ritual a `rotation:` without them"
	}
	return rituals.Errorf(rituals.EINVALID, "%s is in the %s on-call rotation by the config file: %s. `/oncall rotation remove` only takes out members added from Slack; to take them out, %s in the config file and restart the bot (`ritualbot validate` checks the file first).",
		rituals.Mention(user), r.TeamName(), where, change)
}

// lost is the spans of before that after no longer has.
func lost(before, after []Span) []Span {
	var out []Span
	for _, sp := range before {
		if !slices.Contains(after, sp) {
			out = append(out, sp)
		}
	}
	return out
}

// farewell tells the member taken out from which handoff they leave and
// the shifts within plan_ahead they no longer have; times fall back to
// their zone, loc.
func (r *Rotation) farewell(a Addition, key string, gone []Span, loc *time.Location) rituals.Message {
	weeks := r.planAheadWeeks()
	head := fmt.Sprintf(":wave: %s took you out of the on-call rotation for *%s*: you leave the rotation from the handoff of %s. A shift of yours already started stays yours.",
		rituals.Mention(a.RemovedBy), r.TeamName(), r.FormatTimeIn(a.Until, loc))
	list := fmt.Sprintf("You had no shift in the next %d weeks.", weeks)
	if len(gone) > 0 {
		list = fmt.Sprintf("*Shifts you no longer have in the next %d weeks*\n", weeks) + r.spanLines(gone, loc)
	}
	return rituals.Message{
		Key: r.key("moves", key, a.User), To: a.User,
		Text: stripMrkdwn(fmt.Sprintf("You leave the on-call rotation for %s", r.TeamName())),
		Blocks: []rituals.Block{
			rituals.Section(head),
			rituals.Section(list),
			rituals.Context("`/oncall schedule " + r.Team.ID + "` shows the rotation from then on."),
		},
	}
}
