package bot

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/slack-go/slack"
)

// A form's errors about the whole form go to the first input on screen:
// view.blocks gives the order; state.values, a JSON object, gives none.
func TestInputsOnScreenKeepTheFormsOrder(t *testing.T) {
	for _, c := range []struct {
		name, view string
		want       []string
	}{
		{"blocks in screen order", `{"blocks":[
			{"type":"section","block_id":"intro","text":{"type":"mrkdwn","text":"Standup"}},
			{"type":"input","block_id":"yesterday","label":{"type":"plain_text","text":"Y"},"element":{"type":"plain_text_input","action_id":"value"}},
			{"type":"input","block_id":"today","label":{"type":"plain_text","text":"T"},"element":{"type":"plain_text_input","action_id":"value"}},
			{"type":"input","block_id":"blockers","label":{"type":"plain_text","text":"B"},"element":{"type":"plain_text_input","action_id":"value"}}],
			"state":{"values":{"blockers":{},"today":{},"yesterday":{}}}}`,
			[]string{"yesterday", "today", "blockers"}},
		{"no blocks: the state's, sorted", `{"state":{"values":{"today":{},"blockers":{}}}}`, []string{"blockers", "today"}},
		{"nothing", `{}`, nil},
	} {
		var v slack.View
		if err := json.Unmarshal([]byte(c.view), &v); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := inputsOnScreen(v); !slices.Equal(got, c.want) {
			t.Errorf("%s: inputs %v, want %v", c.name, got, c.want)
		}
	}
}
