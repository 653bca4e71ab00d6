package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// IncidentVerb is something a person does to an incident.
type IncidentVerb string

const (
	VerbUpdate      IncidentVerb = "update"
	VerbSeverity    IncidentVerb = "sev"
	VerbResolve     IncidentVerb = "resolve"
	VerbPin         IncidentVerb = "pin"
	VerbAction      IncidentVerb = "action"
	VerbRetro       IncidentVerb = "retro"
	VerbPublish     IncidentVerb = "publish"
	VerbSkip        IncidentVerb = "skip"
	VerbCloseAction IncidentVerb = "done"
	// VerbTakeCommand is taking command for oneself; VerbGiveCommand is
	// making someone else the commander.
	VerbTakeCommand IncidentVerb = "take command"
	VerbGiveCommand IncidentVerb = "give command"
)

// IncidentRole is who a person is to one incident. Lead and Member are
// of the incident's teams (or its ritual's); Member includes whoever is
// on call for them.
type IncidentRole struct {
	Commander, Lead, Admin, Member bool
	// Owner is set for the owner of the action item being closed.
	Owner bool
}

// MayDo is who may do what to an incident. Anyone may raise and work an
// open incident, since whoever notices an outage must not have to ask;
// once resolved, what is left decides the record (the severity decides
// whether a retro is required, the retro is published or skipped), so it
// belongs to the commander, the leads and the admins. Command is only
// ever taken explicitly, never as a side effect of working an incident.
// The state checks (an open incident has no retro yet) are the verbs'
// own; MayDo answers only whether the person may.
func MayDo(inc Incident, role IncidentRole, verb IncidentVerb) bool {
	steward := role.Commander || role.Lead || role.Admin
	switch verb {
	case VerbUpdate, VerbSeverity, VerbPin:
		return inc.IsOpen() || steward
	case VerbResolve, VerbAction, VerbRetro:
		return true
	case VerbPublish, VerbSkip:
		if inc.Commander != "" {
			return role.Commander || role.Admin
		}
		return role.Lead || role.Admin
	case VerbCloseAction:
		return role.Owner || steward
	case VerbTakeCommand:
		return inc.IsOpen() && inc.Commander == "" && role.Member || role.Lead || role.Admin
	case VerbGiveCommand:
		return steward
	}
	return false
}

// roleOf says who user is to inc.
func (x *Incidents) roleOf(inc Incident, user string) IncidentRole {
	if user == "" {
		return IncidentRole{}
	}
	r := IncidentRole{Commander: user == inc.Commander, Admin: x.isAdmin(user)}
	teams := inc.Teams
	if len(teams) == 0 {
		teams = x.Settings.Teams
	}
	for _, t := range x.Teams {
		if !slices.Contains(teams, t.ID) && !slices.Contains(x.Settings.Teams, t.ID) {
			continue
		}
		r.Lead = r.Lead || t.IsLead(user)
		r.Member = r.Member || t.IsMember(user) || t.IsLead(user)
	}
	if !r.Member && x.OnCall != nil {
		for _, t := range teams {
			if u, ok := x.OnCall(t, x.Clock.Now()); ok && u == user {
				r.Member = true
			}
		}
	}
	return r
}

// may reports whether user may do verb to inc.
func (x *Incidents) may(inc Incident, user string, verb IncidentVerb) bool {
	return MayDo(inc, x.roleOf(inc, user), verb)
}

// stewards names who may change a resolved incident besides an admin.
func (x *Incidents) stewards(inc Incident) string {
	who := "a lead of its teams or an admin"
	if inc.Commander != "" {
		who = rituals.Mention(inc.Commander) + " (the commander), " + who
	}
	return who
}

// mayChangeResolved refuses a change to a resolved incident's timeline by
// someone who is not one of its stewards.
func (x *Incidents) mayChangeResolved(inc Incident, user string, verb IncidentVerb, what string) error {
	if x.may(inc, user, verb) {
		return nil
	}
	return rituals.Errorf(rituals.EFORBIDDEN, "#%d is resolved: only %s can %s.", inc.Number, x.stewards(inc), what)
}

// Command makes someone the commander of incident n: by themself
// (`/incident command #N`) when it has none and they are of its teams or
// on call for them, or by the commander, a lead or an admin (`/incident
// command #N @someone`). to empty means by.
func (x *Incidents) Command(ctx context.Context, n int, by, to string) (Incident, error) {
	if to == "" {
		to = by
	}
	verb := VerbTakeCommand
	if to != by {
		verb = VerbGiveCommand
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if inc.Commander == to {
			return nil, rituals.Errorf(rituals.ECONFLICT, "%s is already the commander of #%d.", rituals.Mention(to), n)
		}
		if !x.may(*inc, by, verb) {
			return nil, x.commandRefusal(*inc, verb)
		}
		inc.addParticipant(to)
		text := fmt.Sprintf("%s takes command", rituals.Mention(to))
		if to != by {
			text = fmt.Sprintf("%s hands command to %s", rituals.Mention(by), rituals.Mention(to))
		}
		inc.Commander = to
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, By: by, Text: text})
		return nil, nil
	})
}

func (x *Incidents) commandRefusal(inc Incident, verb IncidentVerb) error {
	var teams []string
	for _, t := range inc.Teams {
		teams = append(teams, x.teamName(t))
	}
	switch {
	case verb == VerbTakeCommand && inc.IsOpen() && inc.Commander == "" && len(teams) == 0:
		return rituals.Errorf(rituals.EFORBIDDEN, "#%d belongs to no team: only an admin can take command of it.", inc.Number)
	case verb == VerbTakeCommand && inc.IsOpen() && inc.Commander == "":
		return rituals.Errorf(rituals.EFORBIDDEN, "Only people of %s (or on call for it), its leads and admins can take command of #%d.", strings.Join(teams, ", "), inc.Number)
	case inc.Commander != "":
		return rituals.Errorf(rituals.EFORBIDDEN, "Only %s can hand over command of #%d.", x.stewards(inc), inc.Number)
	}
	return rituals.Errorf(rituals.EFORBIDDEN, "#%d is resolved: only a lead of its teams or an admin can name its commander.", inc.Number)
}

// publisherRefusal says who may publish or skip inc's retro.
func (x *Incidents) publisherRefusal(inc Incident, what string) error {
	return rituals.Errorf(rituals.EFORBIDDEN, "Only %s or an admin can %s of #%d.", x.publisherLabel(inc), what, inc.Number)
}

// commanderHint is what the announcement says while nobody commands.
func commanderHint(inc Incident) string {
	if !inc.IsOpen() {
		return "_nobody_"
	}
	return fmt.Sprintf("_nobody yet: `/incident command #%d` to take it_", inc.Number)
}
