package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/when"
)

// Slack sends a mention in a command's text as <@U123|name> (with
// should_escape) or <@U123>; people also type the bare ID.
var mentionRE = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$`)

// ParseMention returns the user ID an argument names.
func ParseMention(arg string) (string, bool) {
	m := mentionRE.FindStringSubmatch(strings.TrimSpace(arg))
	if m == nil {
		return "", false
	}
	if m[1] != "" {
		return m[1], true
	}
	return m[2], true
}

// ParseDateArg reads a day as every command does (when.Day): YYYY-MM-DD,
// today, tomorrow, a weekday or +3d, in loc.
func ParseDateArg(arg string, now time.Time, loc *time.Location) (rituals.Date, error) {
	return when.Day(arg, now, loc)
}

// ParseCount reads a positive count no larger than max.
func ParseCount(arg string, max int) (int, bool) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > max {
		return 0, false
	}
	return n, true
}

// slackFormRE finds Slack's angle-bracket forms in text as Slack sends it:
// <@U123|name>, <!here>, <#C123|general>, <https://x|label>.
var slackFormRE = regexp.MustCompile(`<([^<>]*)>`)

var wireUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// SlackText turns text as Slack sends it (a slash command's, a message's)
// into the plain text ritualbot keeps: what the person typed, unescaped.
// A mention of a person they picked stays a mention (<@U123>); Slack's
// other forms become what they read as (@here, @oncall, #general, a link's
// words and URL), so that the bot never repeats a ping. Text typed to look
// like a mention is defused: only a mention made in Slack can come out as
// one (rituals.DefuseMentions).
func SlackText(wire string) string {
	// What is not a picked mention is defused as one run, not piece by
	// piece: pieces harmless apart ("<", a <!U> form that reads "@U",
	// "0>") can spell a mention side by side.
	var out, words strings.Builder
	flush := func() {
		out.WriteString(rituals.DefuseMentions(words.String()))
		words.Reset()
	}
	last := 0
	for _, m := range slackFormRE.FindAllStringSubmatchIndex(wire, -1) {
		words.WriteString(typedText(wire[last:m[0]]))
		inner := wire[m[2]:m[3]]
		if target, _, _ := strings.Cut(inner, "|"); personRE.MatchString(target) {
			flush()
			out.WriteString("<" + target + ">")
		} else {
			words.WriteString(readableForm(inner))
		}
		last = m[1]
	}
	words.WriteString(typedText(wire[last:]))
	flush()
	return out.String()
}

// typedText is wire text outside Slack's forms: what was typed (SlackText
// defuses it).
func typedText(s string) string { return wireUnescaper.Replace(s) }

var personRE = regexp.MustCompile(`^@[UW][A-Z0-9]+$`)

// readableForm is the text of one of Slack's <…> forms other than a
// person's mention.
func readableForm(inner string) string {
	target, label, labelled := strings.Cut(inner, "|")
	switch {
	case strings.HasPrefix(target, "!"):
		// !here, !channel, !everyone, !subteam^S123|@team, !date^…|fallback
		if labelled {
			if strings.HasPrefix(target, "!date^") {
				return typedText(label)
			}
			return "@" + strings.TrimPrefix(typedText(label), "@")
		}
		name, _, _ := strings.Cut(target[1:], "^")
		if name == "subteam" {
			_, id, _ := strings.Cut(target, "^")
			return "@" + typedText(id)
		}
		return "@" + typedText(name)
	case strings.HasPrefix(target, "#"):
		if labelled {
			return "#" + typedText(label)
		}
		return typedText(target)
	}
	url := typedText(target)
	if labelled && typedText(label) != url {
		return typedText(label) + " (" + url + ")"
	}
	return url
}
