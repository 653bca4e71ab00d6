package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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

// openViewForLocked finds a member's open modal.
func (s *Server) openViewForLocked(userID, viewID string) (*User, *view, error) {
	u, ok := s.users[userID]
	if !ok {
		return nil, nil, fmt.Errorf("slackfake: no user %q", userID)
	}
	v, ok := s.views[viewID]
	if !ok || v.user != userID {
		return nil, nil, fmt.Errorf("slackfake: %s has no open view %s", userID, viewID)
	}
	return u, v, nil
}

// SendViewAction delivers a block_actions payload for a member using an
// element in an open modal (a button, a select, or an input with
// dispatch_action), and waits for the ack.
func (s *Server) SendViewAction(ctx context.Context, userID, viewID, actionID, value string) (Reply, error) {
	s.mu.Lock()
	u, v, err := s.openViewForLocked(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	return s.sendViewActionLocked(ctx, u, v, "view "+viewID, actionID, value)
}

// sendViewActionLocked delivers the block_actions payload of a member using
// an element of view v (a modal or a Home tab): a "view" container, the
// view, and no response_url, as Slack sends it. It unlocks s.mu.
func (s *Server) sendViewActionLocked(ctx context.Context, u *User, v *view, where, actionID, value string) (Reply, error) {
	blocks, _ := json.Marshal(v.obj["blocks"])
	it, ok := findInteractive(blocks, actionID)
	if !ok || (it.input && !it.dispatch) {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: %s has no element with action_id %q that sends actions", where, actionID)
	}
	actionTS, _ := s.nextTSLocked()
	action, _, err := s.actionForLocked(it, value, actionTS)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	payload := map[string]any{
		"type": "block_actions", "user": s.userRef(u), "api_app_id": s.opts.AppID, "token": verificationToken,
		"container":  map[string]any{"type": "view", "view_id": v.id},
		"trigger_id": s.newTriggerLocked(u.ID), "team": s.teamRef(), "enterprise": nil,
		"is_enterprise_install": false, "view": s.viewJSONLocked(v), "actions": []any{action},
	}
	s.notifyLocked()
	s.mu.Unlock()
	return s.deliverInteraction(ctx, payload, false)
}

// initialState is what an input submits when the member leaves it as the
// app prefilled it.
func initialState(el map[string]any) (map[string]any, bool) {
	typ, _ := el["type"].(string)
	st := map[string]any{"type": typ}
	pick := func(from, to string, empty any) bool {
		if v, ok := el[from]; ok {
			st[to] = v
			return true
		}
		st[to] = empty
		return false
	}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		return st, pick("initial_value", "value", nil)
	case "static_select", "external_select", "radio_buttons":
		return st, pick("initial_option", "selected_option", nil)
	case "multi_static_select", "multi_external_select", "checkboxes":
		return st, pick("initial_options", "selected_options", []any{})
	case "users_select":
		return st, pick("initial_user", "selected_user", nil)
	case "multi_users_select":
		return st, pick("initial_users", "selected_users", []any{})
	case "conversations_select":
		return st, pick("initial_conversation", "selected_conversation", nil)
	case "multi_conversations_select":
		return st, pick("initial_conversations", "selected_conversations", []any{})
	case "channels_select":
		return st, pick("initial_channel", "selected_channel", nil)
	case "multi_channels_select":
		return st, pick("initial_channels", "selected_channels", []any{})
	case "datepicker":
		return st, pick("initial_date", "selected_date", nil)
	case "timepicker":
		return st, pick("initial_time", "selected_time", nil)
	case "datetimepicker":
		return st, pick("initial_date_time", "selected_date_time", nil)
	case "rich_text_input":
		return st, pick("initial_value", "rich_text_value", nil)
	}
	return st, false
}

// hasValue reports whether a submitted state entry carries a value.
func hasValue(st map[string]any) bool {
	for k, v := range st {
		if k == "type" {
			continue
		}
		switch x := v.(type) {
		case nil:
		case string:
			if x != "" {
				return true
			}
		case []any:
			if len(x) > 0 {
				return true
			}
		case []string:
			if len(x) > 0 {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// submissionStateLocked builds view.state.values for a submission: the
// member's values over each input's prefilled state. It refuses what
// Slack's client would not let a member submit.
func (s *Server) submissionStateLocked(v *view, values map[string]map[string]any) (map[string]any, error) {
	arr, _ := v.obj["blocks"].([]any)
	out := map[string]any{}
	seen := map[string]bool{}
	for i, b := range arr {
		bm, _ := b.(map[string]any)
		if bm == nil || bm["type"] != "input" {
			continue
		}
		bid := blockIDFor(bm, i)
		el, _ := bm["element"].(map[string]any)
		aid, _ := el["action_id"].(string)
		typ, _ := el["type"].(string)
		st, filled := initialState(el)
		if given, ok := values[bid][aid]; ok {
			seen[bid+"\x00"+aid] = true
			gm, ok := given.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("slackfake: value for %s/%s must be an element state object", bid, aid)
			}
			if t, ok := gm["type"]; ok && t != typ {
				return nil, fmt.Errorf("slackfake: %s/%s is a %s, not a %v", bid, aid, typ, t)
			}
			st = maps.Clone(gm)
			st["type"] = typ
			filled = hasValue(st)
			if typ == "plain_text_input" && filled {
				n := int64(len([]rune(fmt.Sprint(st["value"]))))
				if mx, ok := intField(el, "max_length"); ok && n > mx {
					return nil, fmt.Errorf("slackfake: %s/%s: %d characters exceeds max_length %d; Slack would not submit", bid, aid, n, mx)
				}
				if mn, ok := intField(el, "min_length"); ok && n < mn {
					return nil, fmt.Errorf("slackfake: %s/%s: %d characters is under min_length %d; Slack would not submit", bid, aid, n, mn)
				}
			}
		}
		if opt, _ := bm["optional"].(bool); !opt && !filled {
			return nil, fmt.Errorf("slackfake: required input %s/%s has no value; Slack would not let the member submit", bid, aid)
		}
		if out[bid] == nil {
			out[bid] = map[string]any{}
		}
		out[bid].(map[string]any)[aid] = st
	}
	for bid, acts := range values {
		for aid := range acts {
			if !seen[bid+"\x00"+aid] {
				return nil, fmt.Errorf("slackfake: view %s has no input block %q with action_id %q", v.id, bid, aid)
			}
		}
	}
	return out, nil
}

// SubmitView submits a member's open modal with values (block_id →
// action_id → element state, e.g. {"type":"plain_text_input","value":"x"};
// inputs left out keep their initial values), waits for the ack and
// carries out its response_action as Slack does: none closes the view,
// "clear" closes the stack, "update" and "push" show the new view,
// "errors" keeps the view open. The error reports what Slack would
// refuse, including an "errors" map naming blocks that are not inputs.
func (s *Server) SubmitView(ctx context.Context, userID, viewID string, values map[string]map[string]any) (Reply, error) {
	s.mu.Lock()
	u, v, err := s.openViewForLocked(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	st, err := s.submissionStateLocked(v, values)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	vj := s.viewJSONLocked(v)
	vj["state"] = map[string]any{"values": st}
	payload := map[string]any{
		"type": "view_submission", "team": s.teamRef(), "user": s.userRef(u),
		"api_app_id": s.opts.AppID, "token": verificationToken, "trigger_id": s.newTriggerLocked(u.ID),
		"view": vj, "response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	}
	hash := v.hash
	s.notifyLocked()
	s.mu.Unlock()

	reply, err := s.deliverInteraction(ctx, payload, true)
	if err != nil {
		return reply, err
	}
	return reply, s.applyViewAck(v, hash, reply)
}

func (s *Server) applyViewAck(v *view, hash string, reply Reply) error {
	var ack struct {
		ResponseAction string            `json:"response_action"`
		View           json.RawMessage   `json:"view"`
		Errors         map[string]string `json:"errors"`
	}
	if len(reply.Ack) > 0 && !reply.plainText {
		if err := json.Unmarshal(reply.Ack, &ack); err != nil {
			return fmt.Errorf("slackfake: view_submission ack is not a response_action object: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.views[v.id] != v {
		return nil // closed meanwhile, e.g. by views.open
	}
	switch ack.ResponseAction {
	case "":
		s.closeViewLocked(v)
	case "clear":
		s.closeStackLocked(v.user)
	case "errors":
		if len(ack.Errors) == 0 {
			return fmt.Errorf("slackfake: response_action errors without errors")
		}
		inputs := map[string]bool{}
		arr, _ := v.obj["blocks"].([]any)
		for i, b := range arr {
			if bm, _ := b.(map[string]any); bm != nil && bm["type"] == "input" {
				inputs[blockIDFor(bm, i)] = true
			}
		}
		for bid := range ack.Errors {
			if !inputs[bid] {
				return fmt.Errorf("slackfake: response_action errors names %q, which is not an input block; Slack shows the member a generic error", bid)
			}
		}
	case "update", "push":
		obj, problems := validateView(ack.View, "modal")
		if problems != nil {
			return fmt.Errorf("slackfake: response_action %s with an invalid view: %s", ack.ResponseAction, strings.Join(problems, "; "))
		}
		if ack.ResponseAction == "update" {
			if v.hash != hash {
				return fmt.Errorf("slackfake: response_action update: view changed since submission (hash_conflict)")
			}
			s.setViewContent(v, obj, compactRaw(ack.View))
			s.notifyLocked()
		} else {
			if len(s.stacks[v.user]) >= maxViewStack {
				return fmt.Errorf("slackfake: response_action push: push_limit_reached")
			}
			s.openViewLocked(v.user, obj, compactRaw(ack.View), v)
		}
	default:
		return fmt.Errorf("slackfake: unknown response_action %q", ack.ResponseAction)
	}
	return nil
}

func compactRaw(r json.RawMessage) json.RawMessage {
	var p params
	p.isJSON = true
	p.json = map[string]json.RawMessage{"v": r}
	return p.raw("v")
}

// CloseView is a member closing a modal with its close button. With
// clear_on_close the whole stack closes. With notify_on_close the app
// gets a view_closed payload; otherwise Reply is zero.
func (s *Server) CloseView(ctx context.Context, userID, viewID string) (Reply, error) {
	s.mu.Lock()
	u, v, err := s.openViewForLocked(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	clear, _ := v.obj["clear_on_close"].(bool)
	notify, _ := v.obj["notify_on_close"].(bool)
	vj := s.viewJSONLocked(v)
	if clear {
		s.closeStackLocked(userID)
	} else {
		s.closeViewLocked(v)
	}
	s.mu.Unlock()
	if !notify {
		return Reply{}, nil
	}
	return s.deliverInteraction(ctx, map[string]any{
		"type": "view_closed", "team": s.teamRef(), "user": s.userRef(u), "api_app_id": s.opts.AppID,
		"token": verificationToken, "view": vj, "is_cleared": clear, "is_enterprise_install": false, "enterprise": nil,
	}, false)
}

// SendEvent delivers an Events API event (e.g. {"type":"app_home_opened",
// "user":"U1","tab":"home"}) wrapped in an event_callback with event_id,
// team_id, api_app_id, event_time and authorizations, and waits for the
// ack. event_ts is added when missing.
func (s *Server) SendEvent(ctx context.Context, event map[string]any) (Reply, error) {
	if t, _ := event["type"].(string); t == "" {
		return Reply{}, fmt.Errorf("slackfake: event needs a type")
	}
	ev := maps.Clone(event)
	s.mu.Lock()
	ts, us := s.nextTSLocked()
	s.mu.Unlock()
	if _, ok := ev["event_ts"]; !ok {
		ev["event_ts"] = ts
	}
	return s.deliverEvent(ctx, ev, us/1e6)
}

func (s *Server) deliverEvent(ctx context.Context, ev map[string]any, eventTime int64) (Reply, error) {
	typ, _ := ev["type"].(string)
	payload := map[string]any{
		"token": verificationToken, "team_id": s.opts.TeamID, "api_app_id": s.opts.AppID,
		"event": ev, "type": "event_callback", "event_id": "Ev" + strings.ToUpper(randomHex(5)),
		"event_time": eventTime,
		"authorizations": []any{map[string]any{"enterprise_id": nil, "team_id": s.opts.TeamID,
			"user_id": s.opts.BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + typ + "-" + s.opts.TeamID + "-" + randomHex(4),
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return Reply{}, err
	}
	r, err := s.deliver(ctx, delivery{
		kind: "events_api", payload: json.RawMessage(b), path: "/slack/events", body: b, contentType: "application/json",
	})
	s.mu.Lock()
	s.sent[typ]++
	s.notifyLocked()
	s.mu.Unlock()
	return r, err
}

// SendMessageEvent is a member posting a message: it is stored (so it
// shows in ChannelMessages/DMs) and, when the bot is in the conversation,
// delivered as a `message` event. channelID empty means the member's DM
// with the bot; threadTS makes it a reply.
func (s *Server) SendMessageEvent(ctx context.Context, userID, channelID, text, threadTS string) (Message, Reply, error) {
	s.mu.Lock()
	u, ch, err := s.actorLocked(userID, channelID)
	if err == nil && !ch.isIM && !ch.hasMember(u.ID) {
		err = fmt.Errorf("slackfake: %s is not in %s", userID, ch.ID)
	}
	if err != nil {
		s.mu.Unlock()
		return Message{}, Reply{}, err
	}
	thread := s.threadForLocked(ch.ID, threadTS)
	m := s.postLocked(ch.ID, u.ID, false, text, nil, thread)
	out := m.export()
	chType := "channel"
	switch {
	case ch.isIM:
		chType = "im"
	case ch.IsPrivate:
		chType = "group"
	}
	ev := map[string]any{
		"type": "message", "client_msg_id": newUUID(), "text": text, "user": u.ID, "ts": m.ts,
		"team": s.opts.TeamID, "channel": ch.ID, "event_ts": m.ts, "channel_type": chType,
	}
	if thread != "" {
		ev["thread_ts"] = thread
		if p, _ := s.findMessageLocked(ch.ID, thread); p != nil {
			ev["parent_user_id"] = p.user
		}
	}
	member := ch.hasMember(s.opts.BotUserID)
	mention := s.appMentionLocked(ch, m, nil)
	s.mu.Unlock()
	if !member {
		return out, Reply{}, nil
	}
	r, err := s.deliverEvent(ctx, ev, m.tsMicros/1e6)
	if err == nil && mention != nil {
		_, err = s.deliverEvent(ctx, mention, m.tsMicros/1e6)
	}
	return out, r, err
}

// VerifyURL sends Slack's url_verification challenge to the request URL's
// /slack/events, as Slack does when the URL is configured, and checks the
// app echoes it.
func (s *Server) VerifyURL(ctx context.Context) error {
	s.mu.Lock()
	reqURL := s.requestURL
	s.mu.Unlock()
	if reqURL == "" {
		return fmt.Errorf("slackfake: no request URL set")
	}
	challenge := randomHex(16)
	b, _ := json.Marshal(map[string]string{"token": verificationToken, "challenge": challenge, "type": "url_verification"})
	r, err := s.deliverHTTP(ctx, reqURL, delivery{path: "/slack/events", body: b, contentType: "application/json"})
	if err != nil {
		return err
	}
	var js struct {
		Challenge string `json:"challenge"`
	}
	if string(r.Ack) == challenge || (json.Unmarshal(r.Ack, &js) == nil && js.Challenge == challenge) {
		return nil
	}
	return fmt.Errorf("slackfake: url_verification answered %q, want the challenge %q", r.Ack, challenge)
}

// EditUserGroup is a member changing a user group's membership in Slack's
// UI: the group then holds exactly users, and the app gets the
// subteam_members_changed event (the delta, as Slack sends it), which it
// acknowledges. Slack sends the event to apps subscribed to it whoever
// changed the group; the fake sends it for edits made through here.
func (s *Server) EditUserGroup(ctx context.Context, userID, groupID string, users []string) (Reply, error) {
	s.mu.Lock()
	g, ok := s.groups[groupID]
	if _, known := s.users[userID]; !known {
		ok = false
	}
	if !ok {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: no user group %s or no user %s", groupID, userID)
	}
	ev, us := s.setGroupMembersLocked(g, users)
	s.mu.Unlock()
	return s.deliverEvent(ctx, ev, us/1e6)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
