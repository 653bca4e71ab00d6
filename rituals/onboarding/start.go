package onboarding

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Start begins newcomer's onboarding, asked by `by` (a lead of the team or
// an admin), and sends the welcome DMs. It refuses a newcomer who is not
// in the workspace, is a bot, is already in the team's rotation or is
// being onboarded already.
func (r *Ritual) Start(ctx context.Context, by, newcomer string) (Onboarding, error) {
	if !r.mayLead(by) {
		return Onboarding{}, rituals.Errorf(rituals.EFORBIDDEN, "Only %s and the admins can start an onboarding in %s.", r.leadsText(), rituals.Escape(r.Team.Name))
	}
	newcomerInfo, err := r.checkNewcomer(ctx, newcomer)
	if err != nil {
		return Onboarding{}, err
	}
	now := r.Clock.Now()
	o := Onboarding{Ritual: r.Name(), Team: r.Team.ID, Newcomer: newcomer, Status: StatusActive, Started: now}
	o.Lead = by
	if !r.Team.IsLead(by) && len(r.Team.Leads) > 0 {
		o.Lead = r.Team.Leads[0]
	}
	if o.Buddy, err = r.pickBuddy(o, now); err != nil {
		return Onboarding{}, err
	}
	o.Zones = map[Role]string{Newcomer: zoneName(newcomerInfo.TZ, r.Zone)}
	// The buddy and the lead are long in the (cached) member list; only
	// the newcomer, who may have joined Slack a minute ago, needs users.info.
	zs := r.readZones(ctx)
	for _, role := range []Role{Buddy, Lead} {
		o.Zones[role] = r.Zone.String()
		if tz, ok := zs[o.Of(role)]; ok {
			o.Zones[role] = zoneName(tz, r.Zone)
		} else if u, ok, err := r.People.Member(ctx, o.Of(role)); err == nil && ok {
			o.Zones[role] = zoneName(u.TZ, r.Zone)
		}
	}
	o.Start = rituals.DateOf(now.In(r.zoneOf(o, Newcomer)))
	o.JoinAskOn = o.Start.AddDays(r.Settings.JoinRotationAfterDays)
	r.fitSteps(&o)
	newZone := r.newZone(o)
	msgs := r.welcome(ctx, &o, now)
	// Stored first: a refusal of the second of two quick /onboard's must
	// see this one. The DMs are keyed by the onboarding, so a retry after
	// a failed send does not repeat them.
	if _, err := r.Store.UpdateOnboarding(r.Name(), newcomer, func(cur *Onboarding) error {
		if cur.Status == StatusActive || cur.Status == StatusCompleted {
			return r.alreadyErr(*cur)
		}
		*cur = o
		return nil
	}); err != nil {
		return Onboarding{}, err
	}
	if err := r.Outbox.Send(ctx, rituals.UrgentFor(ctx, msgs)...); err != nil {
		return o, fmt.Errorf("onboarding %s: welcome %s: %w", r.Name(), newcomer, err)
	}
	if newZone && r.Rescheduled != nil {
		r.Rescheduled()
	}
	return o, nil
}

// newZone reports whether o has someone in a zone that no 10:00 job
// covers yet (Jobs has one per zone of the running onboardings).
func (r *Ritual) newZone(o Onboarding) bool {
	covered := map[string]bool{r.Zone.String(): true}
	if all, err := r.Store.Onboardings(r.Name()); err == nil {
		zs := r.readZones(context.Background())
		for _, p := range all {
			if p.Running() {
				for _, role := range Roles {
					covered[r.zoneNow(zs, p, role).String()] = true
				}
			}
		}
	}
	for _, role := range Roles {
		if !covered[r.zoneOf(o, role).String()] {
			return true
		}
	}
	return false
}

// checkNewcomer refuses whom nobody should onboard, saying why.
func (r *Ritual) checkNewcomer(ctx context.Context, newcomer string) (rituals.UserInfo, error) {
	u, ok, err := r.People.Member(ctx, newcomer)
	switch {
	case err != nil:
		return u, fmt.Errorf("onboarding %s: look up %s: %w", r.Name(), newcomer, err)
	case !ok:
		return u, rituals.Errorf(rituals.ENOTFOUND, "There is no member `%s` in this workspace. Mention them as `@name` once they have joined Slack.", rituals.Escape(newcomer))
	case u.Bot:
		return u, rituals.Errorf(rituals.EINVALID, "%s is a bot; bots need no onboarding.", rituals.Mention(newcomer))
	case u.Deleted:
		return u, rituals.Errorf(rituals.EINVALID, "%s's account is deactivated.", rituals.Mention(newcomer))
	}
	if rj := r.rotation(); rj != nil {
		if rotation, in := rj.RotationOf(r.Team.ID, newcomer); in {
			return u, rituals.Errorf(rituals.ECONFLICT, "%s is already in the %s on-call rotation (`%s`), so there is nothing to onboard them into. `/oncall schedule %s` shows their shifts.",
				rituals.Mention(newcomer), rituals.Escape(r.Team.Name), rituals.Escape(rotation), rituals.Escape(r.Team.ID))
		}
	}
	cur, found, err := r.Store.Onboarding(r.Name(), newcomer)
	if err != nil {
		return u, fmt.Errorf("onboarding %s: read %s: %w", r.Name(), newcomer, err)
	}
	if found && (cur.Status == StatusActive || cur.Status == StatusCompleted) {
		return u, r.alreadyErr(cur)
	}
	return u, nil
}

func (r *Ritual) alreadyErr(o Onboarding) error {
	loc := r.zoneOf(o, Lead)
	if o.Status == StatusCompleted {
		return rituals.Errorf(rituals.ECONFLICT, "%s completed their %s onboarding on %s.", rituals.Mention(o.Newcomer), rituals.Escape(r.Team.Name), o.Completed.In(loc).Format("Mon 2 Jan 2006"))
	}
	return rituals.Errorf(rituals.ECONFLICT, "%s is already being onboarded in %s, since %s (buddy %s). `/onboard status` shows how far they are.",
		rituals.Mention(o.Newcomer), rituals.Escape(r.Team.Name), o.Start.In(loc).Format("Mon 2 Jan"), rituals.Mention(o.Buddy))
}

// leadsText names the team's leads.
func (r *Ritual) leadsText() string {
	if len(r.Team.Leads) == 0 {
		return "the team's leads"
	}
	var ms []string
	for _, l := range r.Team.Leads {
		ms = append(ms, rituals.Mention(l))
	}
	return "the leads of " + rituals.Escape(r.Team.Name) + " (" + strings.Join(ms, ", ") + ")"
}

// zoneName is Slack's zone for a member if this system knows it, else def's.
func zoneName(tz string, def *time.Location) string {
	if tz != "" {
		if _, err := rituals.LoadZone(tz); err == nil {
			return tz
		}
	}
	return def.String()
}

// pickBuddy chooses the newcomer's buddy by the ritual's rule; any rule
// falls back on the lead when it finds nobody.
func (r *Ritual) pickBuddy(o Onboarding, now time.Time) (string, error) {
	switch r.Settings.Buddy {
	case BuddyRotation:
		if r.OnCall != nil {
			if u, ok := r.OnCall(r.Team.ID, now); ok && u != o.Newcomer {
				return u, nil
			}
		}
	case BuddyRoundRobin:
		var others []string
		for _, m := range r.Team.Members {
			if m != o.Newcomer {
				others = append(others, m)
			}
		}
		if len(others) > 0 {
			all, err := r.Store.Onboardings(r.Name())
			if err != nil {
				return "", fmt.Errorf("onboarding %s: last buddy: %w", r.Name(), err)
			}
			last := Onboarding{}
			for _, p := range all {
				if p.Buddy != "" && p.Started.After(last.Started) {
					last = p
				}
			}
			i := slices.Index(others, last.Buddy)
			return others[(i+1)%len(others)], nil
		}
	}
	return o.Lead, nil
}

// welcome is the newcomer's welcome DM, the buddy's and the lead's, with
// the steps due on the first day; it marks those sent.
func (r *Ritual) welcome(ctx context.Context, o *Onboarding, now time.Time) []rituals.Message {
	team := rituals.Escape(r.Team.Name)
	var b strings.Builder
	fmt.Fprintf(&b, ":wave: *Welcome to %s, %s!*\n", team, rituals.Mention(o.Newcomer))
	if o.Buddy != o.Lead {
		fmt.Fprintf(&b, "Your onboarding buddy is %s: pair with them, sitting with someone is the quickest way into the code, the pipeline and the team. %s leads the team.\n", rituals.Mention(o.Buddy), rituals.Mention(o.Lead))
	} else {
		fmt.Fprintf(&b, "%s leads the team and is your onboarding buddy: pair with them, it is the quickest way in.\n", rituals.Mention(o.Lead))
	}
	b.WriteString(r.onCallText(now))
	if w := r.Settings.ShadowWeeks; w > 0 {
		fmt.Fprintf(&b, "\nFor your first %d week%s you *shadow the on-call*: you get the handoffs and are added to the team's incidents as shadowing, so you see real ones without carrying the pager.", w, rituals.Plural(w))
	}
	if r.rotation() != nil {
		fmt.Fprintf(&b, " Around week %d your lead will ask to add you to the rotation.", (r.Settings.JoinRotationAfterDays+6)/7)
	}
	later := 0
	for _, s := range r.Settings.Steps {
		if s.Owner == Newcomer && s.AfterDays > 0 {
			later++
		}
	}
	if later > 0 {
		fmt.Fprintf(&b, "\n%d more step%s follow, each on its day at 10:00 your time (a Saturday or Sunday waits for Monday).", later, rituals.Plural(later))
	}
	var msgs []rituals.Message
	for _, role := range Roles {
		due := r.due(*o, role, o.Start)
		var lead string
		switch role {
		case Newcomer:
			lead = b.String()
		case Buddy:
			if o.Buddy == o.Lead && len(due) == 0 {
				continue
			}
			lead = fmt.Sprintf(":handshake: You are %s's onboarding buddy in %s from today: they start on %s. Pair with them often — their first weeks go quicker with someone to ask.",
				rituals.Mention(o.Newcomer), team, o.Start.In(r.zoneOf(*o, Newcomer)).Format("Mon 2 Jan"))
		case Lead:
			lead = fmt.Sprintf(":seedling: %s's onboarding in %s has started, buddy %s.", rituals.Mention(o.Newcomer), team, rituals.Mention(o.Buddy))
		}
		if role == Lead && len(due) == 0 {
			continue // the command's answer tells whoever started it
		}
		msgs = append(msgs, r.stepsMessage(*o, role, due, lead, key(*o, "welcome", role)))
		for _, i := range due {
			o.Steps[i].Sent = now
		}
	}
	return msgs
}

// onCallText says who is on call now and how /oncall works.
func (r *Ritual) onCallText(now time.Time) string {
	if r.OnCall == nil {
		return ""
	}
	u, ok := r.OnCall(r.Team.ID, now)
	if !ok {
		return ""
	}
	return fmt.Sprintf("\n:pager: *On call now:* %s. Type `/oncall` any time to see who is on call, `/oncall schedule` for the shifts ahead.", rituals.Mention(u))
}

// due lists the steps of role that are due by d and not sent yet.
func (r *Ritual) due(o Onboarding, role Role, d rituals.Date) []int {
	var out []int
	for i, s := range r.Settings.Steps {
		if s.Owner == role && o.Steps[i].Sent.IsZero() && !d.Before(r.dueOn(o, i)) {
			out = append(out, i)
		}
	}
	return out
}

// stepsMessage is a DM to role's holder: lead text, then each step with
// its Done button.
func (r *Ritual) stepsMessage(o Onboarding, role Role, steps []int, lead, msgKey string) rituals.Message {
	blocks := []rituals.Block{rituals.Section(lead)}
	text := lead
	for _, i := range steps {
		line := r.stepLine(i)
		text += "\n• " + line
		if o.Steps[i].Done.IsZero() {
			blocks = append(blocks, rituals.Block{Kind: rituals.SectionBlock, Text: "• " + line,
				Buttons: []rituals.Button{{Text: "Done", ActionID: fmt.Sprintf("onboarding:done:%d", i), Value: ref(o, fmt.Sprint(i))}}})
		} else {
			blocks = append(blocks, rituals.Section("• "+line+" ✓"))
		}
	}
	return rituals.Message{Key: msgKey, To: o.Of(role), Text: rituals.Clip(text, 3000), Blocks: blocks}
}

// stepLine is a step as its reader sees it: its text and link.
func (r *Ritual) stepLine(i int) string {
	s := r.Settings.Steps[i]
	line := rituals.Escape(s.Text)
	if l, ok := rituals.Link(s.Link, "link"); ok && s.Link != "" {
		line += " — " + l
	}
	return line
}
