package oncall

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// Handover is a change of who is on call over a span (an override, a
// taken cover request, one side of a swap), as the people it concerns are
// told of it.
type Handover struct {
	// Key tells this change's messages apart from any other's, e.g.
	// "override/12": the same key twice sends once.
	Key string
	// User is on call over Span.
	User string
	Span Span
	// Relieved is who was to be on call over Span before the change
	// (OnCallOver, read before it is made); User's own stretches are left
	// out.
	Relieved []Stint
	// By arranged it ("" or User: they did it themselves).
	By string
	// How names the change to its readers: "an override", "a cover
	// request", "a swap".
	How string
}

// OnCallOver returns who is primary over sp, stint by stint, overrides
// included: read before a change, it is whom the change relieves.
func (r *Rotation) OnCallOver(sp Span) ([]Stint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensureLoaded(); err != nil {
		return nil, err
	}
	return r.onCallOverLocked(sp), nil
}

func (r *Rotation) onCallOverLocked(sp Span) []Stint {
	var out []Stint
	r.walk(sp.From, func(sh Shift) bool {
		if !sh.Start.Before(sp.To) {
			return false
		}
		start, end := maxTime(sh.Start, sp.From), minTime(sh.End, sp.To)
		if k := len(out); k > 0 && out[k-1].User == sh.Primary && out[k-1].End.Equal(start) {
			out[k-1].End = end
			out[k-1].Shifts = append(out[k-1].Shifts, sh)
			return true
		}
		out = append(out, Stint{User: sh.Primary, Start: start, End: end, Shifts: []Shift{sh}})
		return true
	})
	return out
}

// Zones returns each person's time zone as Slack has it, for the fallback
// text of the times DMed to them; the rotation's zone where it is not
// known. It asks the directory once (call it before taking r.mu).
func (r *Rotation) Zones(ctx context.Context) func(user string) *time.Location {
	var users map[string]rituals.UserInfo
	if r.Directory != nil {
		users, _ = r.Directory.Users(ctx) // unknown zones fall back to the rotation's
	}
	cache := map[string]*time.Location{}
	return func(user string) *time.Location {
		if loc, ok := cache[user]; ok {
			return loc
		}
		loc := r.loc()
		if u, ok := users[user]; ok && u.TZ != "" {
			if l, err := rituals.LoadZone(u.TZ); err == nil {
				loc = l
			}
		}
		cache[user] = loc
		return loc
	}
}

// HandoverDMs tells whoever becomes on call and each person relieved, one
// DM each, with the exact span: Slack date tokens, which each reader sees
// in their own zone, and fallbacks in the zone zone gives for them (nil:
// the rotation's). It is how every override, cover and swap is told.
func (r *Rotation) HandoverDMs(h Handover, zone func(user string) *time.Location) []rituals.Message {
	if zone == nil {
		zone = func(string) *time.Location { return r.loc() }
	}
	span := func(sp Span, user string) string {
		loc := zone(user)
		return r.FormatTimeIn(sp.From, loc) + " to " + r.FormatTimeIn(sp.To, loc)
	}
	how := h.How
	if how == "" {
		how = "an override"
	}
	by := ""
	if h.By != "" && h.By != h.User {
		by = " set by " + rituals.Mention(h.By)
	}
	var relieved []string
	seen := map[string]bool{}
	for _, st := range h.Relieved {
		if st.User != h.User && st.User != "" {
			relieved = append(relieved, fmt.Sprintf("%s (%s)", rituals.Mention(st.User), span(Span{st.Start, st.End}, h.User)))
		}
	}
	lead := fmt.Sprintf(":pager: You are on call for *%s* from %s, by %s%s.", r.TeamName(), span(h.Span, h.User), how, by)
	if len(relieved) > 0 {
		lead += " You cover " + strings.Join(relieved, " and ") + "."
	}
	msgs := []rituals.Message{{
		Key: r.key(h.Key, "oncall", h.User), To: h.User,
		Text:   stripMrkdwn(fmt.Sprintf("You are on call for %s from %s", r.TeamName(), span(h.Span, h.User))),
		Blocks: []rituals.Block{rituals.Section(lead), rituals.Context("`/oncall schedule " + r.Team.ID + "` shows the rotation with it.")},
	}}
	for _, st := range h.Relieved {
		if st.User == h.User || st.User == "" || seen[st.User] {
			continue
		}
		seen[st.User] = true
		var parts []string
		for _, o := range h.Relieved {
			if o.User == st.User {
				parts = append(parts, span(Span{o.Start, o.End}, st.User))
			}
		}
		text := fmt.Sprintf(":palm_tree: %s covers your on-call shift for *%s*, %s, by %s%s. You are not on call then.",
			rituals.Mention(h.User), r.TeamName(), strings.Join(parts, " and "), how, by)
		msgs = append(msgs, rituals.Message{
			Key: r.key(h.Key, "relieved", st.User), To: st.User,
			Text:   stripMrkdwn(fmt.Sprintf("%s covers your on-call shift for %s", rituals.Mention(h.User), r.TeamName())),
			Blocks: []rituals.Block{rituals.Section(text)},
		})
	}
	return msgs
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
