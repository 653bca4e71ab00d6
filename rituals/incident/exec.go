package incident

import (
	"fmt"
	"slices"
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
		if url := threadURL(x.Channel()); url != "" {
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

// threadURL opens the incidents channel in Slack (Slack's documented
// app_redirect deep link); the announcement's own permalink is not known
// until Slack has taken it.
func threadURL(channel string) string {
	if channel == "" || strings.HasPrefix(channel, "#") {
		return ""
	}
	return "https://slack.com/app_redirect?channel=" + channel
}
