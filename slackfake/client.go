package slackfake

import (
	"context"
	"fmt"
	"maps"
	"strings"
)

// What Slack's own client does for a member that tests and the demo page
// would otherwise have to spell out in wire format: turning what the
// member picked in a modal into element state, opening the app's Home and
// Messages tabs, clicking in the Home tab.

// SubmitViewInputs submits a member's open modal from plain values, as
// Slack's client builds them from what the member typed or picked:
// inputs is block_id → action_id → value, where value is the text of a
// text input, a select's option value, a user ID, a conversation ID, a
// date (YYYY-MM-DD), a time (HH:mm), or a comma-separated list for
// multi-selects and checkboxes. An empty value clears the input. Inputs
// left out keep their initial values. See SubmitView for the rest.
func (s *Server) SubmitViewInputs(ctx context.Context, userID, viewID string, inputs map[string]map[string]string) (Reply, error) {
	s.mu.Lock()
	_, v, err := s.openViewForLocked(userID, viewID)
	if err != nil {
		s.mu.Unlock()
		return Reply{}, err
	}
	values := map[string]map[string]any{}
	for bid, acts := range inputs {
		for aid, value := range acts {
			el, ok := inputElement(v.obj, bid, aid)
			if !ok {
				s.mu.Unlock()
				return Reply{}, fmt.Errorf("slackfake: view %s has no input block %q with action_id %q", v.id, bid, aid)
			}
			st, err := s.inputStateLocked(el, value)
			if err != nil {
				s.mu.Unlock()
				return Reply{}, fmt.Errorf("slackfake: %s/%s: %w", bid, aid, err)
			}
			if values[bid] == nil {
				values[bid] = map[string]any{}
			}
			values[bid][aid] = st
		}
	}
	s.mu.Unlock()
	return s.SubmitView(ctx, userID, viewID, values)
}

// inputElement finds the element of an input block in a view.
func inputElement(view map[string]any, blockID, actionID string) (map[string]any, bool) {
	arr, _ := view["blocks"].([]any)
	for i, b := range arr {
		bm, _ := b.(map[string]any)
		if bm == nil || bm["type"] != "input" || blockIDFor(bm, i) != blockID {
			continue
		}
		el, _ := bm["element"].(map[string]any)
		if el != nil && el["action_id"] == actionID {
			return el, true
		}
	}
	return nil, false
}

// inputStateLocked is the state Slack's client submits for an element
// holding value.
func (s *Server) inputStateLocked(el map[string]any, value string) (map[string]any, error) {
	typ, _ := el["type"].(string)
	if value == "" {
		// A cleared input submits as if it had never been filled.
		blank := maps.Clone(el)
		for k := range blank {
			if strings.HasPrefix(k, "initial_") {
				delete(blank, k)
			}
		}
		st, _ := initialState(blank)
		return st, nil
	}
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		return map[string]any{"type": typ, "value": value}, nil
	}
	_, st, err := s.actionForLocked(interactive{el: el, input: true}, value, "")
	if err != nil {
		return nil, err
	}
	return st, nil
}

// OpenAppHome is a member opening the app's Home tab (tab "home") or
// its Messages tab (tab "messages"): Slack sends app_home_opened, with
// the Home view last published to the member if there is one. The
// Messages tab opens the app's DM with the member.
func (s *Server) OpenAppHome(ctx context.Context, userID, tab string) (Reply, error) {
	if tab != "home" && tab != "messages" {
		return Reply{}, fmt.Errorf("slackfake: tab must be home or messages, not %q", tab)
	}
	s.mu.Lock()
	u, ok := s.users[userID]
	if !ok || u.IsBot || u.Deleted {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: no member %q", userID)
	}
	dm := s.dmLocked(u.ID)
	ev := map[string]any{"type": "app_home_opened", "user": u.ID, "channel": dm.ID, "tab": tab}
	if v, ok := s.homes[u.ID]; ok {
		ev["view"] = s.viewJSONLocked(v)
	}
	s.notifyLocked()
	s.mu.Unlock()
	return s.SendEvent(ctx, ev)
}

// SendHomeAction is a member using an element (button, select, date
// picker, …) in their Home tab: a block_actions payload with a "view"
// container and the Home view, and no response_url, as Slack sends it.
// See SendBlockAction for value.
func (s *Server) SendHomeAction(ctx context.Context, userID, actionID, value string) (Reply, error) {
	s.mu.Lock()
	u, ok := s.users[userID]
	v := s.homes[userID]
	if !ok || v == nil {
		s.mu.Unlock()
		return Reply{}, fmt.Errorf("slackfake: %s has no Home tab published", userID)
	}
	return s.sendViewActionLocked(ctx, u, v, "the Home tab of "+userID, actionID, value)
}
