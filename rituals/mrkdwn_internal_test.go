package rituals

import (
	"strings"
	"testing"
)

func TestCappedListsSayHowManyMore(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	for _, c := range []struct {
		max  int
		more string
		want string
	}{
		{5, "… and %d more", "a|b|c|d|e"},
		{9, "… and %d more", "a|b|c|d|e"},
		{3, "… and %d more", "a|b|c|… and 2 more"},
		{3, "and %d more", "a|b|c|and 2 more"},
		{4, "… and %d more (`/incident list`)", "a|b|c|d|… and 1 more (`/incident list`)"},
	} {
		if got := strings.Join(Capped(items, c.max, c.more), "|"); got != c.want {
			t.Errorf("capped(5 items, %d) = %q, want %q", c.max, got, c.want)
		}
	}
	if strings.Join(items, "") != "abcde" {
		t.Errorf("capped changed its input: %v", items)
	}

}
