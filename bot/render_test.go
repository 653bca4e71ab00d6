package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ritualbot/ritualbot/rituals"
)

// blockJSON renders blocks and decodes them as Slack would read them.
func blockJSON(t *testing.T, blocks []rituals.Block, limit int) []map[string]any {
	t.Helper()
	raw, err := json.Marshal(RenderBlocks(blocks, limit))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRenderBlocksStaysWithinBlockKitLimits(t *testing.T) {
	var many []rituals.Block
	for range 70 {
		many = append(many, rituals.Section("answer"))
	}
	got := blockJSON(t, many, maxMessageBlocks)
	if len(got) != maxMessageBlocks {
		t.Fatalf("%d blocks, want the limit %d", len(got), maxMessageBlocks)
	}
	last := got[len(got)-1]
	if last["type"] != "context" || !strings.Contains(string(mustJSON(t, last)), "and 21 more") {
		t.Errorf("last block = %v, want a context saying how many were left out", last)
	}

	long := strings.Repeat("x", 5000)
	got = blockJSON(t, []rituals.Block{
		rituals.Header(long),
		rituals.Section(long),
		{Kind: rituals.SectionBlock, Fields: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}},
		rituals.Actions(rituals.Button{Text: long, ActionID: "x", Value: long}),
	}, maxMessageBlocks)
	text := func(b map[string]any) string { return b["text"].(map[string]any)["text"].(string) }
	if n := utf8.RuneCountInString(text(got[0])); n > maxHeaderText {
		t.Errorf("header text %d characters, over %d", n, maxHeaderText)
	}
	if n := utf8.RuneCountInString(text(got[1])); n > maxSectionText {
		t.Errorf("section text %d characters, over %d", n, maxSectionText)
	}
	if n := len(got[2]["fields"].([]any)); n != maxFields {
		t.Errorf("%d fields, want at most %d", n, maxFields)
	}
	btn := got[3]["elements"].([]any)[0].(map[string]any)
	if n := utf8.RuneCountInString(text(btn)); n > maxButtonText {
		t.Errorf("button text %d characters, over %d", n, maxButtonText)
	}
	if n := utf8.RuneCountInString(btn["value"].(string)); n > maxButtonValue {
		t.Errorf("button value %d characters, over %d", n, maxButtonValue)
	}
}

func TestPlainTextUndoesMrkdwnEscapes(t *testing.T) {
	got := blockJSON(t, []rituals.Block{rituals.Header(rituals.Escape("R&D <ops>"))}, maxMessageBlocks)
	if h := got[0]["text"].(map[string]any); h["type"] != "plain_text" || h["text"] != "R&D <ops>" {
		t.Errorf("header = %v; plain_text shows text verbatim, so escapes must be undone", h)
	}
}

func TestEmptyBlocksAreLeftOut(t *testing.T) {
	got := blockJSON(t, []rituals.Block{rituals.Section("  "), rituals.Context(), rituals.Actions(), rituals.Divider()}, maxMessageBlocks)
	if len(got) != 1 || got[0]["type"] != "divider" {
		t.Errorf("blocks = %v; Slack rejects empty sections, contexts and actions", got)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
