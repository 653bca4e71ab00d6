package home

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// maxHomeBlocks is Block Kit's limit for a Home tab.
const maxHomeBlocks = 100

// maxHomeItems bounds each list on the Home tab; the rest is counted.
const maxHomeItems = 8

// Home is a member's App Home tab: where they stand this week, read from
// the other rituals at the moment they open it. A ritual that is not
// configured (its log is nil) leaves its part out.
type Home struct {
	Config    *rituals.Config
	Clock     rituals.Clock
	Standups  func() rituals.StandupLog
	OnCall    func() rituals.OnCallSchedule
	Incidents func() rituals.IncidentLog
	// Covers are the cover requests the member could take, each listed
	// with the channel's Take button.
	Covers func() rituals.OpenCovers
	// Directory gives each member's time zone: the tab shows times in
	// theirs (the config's where Slack does not say). May be nil.
	Directory rituals.Directory
	// Onboardings is the newcomers' onboardings (nil: none configured).
	Onboardings func() rituals.OnboardingLog
}

// zoneOf is user's time zone as Slack has it, else the config's.
func (h *Home) zoneOf(ctx context.Context, user string) *time.Location {
	if h.Directory != nil {
		if users, err := h.Directory.Users(ctx); err == nil && users[user].TZ != "" {
			if loc, err := rituals.LoadZone(users[user].TZ); err == nil {
				return loc
			}
		}
	}
	return h.Config.Timezone
}

// Blocks returns user's Home tab. What a source fails to say is replaced
// by a line saying so, and the errors are returned joined for the log.
func (h *Home) Blocks(ctx context.Context, user string) ([]rituals.Block, error) {
	now := h.Clock.Now()
	loc := h.zoneOf(ctx, user)
	standups, oncall, incidents := rituals.Linked(h.Standups), rituals.Linked(h.OnCall), rituals.Linked(h.Incidents)
	var errs []error
	failed := func(what string, err error) rituals.Block {
		errs = append(errs, fmt.Errorf("home of %s: %s: %w", user, what, err))
		return rituals.Context(fmt.Sprintf(":warning: Your %s could not be read just now; it has been logged.", what))
	}
	blocks := []rituals.Block{
		rituals.Header("Your week"),
		rituals.Context(fmt.Sprintf("As of %s · times in your zone, %s", now.In(loc).Format("Mon 2 Jan 15:04"), loc)),
	}
	if standups != nil {
		s, ok, err := standups.UserStandup(ctx, user, now)
		switch {
		case err != nil:
			blocks = append(blocks, failed("standup", err))
		case !ok:
			blocks = append(blocks, rituals.Section(":memo: *Standup*\nYou are in no standup."))
		default:
			blocks = append(blocks, rituals.Section(":memo: *Standup*\n"+standupLine(s, now, loc)))
		}
	}
	if oncall != nil {
		s, ok, err := oncall.NextShift(user, now)
		switch {
		case err != nil:
			blocks = append(blocks, failed("on-call shifts", err))
		case !ok:
			blocks = append(blocks, rituals.Section(":pager: *On call*\nNo shift scheduled for you."))
		case !s.Start.After(now) && now.Before(s.End):
			blocks = append(blocks, rituals.Section(fmt.Sprintf(":pager: *On call now* for %s, until %s", h.teamName(s.Team), s.End.In(loc).Format("Mon 2 Jan 15:04 MST"))))
		default:
			blocks = append(blocks, rituals.Section(fmt.Sprintf(":pager: *Your next on-call shift* for %s: %s – %s", h.teamName(s.Team),
				s.Start.In(loc).Format("Mon 2 Jan 15:04"), s.End.In(loc).Format("Mon 2 Jan 15:04 MST"))))
		}
	}
	if covers := rituals.Linked(h.Covers); covers != nil {
		open, err := covers.OpenCoversFor(user, now)
		switch {
		case err != nil:
			blocks = append(blocks, failed("cover requests", err))
		case len(open) > 0:
			blocks = append(blocks, h.coverBlocks(open, loc)...)
		}
	}
	if incidents != nil {
		actions, err := incidents.OpenActions(user)
		if err != nil {
			blocks = append(blocks, failed("action items", err))
		} else {
			blocks = append(blocks, rituals.Section(actionsText(actions, now, loc)))
		}
	}
	if obs := rituals.Linked(h.Onboardings); obs != nil {
		text, err := h.onboardingText(obs, user, now, loc)
		if err != nil {
			blocks = append(blocks, failed("onboardings", err))
		} else if text != "" {
			blocks = append(blocks, rituals.Section(text))
		}
	}
	teams := h.teamsOf(user)
	if (standups != nil || incidents != nil) && len(teams) > 0 {
		blocks = append(blocks, rituals.Divider())
	}
	for i, t := range teams {
		if len(blocks) >= maxHomeBlocks-2 {
			blocks = append(blocks, rituals.Context(fmt.Sprintf("… and %d more teams", len(teams)-i)))
			break
		}
		var lines []string
		if incidents != nil {
			open, err := incidents.OpenIncidents(t.ID)
			if err != nil {
				blocks = append(blocks, failed(t.Name+" incidents", err))
			} else {
				lines = append(lines, openIncidentsText(rituals.UniqueIncidents(open), now))
			}
		}
		if standups != nil {
			open, err := standups.OpenBlockers(t.ID)
			if err != nil {
				blocks = append(blocks, failed(t.Name+" blockers", err))
			} else {
				lines = append(lines, blockersText(open, now))
			}
		}
		if len(lines) > 0 {
			blocks = append(blocks, rituals.Section("*"+rituals.Escape(t.Name)+"*\n"+strings.Join(lines, "\n")))
		}
	}
	if len(blocks) == 2 {
		blocks = append(blocks, rituals.Section("Nothing for you here yet: you are in no team's rituals. A lead adds you to a team's `members` in ritualbot's config."))
	}
	if len(blocks) > maxHomeBlocks {
		blocks = blocks[:maxHomeBlocks]
	}
	return blocks, errors.Join(errs...)
}

// maxHomeCovers bounds the cover requests listed: each is two blocks.
const maxHomeCovers = 5

// coverBlocks lists open cover requests, each with its Take button.
func (h *Home) coverBlocks(open []rituals.CoverBrief, loc *time.Location) []rituals.Block {
	blocks := []rituals.Block{rituals.Section(fmt.Sprintf(":sos: *Cover wanted* (%d open): the first to take one is on call for exactly that span.", len(open)))}
	for i, c := range open {
		if i == maxHomeCovers {
			blocks = append(blocks, rituals.Context(fmt.Sprintf("… and %d more in the teams' channels", len(open)-maxHomeCovers)))
			break
		}
		text := fmt.Sprintf("*Cover request #%d* for %s: %s – %s, in place of %s", c.ID, h.teamName(c.Team),
			c.From.In(loc).Format("Mon 2 Jan 15:04"), c.To.In(loc).Format("Mon 2 Jan 15:04 MST"), rituals.Mention(c.For))
		if c.Reason != "" {
			text += "\n_" + rituals.Escape(c.Reason) + "_"
		}
		blocks = append(blocks, rituals.Section(text), rituals.Actions(c.Take))
	}
	return blocks
}

// teamsOf returns the teams user is a member or lead of.
func (h *Home) teamsOf(user string) []*rituals.Team {
	var out []*rituals.Team
	for _, t := range h.Config.Teams {
		if t.IsMember(user) || t.IsLead(user) {
			out = append(out, t)
		}
	}
	return out
}

func (h *Home) teamName(id string) string {
	if t := h.Config.Team(id); t != nil {
		return "*" + rituals.Escape(t.Name) + "*"
	}
	return "*" + rituals.Escape(id) + "*"
}

// standupLine says when the standup is and whether it is answered.
func standupLine(s rituals.UserStandup, now time.Time, loc *time.Location) string {
	when := s.Prompt.In(loc).Format("Mon 2 Jan 15:04")
	if s.Prompt.IsZero() {
		when = s.Date.Time().Format("Mon 2 Jan")
	}
	var state string
	switch {
	case s.Answered:
		state = ":white_check_mark: answered"
	case s.Skipped:
		state = "skipped"
	case s.Away:
		state = ":palm_tree: you are away"
	case !s.Prompt.IsZero() && !s.Prompt.After(now):
		state = ":hourglass_flowing_sand: not answered yet: `/standup` to answer"
	default:
		state = "not answered yet (you can answer ahead with `/standup`)"
	}
	return fmt.Sprintf("%s · %s", when, state)
}

func actionsText(actions []rituals.ActionBrief, now time.Time, loc *time.Location) string {
	if len(actions) == 0 {
		return ":clipboard: *Your action items*\nNone open. :tada:"
	}
	sort.SliceStable(actions, func(i, j int) bool {
		a, b := actions[i], actions[j]
		if a.Due.IsZero() != b.Due.IsZero() {
			return !a.Due.IsZero()
		}
		return a.Due.Before(b.Due)
	})
	today := rituals.DateOf(now.In(loc))
	var lines []string
	for _, a := range actions {
		due := ""
		switch {
		case a.Due.IsZero():
		case a.Due.Before(today):
			due = fmt.Sprintf(" _(due %s, overdue)_", a.Due.Time().Format("Mon 2 Jan"))
		default:
			due = fmt.Sprintf(" _(due %s)_", a.Due.Time().Format("Mon 2 Jan"))
		}
		lines = append(lines, fmt.Sprintf("• #%d %s%s", a.Incident, rituals.Escape(rituals.OneLine(a.Text, 120)), due))
	}
	head := fmt.Sprintf(":clipboard: *Your action items* (%d open)", len(actions))
	return head + "\n" + strings.Join(rituals.Capped(lines, maxHomeItems, "… and %d more: `/incident actions` lists them all"), "\n")
}

func openIncidentsText(open []rituals.IncidentBrief, now time.Time) string {
	if len(open) == 0 {
		return ":large_green_circle: No open incidents"
	}
	var lines []string
	for _, in := range open {
		detail := fmt.Sprintf("%s, open %s", rituals.Escape(rituals.SeverityLabel(in.Severity)), rituals.FormatSpan(now.Sub(in.Opened)))
		if in.Commander != "" {
			detail += ", led by " + rituals.Mention(in.Commander)
		}
		lines = append(lines, fmt.Sprintf("• #%d %s _(%s)_", in.Number, rituals.Escape(rituals.OneLine(in.Title, 100)), detail))
	}
	head := fmt.Sprintf(":rotating_light: %d open incident%s", len(open), rituals.Plural(len(open)))
	return head + "\n" + strings.Join(rituals.Capped(lines, maxHomeItems, "… and %d more"), "\n")
}

func blockersText(open []rituals.Blocker, now time.Time) string {
	if len(open) == 0 {
		return ":white_check_mark: No open blockers"
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].Opened.Before(open[j].Opened) })
	var lines []string
	for _, b := range open {
		lines = append(lines, fmt.Sprintf("• %s %s _(%s)_", rituals.Mention(b.User), rituals.Escape(rituals.OneLine(b.Text, 100)), rituals.AgeLabel(b.AgeDays(now))))
	}
	head := fmt.Sprintf(":construction: %d open blocker%s", len(open), rituals.Plural(len(open)))
	return head + "\n" + strings.Join(rituals.Capped(lines, maxHomeItems, "… and %d more"), "\n")
}
