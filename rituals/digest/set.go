package digest

import (
	"strings"

	"github.com/ritualbot/ritualbot/rituals"
)

// Set is every digest ritual of a config; which one a command means is
// decided here.
type Set []*Digest

// Pick returns the digest args[0] names, else the first covering a team
// user is a member or lead of, else the first.
func (s Set) Pick(user string, args []string) (*Digest, error) {
	if len(args) > 0 {
		for _, d := range s {
			if strings.EqualFold(args[0], d.Name()) {
				return d, nil
			}
		}
		var names []string
		for _, d := range s {
			names = append(names, d.Name())
		}
		return nil, rituals.Errorf(rituals.ENOTFOUND, "No digest is called `%s` (digests: %s).", rituals.Escape(args[0]), strings.Join(names, ", "))
	}
	for _, d := range s {
		for _, t := range d.Teams {
			if t.IsMember(user) || t.IsLead(user) {
				return d, nil
			}
		}
	}
	return s[0], nil
}
