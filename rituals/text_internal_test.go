package rituals

import (
	"strings"
	"testing"
	"time"
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

	// Where lists are capped: a Home tab's blockers, an alert event.
	var blockers []Blocker
	for i := 0; i < maxHomeItems+2; i++ {
		blockers = append(blockers, Blocker{User: "U1", Text: "waiting", Opened: monday.Add(time.Duration(i) * time.Hour)})
	}
	if got := blockersText(blockers, monday.Add(48*time.Hour)); strings.Count(got, "• ") != maxHomeItems || !strings.HasSuffix(got, "\n… and 2 more") {
		t.Errorf("Home blockers:\n%s", got)
	}
	alerts := make([]Alert, 7)
	if got := alertList(alerts); strings.Count(got, "• alert") != 5 || !strings.HasSuffix(got, "\n… and 2 more") {
		t.Errorf("alert list:\n%s", got)
	}
}
