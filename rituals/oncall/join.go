package oncall

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Addition is a member added to a rotation from Slack (onboarding's "Add
// to the rotation"), kept in the store. The config's `rotation:` stays as
// written and is the source of truth for everyone in it; the additions
// follow its members, in the order they were added, from the handoff each
// was added at. An addition of someone the config lists is dropped at
// start-up: the config has taken them over.
type Addition struct {
	Ritual string
	User   string
	// From is the handoff from which they take shifts: shifts before it
	// never change.
	From  time.Time
	By    string // who approved it
	Added time.Time
	// Until is the handoff from which they no longer take shifts, once a
	// lead took them out (`/oncall rotation remove`); zero while they
	// stay. The addition is kept, so the shifts they had stay as they
	// were, until the retention's `oncall` lets it go (the store prunes
	// it once the first handoff recorded after Until is that old).
	Until     time.Time `json:",omitzero"`
	RemovedBy string    `json:",omitempty"`
	Removed   time.Time `json:",omitzero"`
	// Earlier are the user's earlier additions to the ritual, taken out
	// before this one was made: stored with it (the store keeps one
	// record a person) so that the shifts they had never change. In
	// memory each is an addition of its own (loadAdditions).
	Earlier []Addition `json:",omitempty"`
}

// inForce reports whether the addition puts its user in the rotation at t.
func (a Addition) inForce(t time.Time) bool {
	return !a.From.After(t) && (a.Until.IsZero() || t.Before(a.Until))
}

// endedBy reports whether the user has been taken out by t.
func (a Addition) endedBy(t time.Time) bool { return !a.Until.IsZero() && !t.Before(a.Until) }

// AdditionStore keeps the members added to rotations.
type AdditionStore interface {
	// Additions returns a rotation's additions.
	Additions(ritual string) ([]Addition, error)
	// SaveAddition stores a and puts the messages telling of it in the
	// outbox, in one transaction; it reports false, storing nothing, if
	// a.User was added to a.Ritual already and not taken out (an addition
	// with an Until is replaced).
	SaveAddition(a Addition, now time.Time, messages []rituals.Message) (bool, error)
	// EndAddition sets a.Until, a.RemovedBy and a.Removed on the stored
	// addition of a.User to a.Ritual and puts the messages telling of it
	// in the outbox, in one transaction; it reports false, changing
	// nothing, if there is no such addition or it has an Until already.
	EndAddition(a Addition, now time.Time, messages []rituals.Message) (bool, error)
	// DropAddition removes user's addition to ritual, if any.
	DropAddition(ritual, user string) error
}

// loadAdditions reads the stored additions in the order they were added.
func (r *Rotation) loadAdditions() ([]Addition, error) {
	if r.Additions == nil {
		return nil, nil
	}
	adds, err := r.Additions.Additions(r.Config.Name)
	if err != nil {
		return nil, fmt.Errorf("oncall %s: read rotation additions: %w", r.Config.Name, err)
	}
	var out []Addition
	for _, a := range adds {
		out = append(out, a.Earlier...)
		a.Earlier = nil
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Added.Before(out[j].Added) })
	return out, nil
}

// earlierOf is user's additions in memory other than the one at skip,
// as stored with it (Addition.Earlier).
func (r *Rotation) earlierOf(user string, skip int) []Addition {
	var out []Addition
	for i, a := range r.additions {
		if a.User == user && i != skip {
			out = append(out, a)
		}
	}
	return out
}

// dropListedLocked forgets the additions of members the config now lists:
// the config takes them over, and removing them from it later removes
// them from the rotation.
func (r *Rotation) dropListedLocked() {
	kept := r.additions[:0:0]
	for _, a := range r.additions {
		if indexOf(r.Settings.Rotation, a.User) < 0 {
			kept = append(kept, a)
			continue
		}
		if err := r.Additions.DropAddition(a.Ritual, a.User); err != nil {
			r.Log.Error().Err(err).Str("user", a.User).Msg("could not drop a rotation addition the config now lists")
			kept = append(kept, a)
			continue
		}
		r.Log.Info().Str("user", a.User).Msg("the config lists a member added from Slack: their stored addition is dropped")
	}
	r.additions = kept
}

// withAdditions is base followed by the additions in force at t (added
// from a handoff at or before t, not taken out by t) that base does not
// list, without the members taken out by t (a handoff record made while
// they were in lists them) and not added again since.
func (r *Rotation) withAdditions(base []string, t time.Time) []string {
	out, cloned := base, false
	for _, a := range r.additions {
		i := indexOf(out, a.User)
		switch {
		case a.endedBy(t) && i >= 0 && indexOf(r.Settings.Rotation, a.User) < 0 && !r.inForceAt(a.User, t):
			if !cloned {
				out, cloned = clone(out), true
			}
			out = append(out[:i], out[i+1:]...)
		case a.inForce(t) && i < 0:
			if !cloned {
				out, cloned = clone(out), true
			}
			out = append(out, a.User)
		}
	}
	return out
}

// inForceAt reports whether one of user's additions puts them in the
// rotation at t.
func (r *Rotation) inForceAt(user string, t time.Time) bool {
	for _, a := range r.additions {
		if a.User == user && a.inForce(t) {
			return true
		}
	}
	return false
}

// addedLocked reports whether user has a stored addition in force at
// now or from a coming handoff, not taken out.
func (r *Rotation) addedLocked(user string) bool {
	return r.additionOfLocked(user) >= 0
}

// additionOfLocked is the index of user's addition that has not been
// taken out (it may be leaving at a coming handoff), -1 if none.
func (r *Rotation) additionOfLocked(user string) int {
	for i, a := range r.additions {
		if a.User == user && (a.Until.IsZero() || !a.endedBy(r.Clock.Now())) {
			return i
		}
	}
	return -1
}

// sizeAt is how many take turns at t, additions included.
func (r *Rotation) sizeAt(t time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.withAdditions(r.Settings.Rotation, t))
}

// StoredAdditions returns the rotation's additions, in the order added.
func (r *Rotation) StoredAdditions() ([]Addition, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return nil, err
	}
	var out []Addition
	for _, a := range r.additions {
		if indexOf(r.Settings.Rotation, a.User) < 0 {
			out = append(out, a)
		}
	}
	return out, nil
}

// Join adds user to the rotation from its next handoff after at (its
// first, if it has not started), as `by` approved, and DMs everyone whose
// shifts within plan_ahead move, old → new, the newcomer their first
// shifts. The addition and the DMs are stored in one transaction, keyed
// by the addition, so that nobody is told twice.
func (r *Rotation) Join(ctx context.Context, user, by string, at time.Time) (rituals.RotationJoin, error) {
	if r.Additions == nil {
		return rituals.RotationJoin{}, fmt.Errorf("oncall %s: no store for rotation additions", r.Config.Name)
	}
	from := r.Config.Schedule.Next(at)
	if first := r.First(); !first.IsZero() && at.Before(first) {
		from = first
	}
	if from.IsZero() {
		return rituals.RotationJoin{}, rituals.Errorf(rituals.ENOTFOUND, "The %s rotation (%s) has no handoff coming, so %s cannot join it.",
			r.TeamName(), r.Config.Name, rituals.Mention(user))
	}
	if err := r.checkPerson(ctx, user); err != nil {
		return rituals.RotationJoin{}, err
	}
	zones := r.Zones(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return rituals.RotationJoin{}, err
	}
	// Their latest addition: earlier ones, taken out before it, stay.
	prev := -1
	for i, x := range r.additions {
		if x.User == user {
			prev = i
		}
	}
	if indexOf(r.Settings.Rotation, user) >= 0 || prev >= 0 && r.additions[prev].Until.IsZero() {
		return rituals.RotationJoin{}, r.alreadyIn(user)
	}
	if err := ctx.Err(); err != nil {
		return rituals.RotationJoin{}, err
	}
	a := Addition{Ritual: r.Config.Name, User: user, From: from, By: by, Added: r.Clock.Now()}
	key := fmt.Sprintf("join/%s/%d", user, from.Unix())
	kept := r.additions
	before := r.planLocked(at)
	var earlier []Addition // stored with a; in memory each its own
	switch {
	case prev >= 0 && !r.additions[prev].endedBy(at):
		// Taken out from a coming handoff: joining again undoes that,
		// in their place.
		a.From, a.Added = r.additions[prev].From, r.additions[prev].Added
		earlier = r.earlierOf(user, prev)
		key += fmt.Sprintf("/again-%d", r.Clock.Now().Unix())
		r.additions = slices.Clone(r.additions)
		r.additions[prev] = a
	case prev >= 0:
		// Taken out before: they join anew, after everyone. The earlier
		// addition stays: shifts already past (recorded or not, the bot
		// may have been down over their handoffs) keep them, and keep
		// them out from where they left.
		key += fmt.Sprintf("/again-%d", r.Clock.Now().Unix())
		earlier = r.earlierOf(user, -1)
		r.additions = append(slices.Clone(r.additions), a)
	default:
		r.additions = append(r.additions, a)
	}
	after := r.planLocked(at)
	why := fmt.Sprintf("%s joins the rotation from the handoff of %s", rituals.Mention(user), r.FormatTime(from))
	var msgs []rituals.Message
	for _, m := range r.ShiftMoves(key, why, before, after, zones) {
		if m.To != user {
			msgs = append(msgs, m)
		}
	}
	msgs = append(msgs, r.welcome(a, key, after[user], zones(user)))
	saved := a
	saved.Earlier = earlier
	stored, err := r.Additions.SaveAddition(saved, a.Added, msgs)
	if err == nil && !stored {
		err = r.alreadyIn(user)
	}
	if err != nil {
		r.additions = kept
		return rituals.RotationJoin{}, err
	}
	if r.Wake != nil {
		r.Wake()
	}
	j := rituals.RotationJoin{Ritual: r.Config.Name, From: from}
	for _, m := range msgs {
		j.Told = append(j.Told, m.To)
	}
	r.walk(from, func(sh Shift) bool {
		if !sh.Start.Before(at.Add(r.Settings.planAhead())) {
			return false
		}
		if sh.Primary == user {
			j.FirstShift, j.HasFirstShift = sh.Brief(), true
			return false
		}
		return true
	})
	r.Log.Info().Str("user", user).Str("by", by).Time("from", from).Int("told", len(j.Told)).Msg("member added to the rotation")
	return j, nil
}

func (r *Rotation) alreadyIn(user string) error {
	return rituals.Errorf(rituals.ECONFLICT, "%s is already in the %s on-call rotation (%s). `/oncall schedule %s` shows their shifts.",
		rituals.Mention(user), r.TeamName(), r.Config.Name, r.Team.ID)
}

// welcome tells the newcomer they joined and lists their first shifts
// (spans, within plan_ahead); times fall back to their zone, loc.
func (r *Rotation) welcome(a Addition, key string, spans []Span, loc *time.Location) rituals.Message {
	weeks := r.planAheadWeeks()
	head := fmt.Sprintf(":wave: %s added you to the on-call rotation for *%s*: you take shifts from the handoff of %s.",
		rituals.Mention(a.By), r.TeamName(), r.FormatTimeIn(a.From, loc))
	list := fmt.Sprintf("None in the next %d weeks: `/oncall schedule %s` shows when your turn comes.", weeks, r.Team.ID)
	if len(spans) > 0 {
		list = fmt.Sprintf("*Your shifts in the next %d weeks*\n", weeks) + r.spanLines(spans, loc)
	}
	return rituals.Message{
		Key: r.key("moves", key, a.User), To: a.User,
		Text: stripMrkdwn(fmt.Sprintf("You joined the on-call rotation for %s", r.TeamName())),
		Blocks: []rituals.Block{
			rituals.Section(head),
			rituals.Section(list),
			rituals.Context("`/oncall schedule " + r.Team.ID + "` shows the whole rotation; `/oncall swap` trades a shift."),
		},
	}
}

var _ rituals.RotationJoiner = (*Rotations)(nil)

// InRotation reports whether user takes shifts in any of the team's
// rotations, by the config or by a stored addition.
func (rs *Rotations) InRotation(team, user string) bool {
	_, ok := rs.RotationOf(team, user)
	return ok
}

// RotationOf is the name of the team's rotation in which user takes
// shifts, so a refusal can name it.
func (rs *Rotations) RotationOf(team, user string) (string, bool) {
	for _, r := range rs.OfTeam(team) {
		if r.InRotation(user) {
			return r.Name(), true
		}
	}
	return "", false
}

// JoinRotation adds user to the team's first rotation (in config order)
// from its next handoff after at (see Rotation.Join).
func (rs *Rotations) JoinRotation(ctx context.Context, team, user, by string, at time.Time) (rituals.RotationJoin, error) {
	rots := rs.OfTeam(team)
	if len(rots) == 0 {
		return rituals.RotationJoin{}, rituals.Errorf(rituals.ENOTFOUND, "The team %s has no on-call rotation to join: add an `oncall` ritual for it to the config.", rituals.Escape(team))
	}
	for _, r := range rots {
		if r.InRotation(user) {
			return rituals.RotationJoin{}, r.alreadyIn(user)
		}
	}
	return rots[0].Join(ctx, user, by, at)
}
