package oncall

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Absence is a stretch of days someone is away, both ends included, as
// dates in the rotation's zone.
type Absence struct {
	User     string
	From, To rituals.Date
	// Why names where it comes from: WhyOOO, WhyStatus.
	Why string
}

// Where an absence comes from.
const (
	WhyOOO    = "out of office"
	WhyStatus = "away by their Slack status"
)

// Span is the absence as instants in loc: from the first day's start to
// the end of the last day.
func (a Absence) Span(loc *time.Location) Span {
	return Span{From: a.From.In(loc), To: a.To.AddDays(1).In(loc)}
}

// Availability is the one record of who is away that every rotation
// reads: the stretches stored by `/standup ooo` and `/oncall away` (one
// store for both) and a vacation Slack status. The config's holidays are
// not absences here: they are everyone's, and someone is on call on a
// holiday by design (scheduled drills skip them).
type Availability struct {
	// Stored returns the stored stretches ending on or after from.
	Stored func(from rituals.Date) ([]Absence, error)
	// Put stores a stretch, where `/standup ooo` stores its own.
	Put func(Absence) error
	// StatusAway reports whether a member's Slack status says they are
	// away (vacation, OOO, :palm_tree:); nil: statuses are not read.
	StatusAway func(rituals.UserInfo) bool
}

// Absences returns everyone's absences that end on or after today: the
// stored stretches, today and tomorrow for those of byStatus whose Slack
// status says they are away (a status carries no dates, so it counts
// until it is changed, and the daily check sees it again).
func (a *Availability) Absences(ctx context.Context, today rituals.Date, dir rituals.Directory, byStatus []string) ([]Absence, error) {
	if a == nil {
		return nil, nil
	}
	var out []Absence
	if a.Stored != nil {
		stored, err := a.Stored(today)
		if err != nil {
			return nil, fmt.Errorf("read absences: %w", err)
		}
		for _, s := range stored {
			if s.Why == "" {
				s.Why = WhyOOO
			}
			out = append(out, s)
		}
	}
	if a.StatusAway != nil && dir != nil && len(byStatus) > 0 {
		if people, err := dir.Users(ctx); err == nil {
			for _, u := range byStatus {
				if p, ok := people[u]; ok && a.StatusAway(p) {
					out = append(out, Absence{User: u, From: today, To: today.AddDays(1), Why: WhyStatus})
				}
			}
		}
	}
	return out, nil
}

// awayDuring returns user's first absence overlapping sp.
func awayDuring(absences []Absence, user string, sp Span, loc *time.Location) (Absence, bool) {
	for _, a := range absences {
		if a.User != user {
			continue
		}
		if as := a.Span(loc); as.From.Before(sp.To) && as.To.After(sp.From) {
			return a, true
		}
	}
	return Absence{}, false
}

// statusAhead is how far ahead a shift's start makes its person's Slack
// status worth reading.
const statusAhead = 36 * time.Hour

// Conflict is someone away during a shift of theirs: Span is the part of
// the shift they are away for, the span a cover request asks for.
type Conflict struct {
	User    string
	Span    Span
	Absence Absence
	// Handoff is the start of the scheduled shift the stretch falls in:
	// with the absence, what tells one conflict from another as days pass
	// (Span's start moves with now while the absence is under way).
	Handoff time.Time
}

// Conflicts returns, in time order, each stretch within plan_ahead of now
// during which the person on call is away.
func (r *Rotation) Conflicts(ctx context.Context, now time.Time) ([]Conflict, error) {
	if r.Availability == nil {
		return nil, nil
	}
	loc := r.loc()
	stints, err := r.OnCallOver(Span{From: now, To: now.Add(r.Settings.planAhead())})
	if err != nil {
		return nil, err
	}
	// A status says nothing of next week: it is read for whoever takes
	// over within statusAhead, who would otherwise miss the handoff.
	var byStatus []string
	for _, st := range stints {
		if st.Start.After(now) && st.Start.Before(now.Add(statusAhead)) {
			byStatus = append(byStatus, st.User)
		}
	}
	absences, err := r.Availability.Absences(ctx, rituals.DateOf(now.In(loc)), r.Directory, byStatus)
	if err != nil {
		return nil, fmt.Errorf("oncall %s: %w", r.Config.Name, err)
	}
	var out []Conflict
	for _, st := range stints {
		for _, a := range absences {
			if a.User != st.User {
				continue
			}
			as := a.Span(loc)
			from, to := maxTime(as.From, st.Start), minTime(as.To, st.End)
			if from.Before(to) {
				out = append(out, Conflict{User: st.User, Span: Span{From: from, To: to}, Absence: a, Handoff: st.Shifts[0].HandoffStart})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Span.From.Before(out[j].Span.From) })
	return out, nil
}

// AbsenceWarnings tells whoever is away during an upcoming shift, and the
// team's leads, naming the shift, with a button that posts a cover
// request; with `cover: auto` the request is posted at once instead. Each
// warning is keyed by the person and the span, so the daily check tells
// each conflict once.
func (r *Rotation) AbsenceWarnings(ctx context.Context, now time.Time) ([]rituals.Message, error) {
	conflicts, err := r.Conflicts(ctx, now)
	if err != nil {
		return nil, err
	}
	if len(conflicts) == 0 {
		return nil, nil
	}
	zone := r.Zones(ctx)
	var msgs []rituals.Message
	for _, c := range conflicts {
		var posted *CoverRequest
		if r.Settings.Cover == CoverAuto {
			cr, err := r.RequestCover(ctx, CoverAsk{By: c.User, For: c.User, Span: c.Span, Reason: c.Absence.Why, Auto: true})
			if err != nil && rituals.ErrorCode(err) == rituals.EINTERNAL {
				return nil, err
			}
			if err == nil {
				posted = &cr
			}
		}
		for _, to := range append([]string{c.User}, r.Team.Leads...) {
			if to == "" {
				continue
			}
			msgs = append(msgs, r.absenceDM(c, to, zone(to), posted))
		}
	}
	return dedupeByKey(msgs), nil
}

func (r *Rotation) absenceDM(c Conflict, to string, loc *time.Location, posted *CoverRequest) rituals.Message {
	who := rituals.Mention(c.User) + " is"
	if to == c.User {
		who = "You are"
	}
	span := r.FormatTimeIn(c.Span.From, loc) + " to " + r.FormatTimeIn(c.Span.To, loc)
	text := fmt.Sprintf(":palm_tree: %s away (%s, %s → %s) during an on-call shift for *%s*: %s.",
		who, c.Absence.Why, c.Absence.From, c.Absence.To, r.TeamName(), span)
	blocks := []rituals.Block{rituals.Section(text)}
	if posted != nil {
		blocks = append(blocks, rituals.Context(fmt.Sprintf("A cover request (#%d) is posted in <#%s>; whoever takes it is on call for exactly that span.", posted.ID, r.Channel())))
	} else {
		blocks = append(blocks, rituals.Actions(rituals.Button{
			Text: "Post a cover request", ActionID: ActionCoverPost, Style: "primary",
			Value: r.Config.Name + "|" + c.User + "|" + strconv.FormatInt(c.Span.From.Unix(), 10) + "|" + strconv.FormatInt(c.Span.To.Unix(), 10),
		}))
	}
	return rituals.Message{
		Key: r.key("away", c.User, c.Absence.From.String(), c.Absence.To.String(), strconv.FormatInt(c.Handoff.Unix(), 10), to),
		To:  to, Text: stripMrkdwn(fmt.Sprintf("%s away during an on-call shift for %s", who, r.TeamName())), Blocks: blocks,
	}
}

func dedupeByKey(msgs []rituals.Message) []rituals.Message {
	seen := map[string]bool{}
	out := msgs[:0]
	for _, m := range msgs {
		if !seen[m.Key] {
			seen[m.Key] = true
			out = append(out, m)
		}
	}
	return out
}

// SetAway records, as `/oncall away FROM TO` asks, that user is away on
// those days (the record `/standup ooo` keeps too), and tells of the
// shifts of theirs it falls on (AbsenceEntered).
func (rs *Rotations) SetAway(ctx context.Context, user string, from, to rituals.Date, now time.Time) (int, error) {
	var av *Availability
	for _, r := range rs.List {
		if r.Availability != nil {
			av = r.Availability
			break
		}
	}
	if av == nil || av.Put == nil {
		return 0, rituals.Errorf(rituals.EINVALID, "Absences cannot be recorded here: no rotation keeps them.")
	}
	today := rituals.DateOf(now.In(rs.List[0].loc()))
	switch {
	case to.Before(from):
		return 0, rituals.Errorf(rituals.EINVALID, "The end date %s is before the start date %s. Nothing changed.", to, from)
	case to.Before(today):
		return 0, rituals.Errorf(rituals.EINVALID, "%s is in the past. Nothing changed.", to)
	case to.Time().Sub(from.Time()) > 366*24*time.Hour:
		return 0, rituals.Errorf(rituals.EINVALID, "That is more than a year; give an end date within a year of %s.", from)
	}
	if err := av.Put(Absence{User: user, From: from, To: to, Why: WhyOOO}); err != nil {
		return 0, fmt.Errorf("oncall: store absence of %s: %w", user, err)
	}
	return rs.AbsenceEntered(ctx, user, now)
}

// AbsenceEntered checks at once the shifts of a user who just said they
// will be away, in every rotation they are in, sends the warnings, and
// returns how many shifts of theirs the absences fall on.
func (rs *Rotations) AbsenceEntered(ctx context.Context, user string, now time.Time) (int, error) {
	n := 0
	for _, r := range rs.List {
		if !r.InRotation(user) || r.Availability == nil {
			continue
		}
		msgs, err := r.AbsenceWarnings(ctx, now)
		if err != nil {
			return n, err
		}
		for _, m := range msgs {
			if m.To == user {
				n++
			}
		}
		if len(msgs) > 0 {
			if err := r.Outbox.Send(ctx, rituals.UrgentFor(ctx, msgs)...); err != nil {
				return n, fmt.Errorf("oncall %s: queue absence warnings: %w", r.Config.Name, err)
			}
		}
	}
	return n, nil
}
