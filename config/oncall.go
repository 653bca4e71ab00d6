package config

import (
	"regexp"
	"time"

	"github.com/ritualbot/ritualbot/rituals/oncall"
)

// userGroupIDRE matches a Slack user group ID (a "subteam", S…).
var userGroupIDRE = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)

// maxNotifyBefore bounds notify_before: the heads-up comes in the week of
// the handoff.
const maxNotifyBefore = 7 * 24 * time.Hour

// maxPlanAhead bounds plan_ahead: how far ahead people are told of their
// shifts moving.
const maxPlanAhead = 26 * 7 * 24 * time.Hour

// parseOnCall reads an on-call rotation.
func parseOnCall(r *ritualReader) {
	team := r.needTeam()
	r.needChannel()
	if !r.has("start") {
		r.errorf("start", "missing; give the date of the first shift (YYYY-MM-DD): it anchors the rotation, e.g. `start: 2026-11-23`")
	}
	s := &oncall.Settings{
		Secondary:    r.boolean("secondary", false),
		Topic:        r.boolean("topic", false),
		NotifyBefore: r.duration("notify_before", 0),
	}
	s.Rotation = r.users("rotation")
	r.notEmpty("rotation", len(s.Rotation), "name who takes the shifts, or leave `rotation` out to use the team's members")
	if !r.has("rotation") && team != nil {
		s.Rotation, s.RotationFromTeam = team.Members, true
		if len(s.Rotation) == 0 {
			r.errorf("team", "team %q has no members to put on call; give the team members or the ritual a `rotation:`", team.ID)
		}
	}
	r.noDuplicates("rotation", s.Rotation)
	if s.Secondary && len(s.Rotation) == 1 {
		r.errorf("secondary", "needs a rotation of at least two: the secondary is the next in the rotation")
	}
	s.Exec = r.users("exec")
	r.notEmpty("exec", len(s.Exec), "name the executives on call, or leave `exec` out")
	r.noDuplicates("exec", s.Exec)
	s.UserGroup = r.str("usergroup", "")
	if s.UserGroup != "" && !userGroupIDRE.MatchString(s.UserGroup) {
		r.errorf("usergroup", "%q is not a user group ID: use the ID (S0123ABCD, from the group's page → ⋮ → Copy group ID), not its @handle", s.UserGroup)
	}
	for _, other := range r.Config().Rituals {
		// Two rotations setting one group would undo each other's
		// every change, and each undo is a change Slack reports back.
		if s.UserGroup != "" && r.rc.Enabled && other.Enabled && oncall.SettingsOf(other) != nil && oncall.SettingsOf(other).UserGroup == s.UserGroup {
			r.errorf("usergroup", "%s is the user group of %s already; two rotations cannot keep one group (give each its own, or disable one)", s.UserGroup, other.Name)
		}
	}
	if s.NotifyBefore > maxNotifyBefore {
		r.errorf("notify_before", "%s is too long; at most 7d before the handoff", s.NotifyBefore)
	}
	s.UserGroupMembers = r.oneOf("usergroup_members", oncall.GroupPrimary, oncall.GroupPrimary, oncall.GroupPrimaryAndSecondary)
	if s.UserGroupMembers == oncall.GroupPrimaryAndSecondary && !s.Secondary {
		r.errorf("usergroup_members", "primary+secondary needs `secondary: true`: without it there is no secondary to add")
	}
	s.PlanAhead = r.duration("plan_ahead", oncall.DefaultPlanAhead)
	if s.PlanAhead < 24*time.Hour || s.PlanAhead > maxPlanAhead {
		r.errorf("plan_ahead", "%s is out of range; give 1d to 26w (e.g. `4w`)", s.PlanAhead)
	}
	s.Cover = r.oneOf("cover", oncall.CoverAskFirst, oncall.CoverAskFirst, oncall.CoverAuto)
	s.EscalateAfter = r.duration("escalate_after", oncall.DefaultEscalateAfter)
	if s.EscalateAfter < time.Minute || s.EscalateAfter > 14*24*time.Hour {
		r.errorf("escalate_after", "%s is out of range; give 1m to 14d (e.g. `2d`)", s.EscalateAfter)
	}
	if r.has("drill") {
		d := r.sub2("drill")
		s.Drill = d.peopleSchedule("schedule", "0 14 * * WED", true, "practice pages")
		nth := d.integer("nth_weekday", 0, -1, 5)
		if d.has("nth_weekday") && nth == 0 {
			d.errorf("nth_weekday", "want 1 to 5 (first to fifth) or -1 (last) weekday of the month")
		}
		if s.Drill != nil {
			s.Drill.NthWeekday = nth
		}
		d.finish()
	} else {
		r.get("drill")
	}
	r.rc.Settings = s
}

// noDuplicates reports a user listed twice (IDs as written; e-mails
// resolve later and are checked as written too).
func (r *ritualReader) noDuplicates(key string, users []string) {
	seen := map[string]bool{}
	for _, u := range users {
		if u != "" && seen[u] {
			r.errorf(key, "%s is listed twice; each person takes one place in the rotation", u)
			return
		}
		seen[u] = true
	}
}
