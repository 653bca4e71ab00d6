package incident

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// maxFiring caps the firing alerts an incident remembers. Alertmanager
// sends a group's whole state in every notification, so a group that
// keeps growing (fresh fingerprints each time) would otherwise grow the
// incident with it, and every later webhook would decode and rewrite it
// all. Past the cap the oldest are forgotten: should one of those resolve,
// it is not counted as resolved, and should it be sent firing again, it is
// counted as fired again.
const maxFiring = 5000

// alertID is the alert's identity within its group: the fingerprint
// Alertmanager computes, or a hash of its sorted labels when it has none
// (labels can be kilobytes; the state keeps only the ID).
func (a Alert) alertID() string {
	if a.Fingerprint != "" {
		return a.Fingerprint
	}
	h := fnv.New64a()
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		h.Write([]byte(k + "=" + a.Labels[k] + ","))
	}
	return "labels:" + strconv.FormatUint(h.Sum64(), 16)
}

// trackAlerts applies a notification's alerts to the firing IDs an incident
// remembers (those of the latest notification first). It returns the new
// list, the alerts that started firing and those that resolved. A resolved
// alert is forgotten at once: only a firing one can change state again.
func trackAlerts(firing []string, alerts []Alert) (next []string, fired, cleared []Alert) {
	known := make(map[string]bool, len(firing))
	for _, id := range firing {
		known[id] = true
	}
	mentioned := make(map[string]bool, len(alerts))
	next = make([]string, 0, min(len(firing)+len(alerts), maxFiring))
	for _, a := range alerts {
		id := a.alertID()
		if mentioned[id] {
			continue
		}
		mentioned[id] = true
		switch a.Status {
		case AlertFiring:
			if !known[id] {
				fired = append(fired, a)
			}
			next = append(next, id)
		case AlertResolved:
			if known[id] {
				cleared = append(cleared, a)
			}
		}
	}
	for _, id := range firing {
		if !mentioned[id] {
			next = append(next, id)
		}
	}
	if len(next) > maxFiring {
		next = slices.Clip(next[:maxFiring])
	}
	return next, fired, cleared
}

// firingAlerts returns the IDs of inc's firing alerts, folding in the
// state map that records written before the cap hold (keyed by
// fingerprint or by the labels themselves).
func (inc *Incident) firingAlerts() []string {
	if inc.AlertStates == nil {
		return inc.Firing
	}
	firing := inc.Firing
	for _, id := range slices.Sorted(maps.Keys(inc.AlertStates)) {
		if inc.AlertStates[id] == AlertFiring && len(firing) < maxFiring {
			if strings.HasSuffix(id, ",") { // sorted labels, from before the hash
				id = labelsID(id)
			}
			firing = append(firing, id)
		}
	}
	inc.AlertStates = nil
	return firing
}

// labelsID is alertID for an alert known by its "k=v," labels string.
func labelsID(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return "labels:" + strconv.FormatUint(h.Sum64(), 16)
}

// alertsField sums up an alert-opened incident's alerts for its
// announcement: what the thread stops showing once its alert events are
// capped.
func alertsField(inc Incident) string {
	if f := stormField(inc); f != "" {
		return f
	}
	if inc.AlertsFired == 0 && inc.AlertsResolved == 0 {
		return ""
	}
	return fmt.Sprintf("*Alerts*\n%s fired · %s resolved", thousands(inc.AlertsFired), thousands(inc.AlertsResolved))
}

// thousands writes n with thousands separators: 12,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
