package config

import (
	"fmt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/onboarding"
)

// maxOnboardingSteps keeps a day's DM within Block Kit's 50 blocks.
const maxOnboardingSteps = 40

// parseOnboarding reads a team's onboarding: the buddy rule, the steps,
// the weeks of shadowing, when to ask about the rotation and for feedback,
// and what starts one.
func parseOnboarding(r *ritualReader) {
	t := r.needTeam()
	s := &onboarding.Settings{
		Buddy:       onboarding.BuddyRule(r.oneOf("buddy", string(onboarding.BuddyLead), string(onboarding.BuddyLead), string(onboarding.BuddyRotation), string(onboarding.BuddyRoundRobin))),
		ShadowWeeks: r.integer("shadow_oncall", onboarding.DefaultShadowWeeks, 0, onboarding.MaxAfterDays/7),
		Trigger:     onboarding.Trigger(r.oneOf("trigger", string(onboarding.TriggerCommand), string(onboarding.TriggerCommand), string(onboarding.TriggerChannelJoin))),
	}
	s.JoinRotationAfterDays = afterDays(r.mapping, "join_rotation_after", onboarding.DefaultJoinRotationAfterDays)
	s.FeedbackAfterDays = afterDays(r.mapping, "feedback_after", onboarding.DefaultFeedbackAfterDays)
	if t != nil && len(t.Leads) == 0 {
		r.errorf("team", "team %q has no leads: an onboarding needs a lead to start it, confirm it and add the newcomer to the rotation; give the team `leads:`", t.ID)
	}
	if s.Trigger == onboarding.TriggerChannelJoin {
		r.needChannel()
	}
	const example = "list what the newcomer (or buddy, or lead) does, e.g. {after: 0d, text: \"Set up your laptop\", link: \"https://wiki/laptop\", owner: newcomer}"
	nodes := r.requiredList("steps", example, maxOnboardingSteps, "%d steps is too many; keep at most %d")
	for i, n := range nodes {
		sm := r.p.d.mapping(n, fmt.Sprintf("%s[%d]", r.sub("steps"), i))
		st := onboarding.Step{
			AfterDays: afterDays(sm, "after", 0),
			Text:      sm.required("text", "say what to do, e.g. \"Deploy a one-line change to production\""),
			Owner:     onboarding.Role(sm.oneOf("owner", string(onboarding.Newcomer), string(onboarding.Newcomer), string(onboarding.Buddy), string(onboarding.Lead))),
		}
		if !sm.has("after") {
			sm.errorf("after", "missing; say on which day, counted from the start: 0d, 2d, 1w")
		}
		if len([]rune(st.Text)) > 1000 {
			sm.errorf("text", "is %d characters; keep a step under 1000", len([]rune(st.Text)))
		}
		if link := sm.str("link", ""); link != "" {
			if _, ok := rituals.Link(link, "link"); !ok {
				sm.errorf("link", "%q: want an http(s) URL", link)
			}
			st.Link = link
		}
		sm.finish()
		s.Steps = append(s.Steps, st)
	}
	r.rc.Settings = s
}

// afterDays reads key as days or weeks from the start (0d, 2d, 1w).
func afterDays(m *mapping, key string, def int) int {
	n, ok := m.scalar(key)
	if !ok {
		return def
	}
	d, err := onboarding.ParseAfter(n.Value)
	if err != nil {
		m.errorf(key, "%v", err)
		return def
	}
	return d
}
