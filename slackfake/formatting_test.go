package slackfake

import "testing"

func TestCutInToken(t *testing.T) {
	for text, want := range map[string]bool{
		"ping <@U0ALICE>":          false,
		"ping <@U0AL…":             true,
		"a &amp; b":                false,
		"a &am…":                   true,
		"a &":                      true,
		"R&D":                      false,
		"<https://x.example|lab":   true,
		"*bold* and _italic_ text": false,
	} {
		if got := cutInToken(text); got != want {
			t.Errorf("cutInToken(%q) = %v, want %v", text, got, want)
		}
	}
}
