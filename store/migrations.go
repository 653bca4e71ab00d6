package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// migrations[i] upgrades a store from schema i+1 to i+2, inside the one
// transaction that opening runs (see DB.init): a migration that fails
// leaves the file as it was. Append to add a version; never edit or
// reorder one that has been released.
var migrations = []migration{
	rebuildIndexes, // 1 → 2
	encodeDeploys,  // 2 → 3
}

// rebuildIndexes (schema 2) builds the indexes that data written by older
// code lacks, from the records they index: the standups' (see
// rebuildStandupIndexes) and the incidents' briefs.
func rebuildIndexes(tx *bolt.Tx) error {
	if err := rebuildStandupIndexes(tx); err != nil {
		return err
	}
	if err := rebuildIndex(tx, bucketIncidents, bucketIncidentBriefs, func(k, v []byte) ([]byte, []byte, error) {
		var inc incident.Incident
		if err := json.Unmarshal(v, &inc); err != nil {
			return nil, nil, err
		}
		b, err := json.Marshal(incidentBrief(inc))
		return k, b, err
	}); err != nil {
		return fmt.Errorf("build the incidents' briefs: %w", err)
	}
	return nil
}

// encodeDeploys (schema 3) rewrites the deploys, kept as JSON until then,
// in the deploy encoding (deploy_encoding.go), which the digest decodes
// about twenty times faster.
func encodeDeploys(tx *bolt.Tx) error {
	deploys := tx.Bucket(bucketDeploys)
	if deploys == nil {
		return nil
	}
	// bbolt does not allow writes while ForEach walks: collect, then put.
	type record struct{ k, v []byte }
	var records []record
	err := deploys.ForEach(func(k, v []byte) error {
		if len(v) > 0 && v[0] == deployFormat1 {
			return nil
		}
		var d rituals.Deploy
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("deploy %q: %w", k, err)
		}
		enc, err := encodeDeploy(d)
		if err != nil {
			return err
		}
		records = append(records, record{append([]byte(nil), k...), enc})
		return nil
	})
	if err != nil {
		return fmt.Errorf("encode the deploys: %w", err)
	}
	for _, r := range records {
		if err := deploys.Put(r.k, r.v); err != nil {
			return fmt.Errorf("encode the deploys: %w", err)
		}
	}
	return nil
}

// rebuildStandupIndexes derives the standups' two indexes from
// the records they index: standup_answers_by_user (what /standup history
// and the digest's member figures walk) from standup_answers, and
// blockers_open (the summary's and the digest's open blockers) from
// blockers. The store kept standups before it kept those indexes; without
// them such answers and blockers would exist but never be found. Each index
// is dropped and written anew, so the result is exactly what today's
// writes would have made, whatever the store held.
//
// Tallies (standup_tallies, standup_member_days) are not rebuilt: they are
// what a summary saw (the team, who was away by Slack status), which the
// records do not keep. Days summarized before tallies existed count as no
// standup held in the digest.
func rebuildStandupIndexes(tx *bolt.Tx) error {
	if err := rebuildIndex(tx, bucketAnswers, bucketAnswersByUser, func(_, v []byte) ([]byte, []byte, error) {
		var a struct {
			Ritual, User string
			Date         rituals.Date
		}
		if err := json.Unmarshal(v, &a); err != nil {
			return nil, nil, err
		}
		return joinKey(a.Ritual, a.User, a.Date.String()), present, nil
	}); err != nil {
		return fmt.Errorf("rebuild the answers' index: %w", err)
	}
	if err := rebuildIndex(tx, bucketBlockers, bucketBlockersOpen, func(_, v []byte) ([]byte, []byte, error) {
		var b rituals.Blocker
		if err := json.Unmarshal(v, &b); err != nil {
			return nil, nil, err
		}
		if !b.Open() {
			return nil, nil, nil
		}
		return joinKey(b.Ritual, b.ID), present, nil
	}); err != nil {
		return fmt.Errorf("rebuild the open blockers' index: %w", err)
	}
	return nil
}

// rebuildIndex replaces index with one entry per record of bucket that
// entry returns a key for.
func rebuildIndex(tx *bolt.Tx, bucket, index []byte, entry func(k, v []byte) (ik, iv []byte, err error)) error {
	if tx.Bucket(index) != nil {
		if err := tx.DeleteBucket(index); err != nil {
			return err
		}
	}
	idx, err := tx.CreateBucket(index)
	if err != nil {
		return err
	}
	records := tx.Bucket(bucket)
	if records == nil {
		return nil
	}
	return records.ForEach(func(k, v []byte) error {
		ik, iv, err := entry(k, v)
		if err != nil {
			return fmt.Errorf("record %q: %w", k, err)
		}
		if ik == nil {
			return nil
		}
		return idx.Put(append([]byte(nil), ik...), iv)
	})
}
