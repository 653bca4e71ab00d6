package rituals

import (
	"reflect"
	"testing"
	"time"
)

func TestUniqueIncidents(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 23, h, 0, 0, 0, time.UTC) }
	open := func(n, h int) IncidentBrief { return IncidentBrief{Number: n, Opened: at(h)} }
	resolved := func(n, h int) IncidentBrief { b := open(n, h); b.Resolved = at(h + 1); return b }
	for _, tc := range []struct {
		name    string
		in, out []IncidentBrief
	}{
		{"once each, in order", append(make([]IncidentBrief, 0, 8), open(1, 1), open(2, 1), resolved(3, 4)), []IncidentBrief{open(1, 1), open(2, 1), resolved(3, 4)}},
		{"reported twice: the resolved report wins, where the first was", []IncidentBrief{open(1, 1), open(2, 2), resolved(1, 1), open(1, 1)},
			[]IncidentBrief{resolved(1, 1), open(2, 2)}},
		{"out of order of opening", []IncidentBrief{open(1, 5), open(2, 2), open(3, 2)}, []IncidentBrief{open(2, 2), open(3, 2), open(1, 5)}},
		{"numbers falling", []IncidentBrief{open(3, 1), open(2, 2)}, []IncidentBrief{open(3, 1), open(2, 2)}},
		{"none", nil, nil},
	} {
		got := UniqueIncidents(tc.in)
		if len(got)+len(tc.out) > 0 && !reflect.DeepEqual(got, tc.out) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.out)
		}
		if len(got) > 0 && &got[0] == &tc.in[0] && cap(got) > len(got) {
			t.Errorf("%s: an append to the result would write to the caller's slice (cap %d, len %d)", tc.name, cap(got), len(got))
		}
	}
}
