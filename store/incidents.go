package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// Incident buckets:
//
//	incidents         seqKey(number)            → Incident (its sequence numbers incidents)
//	incidents_open    seqKey(number)            → ritual name, while the incident is open
//	incident_sources  ritual 0 source 0 ref     → seqKey(number) of the latest incident for it
//	incident_actions  action ID                 → ActionItem
//	incident_briefs   seqKey(number)            → the incident's brief and ritual, what lists and the digest read
//
// A year of incidents with their timelines is megabytes of JSON; a digest
// or /incident list that decoded all of it would take tens of
// milliseconds, so they read the briefs (a tenth of the size) and decode
// in full only the incidents they show.
var (
	bucketIncidents       = registerBucket("incidents")
	bucketIncidentsOpen   = registerBucket("incidents_open")
	bucketIncidentSources = registerBucket("incident_sources")
	bucketIncidentActions = registerBucket("incident_actions")
	bucketIncidentBriefs  = registerBucket("incident_briefs")
)

// briefRecord is what incident_briefs holds.
type briefRecord struct {
	Ritual string
	rituals.IncidentBrief
}

func incidentBrief(inc incident.Incident) briefRecord {
	return briefRecord{Ritual: inc.Ritual, IncidentBrief: inc.Brief()}
}

var _ incident.IncidentStore = (*DB)(nil)

func init() {
	number := func(k []byte) (string, bool) {
		n, err := parseSeqKey(k)
		if err != nil {
			return "", false
		}
		return fmt.Sprint(n), true
	}
	registerFormat("incidents", format{Key: number})
	registerFormat("incidents_open", format{Key: number})
	registerFormat("incident_briefs", format{Key: number})
	registerFormat("incident_sources", format{Value: func(_, v []byte) (json.RawMessage, bool) {
		n, err := parseSeqKey(v)
		if err != nil {
			return nil, false
		}
		return json.RawMessage(fmt.Sprint(n)), true
	}})
}

func sourceKey(ritual, source, ref string) []byte { return joinKey(ritual, source, ref) }

// putIncident writes inc and keeps its brief and the open index in step.
func (db *DB) putIncident(tx *bolt.Tx, inc incident.Incident) error {
	db.briefs.stale(tx)
	k := seqKey(uint64(inc.Number))
	if err := putJSON(tx.Bucket(bucketIncidents), k, inc); err != nil {
		return err
	}
	// Most changes (an update, an alert) leave the brief and the open
	// index as they were: writing them anyway would add their pages to
	// the commit's writes and fsync.
	if err := putJSONIfChanged(tx.Bucket(bucketIncidentBriefs), k, incidentBrief(inc)); err != nil {
		return err
	}
	open := tx.Bucket(bucketIncidentsOpen)
	switch was := open.Get(k); {
	case inc.IsOpen() && string(was) != inc.Ritual:
		return open.Put(k, []byte(inc.Ritual))
	case !inc.IsOpen() && was != nil:
		return open.Delete(k)
	}
	return nil
}

// SaveIncident stores inc, under the next number if it has none, and
// enqueues the messages built for it, in one transaction: an incident is
// never recorded without its announcement nor announced unrecorded, and a
// webhook costs one commit.
func (db *DB) SaveIncident(inc incident.Incident, now time.Time, messages func(incident.Incident) []rituals.Message) (incident.Incident, error) {
	err := db.update("save_incident", func(tx *bolt.Tx) error {
		if inc.Number <= 0 {
			seq, err := tx.Bucket(bucketIncidents).NextSequence()
			if err != nil {
				return err
			}
			inc.Number = int(seq)
			if inc.SourceRef != "" {
				if err := tx.Bucket(bucketIncidentSources).Put(sourceKey(inc.Ritual, inc.Source, inc.SourceRef), seqKey(seq)); err != nil {
					return err
				}
			}
		}
		if err := db.putIncident(tx, inc); err != nil {
			return err
		}
		if messages == nil {
			return nil
		}
		return enqueueTx(tx, now, messages(inc))
	})
	if err != nil {
		return inc, fmt.Errorf("save incident %d: %w", inc.Number, err)
	}
	return inc, nil
}

// PutIncident stores an incident that has its number.
func (db *DB) PutIncident(inc incident.Incident) error {
	if inc.Number <= 0 {
		return fmt.Errorf("put incident: no number")
	}
	return db.update("put_incident", func(tx *bolt.Tx) error { return db.putIncident(tx, inc) })
}

// Incident returns incident n.
func (db *DB) Incident(n int) (inc incident.Incident, ok bool, err error) {
	if n <= 0 {
		return inc, false, nil
	}
	err = db.view("incident", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketIncidents), seqKey(uint64(n)), &inc)
		return err
	})
	return inc, ok, err
}

// ReadIncident returns incident n without its alert state: a list reads
// a few incidents whose alert state can be a hundred kilobytes each.
func (db *DB) ReadIncident(n int) (inc incident.Incident, ok bool, err error) {
	if n <= 0 {
		return inc, false, nil
	}
	err = db.view("read_incident", func(tx *bolt.Tx) error {
		var r incidentWithoutAlerts
		ok, err = getJSON(tx.Bucket(bucketIncidents), seqKey(uint64(n)), &r)
		inc = r.Incident
		return err
	})
	return inc, ok, err
}

// incidentWithoutAlerts decodes an incident and passes over its alert
// state: the outer fields take those names from the embedded Incident.
type incidentWithoutAlerts struct {
	incident.Incident
	Firing      skipped
	AlertStates skipped
}

// skipped is a JSON value read past, never decoded.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// Incidents returns a ritual's incidents ("" for all), oldest first.
func (db *DB) Incidents(ritual string) (out []incident.Incident, err error) {
	err = db.view("incidents", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix(tx.Bucket(bucketIncidents), nil, func(inc incident.Incident) bool { return ritual == "" || inc.Ritual == ritual })
		return err
	})
	return out, err
}

// IncidentBriefs returns the briefs of a ritual's incidents ("" for all),
// oldest first.
func (db *DB) IncidentBriefs(ritual string) ([]rituals.IncidentBrief, error) {
	all, err := db.allBriefs()
	if err != nil {
		return nil, err
	}
	return filtered(all, func(b briefRecord) (rituals.IncidentBrief, bool) {
		return b.IncidentBrief, ritual == "" || b.Ritual == ritual
	}), nil
}

// IncidentBriefsWhere returns the briefs of the incidents keep accepts
// (told each one's ritual), oldest first, in a slice of the caller's own:
// a team's, without a copy of every incident's.
func (db *DB) IncidentBriefsWhere(keep func(ritual string, b rituals.IncidentBrief) bool) ([]rituals.IncidentBrief, error) {
	all, err := db.allBriefs()
	if err != nil {
		return nil, err
	}
	return kept(all, func(b *briefRecord) bool { return keep(b.Ritual, b.IncidentBrief) },
		func(b *briefRecord) rituals.IncidentBrief { return b.IncidentBrief }), nil
}

// ActionBriefsWhere returns the briefs of the action items keep accepts,
// in the order they were created, in a slice of the caller's own.
func (db *DB) ActionBriefsWhere(keep func(incident.ActionItem) bool) ([]rituals.ActionBrief, error) {
	all, err := db.actionItems()
	if err != nil {
		return nil, err
	}
	return kept(all, func(a *incident.ActionItem) bool { return keep(*a) }, (*incident.ActionItem).Brief), nil
}

// kept is filtered with keep asked once per item.
func kept[T, U any](items []T, keep func(*T) bool, as func(*T) U) []U {
	var which []int32
	for i := range items {
		if keep(&items[i]) {
			which = append(which, int32(i))
		}
	}
	if len(which) == 0 {
		return nil
	}
	out := make([]U, len(which))
	for j, i := range which {
		out[j] = as(&items[i])
	}
	return out
}

// filtered returns what keep makes of each item it keeps, in a slice of
// the caller's own.
func filtered[T, U any](items []T, keep func(T) (U, bool)) []U {
	n := 0
	for _, it := range items {
		if _, ok := keep(it); ok {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]U, 0, n)
	for _, it := range items {
		if u, ok := keep(it); ok {
			out = append(out, u)
		}
	}
	return out
}

// allBriefs returns every incident's brief, by number, from the cache.
func (db *DB) allBriefs() ([]briefRecord, error) {
	return db.briefs.get(func() ([]briefRecord, error) {
		var out []briefRecord
		err := db.view("incident_briefs", func(tx *bolt.Tx) (err error) {
			out, err = decodePrefix[briefRecord](tx.Bucket(bucketIncidentBriefs), nil, nil)
			return err
		})
		for i := range out {
			out[i].Teams = slices.Clip(out[i].Teams) // an append by a caller copies
		}
		return out, err
	})
}

// IncidentRitual returns the ritual incident n belongs to, reading its
// brief rather than the whole incident.
func (db *DB) IncidentRitual(n int) (ritual string, ok bool, err error) {
	if n <= 0 {
		return "", false, nil
	}
	err = db.view("incident_ritual", func(tx *bolt.Tx) error {
		var b struct{ Ritual string }
		ok, err = getJSON(tx.Bucket(bucketIncidentBriefs), seqKey(uint64(n)), &b)
		ritual = b.Ritual
		return err
	})
	return ritual, ok, err
}

// OpenIncidents returns the open incidents of a ritual ("" for all),
// through the open index.
func (db *DB) OpenIncidents(ritual string) ([]incident.Incident, error) {
	var out []incident.Incident
	err := db.view("open_incidents", func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketIncidents)
		return tx.Bucket(bucketIncidentsOpen).ForEach(func(k, v []byte) error {
			if ritual != "" && string(v) != ritual {
				return nil
			}
			var inc incident.Incident
			ok, err := getJSON(all, k, &inc)
			if err != nil || !ok {
				return err
			}
			out = append(out, inc)
			return nil
		})
	})
	return out, err
}

// LatestIncident returns the highest-numbered incident of a ritual ("" for
// any).
func (db *DB) LatestIncident(ritual string) (inc incident.Incident, ok bool, err error) {
	err = db.view("latest_incident", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIncidents).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var cur incident.Incident
			if err := decode(v, &cur); err != nil {
				return err
			}
			if ritual == "" || cur.Ritual == ritual {
				inc, ok = cur, true
				return nil
			}
		}
		return nil
	})
	return inc, ok, err
}

// IncidentBySource returns the latest incident a ritual opened for a
// source reference.
func (db *DB) IncidentBySource(ritual, source, ref string) (inc incident.Incident, ok bool, err error) {
	if ref == "" {
		return inc, false, nil
	}
	err = db.view("incident_by_source", func(tx *bolt.Tx) error {
		k := tx.Bucket(bucketIncidentSources).Get(sourceKey(ritual, source, ref))
		if k == nil {
			return nil
		}
		ok, err = getJSON(tx.Bucket(bucketIncidents), k, &inc)
		return err
	})
	return inc, ok, err
}

// PutAction stores an action item.
func (db *DB) PutAction(a incident.ActionItem) error {
	return db.update("put_action", func(tx *bolt.Tx) error {
		db.actions.stale(tx)
		return putJSON(tx.Bucket(bucketIncidentActions), []byte(a.ID), a)
	})
}

// DeleteAction removes an action item.
func (db *DB) DeleteAction(id string) error {
	return db.update("delete_action", func(tx *bolt.Tx) error {
		db.actions.stale(tx)
		return tx.Bucket(bucketIncidentActions).Delete([]byte(id))
	})
}

// Action returns an action item by ID.
func (db *DB) Action(id string) (a incident.ActionItem, ok bool, err error) {
	err = db.view("action", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketIncidentActions), []byte(id), &a)
		return err
	})
	return a, ok, err
}

// ActionItems returns a ritual's action items ("" for all), in the order
// they were created.
func (db *DB) ActionItems(ritual string) ([]incident.ActionItem, error) {
	all, err := db.actionItems()
	if err != nil {
		return nil, err
	}
	return filtered(all, func(a incident.ActionItem) (incident.ActionItem, bool) {
		return a, ritual == "" || a.Ritual == ritual
	}), nil
}

// actionItems returns every action item, by creation, from the cache.
func (db *DB) actionItems() ([]incident.ActionItem, error) {
	return db.actions.get(func() ([]incident.ActionItem, error) {
		var out []incident.ActionItem
		err := db.view("action_items", func(tx *bolt.Tx) (err error) {
			out, err = decodePrefix[incident.ActionItem](tx.Bucket(bucketIncidentActions), nil, nil)
			return err
		})
		slices.SortStableFunc(out, func(a, b incident.ActionItem) int {
			return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
		})
		for i := range out {
			out[i].Teams = slices.Clip(out[i].Teams) // an append by a caller copies
		}
		return out, err
	})
}
