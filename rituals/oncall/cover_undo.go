package oncall

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// A taken cover request follows its override. Cancelled before the span
// begins (CancelPlanned), the override covers nobody, so the request is
// open again: the channel's post offers "Take it" again, the App Home
// lists it, the leads are told again escalate_after before it, and the
// requester, the person it covers and the former taker hear of it. Ended
// inside the span (EndOverride), the request is not opened again: part
// of it was covered, and a request is for a span that has not begun; the
// post says so and how to ask for the rest, and the same people are told.
// Either way the override's end, the request as it follows it and those
// messages are one commit (CoverStore.EndCoveredOverride), as the take
// was (CoverStore.SaveTakenCover): no crash leaves the request taken by
// an override that is gone, nor the post reading "Taken by" with nobody
// told that the cover ended.

// coverOf returns the taken cover request whose override is o.
func (r *Rotation) coverOf(o Override) (CoverRequest, bool, error) {
	if r.Covers == nil {
		return CoverRequest{}, false, nil
	}
	if o.Cover != 0 {
		c, ok, err := r.Covers.Cover(r.Config.Name, o.Cover)
		if err != nil || !ok || c.Override != o.ID {
			return CoverRequest{}, false, err
		}
		return c, c.TakenBy != "", nil
	}
	covers, err := r.Covers.Covers(r.Config.Name, o.From)
	if err != nil {
		return CoverRequest{}, false, err
	}
	for _, c := range covers {
		if c.Override == o.ID && c.TakenBy != "" {
			return c, true, nil
		}
	}
	return CoverRequest{}, false, nil
}

// reopenedCover returns the cover request taken by override o, about to
// be cancelled by by before it began, as open again, and the messages
// that say so: the channel's post edited, and a DM to each person
// concerned. ok is false if o took none. Nothing is stored: CancelPlanned
// stores the request with the cancellation, in one commit.
func (r *Rotation) reopenedCover(o Override, by string, zone func(string) *time.Location) (c CoverRequest, msgs []rituals.Message, ok bool, err error) {
	c, ok, err = r.coverOf(o)
	if err != nil || !ok {
		return CoverRequest{}, nil, false, err
	}
	taker := c.TakenBy
	c.TakenBy, c.Taken, c.Override, c.Escalated = "", time.Time{}, 0, time.Time{}
	c.Reopened++
	msgs = []rituals.Message{r.coverMessage(c)}
	for _, who := range coverPeople(c, taker, by) {
		loc := zone(who)
		text := fmt.Sprintf(":leftwards_arrow_with_hook: Cover request #%d for *%s* is open again: %s, so %s is on call %s to %s until someone takes it. It offers \"Take it\" again in <#%s>.",
			c.ID, r.TeamName(), whoCancelled(by, taker, who), rituals.Mention(c.For), r.FormatTimeIn(c.Span.From, loc), r.FormatTimeIn(c.Span.To, loc), r.Channel())
		msgs = append(msgs, rituals.Message{
			Key: r.key("cover", strconv.FormatUint(c.ID, 10), "reopened-"+strconv.Itoa(c.Reopened), who), To: who,
			Text:   stripMrkdwn(fmt.Sprintf("Cover request #%d for %s is open again", c.ID, r.TeamName())),
			Blocks: []rituals.Block{rituals.Section(text)},
		})
	}
	return c, msgs, true, nil
}

// releasedCover returns the cover request taken by override o, about to
// be ended by by at now, inside its span, as released, and the messages
// that say so: the channel's post edited, and a DM to each person
// concerned. ok is false if o took none. Nothing is stored: EndOverride
// stores the request with the override's end, in one commit.
func (r *Rotation) releasedCover(o Override, by string, now time.Time, zone func(string) *time.Location) (c CoverRequest, msgs []rituals.Message, ok bool, err error) {
	c, ok, err = r.coverOf(o)
	if err != nil || !ok {
		return CoverRequest{}, nil, false, err
	}
	c.Released = now
	msgs = []rituals.Message{r.coverMessage(c)}
	for _, who := range coverPeople(c, c.TakenBy, by) {
		loc := zone(who)
		text := fmt.Sprintf(":warning: %s ended %s's cover (cover request #%d for *%s*) at %s, before its end: %s is on call again until %s. The request is not open again, as its span had begun; `/oncall cover %s FROM TO` asks for cover of what is left.",
			rituals.Mention(by), rituals.Mention(c.TakenBy), c.ID, r.TeamName(), r.FormatTimeIn(now, loc), rituals.Mention(c.For), r.FormatTimeIn(c.Span.To, loc), r.Team.ID)
		msgs = append(msgs, rituals.Message{
			Key: r.key("cover", strconv.FormatUint(c.ID, 10), "released", who), To: who,
			Text:   stripMrkdwn(fmt.Sprintf("The cover of cover request #%d for %s ended early", c.ID, r.TeamName())),
			Blocks: []rituals.Block{rituals.Section(text)},
		})
	}
	return c, msgs, true, nil
}

// whoCancelled says who cancelled taker's cover, to reader.
func whoCancelled(by, taker, reader string) string {
	switch {
	case reader == taker:
		return rituals.Mention(by) + " cancelled your cover"
	case by == taker:
		return rituals.Mention(by) + " cancelled their cover"
	}
	return fmt.Sprintf("%s cancelled %s's cover", rituals.Mention(by), rituals.Mention(taker))
}

// coverPeople are who hear that c's take was undone: whoever asked, whom
// it covers and the former taker, each once, but not by, who did it and
// has the command's answer.
func coverPeople(c CoverRequest, taker, by string) []string {
	var out []string
	for _, who := range []string{c.By, c.For, taker} {
		if who != "" && who != by && indexOf(out, who) < 0 {
			out = append(out, who)
		}
	}
	return out
}
