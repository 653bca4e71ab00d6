package bot

import (
	"encoding/json"
)

// markClicked returns the blocks of a clicked message (as Slack sent them)
// with the button actionID/value gone and mark (mrkdwn) in its place: a
// section loses the button beside it and gains the mark on a line of its
// own; a row of buttons becomes the mark. ok is false when the button is
// not there (an old message, or none came with the click).
func markClicked(blocks json.RawMessage, actionID, value, mark string) (json.RawMessage, bool) {
	var bs []map[string]any
	if len(blocks) == 0 || json.Unmarshal(blocks, &bs) != nil {
		return nil, false
	}
	isIt := func(el any) bool {
		m, ok := el.(map[string]any)
		return ok && m["type"] == "button" && m["action_id"] == actionID && m["value"] == value
	}
	found := false
	for i, b := range bs {
		switch b["type"] {
		case "section":
			if !isIt(b["accessory"]) {
				continue
			}
			delete(b, "accessory")
			if t, ok := b["text"].(map[string]any); ok {
				if s, ok := t["text"].(string); ok {
					t["text"] = s + "\n" + mark
				}
			}
			found = true
		case "actions":
			els, _ := b["elements"].([]any)
			for _, el := range els {
				if isIt(el) {
					bs[i] = map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": mark}}}
					found = true
					break
				}
			}
		}
	}
	if !found {
		return nil, false
	}
	out, err := json.Marshal(bs)
	return out, err == nil
}
