package incident

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// An incident belongs to teams: the digest, DORA, on-call load and the App
// Home count it under those only. Incidents stored before teams were
// chosen per incident carry every team of their ritual (what Declare and
// the webhooks used to set), so they keep counting for all of them.

// channelRefRE is a channel as a slash command carries it with escaping
// on (<#C123|name>, <#C123>) or as typed (#name).
var channelRefRE = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$`)

// team returns the configured team whose ID or name is s (any case).
func (x *Incidents) team(s string) *rituals.Team {
	for _, t := range x.Teams {
		if strings.EqualFold(t.ID, s) || strings.EqualFold(t.Name, s) {
			return t
		}
	}
	return nil
}

// teamRef reads one word naming a team: a team ID, or a channel that is a
// team's. isRef is false for a word that does not look like a team (the
// title begins); a channel that is no team's is an error.
func (x *Incidents) teamRef(word string) (id string, isRef bool, err error) {
	if m := channelRefRE.FindStringSubmatch(word); m != nil {
		for _, t := range x.Teams {
			if t.Channel == m[1] {
				return t.ID, true, nil
			}
		}
		if t := x.team(m[2]); m[2] != "" && t != nil {
			return t.ID, true, nil
		}
		return "", true, x.unknownTeam(word)
	}
	if name, ok := strings.CutPrefix(word, "#"); ok && name != "" {
		for _, t := range x.Teams {
			if t.Channel == name || strings.EqualFold(t.ID, name) || strings.EqualFold(t.Name, name) {
				return t.ID, true, nil
			}
		}
		return "", true, x.unknownTeam(word)
	}
	if t := x.team(word); t != nil && t.ID == word {
		return t.ID, true, nil
	}
	return "", false, nil
}

func (x *Incidents) unknownTeam(word string) error {
	var known []string
	for _, t := range x.Teams {
		known = append(known, fmt.Sprintf("`%s`", t.ID))
	}
	return rituals.Errorf(rituals.EINVALID, "`%s` is not a team: name one by its id (%s) or its channel. (A title may not begin with a #channel.)",
		rituals.Escape(word), strings.Join(known, ", "))
}

// SplitTeams takes the team words off the front of a command's words:
// `payments #platform Checkout down` → [payments platform], "Checkout down".
func (x *Incidents) SplitTeams(words []string) (teams, rest []string, err error) {
	for i, w := range words {
		id, ok, err := x.teamRef(w)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return teams, words[i:], nil
		}
		teams = rituals.AddUnique(teams, id)
	}
	return teams, nil, nil
}

// teamsOfPerson are the teams of the ritual user is in (member or lead),
// else the ritual's teams: who declares an incident is usually of the
// team it hits.
func (x *Incidents) teamsOfPerson(user string) []string {
	var out []string
	for _, t := range x.Teams {
		if slices.Contains(x.Settings.Teams, t.ID) && (t.IsMember(user) || t.IsLead(user)) {
			out = append(out, t.ID)
		}
	}
	if len(out) == 0 {
		return append([]string(nil), x.Settings.Teams...)
	}
	return out
}

// alertTeams are the teams an alert group names: its `team` labels (a
// team's ID or name), else its `service` labels matched against the teams'
// services, else the ritual's teams.
func (x *Incidents) alertTeams(g AlertGroup, matching []Alert) []string {
	sets := []map[string]string{g.CommonLabels, g.GroupLabels}
	for _, a := range matching {
		sets = append(sets, a.Labels)
	}
	var byTeam, byService []string
	for _, labels := range sets {
		if t := x.team(labels["team"]); labels["team"] != "" && t != nil {
			byTeam = rituals.AddUnique(byTeam, t.ID)
		}
		for _, id := range x.serviceTeams(labels["service"]) {
			byService = rituals.AddUnique(byService, id)
		}
	}
	switch {
	case len(byTeam) > 0:
		return byTeam
	case len(byService) > 0:
		return byService
	}
	return append([]string(nil), x.Settings.Teams...)
}

// pagerDutyTeams are the teams owning the event's PagerDuty service (by
// name or ID in their services), else the ritual's teams.
func (x *Incidents) pagerDutyTeams(ev PagerDutyEvent) []string {
	out := x.serviceTeams(ev.ServiceName)
	for _, id := range x.serviceTeams(ev.ServiceID) {
		out = rituals.AddUnique(out, id)
	}
	if len(out) == 0 {
		return append([]string(nil), x.Settings.Teams...)
	}
	return out
}

// serviceTeams are the teams listing service among their services.
func (x *Incidents) serviceTeams(service string) []string {
	if service == "" {
		return nil
	}
	var out []string
	for _, t := range x.Teams {
		for _, s := range t.Services {
			if strings.EqualFold(s, service) {
				out = rituals.AddUnique(out, t.ID)
			}
		}
	}
	return out
}

// TeamNames names teams for people: "Payments, Platform".
func (x *Incidents) TeamNames(ids []string) string {
	var names []string
	for _, id := range ids {
		names = append(names, x.teamName(id))
	}
	if len(names) == 0 {
		return "no team"
	}
	return strings.Join(names, ", ")
}

// SetTeams changes the teams incident n belongs to (`/incident team #N
// TEAM…`): anyone working it while open, its stewards once resolved,
// since the teams decide whose figures it counts in.
func (x *Incidents) SetTeams(ctx context.Context, n int, user string, teams []string) (Incident, error) {
	if len(teams) == 0 {
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Name the teams: `/incident team #%d TEAM…`, a team id or its #channel.", n)
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if err := x.mayChangeResolved(*inc, user, VerbSeverity, "change its teams, since they decide whose figures it counts in"); err != nil {
			return nil, err
		}
		if slices.Equal(inc.Teams, teams) {
			return nil, rituals.Errorf(rituals.ECONFLICT, "#%d already belongs to %s.", n, x.TeamNames(teams))
		}
		inc.addParticipant(user)
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, By: user, Internal: true,
			Text: fmt.Sprintf("Teams: %s → %s", x.TeamNames(inc.Teams), x.TeamNames(teams))})
		inc.Teams = append([]string(nil), teams...)
		for _, u := range x.onCallNow(inc.Teams, now) {
			inc.addParticipant(u)
		}
		return nil, nil
	})
}

// RitualTeams maps each incidents ritual of cfg to its teams, for
// IncidentRecords.
func RitualTeams(cfg *rituals.Config) map[string][]string {
	out := map[string][]string{}
	for _, rc := range cfg.Rituals {
		if s := SettingsOf(rc); s != nil {
			out[rc.Name] = s.Teams
		}
	}
	return out
}

// counts reports whether an incident (or action item) of ritual with
// teams counts for team: its own teams, or with none (stored before
// incidents had teams of their own) every team of its ritual.
func (l *IncidentRecords) counts(ritual string, teams []string, team string) bool {
	if len(teams) == 0 {
		teams = l.RitualTeams[ritual]
	}
	return slices.Contains(teams, team)
}
