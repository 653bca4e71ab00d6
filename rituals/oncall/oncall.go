package oncall

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// Settings are what an on-call ritual is configured with. Its handoff
// schedule is the ritual's Schedule; the first shift starts at the first
// handoff on or after Schedule.Start.
type Settings struct {
	// Rotation is who takes the primary shifts, in turn.
	Rotation []string
	// RotationFromTeam: the config gives no `rotation:`, so Rotation is
	// the team's members (where to change it, when asked).
	RotationFromTeam bool
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
	// UserGroupMembers is who the user group holds: GroupPrimary (the
	// default) or GroupPrimaryAndSecondary.
	UserGroupMembers string
	// PlanAhead is how far ahead people are told when their shifts move,
	// and absences over shifts are looked for.
	PlanAhead time.Duration
	// Cover is what an absence over a shift does: CoverAsk (DM a button
	// that posts a cover request, the default) or CoverAuto (post it).
	Cover string
	// EscalateAfter: an untaken cover request is raised to the leads this
	// long before its shift; a drill's page goes to the secondary after
	// this long unacknowledged.
	EscalateAfter time.Duration
	// Drill schedules practice pages; nil for none.
	Drill *rituals.Schedule
}

// Cover modes (cover).
const (
	CoverAskFirst = "ask"
	CoverAuto     = "auto"
)

// DefaultEscalateAfter is escalate_after's default: two days.
const DefaultEscalateAfter = 2 * 24 * time.Hour

func (s *Settings) escalateAfter() time.Duration {
	if s.EscalateAfter > 0 {
		return s.EscalateAfter
	}
	return DefaultEscalateAfter
}

// User group modes (usergroup_members).
const (
	GroupPrimary             = "primary"
	GroupPrimaryAndSecondary = "primary+secondary"
)

// DefaultPlanAhead is plan_ahead's default: four weeks.
const DefaultPlanAhead = 4 * 7 * 24 * time.Hour

// planAhead is how far ahead changes are told.
func (s *Settings) planAhead() time.Duration {
	if s.PlanAhead > 0 {
		return s.PlanAhead
	}
	return DefaultPlanAhead
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
	// Covering is who would be on call without the override in force
	// (the next newest override's user, else Scheduled); "" without one.
	// Every message that says "covering" says this.
	Covering  string
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
func (s Shift) Brief() rituals.ShiftBrief {
	return rituals.ShiftBrief{Ritual: s.Ritual, Team: s.Team, User: s.Primary, Start: s.Start, End: s.End,
		HandoffStart: s.HandoffStart, HandoffEnd: s.HandoffEnd, Override: s.Override != nil}
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
	Swap uint64 `json:",omitempty"`
	// Cover is the cover request it came from, 0 if none (or set before
	// overrides kept it: coverOf finds those by the request's Override).
	Cover   uint64 `json:",omitempty"`
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
	SaveOverride(o Override, now time.Time, messages func(Override) []rituals.Message) (Override, error)
	// EndOverride sets the end of a stored override to o.To and puts the
	// messages built for it in the outbox, in one transaction.
	EndOverride(o Override, now time.Time, messages func(Override) []rituals.Message) error
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
	Config   *rituals.RitualConfig
	Settings *Settings
	Team     *rituals.Team
	Store    OnCallStore // nil: nothing stored (a preview before the first run)
	Outbox   rituals.Outbox
	// Wake tells the outbox's sender that messages were saved with an
	// override (SaveOverride); may be nil.
	Wake  func()
	Clock rituals.Clock
	// Directory names people in the topic and the calendar; may be nil.
	Directory rituals.Directory
	// Slack keeps the user group and topic; nil leaves them alone.
	Slack OnCallSlack
	// Incidents reads the incident log at run time; it may be nil or
	// return nil when no incidents ritual is configured.
	Incidents func() rituals.IncidentLog
	// Admins may override anyone in any rotation.
	IsAdmin func(user string) bool
	// Availability says who is away; nil: absences are not looked for.
	Availability *Availability
	// Covers keeps cover requests; nil: none are taken.
	Covers CoverStore
	// Drills keeps practice pages; nil: none are run.
	Drills DrillStore
	// Additions keeps the members added from Slack (JoinRotation); nil:
	// none can be added.
	Additions AdditionStore
	// Shadows names the newcomers shadowing the team's on-call at an
	// instant; it may be nil or return nil when no onboarding is
	// configured.
	Shadows func() rituals.Shadows
	Log     zerolog.Logger

	mu        sync.Mutex
	loaded    bool
	handoffs  []HandoffRecord // by At
	overrides []Override      // in the order set
	additions []Addition      // in the order added
	keeper    keeper
	planner   planner
	// coverMu makes a cover request's changes one at a time: its take,
	// and the cancel or early end of its override. Taken before mu.
	coverMu sync.Mutex
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
// only shifts from the next handoff on. Whoever's shifts within plan_ahead
// that change moves is told (ShiftMoves).
func (r *Rotation) Open(now time.Time) error {
	r.mu.Lock()
	if err := r.loadLocked(); err != nil {
		r.mu.Unlock()
		return err
	}
	if r.Additions != nil {
		r.dropListedLocked()
	}
	// What people were told: the rotation stored at the latest handoff,
	// stepped on. Read only when the config differs from it.
	var before map[string][]Span
	changed := r.configChangedLocked()
	if changed {
		r.continueStored = true
		before = r.planLocked(now)
	}
	// The shift under way started under the rotation people saw before
	// this start (it may have changed while the bot was down): record it
	// as that rotation had it. The config as it is now takes over at the
	// next handoff.
	r.continueStored = true
	err := r.recordLocked(now)
	r.continueStored = false
	var moves []rituals.Message
	if err == nil && changed {
		key := "config/" + r.configDigest()
		after := r.planLocked(now)
		r.mu.Unlock()
		moves = r.ShiftMoves(key, "the rotation in the config changed", before, after, r.Zones(context.Background()))
	} else {
		r.mu.Unlock()
	}
	if err != nil {
		return err
	}
	if len(moves) > 0 && r.Outbox != nil {
		if err := r.Outbox.Send(context.Background(), moves...); err != nil {
			// Telling is not worth refusing to start over.
			r.Log.Error().Err(err).Msg("could not queue the DMs telling people their on-call shifts moved")
		}
	}
	return nil
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
	// A cancelled override (see CancelPlanned) never puts anyone on call.
	os = slices.DeleteFunc(os, func(o Override) bool { return !o.To.After(o.From) })
	adds, err := r.loadAdditions()
	if err != nil {
		return err
	}
	r.handoffs, r.overrides, r.additions, r.loaded = hs, os, adds, true
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
		Rotation: clone(r.withAdditions(r.Settings.Rotation, s.start)), ExecRotation: clone(r.Settings.Exec), Recorded: r.Clock.Now(),
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

// Override puts user on call from now until `until`, as `by` asks (see
// SetOverride).
func (r *Rotation) Override(ctx context.Context, by, user string, until time.Time) (Override, error) {
	o, _, err := r.SetOverride(ctx, OverrideRequest{By: by, User: user, Span: Span{From: r.Clock.Now(), To: until}})
	return o, err
}

// overridden follows a change of overrides: the keeper syncs Slack at
// once, and the announcement goes out: the store's commit enqueued it
// (the sender is woken), or without a store it is sent now.
func (r *Rotation) overridden(ctx context.Context, messages []rituals.Message) error {
	r.wakeKeeper()
	if r.Store == nil {
		return r.Outbox.Send(ctx, messages...)
	}
	if r.Wake != nil {
		r.Wake()
	}
	return nil
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
		return rituals.Errorf(rituals.EINVALID, "%s is not an active member of this workspace, so they cannot be on call.", rituals.Mention(user))
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

// mayOverride says whether by may put user on call, and why not. Only an
// admin may put on call someone outside the team and its rotation (the
// caller warns them).
func (r *Rotation) mayOverride(by, user string) error {
	switch {
	case r.IsAdmin != nil && r.IsAdmin(by):
		return nil
	case r.mayLead(by) && !r.mayTakeShift(user):
		return rituals.Errorf(rituals.EFORBIDDEN, "%s is not in the %s team or its rotation. Put a teammate on call, or ask an admin (they can, with a warning).",
			rituals.Mention(user), r.TeamName())
	case r.mayLead(by):
		return nil
	case by != user:
		return rituals.Errorf(rituals.EFORBIDDEN, "Only a lead of %s (%s) or an admin can put someone else on call. You can take a shift yourself (`/oncall override` %s `4h`), or ask %s to swap with `/oncall swap`.",
			r.TeamName(), mentions(r.Team.Leads), rituals.Mention(by), rituals.Mention(user))
	case !r.mayTakeShift(by):
		return rituals.Errorf(rituals.EFORBIDDEN, "You are not in the %s team or its rotation, so you cannot take its on-call shift. Ask a lead of %s (%s).",
			r.TeamName(), r.TeamName(), mentions(r.Team.Leads))
	}
	return nil
}

func (r *Rotation) overrideAnnouncement(o Override, relieved ...string) rituals.Message {
	what := fmt.Sprintf("%s put %s on call for *%s*", rituals.Mention(o.By), rituals.Mention(o.User), r.TeamName())
	if o.By == o.User {
		what = fmt.Sprintf("%s took the on-call shift for *%s*", rituals.Mention(o.User), r.TeamName())
	}
	text := fmt.Sprintf(":repeat: %s until %s", what, r.FormatTime(o.To))
	if o.From.After(o.Created) {
		text = fmt.Sprintf(":repeat: %s from %s until %s", what, r.FormatTime(o.From), r.FormatTime(o.To))
	}
	// A span across a handoff relieves more than one person.
	var covered []string
	for _, u := range append([]string{o.Covering}, relieved...) {
		if u != "" && u != o.User && !slices.Contains(covered, rituals.Mention(u)) {
			covered = append(covered, rituals.Mention(u))
		}
	}
	if len(covered) > 0 {
		text += ", covering " + strings.Join(covered, " and ")
	}
	text += "."
	return rituals.Message{
		Key: r.key("override", fmt.Sprint(o.ID)), To: r.Channel(),
		Text: stripMrkdwn(text), Blocks: []rituals.Block{rituals.Section(text)},
	}
}

// FormatTime writes an instant as messages show it: a Slack date token,
// which each reader sees in their own zone (the fallback, for clients that
// cannot, is in the rotation's zone).
func (r *Rotation) FormatTime(t time.Time) string { return r.FormatTimeIn(t, r.loc()) }

// FormatTimeIn is FormatTime with the fallback in loc: a DM's reader's
// zone.
func (r *Rotation) FormatTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() || t.Equal(farFuture) {
		return "further notice"
	}
	return rituals.SlackDate(t, loc)
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
		m[i] = rituals.Mention(u)
	}
	return strings.Join(m, ", ")
}

// stripMrkdwn makes a notification text from mrkdwn: bold markers go.
func stripMrkdwn(s string) string { return strings.ReplaceAll(s, "*", "") }

// SettingsOf returns rc's oncall settings, nil if rc is of another kind.
func SettingsOf(rc *rituals.RitualConfig) *Settings {
	s, _ := rc.Settings.(*Settings)
	return s
}
