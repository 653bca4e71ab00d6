package slackfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// A trigger_id expires 3 s after the click in real time, whatever clock
// the app runs on (api.slack.com/interactivity/handling#modal_responses,
// "trigger_id ... expires in 3 seconds"; slack-go's views.go); so does a
// response_url after 30 minutes. A test's fake clock does not stretch them.
const (
	triggerTTL   = 3 * time.Second
	maxViewStack = 3
)

// newTriggerLocked issues a trigger_id for a user interaction.
func (s *Server) newTriggerLocked(userID string) string {
	s.seq++
	id := fmt.Sprintf("%d.%d.%s", s.seq, s.opts.Now().Unix(), randomHex(16))
	s.triggers[id] = &trigger{issued: s.wall(), user: userID}
	return id
}

// useTriggerLocked spends a trigger_id, as views.open and views.push do.
func (s *Server) useTriggerLocked(id string) (*trigger, string) {
	t, ok := s.triggers[id]
	switch {
	case id == "" || !ok:
		return nil, "invalid_trigger_id"
	case t.used:
		return nil, "exchanged_trigger_id"
	case s.wall().Sub(t.issued) > triggerTTL:
		return nil, "expired_trigger_id"
	}
	t.used = true
	return t, ""
}

func (s *Server) newHash() string {
	return fmt.Sprintf("%d.%s", s.opts.Now().Unix(), randomHex(4))
}

// viewArgLocked validates a view argument and the uniqueness of its
// external_id.
func (s *Server) viewArgLocked(p params, want string, self *view) (map[string]any, json.RawMessage, map[string]any) {
	raw := p.raw("view")
	if raw == nil {
		return nil, nil, fail("invalid_arguments")
	}
	obj, problems := validateView(raw, want)
	if problems != nil {
		return nil, nil, failProblems("invalid_arguments", problems)
	}
	if ext, _ := obj["external_id"].(string); ext != "" {
		for _, v := range s.views {
			if v.externalID == ext && v != self {
				return nil, nil, fail("duplicate_external_id")
			}
		}
	}
	return obj, raw, nil
}

func (s *Server) setViewContent(v *view, obj map[string]any, raw json.RawMessage) {
	v.obj, v.raw = obj, raw
	v.typ, _ = obj["type"].(string)
	v.callbackID, _ = obj["callback_id"].(string)
	v.privateMetadata, _ = obj["private_metadata"].(string)
	v.externalID, _ = obj["external_id"].(string)
	v.hash = s.newHash()
}

func (s *Server) viewJSONLocked(v *view) map[string]any {
	get := func(k string) any {
		if x, ok := v.obj[k]; ok {
			return x
		}
		return nil
	}
	flag := func(k string) bool { b, _ := v.obj[k].(bool); return b }
	var prev any
	if v.previousID != "" {
		prev = v.previousID
	}
	blocks := get("blocks")
	if blocks == nil {
		blocks = []any{}
	}
	return map[string]any{
		"id": v.id, "team_id": s.opts.TeamID, "type": v.typ, "blocks": blocks,
		"private_metadata": v.privateMetadata, "callback_id": v.callbackID,
		"state": map[string]any{"values": map[string]any{}}, "hash": v.hash,
		"title": get("title"), "clear_on_close": flag("clear_on_close"), "notify_on_close": flag("notify_on_close"),
		"close": get("close"), "submit": get("submit"), "previous_view_id": prev,
		"root_view_id": v.rootID, "app_id": s.opts.AppID, "external_id": v.externalID,
		"app_installed_team_id": s.opts.TeamID, "bot_id": s.botID(),
	}
}

func (s *Server) apiViewsOpen(p params) map[string]any { return s.modalFromTriggerLocked(p, false) }

func (s *Server) apiViewsPush(p params) map[string]any { return s.modalFromTriggerLocked(p, true) }

// modalFromTriggerLocked is views.open, or with push views.push: the modal
// in p opened by its trigger, as a new root or on top of the user's stack.
func (s *Server) modalFromTriggerLocked(p params, push bool) map[string]any {
	obj, raw, errRes := s.viewArgLocked(p, "modal", nil)
	if errRes != nil {
		return errRes
	}
	t, code := s.useTriggerLocked(p.get("trigger_id"))
	if code != "" {
		return fail(code)
	}
	var parent *view
	if push {
		if parent = s.topViewLocked(t.user); parent == nil {
			// Nothing to push onto. (Exact code unverified.)
			return fail("not_found")
		}
		if len(s.stacks[t.user]) >= maxViewStack {
			return fail("push_limit_reached")
		}
	}
	v := s.openViewLocked(t.user, obj, raw, parent)
	return map[string]any{"view": s.viewJSONLocked(v)}
}

// openViewLocked opens a modal: a new root (closing any open stack) or,
// with parent set, a view pushed on parent's stack.
func (s *Server) openViewLocked(userID string, obj map[string]any, raw json.RawMessage, parent *view) *view {
	v := &view{id: s.nextID("V"), user: userID}
	s.setViewContent(v, obj, raw)
	if parent == nil {
		s.closeStackLocked(userID)
		v.rootID = v.id
	} else {
		v.rootID, v.previousID = parent.rootID, parent.id
	}
	s.views[v.id] = v
	s.stacks[userID] = append(s.stacks[userID], v.id)
	s.notifyLocked()
	return v
}

func (s *Server) closeStackLocked(userID string) {
	for _, id := range s.stacks[userID] {
		delete(s.views, id)
	}
	delete(s.stacks, userID)
	s.notifyLocked()
}

// closeViewLocked closes one view and every view pushed above it.
func (s *Server) closeViewLocked(v *view) {
	st := s.stacks[v.user]
	i := slices.Index(st, v.id)
	if i < 0 {
		return
	}
	for _, id := range st[i:] {
		delete(s.views, id)
	}
	if i == 0 {
		delete(s.stacks, v.user)
	} else {
		s.stacks[v.user] = st[:i]
	}
	s.notifyLocked()
}

func (s *Server) topViewLocked(userID string) *view {
	st := s.stacks[userID]
	if len(st) == 0 {
		return nil
	}
	return s.views[st[len(st)-1]]
}

func (s *Server) apiViewsUpdate(p params) map[string]any {
	var v *view
	if id := p.get("view_id"); id != "" {
		v = s.views[id]
	} else if ext := p.get("external_id"); ext != "" {
		for _, x := range s.views {
			if x.externalID == ext {
				v = x
			}
		}
	} else {
		return fail("invalid_arguments")
	}
	if v == nil {
		return fail("not_found")
	}
	obj, raw, errRes := s.viewArgLocked(p, "modal", v)
	if errRes != nil {
		return errRes
	}
	if h := p.get("hash"); h != "" && h != v.hash {
		return fail("hash_conflict")
	}
	s.setViewContent(v, obj, raw)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSONLocked(v)}
}

func (s *Server) apiViewsPublish(p params) map[string]any {
	uid := p.get("user_id")
	if _, ok := s.users[uid]; !ok {
		return fail("user_not_found")
	}
	obj, raw, errRes := s.viewArgLocked(p, "home", s.homes[uid])
	if errRes != nil {
		return errRes
	}
	v := s.homes[uid]
	if h := p.get("hash"); h != "" && v != nil && h != v.hash {
		return fail("hash_conflict")
	}
	if v == nil {
		v = &view{id: s.nextID("V"), user: uid}
		v.rootID = v.id
		s.homes[uid] = v
	}
	s.setViewContent(v, obj, raw)
	s.notifyLocked()
	return map[string]any{"view": s.viewJSONLocked(v)}
}
