package bot

import (
	"strings"
	"testing"
)

func TestMarkClicked(t *testing.T) {
	msg := `[{"type":"section","text":{"type":"mrkdwn","text":"*A*"},"accessory":{"type":"button","action_id":"incident:done","value":"a1","text":{"type":"plain_text","text":"Done"}}},` +
		`{"type":"section","text":{"type":"mrkdwn","text":"*B*"},"accessory":{"type":"button","action_id":"incident:done","value":"a2","text":{"type":"plain_text","text":"Done"}}},` +
		`{"type":"actions","elements":[{"type":"button","action_id":"incident:publish","value":"1"},{"type":"button","action_id":"incident:retro","value":"1"}]}]`
	out, ok := markClicked([]byte(msg), "incident:done", "a2", "Done ✓")
	if !ok || strings.Count(string(out), `"action_id":"incident:done"`) != 1 || !strings.Contains(string(out), `"*B*\nDone ✓"`) {
		t.Errorf("Done on B: %v %s", ok, out)
	}
	out, ok = markClicked([]byte(msg), "incident:publish", "1", "Published ✓")
	if !ok || strings.Contains(string(out), "incident:publish") || strings.Contains(string(out), `"type":"actions"`) || !strings.Contains(string(out), `{"elements":[{"text":"Published ✓","type":"mrkdwn"}],"type":"context"}`) {
		t.Errorf("Publish: %v %s", ok, out)
	}
	for _, c := range []struct{ blocks, id, value string }{{"", "incident:done", "a1"}, {msg, "incident:done", "a9"}, {"not json", "x", "y"}} {
		if _, ok := markClicked([]byte(c.blocks), c.id, c.value, "x"); ok {
			t.Errorf("markClicked(%q, %s, %s) found a button", c.blocks, c.id, c.value)
		}
	}
}
