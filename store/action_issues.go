package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals/incident"
)

// The GitHub issues of action items: action ID → incident.IssueLink. Kept
// apart from the items so that the issue sync writes only its own records
// and never races a person closing the item.
var bucketActionIssues = registerBucket("action_issues")

// PutIssueLink stores the issue of an action item.
func (db *DB) PutIssueLink(l incident.IssueLink) error {
	return db.update("put_issue_link", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketActionIssues), []byte(l.ActionID), l)
	})
}

// IssueLinks returns every action item's issue, by action ID.
func (db *DB) IssueLinks() (map[string]incident.IssueLink, error) {
	out := map[string]incident.IssueLink{}
	err := db.view("issue_links", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketActionIssues)
		if b == nil {
			return nil
		}
		links, err := decodePrefix[incident.IssueLink](b, nil, nil)
		if err != nil {
			return fmt.Errorf("read issue links: %w", err)
		}
		for _, l := range links {
			out[l.ActionID] = l
		}
		return nil
	})
	return out, err
}
