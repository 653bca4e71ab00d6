package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// CommsSettings say how an incidents ritual keeps people informed while an
// incident is open: a status update cadence per severity, stakeholder
// channels per severity, which severities page the exec on call and get a
// channel of their own.
type CommsSettings struct {
	// Updates is the longest silence per severity before the commander
	// is nudged to post a status update.
	Updates map[string]time.Duration
	// Broadcast are the stakeholder channels (IDs) per severity.
	Broadcast map[string][]string
	// PageExec are the severities that DM the exec on call.
	PageExec []string
	// ChannelPerIncident are the severities that get a channel of their
	// own; ArchiveAfter is how long after the postmortem it is archived.
	ChannelPerIncident []string
	ArchiveAfter       time.Duration
}

// DefaultArchiveAfter is how long an incident's channel outlives its
// published postmortem.
const DefaultArchiveAfter = 7 * 24 * time.Hour

// Comms is what an incident's communication has done so far.
type Comms struct {
	// Nudged is when the latest update nudge went out.
	Nudged time.Time `json:",omitempty"`
	// ExecPaged are the execs DMed about it.
	ExecPaged []string `json:",omitempty"`
	// Unreachable are the broadcast channels Slack refused, so the
	// commander is told once per channel.
	Unreachable []string `json:",omitempty"`
	// Room is the incident's own channel, if it gets one.
	Room *Room `json:",omitempty"`
	// Thread is the permalink of the announcement, once Slack has taken it.
	Thread string `json:",omitempty"`
}

// cadence is the update interval of sev, 0 if none is asked.
func (x *Incidents) cadence(sev string) time.Duration {
	for k, d := range x.Settings.Comms.Updates {
		if strings.EqualFold(k, sev) {
			return d
		}
	}
	return 0
}

// lastUpdate is when the current silence began: the latest status update
// a person posted for stakeholders, else the declaration. Internal notes
// do not end a silence, since the stakeholders saw nothing.
func lastUpdate(inc Incident) time.Time {
	at := inc.Opened
	for _, e := range inc.Timeline {
		if e.Kind == EventUpdate && e.By != "" && !e.Internal && e.At.After(at) {
			at = e.At
		}
	}
	return at
}

// NextUpdateDue is when the next status update of inc is expected, zero if
// its severity asks for none or it is resolved.
func (x *Incidents) NextUpdateDue(inc Incident) time.Time {
	c := x.cadence(inc.Severity)
	if c <= 0 || !inc.IsOpen() {
		return time.Time{}
	}
	return lastUpdate(inc).Add(c)
}

// nudgeAt is when inc's commander is to be nudged: once per silence.
func (x *Incidents) nudgeAt(inc Incident) (time.Time, bool) {
	due := x.NextUpdateDue(inc)
	if due.IsZero() || !inc.Comms.Nudged.Before(lastUpdate(inc)) && !inc.Comms.Nudged.IsZero() {
		return time.Time{}, false
	}
	return due, true
}

// UpdateInternal adds an update that stays in the incident's thread: it is
// not broadcast and does not count as a status update.
func (x *Incidents) UpdateInternal(ctx context.Context, n int, user, text string) (Incident, error) {
	return x.postUpdate(ctx, n, user, text, true)
}

func (x *Incidents) postUpdate(ctx context.Context, n int, user, text string, internal bool) (Incident, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Write the update: `/incident update [--internal] #%d TEXT`.", n)
	}
	if len([]rune(text)) > 2900 {
		return Incident{}, rituals.Errorf(rituals.EINVALID, "Please keep an update under 2,900 characters.")
	}
	return x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if err := x.mayChangeResolved(*inc, user, VerbUpdate, "add to its timeline"); err != nil {
			return nil, err
		}
		inc.addParticipant(user)
		inc.Timeline = append(inc.Timeline, TimelineEvent{At: now, Kind: EventUpdate, By: user, Text: text, Internal: internal})
		return nil, nil
	})
}

// nudge asks incident n's commander (else whoever is on call) in its
// thread for a status update, with what changed since the last one.
func (x *Incidents) nudge(ctx context.Context, n int, now time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	inc, err := x.Lookup(n)
	if err != nil {
		return err
	}
	at, ok := x.nudgeAt(inc)
	if !ok || at.After(now) {
		return nil // updated meanwhile
	}
	since := lastUpdate(inc)
	inc.Comms.Nudged = now
	_, err = x.save(ctx, inc, func(inc Incident) []rituals.Message { return []rituals.Message{x.nudgeMessage(inc, since, now)} })
	if err != nil {
		return fmt.Errorf("store incident %d: %w", n, err)
	}
	return nil
}

func (x *Incidents) nudgeMessage(inc Incident, since, now time.Time) rituals.Message {
	who := x.onCallNow(inc.Teams, now)
	if inc.Commander != "" {
		who = []string{inc.Commander}
	}
	var mentions []string
	for _, u := range who {
		mentions = append(mentions, rituals.Mention(u))
	}
	to := strings.Join(mentions, " ")
	if to == "" {
		to = "Commander"
	}
	c := x.cadence(inc.Severity)
	lines := []string{fmt.Sprintf(":hourglass: %s, no status update on #%d for %s (%s asks for one every %s).",
		to, inc.Number, HumanDuration(now.Sub(since)), strings.ToUpper(inc.Severity), HumanDuration(c))}
	lines = append(lines, "*Since the last update:* "+changesSince(inc, since))
	where := "Post one with `/incident update #%d TEXT`"
	if chs := x.broadcastChannels(inc); len(chs) > 0 {
		var links []string
		for _, ch := range chs {
			links = append(links, rituals.ChannelLink(ch))
		}
		where += ": it goes to " + strings.Join(links, ", ")
	}
	lines = append(lines, fmt.Sprintf(where+". (`--internal` notes stay in this thread.)", inc.Number))
	text := strings.Join(lines, "\n")
	return rituals.Message{
		Key: fmt.Sprintf("incident/%d/nudge/%d", inc.Number, since.Unix()), To: x.Channel(), ThreadKey: announceKey(inc.Number),
		Text: fmt.Sprintf("#%d: time for a status update", inc.Number), Blocks: []rituals.Block{rituals.Section(text)},
	}
}

// changesSince says what happened on inc's timeline after since, to make
// the next update easy to write.
func changesSince(inc Incident, since time.Time) string {
	var fired, cleared, notes int
	var sevs []string
	for _, e := range inc.Timeline {
		if !e.At.After(since) {
			continue
		}
		switch e.Kind {
		case EventAlertFired:
			fired += alertCount(e.Text)
		case EventAlertResolved:
			cleared += alertCount(e.Text)
		case EventSeverity:
			sevs = append(sevs, strings.ToUpper(e.Text))
		case EventUpdate, EventPinned:
			notes++
		}
	}
	var parts []string
	if len(sevs) > 0 {
		parts = append(parts, "severity "+rituals.Escape(strings.Join(sevs, ", ")))
	}
	if fired > 0 {
		parts = append(parts, fmt.Sprintf("%d alert%s fired", fired, rituals.Plural(fired)))
	}
	if cleared > 0 {
		parts = append(parts, fmt.Sprintf("%d alert%s resolved", cleared, rituals.Plural(cleared)))
	}
	if notes > 0 {
		parts = append(parts, fmt.Sprintf("%d note%s in the thread", notes, rituals.Plural(notes)))
	}
	if len(parts) == 0 {
		return "nothing new on the timeline."
	}
	return strings.Join(parts, "; ") + "."
}

// alertCount counts the alerts an alert event lists (see alertList).
func alertCount(text string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		var more int
		if strings.HasPrefix(l, "• ") {
			n++
		} else if _, err := fmt.Sscanf(l, "… and %d more", &more); err == nil {
			n += more
		}
	}
	return max(n, 1)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// hasSeverity reports whether sevs lists sev (any case).
func hasSeverity(sevs []string, sev string) bool {
	return slices.ContainsFunc(sevs, func(s string) bool { return strings.EqualFold(s, sev) })
}
