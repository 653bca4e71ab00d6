package standup

import (
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// Set is every standup ritual of a config; which one a command means is
// decided here.
type Set []*Standup

// Pick returns the standup args[0] names (its name or its team's ID), and
// the rest of args; else the first standup user is a member of, with args
// whole.
func (s Set) Pick(user string, args []string) (*Standup, []string, error) {
	if len(args) > 0 {
		for _, st := range s {
			if strings.EqualFold(args[0], st.Name()) || st.Team != nil && strings.EqualFold(args[0], st.Team.ID) {
				return st, args[1:], nil
			}
		}
	}
	for _, st := range s {
		if st.Team.IsMember(user) {
			return st, args, nil
		}
	}
	var names []string
	for _, st := range s {
		names = append(names, st.Name())
	}
	return nil, args, rituals.Errorf(rituals.ENOTFOUND, "You are not in any standup (standups: %s). Ask a lead to add you to a team's members.", strings.Join(names, ", "))
}

// PickFor is Pick for reading member's history: the standup args[0]
// names, else the first of member's standups reader may read
// (MayReadHistory), else member's first, whose refusal says who may.
// Whether reader is in a standup does not matter.
func (s Set) PickFor(reader, member string, readerIsAdmin bool, args []string) (*Standup, []string, error) {
	if reader == member {
		return s.Pick(member, args)
	}
	if len(args) > 0 {
		for _, st := range s {
			if strings.EqualFold(args[0], st.Name()) || st.Team != nil && strings.EqualFold(args[0], st.Team.ID) {
				return st, args[1:], nil
			}
		}
	}
	var first *Standup
	for _, st := range s {
		if !st.Team.IsMember(member) {
			continue
		}
		if st.MayReadHistory(reader, member, readerIsAdmin) {
			return st, args, nil
		}
		if first == nil {
			first = st
		}
	}
	if first != nil {
		return first, args, nil
	}
	var names []string
	for _, st := range s {
		names = append(names, st.Name())
	}
	return nil, args, rituals.Errorf(rituals.ENOTFOUND, "%s is not in any standup (standups: %s).", rituals.Mention(member), strings.Join(names, ", "))
}

// ByName returns the standup ritual called name, as buttons and forms
// name it.
func (s Set) ByName(name string) (*Standup, error) {
	for _, st := range s {
		if st.Name() == name {
			return st, nil
		}
	}
	return nil, rituals.Errorf(rituals.ENOTFOUND, "The standup %q no longer exists.", name)
}
