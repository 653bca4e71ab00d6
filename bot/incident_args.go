package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/when"
)

// incidentRefRE is how a command names an incident: #12.
var incidentRefRE = regexp.MustCompile(`^#([0-9]{1,9})$`)

// ParseIncidentRef takes the "#N" that names an incident off the front of
// a command's arguments (`/incident update #12 Rolled back`). Slack sends
// no thread_ts with a slash command, so outside an incident's thread #N is
// how a command says which incident it is about; 0 means none was given.
// A "#N" further on is the user's text ("Same cause as #3"), not a
// reference. A first word that starts with # and is not an incident
// number is an error.
func ParseIncidentRef(args []string) (n int, rest []string, err error) {
	if len(args) == 0 {
		return 0, args, nil
	}
	if !strings.HasPrefix(args[0], "#") {
		return 0, args, nil
	}
	// A "#" word that is not a number in range must not fall through to
	// "the only open incident": #12345678901 would then act on #1.
	m := incidentRefRE.FindStringSubmatch(args[0])
	v := 0
	if m != nil {
		v, _ = strconv.Atoi(m[1])
	}
	if v <= 0 {
		return 0, nil, rituals.Errorf(rituals.EINVALID, "`%s` is not an incident number: incidents are named #1, #2, … (`/incident list` shows them). To start your text with #, name the incident first: `/incident update #N %s …`.",
			rituals.Escape(args[0]), rituals.Escape(args[0]))
	}
	return v, args[1:], nil
}

// commandText is a command's arguments as the user typed them.
func commandText(args []string) string { return SlackText(strings.Join(args, " ")) }

// ActionArgs is `/incident action @owner TEXT [due DATE]` read.
type ActionArgs struct {
	Owner string
	Text  string
	Due   rituals.Date
}

// ParseActionArgs reads an action item's owner, text and optional due
// date (the last two words "due DATE"), dates as in ParseDueDate.
func ParseActionArgs(args []string, now time.Time, loc *time.Location) (ActionArgs, error) {
	usage := "Usage: `/incident action [#N] @owner TEXT [due DATE]`, DATE as " + when.DayForms + ", e.g. `/incident action #12 @dana Alert on queue depth due friday`."
	if len(args) < 2 {
		return ActionArgs{}, rituals.Errorf(rituals.EINVALID, "%s", usage)
	}
	owner, ok := ParseMention(args[0])
	if !ok {
		return ActionArgs{}, rituals.Errorf(rituals.EINVALID, "`%s` is not a @mention of the owner. %s", rituals.Escape(args[0]), usage)
	}
	rest := args[1:]
	var due rituals.Date
	if n := len(rest); n >= 2 && strings.EqualFold(rest[n-2], "due") {
		d, err := ParseDueDate(rest[n-1], now, loc)
		if err != nil {
			return ActionArgs{}, err
		}
		due, rest = d, rest[:n-2]
	}
	text := strings.TrimSpace(commandText(rest))
	if text == "" {
		return ActionArgs{}, rituals.Errorf(rituals.EINVALID, "Say what is to be done. %s", usage)
	}
	return ActionArgs{Owner: owner, Text: text, Due: due}, nil
}

// ParseDueDate reads a due date as every command reads a day (when.Day).
func ParseDueDate(arg string, now time.Time, loc *time.Location) (rituals.Date, error) {
	return when.Day(arg, now, loc)
}
