package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
)

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
