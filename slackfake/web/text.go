package web

import (
	"regexp"
	"strings"
)

// What a member types becomes Slack's wire format the way Slack's client
// does it: &, < and > are escaped, and @name, @group, @here and #channel
// become mentions. In a message a user mention is <@U123>; a slash command
// of an app that asks for escaping (ritualbot's manifest sets
// should_escape) gets <@U123|name>, <#C123|name> and
// <!subteam^S123|@handle>, the forms bot.ParseMention reads.

type directory struct {
	users    map[string]string // lower-case name → user ID
	channels map[string]string // lower-case name → channel ID
	groups   map[string]string // lower-case handle → user group ID
}

func (s *Server) directory() directory {
	d := directory{users: map[string]string{}, channels: map[string]string{}, groups: map[string]string{}}
	for _, u := range s.Fake.Users() {
		if !u.Deleted {
			d.users[strings.ToLower(u.Name)] = u.ID
		}
	}
	for _, c := range s.Fake.Channels() {
		d.channels[strings.ToLower(c.Name)] = c.ID
	}
	for _, g := range s.Fake.UserGroups() {
		d.groups[strings.ToLower(g.Handle)] = g.ID
	}
	return d
}

var (
	escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	// A mention starts a word: at the start, or after a space or an
	// opening bracket.
	mentionRE = regexp.MustCompile(`(^|[\s(\[{,;:])([@#])([A-Za-z0-9][A-Za-z0-9._-]*)`)
)

// messageText is a typed message as the client posts it.
func (d directory) messageText(text string) string { return d.encode(text, false) }

// commandText is a slash command's typed text as Slack sends it to an app
// that asks for escaping.
func (d directory) commandText(text string) string { return d.encode(text, true) }

func (d directory) encode(text string, named bool) string {
	return mentionRE.ReplaceAllStringFunc(escaper.Replace(text), func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		lead, sigil, name := sub[1], sub[2], sub[3]
		// A trailing full stop or comma ends the sentence, not the name.
		trail := ""
		for strings.HasSuffix(name, ".") || strings.HasSuffix(name, "-") {
			trail = name[len(name)-1:] + trail
			name = name[:len(name)-1]
		}
		key := strings.ToLower(name)
		var out string
		switch {
		case sigil == "#":
			if id, ok := d.channels[key]; ok {
				out = "<#" + id
				if named {
					out += "|" + name
				}
				out += ">"
			}
		case key == "here" || key == "channel" || key == "everyone":
			out = "<!" + key + ">"
		default:
			if id, ok := d.users[key]; ok {
				out = "<@" + id
				if named {
					out += "|" + name
				}
				out += ">"
			} else if id, ok := d.groups[key]; ok {
				out = "<!subteam^" + id
				if named {
					out += "|@" + name
				}
				out += ">"
			}
		}
		if out == "" {
			return m
		}
		return lead + out + trail
	})
}
