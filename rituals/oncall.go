package rituals

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// OnCallConfig is the settings of an on-call ritual. Its handoff schedule
// is the ritual's Schedule; the first shift starts at the first handoff on
// or after Schedule.Start.
type OnCallConfig struct {
	// Rotation is who takes the primary shifts, in turn.
	Rotation []string
	// Secondary: the next in the rotation backs the primary up.
	Secondary bool
	// Exec is the executive on-call list, rotated at the same handoffs.
	Exec []string
	// UserGroup is a user group (S…) kept holding exactly the primary.
	UserGroup string
	// Topic keeps "On call: @x" in the channel topic.
	Topic bool
	// NotifyBefore is how long before a handoff the incoming engineer
	// gets a heads-up DM; 0 for none.
	NotifyBefore time.Duration
}

// Shift is a stretch of time during which the same people are on call in
// one rotation: a scheduled shift between two handoffs, or the part of it
// an override covers.
type Shift struct {
	Ritual    string
	Team      string
	Start     time.Time
	End       time.Time
	Primary   string
	Scheduled string // whom the rotation itself has on call
	Secondary string // "" without `secondary: true`
	Exec      string // "" without an exec list
	// Override is the override putting Primary on call, nil if none.
	Override *Override
	// HandoffStart and HandoffEnd bound the scheduled shift this is part
	// of; secondary and exec change only there.
	HandoffStart time.Time
	HandoffEnd   time.Time
}

// Brief is the shift as other rituals mention it.
func (s Shift) Brief() ShiftBrief {
	return ShiftBrief{Ritual: s.Ritual, Team: s.Team, User: s.Primary, Start: s.Start, End: s.End}
}

// HandoffRecord is the rotation's state at one handoff, stored as the shift
// starts: whom the rotation put on call and the lists then in force.
//
// Why store it: who is on call is computed by counting handoffs along the
// rotation. Counted from `start` with today's config, adding or removing a
// member would reshuffle every past shift (and the digest's on-call load,
// and what people were told). So each shift is anchored as it starts, and a
// shift is computed from the latest anchor before it: past shifts step
// through the rotation that was in force then (stored here), and only
// shifts after the latest anchor follow the config as it is now, going on
// from whoever was on call last. The bot records the current shift at
// start-up too, so a config changed while it was down takes effect at the
// next handoff, never in the past.
type HandoffRecord struct {
	Ritual       string
	At           time.Time
	Primary      string
	Rotation     []string
	Exec         string   `json:",omitempty"`
	ExecRotation []string `json:",omitempty"`
	Recorded     time.Time
}

// Override puts User on call in a rotation from From to To, whatever the
// rotation says. Overrides may overlap; the one set last wins.
type Override struct {
	ID     uint64
	Ritual string
	User   string
	From   time.Time
	To     time.Time
	By     string // who set it
	// Covering is who was on call at From before it (for the record).
	Covering string `json:",omitempty"`
	// Swap is the swap request it came from, 0 if none.
	Swap    uint64 `json:",omitempty"`
	Created time.Time
}

// Covers reports whether the override is in force at t.
func (o Override) Covers(t time.Time) bool { return !t.Before(o.From) && t.Before(o.To) }

// newer reports whether o was set after p.
func (o Override) newer(p Override) bool {
	if !o.Created.Equal(p.Created) {
		return o.Created.After(p.Created)
	}
	return o.ID > p.ID
}

// OnCallStore keeps the rotations' handoff records, overrides and swaps.
type OnCallStore interface {
	// Handoffs returns a rotation's handoff records, oldest first.
	Handoffs(ritual string) ([]HandoffRecord, error)
	// PutHandoff stores h unless a record at h.At exists; it reports
	// whether it stored it.
	PutHandoff(h HandoffRecord) (bool, error)
	// Overrides returns a rotation's overrides in the order they were set.
	Overrides(ritual string) ([]Override, error)
	// SaveOverride stores o with a new ID and puts the messages built for
	// it in the outbox, in one transaction, and returns it.
	SaveOverride(o Override, now time.Time, messages func(Override) []Message) (Override, error)
	// EndOverride sets the end of a stored override to o.To and puts the
	// messages built for it in the outbox, in one transaction.
	EndOverride(o Override, now time.Time, messages func(Override) []Message) error
	// PutSwap stores a swap request, giving it an ID if it has none.
	PutSwap(s SwapRequest) (SwapRequest, error)
	// Swap returns a swap request.
	Swap(ritual string, id uint64) (SwapRequest, bool, error)
	// AcceptSwap stores the accepted request and its overrides at once.
	AcceptSwap(s SwapRequest, overrides []Override) ([]Override, error)
}

// Rotation is one on-call ritual: a team's rotation, its handoffs, and
// keeping Slack's user group and channel topic in step with it. Every
// question of who is on call is answered by walk; nothing else computes it.
type Rotation struct {
	Config   *RitualConfig
	Settings *OnCallConfig
	Team     *Team
	Store    OnCallStore // nil: nothing stored (a preview before the first run)
	Outbox   Outbox
	// Wake tells the outbox's sender that messages were saved with an
	// override (SaveOverride); may be nil.
	Wake  func()
	Clock Clock
	// Directory names people in the topic and the calendar; may be nil.
	Directory Directory
	// Slack keeps the user group and topic; nil leaves them alone.
	Slack OnCallSlack
	// Incidents reads the incident log at run time; it may be nil or
	// return nil when no incidents ritual is configured.
	Incidents func() IncidentLog
	// Admins may override anyone in any rotation.
	IsAdmin func(user string) bool
	Log     zerolog.Logger

	mu        sync.Mutex
	loaded    bool
	handoffs  []HandoffRecord // by At
	overrides []Override      // in the order set
	keeper    keeper
	// continueStored steps on from the latest record with the rotation
	// stored in it rather than the config (see Open).
	continueStored bool
}

// Name is the ritual's name.
func (r *Rotation) Name() string { return r.Config.Name }

// Channel is where the rotation posts: its own channel, else its team's.
func (r *Rotation) Channel() string {
	if r.Config.Channel != "" {
		return r.Config.Channel
	}
	return r.Team.Channel
}

func (r *Rotation) loc() *time.Location { return r.Config.Schedule.Location }

// TeamName is the team's display name.
func (r *Rotation) TeamName() string {
	if r.Team.Name != "" {
		return r.Team.Name
	}
	return r.Team.ID
}

// Open reads the stored handoffs and overrides and records the shift in
// force at now, so that a config changed while the bot was down changes
// only shifts from the next handoff on.
func (r *Rotation) Open(now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.loadLocked(); err != nil {
		return err
	}
	// The shift under way started under the rotation people saw before
	// this start (it may have changed while the bot was down): record it
	// as that rotation had it. The config as it is now takes over at the
	// next handoff.
	r.continueStored = true
	defer func() { r.continueStored = false }()
	return r.recordLocked(now)
}

func (r *Rotation) loadLocked() error {
	if r.loaded || r.Store == nil {
		r.loaded = true
		return nil
	}
	hs, err := r.Store.Handoffs(r.Config.Name)
	if err != nil {
		return fmt.Errorf("oncall %s: read handoffs: %w", r.Config.Name, err)
	}
	os, err := r.Store.Overrides(r.Config.Name)
	if err != nil {
		return fmt.Errorf("oncall %s: read overrides: %w", r.Config.Name, err)
	}
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].At.Before(hs[j].At) })
	r.handoffs, r.overrides, r.loaded = hs, os, true
	return nil
}

// recordLocked stores the scheduled shift in force at t as a handoff
// record, if it starts after the latest one stored: the past is never
// rewritten.
func (r *Rotation) recordLocked(t time.Time) error {
	s, ok := r.scheduledAt(t)
	if !ok || r.Store == nil {
		return nil
	}
	if n := len(r.handoffs); n > 0 && !s.start.After(r.handoffs[n-1].At) {
		return nil
	}
	h := HandoffRecord{
		Ritual: r.Config.Name, At: s.start, Primary: s.primary, Exec: s.exec,
		Rotation: clone(r.Settings.Rotation), ExecRotation: clone(r.Settings.Exec), Recorded: r.Clock.Now(),
	}
	stored, err := r.Store.PutHandoff(h)
	if err != nil {
		return fmt.Errorf("oncall %s: record handoff at %s: %w", r.Config.Name, s.start.Format(time.RFC3339), err)
	}
	if stored {
		r.handoffs = append(r.handoffs, h)
	}
	return nil
}

// First is the start of the first shift: the first handoff on or after
// the `start` date; zero if the handoff never comes.
func (r *Rotation) First() time.Time {
	start := r.Config.Schedule.Start
	if start.IsZero() {
		return time.Time{}
	}
	return r.Config.Schedule.Next(start.In(r.loc()).Add(-time.Nanosecond))
}

// scheduled is one shift between two handoffs as the rotation has it,
// before overrides.
type scheduled struct {
	start, end time.Time
	primary    string
	exec       string
	// rotation and execRotation are the lists the shift steps through;
	// prev* are those of the record it was counted from, to find who comes
	// next when someone has left.
	rotation, prevRotation         []string
	execRotation, prevExecRotation []string
	anchor                         int // index of the record counted from; -1 before the first
}

// horizon bounds walks into the future (a rotation of one with no
// overrides never changes hands).
const horizon = 2 * 366 * 24 * time.Hour

// farFuture ends a shift whose next handoff never comes.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// scheduledAt returns the scheduled shift in force at t.
func (r *Rotation) scheduledAt(t time.Time) (scheduled, bool) {
	first := r.First()
	if first.IsZero() || t.Before(first) {
		return scheduled{}, false
	}
	i := sort.Search(len(r.handoffs), func(i int) bool { return r.handoffs[i].At.After(t) }) - 1
	s := r.fromAnchor(i, first)
	for !s.end.After(t) {
		s = r.following(s)
	}
	return s, true
}

// fromAnchor is the shift starting at handoff record i (-1: the first
// shift, before any record).
func (r *Rotation) fromAnchor(i int, first time.Time) scheduled {
	var s scheduled
	if i < 0 {
		// Before anything was recorded, the rotation is the earliest one
		// known, so that history stays put once recorded.
		rot, exec := r.Settings.Rotation, r.Settings.Exec
		if len(r.handoffs) > 0 {
			rot, exec = r.handoffs[0].Rotation, r.handoffs[0].ExecRotation
		}
		s = scheduled{start: first, rotation: rot, prevRotation: rot, execRotation: exec, prevExecRotation: exec, anchor: -1}
		if len(rot) > 0 {
			s.primary = rot[0]
		}
		if len(exec) > 0 {
			s.exec = exec[0]
		}
	} else {
		h := r.handoffs[i]
		s = scheduled{start: h.At, primary: h.Primary, exec: h.Exec, anchor: i,
			prevRotation: h.Rotation, prevExecRotation: h.ExecRotation,
			rotation: h.Rotation, execRotation: h.ExecRotation}
		if i == len(r.handoffs)-1 && !r.continueStored {
			// After the latest record, the config as it is now.
			s.rotation, s.execRotation = r.Settings.Rotation, r.Settings.Exec
		}
	}
	s.end = r.endOf(s)
	return s
}

// endOf is when shift s ends: the next handoff, or the next record.
func (r *Rotation) endOf(s scheduled) time.Time {
	end := r.Config.Schedule.Next(s.start)
	if end.IsZero() {
		end = farFuture
	}
	if n := s.anchor + 1; n < len(r.handoffs) && r.handoffs[n].At.Before(end) {
		end = r.handoffs[n].At
	}
	return end
}

// following is the scheduled shift after s.
func (r *Rotation) following(s scheduled) scheduled {
	if n := s.anchor + 1; n < len(r.handoffs) && !r.handoffs[n].At.After(s.end) {
		return r.fromAnchor(n, time.Time{})
	}
	next := scheduled{
		start: s.end, anchor: s.anchor,
		primary:  successor(s.primary, s.prevRotation, s.rotation),
		exec:     successor(s.exec, s.prevExecRotation, s.execRotation),
		rotation: s.rotation, prevRotation: s.rotation,
		execRotation: s.execRotation, prevExecRotation: s.execRotation,
	}
	next.end = r.endOf(next)
	return next
}

// successor is who follows p in rot. If p is no longer in rot (they left
// the rotation), it is the first one after p in the order p was in (prev)
// who still is; a rotation that changed entirely starts at its top.
func successor(p string, prev, rot []string) string {
	if len(rot) == 0 {
		return ""
	}
	if i := indexOf(rot, p); i >= 0 {
		return rot[(i+1)%len(rot)]
	}
	if j := indexOf(prev, p); j >= 0 {
		for k := 1; k < len(prev); k++ {
			if c := prev[(j+k)%len(prev)]; indexOf(rot, c) >= 0 {
				return c
			}
		}
	}
	return rot[0]
}

// secondaryFor is the next in the rotation after the scheduled primary who
// is not the one actually on call.
func secondaryFor(s scheduled, primary string) string {
	c := successor(s.primary, s.prevRotation, s.rotation)
	for range len(s.rotation) {
		if c != primary {
			return c
		}
		c = successor(c, s.rotation, s.rotation)
	}
	return ""
}

// walk calls f with each shift, overrides applied, from the one in force
// at from on, in time order, until f returns false or the horizon. It is
// the one place that says who is on call; callers hold r.mu.
func (r *Rotation) walk(from time.Time, f func(Shift) bool) {
	s, ok := r.scheduledAt(from)
	if !ok {
		first := r.First()
		if first.IsZero() {
			return
		}
		s, _ = r.scheduledAt(first)
	}
	limit := from.Add(horizon)
	for s.start.Before(limit) {
		for _, seg := range r.segments(s) {
			if !seg.End.After(from) {
				continue
			}
			if !f(seg) {
				return
			}
		}
		if s.end.Equal(farFuture) {
			return
		}
		s = r.following(s)
	}
}

// segments cuts a scheduled shift where overrides begin and end. It looks
// at the overrides in place (a year holds hundreds) and cuts once at each
// instant, however many overrides share it.
func (r *Rotation) segments(s scheduled) []Shift {
	cuts := []time.Time{s.start}
	var active []*Override
	var seen map[int64]bool // instants cut at, once overrides pile up
	cut := func(t time.Time) {
		if len(active) > 4 {
			if seen == nil {
				seen = map[int64]bool{}
				for _, c := range cuts {
					seen[c.UnixNano()] = true
				}
			}
			if seen[t.UnixNano()] {
				return
			}
			seen[t.UnixNano()] = true
		}
		cuts = append(cuts, t)
	}
	for i := range r.overrides {
		o := &r.overrides[i]
		if o.From.Before(s.end) && o.To.After(s.start) {
			active = append(active, o)
			if o.From.After(s.start) {
				cut(o.From)
			}
			if o.To.Before(s.end) {
				cut(o.To)
			}
		}
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	cuts = append(cuts, s.end)
	var out []Shift
	for i := 0; i+1 < len(cuts); i++ {
		start, end := cuts[i], cuts[i+1]
		if !end.After(start) {
			continue
		}
		seg := Shift{
			Ritual: r.Config.Name, Team: r.Team.ID, Start: start, End: end,
			Primary: s.primary, Scheduled: s.primary, Exec: s.exec,
			HandoffStart: s.start, HandoffEnd: s.end,
		}
		var win *Override
		for _, o := range active {
			if o.Covers(start) && (win == nil || o.newer(*win)) {
				win = o
			}
		}
		if win != nil {
			o := *win
			seg.Override, seg.Primary = &o, o.User
		}
		if r.Settings.Secondary {
			seg.Secondary = secondaryFor(s, seg.Primary)
		}
		if n := len(out); n > 0 && sameCrew(out[n-1], seg) {
			out[n-1].End = end
			continue
		}
		out = append(out, seg)
	}
	return out
}

func sameCrew(a, b Shift) bool {
	return a.Primary == b.Primary && a.Secondary == b.Secondary && a.Exec == b.Exec &&
		(a.Override == nil) == (b.Override == nil) && (a.Override == nil || a.Override.ID == b.Override.ID)
}

func (r *Rotation) ensureLoaded() error {
	if r.loaded {
		return nil
	}
	return r.loadLocked()
}

// walkLoaded is walk for callers that do not hold r.mu: it reads the
// stored records first, if it has not yet.
func (r *Rotation) walkLoaded(from time.Time, f func(Shift) bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return err
	}
	r.walk(from, f)
	return nil
}

// At returns who is on call at t; ok is false before the first shift.
func (r *Rotation) At(t time.Time) (s Shift, ok bool, err error) {
	err = r.walkLoaded(t, func(sh Shift) bool {
		s, ok = sh, !sh.Start.After(t)
		return false
	})
	return s, ok, err
}

// Shifts returns the shifts overlapping [from, to), the first one whole.
func (r *Rotation) Shifts(from, to time.Time) ([]Shift, error) {
	var out []Shift
	err := r.walkLoaded(from, func(sh Shift) bool {
		if !sh.Start.Before(to) {
			return false
		}
		out = append(out, sh)
		return true
	})
	return out, err
}

// Upcoming returns n shifts: the one in force at from (or the first, if
// the rotation has not started) and those after it.
func (r *Rotation) Upcoming(from time.Time, n int) ([]Shift, error) {
	var out []Shift
	err := r.walkLoaded(from, func(sh Shift) bool {
		out = append(out, sh)
		return len(out) < n
	})
	return out, err
}

// Stint is a stretch during which one person stays primary, across
// shifts and overrides.
type Stint struct {
	User       string
	Start, End time.Time
	// Shifts are the shifts it is made of.
	Shifts []Shift
}

// maxStintShifts bounds how far a stint is followed (a rotation of one).
const maxStintShifts = 60

// Stints returns up to n stints from the one in force at from on.
func (r *Rotation) Stints(from time.Time, n int) ([]Stint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return nil, err
	}
	return r.stintsLocked(from, n), nil
}

func (r *Rotation) stintsLocked(from time.Time, n int) []Stint {
	var out []Stint
	r.walk(from, func(sh Shift) bool {
		if k := len(out); k > 0 && out[k-1].User == sh.Primary && out[k-1].End.Equal(sh.Start) && len(out[k-1].Shifts) < maxStintShifts {
			out[k-1].End = sh.End
			out[k-1].Shifts = append(out[k-1].Shifts, sh)
			return true
		}
		if len(out) == n {
			return false
		}
		out = append(out, Stint{User: sh.Primary, Start: sh.Start, End: sh.End, Shifts: []Shift{sh}})
		return true
	})
	return out
}

// NextStintOf returns user's stint in force at or after from, within the
// horizon.
func (r *Rotation) NextStintOf(user string, from time.Time) (Stint, bool, error) {
	var st Stint
	found := false
	err := r.walkLoaded(from, func(sh Shift) bool {
		switch {
		case found && sh.Primary == user && st.End.Equal(sh.Start) && len(st.Shifts) < maxStintShifts:
			st.End = sh.End
			st.Shifts = append(st.Shifts, sh)
			return true
		case found:
			return false
		case sh.Primary == user:
			st, found = Stint{User: user, Start: sh.Start, End: sh.End, Shifts: []Shift{sh}}, true
		}
		return true
	})
	return st, found, err
}

// InRotation reports whether user takes primary shifts in the rotation.
func (r *Rotation) InRotation(user string) bool { return indexOf(r.Settings.Rotation, user) >= 0 }

// maxOverride bounds one override: longer absences are a config change.
const maxOverride = 92 * 24 * time.Hour

// Override puts user on call from now until `until`, as `by` asks. Leads
// of the team and admins may put anyone on call; others only themselves.
// The channel is told, and Slack's user group and topic follow at once.
func (r *Rotation) Override(ctx context.Context, by, user string, until time.Time) (Override, error) {
	now := r.Clock.Now()
	if err := r.mayOverride(by, user); err != nil {
		return Override{}, err
	}
	if err := r.checkPerson(ctx, user); err != nil {
		return Override{}, err
	}
	if !until.After(now) {
		return Override{}, Errorf(EINVALID, "The override would end at %s, which has passed. Give a duration (`4h`, `2d`) or a later date.", r.FormatTime(until))
	}
	if until.Sub(now) > maxOverride {
		return Override{}, Errorf(EINVALID, "An override can last at most %d days; for longer, change the rotation in the config.", int(maxOverride.Hours()/24))
	}
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return Override{}, err
	}
	first := r.First()
	if first.IsZero() || !until.After(first) {
		r.mu.Unlock()
		return Override{}, Errorf(EINVALID, "The %s rotation starts %s; an override must reach into it.", r.TeamName(), r.FormatTime(first))
	}
	from := now
	if from.Before(first) {
		from = first
	}
	var covering string
	r.walk(from, func(sh Shift) bool { covering = sh.Primary; return false })
	o := Override{Ritual: r.Config.Name, User: user, From: from, To: until, By: by, Covering: covering, Created: now}
	if err := ctx.Err(); err != nil {
		r.mu.Unlock()
		return Override{}, err
	}
	if r.Store != nil {
		// The override and its announcement are one commit: it is never in
		// force unannounced, and the command waits for one write, not two.
		var err error
		o, err = r.Store.SaveOverride(o, now, func(o Override) []Message { return UrgentFor(ctx, []Message{r.overrideAnnouncement(o)}) })
		if err != nil {
			r.mu.Unlock()
			return Override{}, fmt.Errorf("oncall %s: store override: %w", r.Config.Name, err)
		}
	}
	r.overrides = append(r.overrides, o)
	r.mu.Unlock()
	return o, r.overridden(ctx, r.overrideAnnouncement(o))
}

// overridden follows a change of overrides: the keeper syncs Slack at
// once, and the announcement goes out: the store's commit enqueued it
// (the sender is woken), or without a store it is sent now.
func (r *Rotation) overridden(ctx context.Context, announcement Message) error {
	r.wakeKeeper()
	if r.Store == nil {
		return r.Outbox.Send(ctx, announcement)
	}
	if r.Wake != nil {
		r.Wake()
	}
	return nil
}

// EndOverride ends now, as `by` asks, the override that puts someone on
// call now (where overrides overlap, the one in force: the one set last).
// Its user, whoever set it, leads of the team and admins may end it. The
// channel is told, and the user group and topic follow at once; an older
// override it covered is in force again, if there is one. It returns the
// override as ended and the shift in force after it.
func (r *Rotation) EndOverride(ctx context.Context, by string) (Override, Shift, error) {
	now := r.Clock.Now()
	r.mu.Lock()
	if err := r.ensureLoaded(); err != nil {
		r.mu.Unlock()
		return Override{}, Shift{}, err
	}
	var current Shift
	r.walk(now, func(sh Shift) bool { current = sh; return false })
	if current.Override == nil || current.Start.After(now) {
		r.mu.Unlock()
		return Override{}, Shift{}, Errorf(ENOTFOUND, "No override is in force for %s now: %s is on call as scheduled. `/oncall schedule %s` shows what is coming.",
			r.TeamName(), Mention(current.Primary), r.Team.ID)
	}
	o := *current.Override
	if !(r.mayLead(by) || by == o.User || by == o.By) {
		r.mu.Unlock()
		return Override{}, Shift{}, Errorf(EFORBIDDEN, "Only %s (on call by it), %s (who set it), a lead of %s (%s) or an admin can end this override.",
			Mention(o.User), Mention(o.By), r.TeamName(), mentions(r.Team.Leads))
	}
	if err := ctx.Err(); err != nil {
		r.mu.Unlock()
		return Override{}, Shift{}, err
	}
	o.To = now
	i := slices.IndexFunc(r.overrides, func(x Override) bool { return x.ID == o.ID })
	r.overrides[i].To = now // walk reads the overrides in place
	var after Shift
	r.walk(now, func(sh Shift) bool { after = sh; return false })
	if r.Store != nil {
		// Ended and announced in one commit, as when it was set.
		err := r.Store.EndOverride(o, now, func(o Override) []Message { return UrgentFor(ctx, []Message{r.endAnnouncement(o, by, after)}) })
		if err != nil {
			r.overrides[i].To = current.Override.To
			r.mu.Unlock()
			return Override{}, Shift{}, fmt.Errorf("oncall %s: end override %d: %w", r.Config.Name, o.ID, err)
		}
	}
	r.mu.Unlock()
	return o, after, r.overridden(ctx, r.endAnnouncement(o, by, after))
}

func (r *Rotation) endAnnouncement(o Override, by string, after Shift) Message {
	what := fmt.Sprintf("%s ended %s's on-call override for *%s*", Mention(by), Mention(o.User), r.TeamName())
	if by == o.User {
		what = fmt.Sprintf("%s ended their on-call override for *%s*", Mention(by), r.TeamName())
	}
	text := fmt.Sprintf(":repeat: %s. %s is on call until %s.", what, Mention(after.Primary), r.FormatTime(after.End))
	return Message{
		Key: r.key("override-end", fmt.Sprint(o.ID)), To: r.Channel(),
		Text: stripMrkdwn(text), Blocks: []Block{Section(text)},
	}
}

// checkPerson refuses someone Slack does not know as an active member:
// the user group could never hold them.
func (r *Rotation) checkPerson(ctx context.Context, user string) error {
	if r.Directory == nil {
		return nil
	}
	users, err := r.Directory.Users(ctx)
	if err != nil {
		return nil // Slack is slow to answer; the keeper will say if it cannot set the group
	}
	if u, ok := users[user]; !ok || u.Deleted {
		return Errorf(EINVALID, "%s is not an active member of this workspace, so they cannot be on call.", Mention(user))
	}
	return nil
}

// mayLead reports whether user may put anyone on call: a lead of the
// team or an admin.
func (r *Rotation) mayLead(user string) bool {
	return r.Team.IsLead(user) || r.IsAdmin != nil && r.IsAdmin(user)
}

// mayTakeShift reports whether user may be on call on their own say (an
// override of themselves, or accepting a swap): someone of the team or its
// rotation, or whoever may put anyone on call.
func (r *Rotation) mayTakeShift(user string) bool {
	return r.Team.IsMember(user) || r.InRotation(user) || r.mayLead(user)
}

// mayOverride says whether by may put user on call, and why not.
func (r *Rotation) mayOverride(by, user string) error {
	switch {
	case r.mayLead(by):
		return nil
	case by != user:
		return Errorf(EFORBIDDEN, "Only a lead of %s (%s) or an admin can put someone else on call. You can take a shift yourself (`/oncall override %s 4h`), or ask %s to swap with `/oncall swap`.",
			r.TeamName(), mentions(r.Team.Leads), Mention(by), Mention(user))
	case !r.mayTakeShift(by):
		return Errorf(EFORBIDDEN, "You are not in the %s team or its rotation, so you cannot take its on-call shift. Ask a lead of %s (%s).",
			r.TeamName(), r.TeamName(), mentions(r.Team.Leads))
	}
	return nil
}

func (r *Rotation) overrideAnnouncement(o Override) Message {
	what := fmt.Sprintf("%s put %s on call for *%s*", Mention(o.By), Mention(o.User), r.TeamName())
	if o.By == o.User {
		what = fmt.Sprintf("%s took the on-call shift for *%s*", Mention(o.User), r.TeamName())
	}
	text := fmt.Sprintf(":repeat: %s until %s", what, r.FormatTime(o.To))
	if o.Covering != "" && o.Covering != o.User {
		text += ", covering " + Mention(o.Covering)
	}
	text += "."
	return Message{
		Key: r.key("override", fmt.Sprint(o.ID)), To: r.Channel(),
		Text: stripMrkdwn(text), Blocks: []Block{Section(text)},
	}
}

// FormatTime writes an instant in the rotation's zone, as messages show it.
func (r *Rotation) FormatTime(t time.Time) string {
	if t.IsZero() || t.Equal(farFuture) {
		return "further notice"
	}
	return t.In(r.loc()).Format("Mon 2 Jan 15:04 MST")
}

// key is a message key of this rotation.
func (r *Rotation) key(parts ...string) string {
	return "oncall/" + r.Config.Name + "/" + strings.Join(parts, "/")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func clone(list []string) []string { return append([]string(nil), list...) }

func mentions(users []string) string {
	if len(users) == 0 {
		return "none configured"
	}
	m := make([]string, len(users))
	for i, u := range users {
		m[i] = Mention(u)
	}
	return strings.Join(m, ", ")
}

// stripMrkdwn makes a notification text from mrkdwn: bold markers go.
func stripMrkdwn(s string) string { return strings.ReplaceAll(s, "*", "") }
