package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// incident_storm_members  seqKey(number) source 0 ref → StormMember
//
// A storm incident's members live beside it, not in it: thousands of
// alert groups would otherwise be decoded and rewritten by every webhook.
// incident_sources maps each member's reference to the storm incident.
var bucketStormMembers = registerBucket("incident_storm_members")

func init() {
	registerFormat("incident_storm_members", format{Key: func(k []byte) (string, bool) {
		if len(k) < 8 {
			return "", false
		}
		n, err := parseSeqKey(k[:8])
		if err != nil {
			return "", false
		}
		return fmt.Sprintf("%d/%s", n, bytes.ReplaceAll(k[8:], []byte{0}, []byte("/"))), true
	}})
}

func stormMemberKey(number int, source, ref string) []byte {
	return append(seqKey(uint64(number)), joinKey(source, ref)...)
}

// SaveStorm stores storm incident inc (numbering it if new) and the state
// of its member m, points m's source reference at inc, and enqueues the
// messages built, in one transaction.
func (db *DB) SaveStorm(inc incident.Incident, m incident.StormMember, now time.Time, messages func(incident.Incident) []rituals.Message) (incident.Incident, error) {
	err := db.update("save_storm", func(tx *bolt.Tx) error {
		if inc.Number <= 0 {
			seq, err := tx.Bucket(bucketIncidents).NextSequence()
			if err != nil {
				return err
			}
			inc.Number = int(seq)
		}
		if err := db.putIncident(tx, inc); err != nil {
			return err
		}
		k := seqKey(uint64(inc.Number))
		sources := tx.Bucket(bucketIncidentSources)
		if sk := sourceKey(inc.Ritual, m.Source, m.Ref); !bytes.Equal(sources.Get(sk), k) {
			if err := sources.Put(sk, k); err != nil {
				return err
			}
		}
		if err := putJSON(tx.Bucket(bucketStormMembers), stormMemberKey(inc.Number, m.Source, m.Ref), m); err != nil {
			return err
		}
		if messages == nil {
			return nil
		}
		return enqueueTx(tx, now, messages(inc))
	})
	if err != nil {
		return inc, fmt.Errorf("save storm incident %d: %w", inc.Number, err)
	}
	return inc, nil
}

// StormMember returns the state of a member of storm incident number.
func (db *DB) StormMember(number int, source, ref string) (m incident.StormMember, ok bool, err error) {
	err = db.view("storm_member", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketStormMembers), stormMemberKey(number, source, ref), &m)
		return err
	})
	return m, ok, err
}

// StormMembers returns the members of storm incident number, by source
// and reference.
func (db *DB) StormMembers(number int) (out []incident.StormMember, err error) {
	err = db.view("storm_members", func(tx *bolt.Tx) (err error) {
		out, err = decodePrefix[incident.StormMember](tx.Bucket(bucketStormMembers), seqKey(uint64(number)), nil)
		return err
	})
	return out, err
}
