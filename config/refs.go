package config

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Slack IDs as they appear in a config: users U…/W…, channels C…/G….
var (
	userIDRE    = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	channelIDRE = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)
	emailRE     = regexp.MustCompile(`^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$`)
	channelName = boundedRE(`^#[a-z0-9][a-z0-9._-]*$`, 81)
)

// ref is a user e-mail or a #channel name in the config, to be turned into
// an ID through Slack at start-up, and where to put the ID.
type ref struct {
	user  bool
	value string
	dst   *string
	line  int
	path  string
}

// userRef reads a user reference (an ID, or an e-mail resolved later) into
// *dst.
func (p *parser) userRef(n *yaml.Node, path string, dst *string) {
	if n == nil || n.Kind != yaml.ScalarNode {
		p.d.errorAt(n, path, "want a Slack user ID (U0123ABCD) or an e-mail address")
		return
	}
	v := strings.TrimSpace(n.Value)
	switch {
	case userIDRE.MatchString(v):
		*dst = v
	case emailRE.MatchString(v):
		*dst = v
		p.loaded.refs = append(p.loaded.refs, &ref{user: true, value: v, dst: dst, line: n.Line, path: path})
	case strings.HasPrefix(v, "@"):
		p.d.errorAt(n, path, "%q: Slack display names are not unique; use the member ID (profile → ⋮ → Copy member ID) or their e-mail", v)
	default:
		p.d.errorAt(n, path, "%q is neither a Slack user ID (U0123ABCD, from the profile's ⋮ → Copy member ID) nor an e-mail address", v)
	}
}

// channelRef reads a channel reference (an ID, or a #name resolved later)
// into *dst.
func (p *parser) channelRef(n *yaml.Node, path string, dst *string) {
	if n == nil || n.Kind != yaml.ScalarNode {
		p.d.errorAt(n, path, "want a channel ID (C0123ABCD) or a #name")
		return
	}
	v := strings.TrimSpace(n.Value)
	switch {
	case channelIDRE.MatchString(v):
		*dst = v
	case channelName.MatchString(v):
		*dst = v
		p.loaded.refs = append(p.loaded.refs, &ref{value: v, dst: dst, line: n.Line, path: path})
	case !strings.HasPrefix(v, "#") && channelName.MatchString("#"+v):
		p.d.errorAt(n, path, "%q: write a channel name with its # and in quotes (\"#%s\"), or use the channel ID", v, v)
	default:
		p.d.errorAt(n, path, "%q is neither a channel ID (C0123ABCD) nor a #channel-name", v)
	}
}

// Unresolved counts the e-mails and #names that Slack must still turn
// into IDs.
func (l *Loaded) Unresolved() int {
	n := 0
	for _, r := range l.refs {
		if *r.dst == r.value {
			n++
		}
	}
	return n
}

// UsesEmails reports whether the config names users by e-mail (the app then
// needs the users:read.email scope).
func (l *Loaded) UsesEmails() bool {
	for _, r := range l.refs {
		if r.user {
			return true
		}
	}
	return false
}

// Resolver looks names up in the Slack workspace.
type Resolver interface {
	UserIDByEmail(ctx context.Context, email string) (string, error)
	ChannelIDByName(ctx context.Context, name string) (string, error)
}

// Resolve turns every e-mail into a user ID and every #name into a channel
// ID, through r. Each one that does not resolve is an error naming its
// place in the file; nothing is changed then.
func (l *Loaded) Resolve(ctx context.Context, r Resolver) error {
	ids := make([]string, len(l.refs))
	cache := map[string]string{}
	var errs Errors
	for i, rf := range l.refs {
		key := fmt.Sprint(rf.user, rf.value)
		if id, ok := cache[key]; ok {
			ids[i] = id
			continue
		}
		var id string
		var err error
		if rf.user {
			id, err = r.UserIDByEmail(ctx, rf.value)
		} else {
			id, err = r.ChannelIDByName(ctx, rf.value)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("resolve names in %s: %w", l.Path, ctx.Err())
		}
		if err != nil {
			errs = append(errs, &Error{File: l.Path, Line: rf.line, Key: rf.path, Msg: err.Error()})
			continue
		}
		cache[key], ids[i] = id, id
	}
	if len(errs) > 0 {
		return errs
	}
	for i, rf := range l.refs {
		*rf.dst = ids[i]
	}
	return nil
}
