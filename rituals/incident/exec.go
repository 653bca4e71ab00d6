package incident

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
)

// engage brings in who the incident's severity calls for at now: the exec
// on call of its teams (page_exec) becomes a participant, and a channel of
// its own is asked for (channel_per_incident). It returns the execs newly
// paged, for execMessages.
func (x *Incidents) engage(inc *Incident, now time.Time) []string {
	if inc.IsOpen() && x.wantsRoom(inc.Severity) && inc.Comms.Room == nil && x.Rooms != nil {
		inc.Comms.Room = &Room{} // made by the Watch, outside the request
	}
	if !inc.IsOpen() || x.ExecOnCall == nil || !hasSeverity(x.Settings.Comms.PageExec, inc.Severity) {
		return nil
	}
	var paged []string
	for _, t := range inc.Teams {
		u, ok := x.ExecOnCall(t, now)
		if !ok || u == "" || slices.Contains(inc.Comms.ExecPaged, u) {
			continue
		}
		inc.Comms.ExecPaged = append(inc.Comms.ExecPaged, u)
		inc.addParticipant(u)
		paged = append(paged, u)
	}
	return paged
}

// execMessages DM each exec paged with the incident's summary and the way
// to its thread.
func (x *Incidents) execMessages(inc Incident, paged []string) []rituals.Message {
	var msgs []rituals.Message
	for _, u := range paged {
		lines := []string{
			fmt.Sprintf(":rotating_light: You are the exec on call for %s, and *Incident #%d* is %s: %s",
				rituals.Escape(x.TeamNames(inc.Teams)), inc.Number, strings.ToUpper(inc.Severity), rituals.Escape(x.title(inc))),
		}
		commander := "nobody has taken command yet"
		if inc.Commander != "" {
			commander = rituals.Mention(inc.Commander) + " is the commander"
		}
		lines = append(lines, fmt.Sprintf("Declared %s via %s; %s.", x.when(inc.Opened), SourceLabel(inc.Source), commander))
		if u, ok := latestPublicUpdate(inc); ok {
			lines = append(lines, "*Latest update:* "+rituals.EscapeText(rituals.Shorten(u.Text, 1500)))
		}
		where := rituals.ChannelLink(x.Channel())
		if r := inc.Comms.Room; r != nil && r.ID != "" {
			where = rituals.ChannelLink(r.ID)
		}
		lines = append(lines, fmt.Sprintf("You are on its participants list, so you get the retro too. Join the thread of #%d in %s.", inc.Number, where))
		blocks := []rituals.Block{rituals.Section(strings.Join(lines, "\n"))}
		if url := x.threadURL(inc); url != "" {
			blocks = append(blocks, rituals.Actions(rituals.Button{Text: "Join the thread", ActionID: ActionJoinThread, URL: url, Style: "primary"}))
		}
		msgs = append(msgs, rituals.Message{
			Key: fmt.Sprintf("incident/%d/exec/%s", inc.Number, u), To: u,
			Text: fmt.Sprintf("Exec page: Incident #%d (%s) %s", inc.Number, strings.ToUpper(inc.Severity), rituals.Escape(x.title(inc))), Blocks: blocks,
		})
	}
	return msgs
}

// ActionJoinThread is the exec page's link button: Slack opens the link and
// still tells the app of the click, which needs no answer.
const ActionJoinThread = "incident:join"

// threadURL is the link to inc's thread: its permalink once Slack has
// taken the announcement (ThreadLinked), else the incidents channel
// (Slack's documented app_redirect deep link), so a page never waits for it.
func (x *Incidents) threadURL(inc Incident) string {
	if inc.Comms.Thread != "" {
		return inc.Comms.Thread
	}
	channel := x.Channel()
	if channel == "" || strings.HasPrefix(channel, "#") {
		return ""
	}
	return "https://slack.com/app_redirect?channel=" + channel
}

// ParseAnnounceKey reads the key of an incident's announcement, the
// message whose thread is the incident's home.
func ParseAnnounceKey(key string) (n int, ok bool) {
	num, ok := strings.CutPrefix(key, "incident/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n > 0
}

// LinksThread reports whether anything of this ritual links an
// incident's thread (exec pages, stakeholder broadcasts), so its
// permalink is worth asking Slack for.
func (x *Incidents) LinksThread() bool {
	c := x.Settings.Comms
	return x.ExecOnCall != nil && len(c.PageExec) > 0 || len(c.Broadcast) > 0
}

// ThreadLinked is told the permalink of incident n's announcement once
// Slack has taken it: the exec pages and the stakeholder messages already
// out are edited to link the thread itself, and later ones carry it. It
// reports whether n is this ritual's.
func (x *Incidents) ThreadLinked(ctx context.Context, n int, permalink string) (bool, error) {
	if !x.Owns(n) {
		return false, nil
	}
	_, err := x.change(ctx, n, func(inc *Incident, now time.Time) ([]rituals.Message, error) {
		if inc.Comms.Thread == permalink {
			return nil, rituals.Errorf(rituals.ECONFLICT, "known")
		}
		inc.Comms.Thread = permalink
		// Posting a key already sent does nothing, so the edit after it
		// finds its message whether or not the page had gone yet; change
		// refreshes the stakeholder messages the same way.
		var msgs []rituals.Message
		for _, m := range x.execMessages(*inc, inc.Comms.ExecPaged) {
			msgs = append(msgs, m)
			m.Update = true
			msgs = append(msgs, m)
		}
		return msgs, nil
	})
	if rituals.ErrorCode(err) == rituals.ECONFLICT {
		return true, nil
	}
	return true, err
}
