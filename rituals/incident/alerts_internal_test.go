package incident

import (
	"strings"
	"testing"
)

// An alert event lists five alerts and says how many more there are.
func TestAlertListIsCapped(t *testing.T) {
	alerts := make([]Alert, 7)
	if got := alertList(alerts); strings.Count(got, "• alert") != 5 || !strings.HasSuffix(got, "\n… and 2 more") {
		t.Errorf("alert list:\n%s", got)
	}
}
