package incident

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// maxActionsInDM keeps a reminder within a message's 50 blocks.
const maxActionsInDM = 40

// AddAction records a follow-up of incident n owned by owner, posts it in
// the incident's thread and tells the owner.
func (x *Incidents) AddAction(ctx context.Context, n int, by, owner, text string, due rituals.Date) (ActionItem, error) {
	text = strings.TrimSpace(text)
	switch {
	case owner == "":
		return ActionItem{}, rituals.Errorf(rituals.EINVALID, "Name the owner: `/incident action #%d @owner TEXT [due YYYY-MM-DD]`.", n)
	case text == "":
		return ActionItem{}, rituals.Errorf(rituals.EINVALID, "Say what is to be done: `/incident action #%d @owner TEXT [due YYYY-MM-DD]`.", n)
	case len([]rune(text)) > 500:
		return ActionItem{}, rituals.Errorf(rituals.EINVALID, "Please keep an action item under 500 characters.")
	}
	today := rituals.DateOf(x.Clock.Now().In(x.location()))
	if !due.IsZero() && due.Before(today) {
		return ActionItem{}, rituals.Errorf(rituals.EINVALID, "The due date %s is in the past.", due)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	inc, err := x.Lookup(n)
	if err != nil {
		return ActionItem{}, err
	}
	x.learnNames(ctx, inc.Title)
	a := x.newAction(&inc, by, owner, text, due, false)
	inc.addParticipant(by)
	if err := x.Store.PutIncident(inc); err != nil {
		return a, fmt.Errorf("store incident %d: %w", n, err)
	}
	if err := x.Store.PutAction(a); err != nil {
		return a, fmt.Errorf("store action item %s: %w", a.ID, err)
	}
	return a, x.Outbox.Send(ctx, x.actionMessages(inc, a)...)
}

func doneButton(a ActionItem) rituals.Button {
	return rituals.Button{Text: "Done", ActionID: ActionItemDone, Value: a.ID, Style: "primary"}
}

func withButton(b rituals.Block, btn rituals.Button) rituals.Block {
	b.Buttons = []rituals.Button{btn}
	return b
}

// OpenActionsOf returns user's open items of this ritual, the overdue and
// soonest due first.
func (x *Incidents) OpenActionsOf(user string) ([]ActionItem, error) {
	all, err := x.Store.ActionItems(x.Config.Name)
	if err != nil {
		return nil, err
	}
	var out []ActionItem
	for _, a := range all {
		if a.Owner == user && a.Open() {
			out = append(out, a)
		}
	}
	return sortedActions(out), nil
}

// ActionBlocks lists action items with a Done button each, as in a DM.
func (x *Incidents) ActionBlocks(items []ActionItem) []rituals.Block {
	today := rituals.DateOf(x.Clock.Now().In(x.location()))
	titles := map[int]string{}
	if briefs, err := x.Store.IncidentBriefs(x.Config.Name); err == nil {
		for _, b := range briefs {
			titles[b.Number] = b.Title
		}
	}
	var blocks []rituals.Block
	for i, a := range items {
		if i == maxActionsInDM {
			blocks = append(blocks, rituals.Context(fmt.Sprintf("… and %d more: `/incident actions` lists them all.", len(items)-i)))
			break
		}
		title := titles[a.Incident]
		line := fmt.Sprintf("*%s*\nfrom #%d: %s", rituals.EscapeText(a.Text), a.Incident, rituals.Escape(title))
		switch {
		case a.Overdue(today):
			days := int(today.Time().Sub(a.Due.Time()).Hours() / 24)
			line += fmt.Sprintf(" · :warning: *overdue* since %s (%s)", a.Due.Time().Format("Mon 2 Jan"), rituals.AgeLabel(days))
		case !a.Due.IsZero():
			line += " · due " + a.Due.Time().Format("Mon 2 Jan")
		}
		blocks = append(blocks, withButton(rituals.Section(line), doneButton(a)))
	}
	return blocks
}

// RemindActions sends each owner of open action items of this ritual one
// DM listing them, overdue first, with a Done button each.
func (x *Incidents) RemindActions(ctx context.Context, at time.Time) error {
	return x.remindOwners(ctx, at, func(string) (*time.Location, bool) { return x.location(), true })
}

// remindOwners sends the reminder of RemindActions to the owners that
// due says are due at `at`, counting overdue days in the zone it gives.
func (x *Incidents) remindOwners(ctx context.Context, at time.Time, due func(owner string) (*time.Location, bool)) error {
	all, err := x.Store.ActionItems(x.Config.Name)
	if err != nil {
		return fmt.Errorf("incidents %s: read action items: %w", x.Config.Name, err)
	}
	byOwner := map[string][]ActionItem{}
	for _, a := range all {
		if a.Open() {
			byOwner[a.Owner] = append(byOwner[a.Owner], a)
		}
	}
	owners := slices.Sorted(maps.Keys(byOwner))
	var msgs []rituals.Message
	for _, owner := range owners {
		loc, ok := due(owner)
		if !ok {
			continue
		}
		today := rituals.DateOf(at.In(loc))
		items := sortedActions(byOwner[owner])
		overdue := 0
		for _, a := range items {
			if a.Overdue(today) {
				overdue++
			}
		}
		summary := fmt.Sprintf("You have %d open action item%s from incidents", len(items), rituals.Plural(len(items)))
		if overdue > 0 {
			summary += fmt.Sprintf(", %d overdue", overdue)
		}
		blocks := append([]rituals.Block{rituals.Section(summary + ". Click *Done* when one is finished; they keep the next incident from happening.")}, x.ActionBlocks(items)...)
		msgs = append(msgs, rituals.Message{
			Key: rituals.OccurrenceKey(x.Config.Name+"/actions", at, owner), To: owner,
			Text: summary, Blocks: blocks,
		})
	}
	return x.Outbox.Send(ctx, msgs...)
}

// CloseAction marks action item id done. Its owner, the incident's
// commander, a lead of its teams or an admin may.
func (x *Incidents) CloseAction(ctx context.Context, id, user string) (ActionItem, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	a, ok, err := x.Store.Action(id)
	if err != nil {
		return a, err
	}
	if !ok || a.Ritual != x.Config.Name {
		return a, rituals.Errorf(rituals.ENOTFOUND, "That action item no longer exists.")
	}
	inc, err := x.Lookup(a.Incident)
	if err != nil {
		return a, err
	}
	role := x.roleOf(inc, user)
	role.Owner = a.Owner == user
	if !MayDo(inc, role, VerbCloseAction) {
		return a, rituals.Errorf(rituals.EFORBIDDEN, "Only %s (its owner), the incident's commander or a lead can close this action item.", rituals.Mention(a.Owner))
	}
	if !a.Open() {
		return a, nil
	}
	now := x.Clock.Now()
	a.Closed, a.ClosedBy = now, user
	if err := x.Store.PutAction(a); err != nil {
		return a, fmt.Errorf("store action item %s: %w", a.ID, err)
	}
	return a, x.Outbox.Send(ctx, rituals.Message{
		Key: "incident/" + fmt.Sprint(a.Incident) + "/action/" + a.ID + "/done", To: x.Channel(), ThreadKey: announceKey(a.Incident),
		Text:   fmt.Sprintf("Action item of #%d done", a.Incident),
		Blocks: []rituals.Block{rituals.Section(fmt.Sprintf(":white_check_mark: *Action item done* by %s\n~%s~", rituals.Mention(user), rituals.EscapeText(a.Text)))},
	})
}

// IncidentRecords is the IncidentLog over the store: every incidents
// ritual's incidents and action items, by team.
type IncidentRecords struct {
	Store IncidentStore
	// RitualTeams are each ritual's teams, which incidents stored with
	// no teams count for (see teams.go).
	RitualTeams map[string][]string
	// Names, if set, gives display names, for titles that mention
	// someone (names.go).
	Names func(ctx context.Context) map[string]string
}

var _ rituals.IncidentLog = (*IncidentRecords)(nil)

// IncidentsBetween returns the team's incidents opened in [from, to),
// oldest first.
func (l *IncidentRecords) IncidentsBetween(team string, from, to time.Time) ([]rituals.IncidentBrief, error) {
	out, err := l.Store.IncidentBriefsWhere(func(ritual string, b rituals.IncidentBrief) bool {
		return !b.Opened.Before(from) && b.Opened.Before(to) && l.counts(ritual, b.Teams, team)
	})
	for i := range out {
		out[i] = l.shown(out[i])
	}
	return out, err
}

// shown is b with its title as people read it.
func (l *IncidentRecords) shown(b rituals.IncidentBrief) rituals.IncidentBrief {
	if l.Names != nil && strings.Contains(b.Title, "<@") {
		b.Title = ShowMentions(b.Title, l.Names(context.Background()))
	}
	return b
}

// OpenIncidents returns the team's incidents not yet resolved.
func (l *IncidentRecords) OpenIncidents(team string) ([]rituals.IncidentBrief, error) {
	open, err := l.Store.OpenIncidents("")
	return briefs(open, err, func(inc Incident) bool { return l.counts(inc.Ritual, inc.Teams, team) },
		func(inc Incident) rituals.IncidentBrief { return l.shown(inc.Brief()) })
}

// Actions returns every action item of the team's incidents.
func (l *IncidentRecords) Actions(team string) ([]rituals.ActionBrief, error) {
	return l.Store.ActionBriefsWhere(func(a ActionItem) bool { return l.counts(a.Ritual, a.Teams, team) })
}

func incidentBrief(inc Incident) rituals.IncidentBrief { return inc.Brief() }

// briefs returns the brief of each item keep accepts, as the store read
// them (or the store's error).
func briefs[T, B any](items []T, err error, keep func(T) bool, brief func(T) B) ([]B, error) {
	if err != nil {
		return nil, err
	}
	var out []B
	for _, it := range items {
		if keep(it) {
			out = append(out, brief(it))
		}
	}
	return out, nil
}

// OpenActions returns the action items owned by user not yet done,
// soonest due first.
func (l *IncidentRecords) OpenActions(user string) ([]rituals.ActionBrief, error) {
	all, err := l.Store.ActionItems("")
	if err != nil {
		return nil, err
	}
	var items []ActionItem
	for _, a := range all {
		if a.Owner == user && a.Open() {
			items = append(items, a)
		}
	}
	var out []rituals.ActionBrief
	for _, a := range sortedActions(items) {
		out = append(out, a.Brief())
	}
	return out, nil
}
