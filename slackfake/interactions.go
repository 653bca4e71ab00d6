package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SlashCommand is a member typing a slash command.
type SlashCommand struct {
	Command string // e.g. "/standup"
	// Text is sent as Slack sends it, so write it in Slack's wire format:
	// a mention as <@U123|name>, a literal "<" as "&lt;".
	Text   string
	UserID string
	// ChannelID is where the command was typed; empty means the member's
	// DM with the bot.
	ChannelID string
}

// actorLocked checks that a member can act in a conversation.
func (s *Server) actorLocked(userID, channelID string) (*User, *channel, error) {
	u, ok := s.users[userID]
	switch {
	case !ok:
		return nil, nil, fmt.Errorf("slackfake: no user %q", userID)
	case u.Deleted:
		return nil, nil, fmt.Errorf("slackfake: user %s is deactivated", userID)
	case u.IsBot:
		return nil, nil, fmt.Errorf("slackfake: user %s is a bot", userID)
	}
	if channelID == "" {
		return u, s.dmLocked(u.ID), nil
	}
	c, ok := s.channels[channelID]
	switch {
	case !ok:
		return nil, nil, fmt.Errorf("slackfake: no channel %q", channelID)
	case c.isIM && c.imUser != u.ID:
		return nil, nil, fmt.Errorf("slackfake: %s is not %s's DM with the bot", channelID, userID)
	case c.IsPrivate && !c.hasMember(u.ID):
		return nil, nil, fmt.Errorf("slackfake: %s is not in private channel %s", userID, channelID)
	}
	return u, c, nil
}

func channelName(c *channel) string {
	if c.isIM {
		return "directmessage"
	}
	return c.Name
}

func (s *Server) userRef(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": legacyUsername(u), "name": legacyUsername(u), "team_id": s.opts.TeamID}
}

func (s *Server) teamRef() map[string]any {
	return map[string]any{"id": s.opts.TeamID, "domain": teamDomain}
}

// SendSlashCommand delivers a slash command as Slack does, with every
// field Slack sends, and waits for the ack. A message in the ack is shown
// to the member as Slack would (ephemeral, or in the channel for
// response_type in_channel); an error reports a message Slack would
// reject.
func (s *Server) SendSlashCommand(ctx context.Context, c SlashCommand) (Reply, error) {
	if !strings.HasPrefix(c.Command, "/") {
		return Reply{}, fmt.Errorf("slackfake: command %q must start with /", c.Command)
	}
	s.mu.Lock()
	u, ch, err := s.actorLocked(c.UserID, c.ChannelID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	respURL, ru := s.newResponseURLLocked("commands", u.ID, ch.ID, "", false)
	fields := [][2]string{
		{"token", verificationToken}, {"team_id", s.opts.TeamID}, {"team_domain", teamDomain},
		{"channel_id", ch.ID}, {"channel_name", channelName(ch)}, {"user_id", u.ID}, {"user_name", legacyUsername(u)},
		{"command", c.Command}, {"text", c.Text}, {"api_app_id", s.opts.AppID},
		{"is_enterprise_install", "false"}, {"response_url", respURL}, {"trigger_id", s.newTriggerLocked(u.ID)},
	}
	s.notifyLocked()
	s.mu.Unlock()

	payload := map[string]string{}
	var body strings.Builder // in Slack's field order; url.Values would sort
	for i, f := range fields {
		payload[f[0]] = f[1]
		if i > 0 {
			body.WriteByte('&')
		}
		body.WriteString(url.QueryEscape(f[0]) + "=" + url.QueryEscape(f[1]))
	}
	reply, err := s.deliver(ctx, delivery{
		kind: "slash_commands", payload: payload, accepts: true,
		path: "/slack/commands", body: []byte(body.String()), contentType: "application/x-www-form-urlencoded",
	})
	if err != nil {
		return reply, err
	}
	return reply, s.applyMessageAck(ru, reply)
}

// applyMessageAck shows a message carried by a slash command's ack.
func (s *Server) applyMessageAck(ru *responseURL, reply Reply) error {
	if len(reply.Ack) == 0 {
		return nil
	}
	var msg responseMessage
	if reply.plainText {
		msg.Text = string(reply.Ack)
	} else if err := json.Unmarshal(reply.Ack, &msg); err != nil {
		return fmt.Errorf("slackfake: ack payload is not a message: %w", err)
	}
	if msg.empty() {
		// Only an empty body is a bare acknowledgement; Slack shows any
		// other body to the member, a text-less one as an empty message
		// (api.slack.com/interactivity/handling#acknowledgment_response;
		// Bolt's ack() with no argument sends an empty body:
		// slackapi/bolt-js src/receivers/HTTPModuleFunctions.ts).
		s.mu.Lock()
		s.ephemeralLocked(ru.user, ru.channel, "", nil, "")
		s.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrTextlessAck, compactRaw(reply.Ack))
	}
	s.mu.Lock()
	code, problems := s.respondLocked(ru, msg)
	s.mu.Unlock()
	if code != "" {
		return fmt.Errorf("slackfake: Slack rejects the ack's message: %s %s", code, strings.Join(problems, "; "))
	}
	return nil
}

// ErrTextlessAck is returned when a slash command's ack is a JSON message
// with no text, blocks or attachments: Slack shows it to the member as an
// empty message instead of taking it as a bare acknowledgement.
var ErrTextlessAck = errors.New("slackfake: ack is a message with no text (acknowledge with an empty body)")

// interactive is an element a member can use, found in some blocks.
type interactive struct {
	blockID   string
	el        map[string]any
	input     bool // in an input block
	dispatch  bool // the input block has dispatch_action
	blockType string
}

// blockIDFor gives blocks without a block_id the ID Slack would assign;
// ours are stable so tests can name them.
func blockIDFor(b map[string]any, i int) string {
	if id, ok := b["block_id"].(string); ok && id != "" {
		return id
	}
	return "fake-block-" + strconv.Itoa(i)
}

func findInteractive(blocks json.RawMessage, actionID string) (interactive, bool) {
	x, _ := decodeJSON(blocks)
	arr, _ := x.([]any)
	for i, b := range arr {
		bm, _ := b.(map[string]any)
		if bm == nil {
			continue
		}
		bid := blockIDFor(bm, i)
		var els []any
		switch bm["type"] {
		case "actions":
			els, _ = bm["elements"].([]any)
		case "section":
			els = []any{bm["accessory"]}
		case "input":
			els = []any{bm["element"]}
		}
		for _, e := range els {
			em, _ := e.(map[string]any)
			if em != nil && em["action_id"] == actionID {
				d, _ := bm["dispatch_action"].(bool)
				return interactive{blockID: bid, el: em, input: bm["type"] == "input", dispatch: d, blockType: bm["type"].(string)}, true
			}
		}
	}
	return interactive{}, false
}

func splitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func findOption(el map[string]any, value string) (any, bool) {
	var pools [][]any
	if opts, ok := el["options"].([]any); ok {
		pools = append(pools, opts)
	}
	if groups, ok := el["option_groups"].([]any); ok {
		for _, g := range groups {
			if gm, ok := g.(map[string]any); ok {
				if opts, ok := gm["options"].([]any); ok {
					pools = append(pools, opts)
				}
			}
		}
	}
	for _, pool := range pools {
		for _, o := range pool {
			if om, ok := o.(map[string]any); ok && om["value"] == value {
				return om, true
			}
		}
	}
	return nil, false
}

// actionFor builds the `actions` entry and the state entry of a member
// using an element. value is the member's choice: a select's option
// value, a user ID, a date, or a comma-separated list for multi-selects
// and checkboxes. Buttons carry their own value; leave it empty.
func (s *Server) actionForLocked(it interactive, value, actionTS string) (action, state map[string]any, err error) {
	typ, _ := it.el["type"].(string)
	action = map[string]any{"type": typ, "action_id": it.el["action_id"], "block_id": it.blockID, "action_ts": actionTS}
	state = map[string]any{"type": typ}
	set := func(k string, v any) { action[k], state[k] = v, v }
	options := func(vals []string) ([]any, error) {
		out := []any{}
		for _, v := range vals {
			o, ok := findOption(it.el, v)
			if !ok {
				return nil, fmt.Errorf("slackfake: %s %q has no option with value %q", typ, it.el["action_id"], v)
			}
			out = append(out, o)
		}
		return out, nil
	}
	switch typ {
	case "button":
		bv, _ := it.el["value"].(string)
		if value != "" && value != bv {
			return nil, nil, fmt.Errorf("slackfake: button %q has value %q, not %q", it.el["action_id"], bv, value)
		}
		action["text"] = it.el["text"]
		for _, k := range []string{"value", "style", "url"} {
			if v, ok := it.el[k]; ok {
				action[k] = v
			}
		}
		state = nil
	case "static_select", "overflow", "radio_buttons":
		opts, err := options([]string{value})
		if err != nil {
			return nil, nil, err
		}
		set("selected_option", opts[0])
	case "external_select":
		set("selected_option", map[string]any{"text": map[string]any{"type": "plain_text", "text": value}, "value": value})
	case "multi_static_select", "checkboxes":
		opts, err := options(splitList(value))
		if err != nil {
			return nil, nil, err
		}
		set("selected_options", opts)
	case "users_select":
		if _, ok := s.users[value]; !ok {
			return nil, nil, fmt.Errorf("slackfake: no user %q to select", value)
		}
		set("selected_user", value)
	case "multi_users_select":
		users := splitList(value)
		for _, u := range users {
			if _, ok := s.users[u]; !ok {
				return nil, nil, fmt.Errorf("slackfake: no user %q to select", u)
			}
		}
		set("selected_users", append([]string{}, users...))
	case "conversations_select":
		set("selected_conversation", value)
	case "channels_select":
		set("selected_channel", value)
	case "multi_conversations_select":
		set("selected_conversations", append([]string{}, splitList(value)...))
	case "multi_channels_select":
		set("selected_channels", append([]string{}, splitList(value)...))
	case "datepicker":
		if _, err := time.Parse("2006-01-02", value); err != nil {
			return nil, nil, fmt.Errorf("slackfake: datepicker value %q is not YYYY-MM-DD", value)
		}
		set("selected_date", value)
	case "timepicker":
		if !timeRE.MatchString(value) {
			return nil, nil, fmt.Errorf("slackfake: timepicker value %q is not HH:mm", value)
		}
		set("selected_time", value)
	default:
		set("value", value)
	}
	if ph, ok := it.el["placeholder"]; ok && typ != "button" {
		action["placeholder"] = ph
	}
	return action, state, nil
}

// SendBlockAction delivers a block_actions payload for a member using an
// element (by action_id) in a message, as Slack does, and waits for the
// ack. The message may be ephemeral to the member. See actionFor for
// value. Slack ignores a payload in this ack.
func (s *Server) SendBlockAction(ctx context.Context, userID, channelID, messageTS, actionID, value string) (Reply, error) {
	return s.sendBlockAction(ctx, userID, channelID, messageTS, actionID, value, nil)
}

// SendStaleBlockAction is SendBlockAction on the message as shown, a copy
// taken earlier (ChannelMessages, DMs): a member whose client has not yet
// shown an edit can still click a button the edit removed, and Slack
// sends the payload of what the client showed. The message must still
// exist.
func (s *Server) SendStaleBlockAction(ctx context.Context, userID string, shown Message, actionID, value string) (Reply, error) {
	return s.sendBlockAction(ctx, userID, shown.Channel, shown.TS, actionID, value, &shown)
}

func (s *Server) sendBlockAction(ctx context.Context, userID, channelID, messageTS, actionID, value string, shown *Message) (Reply, error) {
	s.mu.Lock()
	u, ch, err := s.actorLocked(userID, channelID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	m, _ := s.findMessageLocked(ch.ID, messageTS)
	ephemeral := false
	if m == nil {
		for _, e := range s.ephemerals[u.ID] {
			if e.channel == ch.ID && e.ts == messageTS {
				m, ephemeral = e, true
			}
		}
	}
	if m == nil {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: no message %s in %s that %s can see", messageTS, ch.ID, userID)
	}
	if shown != nil {
		stale := *m
		stale.text, stale.blocks = shown.Text, shown.Blocks
		m = &stale
	}
	it, ok := findInteractive(m.blocks, actionID)
	if !ok || it.input {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: message %s has no interactive element with action_id %q", messageTS, actionID)
	}
	actionTS, _ := s.nextTSLocked()
	action, st, err := s.actionForLocked(it, value, actionTS)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	values := map[string]any{}
	if st != nil {
		values[it.blockID] = map[string]any{actionID: st}
	}
	respURL, _ := s.newResponseURLLocked("actions", u.ID, ch.ID, m.ts, ephemeral)
	container := map[string]any{"type": "message", "message_ts": m.ts, "channel_id": ch.ID, "is_ephemeral": ephemeral}
	if m.threadTS != "" {
		container["thread_ts"] = m.threadTS
	}
	payload := map[string]any{
		"type": "block_actions", "user": s.userRef(u), "api_app_id": s.opts.AppID, "token": verificationToken,
		"container": container, "trigger_id": s.newTriggerLocked(u.ID), "team": s.teamRef(),
		"enterprise": nil, "is_enterprise_install": false,
		"channel":      map[string]any{"id": ch.ID, "name": channelName(ch)},
		"state":        map[string]any{"values": values},
		"response_url": respURL, "actions": []any{action},
	}
	if !ephemeral {
		payload["message"] = s.messageJSONLocked(m)
	}
	s.notifyLocked()
	s.mu.Unlock()
	return s.deliverInteraction(ctx, payload, false)
}

func (s *Server) deliverInteraction(ctx context.Context, payload map[string]any, accepts bool) (Reply, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return Reply{}, err
	}
	form := url.Values{"payload": {string(b)}}
	return s.deliver(ctx, delivery{
		kind: "interactive", payload: json.RawMessage(b), accepts: accepts,
		path: "/slack/interactions", body: []byte(form.Encode()), contentType: "application/x-www-form-urlencoded",
	})
}
