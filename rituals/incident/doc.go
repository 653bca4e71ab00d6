// Package incident is the incidents ritual: declaring, updating and
// resolving incidents and who may do what to them, alerts from
// Alertmanager and events from PagerDuty and which ritual takes them (Set),
// action items, retros and postmortems.
package incident
