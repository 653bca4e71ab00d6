package incident

import (
	"fmt"
	"slices"
	"testing"
)

func TestTrackAlerts(t *testing.T) {
	alert := func(fp, status string) Alert { return Alert{Fingerprint: fp, Status: status} }
	ids := func(as []Alert) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.alertID())
		}
		return out
	}
	many := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%05d", prefix, i)
		}
		return out
	}
	firingOf := func(fps []string) []Alert {
		out := make([]Alert, len(fps))
		for i, fp := range fps {
			out[i] = alert(fp, AlertFiring)
		}
		return out
	}
	tests := []struct {
		name             string
		firing           []string
		alerts           []Alert
		next, fired, clr []string
	}{
		{name: "new alerts fire", alerts: []Alert{alert("a", AlertFiring), alert("b", AlertFiring)},
			next: []string{"a", "b"}, fired: []string{"a", "b"}},
		{name: "a repeat is no change", firing: []string{"a"}, alerts: []Alert{alert("a", AlertFiring)},
			next: []string{"a"}},
		{name: "a resolve is counted and forgotten", firing: []string{"a", "b"}, alerts: []Alert{alert("a", AlertResolved), alert("b", AlertFiring)},
			next: []string{"b"}, clr: []string{"a"}},
		{name: "a repeated resolve counts once", firing: []string{"b"}, alerts: []Alert{alert("a", AlertResolved)},
			next: []string{"b"}},
		{name: "a resolved alert that fires again fires", alerts: []Alert{alert("a", AlertFiring)},
			next: []string{"a"}, fired: []string{"a"}},
		{name: "an alert twice in one notification counts once", alerts: []Alert{alert("a", AlertFiring), alert("a", AlertFiring)},
			next: []string{"a"}, fired: []string{"a"}},
		{name: "the latest notification's alerts come first", firing: []string{"old"}, alerts: []Alert{alert("new", AlertFiring)},
			next: []string{"new", "old"}, fired: []string{"new"}},
		{name: "past the cap the oldest are forgotten", firing: many("old", maxFiring), alerts: firingOf(many("new", 10)),
			next: append(many("new", 10), many("old", maxFiring-10)...), fired: many("new", 10)},
		{name: "a notification bigger than the cap keeps its first", alerts: firingOf(many("x", maxFiring+5)),
			next: many("x", maxFiring), fired: many("x", maxFiring+5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, fired, cleared := trackAlerts(tt.firing, tt.alerts)
			if !slices.Equal(next, tt.next) {
				t.Errorf("firing after: %d %.5v…, want %d %.5v…", len(next), next, len(tt.next), tt.next)
			}
			if got := ids(fired); !slices.Equal(got, tt.fired) {
				t.Errorf("fired: %d %.5v, want %d %.5v", len(got), got, len(tt.fired), tt.fired)
			}
			if got := ids(cleared); !slices.Equal(got, tt.clr) {
				t.Errorf("resolved: %v, want %v", got, tt.clr)
			}
		})
	}
}

func TestOldAlertStatesFoldIntoFiring(t *testing.T) {
	labels := Alert{Labels: map[string]string{"alertname": "A", "job": "api"}}
	inc := Incident{AlertStates: map[string]string{"f1": AlertFiring, "f2": AlertResolved, "alertname=A,job=api,": AlertFiring}}
	got := inc.firingAlerts()
	if want := []string{labels.alertID(), "f1"}; !slices.Equal(got, want) || inc.AlertStates != nil {
		t.Errorf("folded %v (states left %v), want %v", got, inc.AlertStates, want)
	}
}
