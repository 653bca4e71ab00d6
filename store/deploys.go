package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// Deploy buckets:
//
//	deploys      timeKey(finished) id → Deploy, in the deploy encoding (deploy_encoding.go)
//	deploy_ids   id                   → timeKey(finished), to replace a deploy whose finish changed
//	deploy_shas  sha 0 id             → (empty), to give a late push's commits to its deploys
//	pushes       head sha             → Push
//
// Deploys sort by when they finished, so a digest reads its weeks with
// one cursor walk.
var (
	bucketDeploys    = registerBucket("deploys")
	bucketDeployIDs  = registerBucket("deploy_ids")
	bucketDeploySHAs = registerBucket("deploy_shas")
	bucketPushes     = registerBucket("pushes")
)

var _ digest.DeployStore = (*DB)(nil)

func init() {
	registerFormat("deploys", format{Key: formatTimePrefixedKey, Value: deployJSON})
	registerFormat("deploy_ids", format{Value: func(_, v []byte) (json.RawMessage, bool) {
		at, err := parseTimeKey(v)
		if err != nil {
			return nil, false
		}
		return jsonString(at.Format(time.RFC3339Nano)), true
	}})
}

// formatTimePrefixedKey shows timeKey + rest as "2026-11-23T10:05:00Z rest".
func formatTimePrefixedKey(k []byte) (string, bool) {
	if len(k) < timeKeyLen {
		return "", false
	}
	at, err := parseTimeKey(k[:timeKeyLen])
	if err != nil {
		return "", false
	}
	return at.Format(time.RFC3339Nano) + " " + readable(k[timeKeyLen:]), true
}

func deployKey(d rituals.Deploy) []byte {
	return append(timeKey(d.Finished), d.ID...)
}

// Deploy returns the deploy with the given ID.
func (db *DB) Deploy(id string) (d rituals.Deploy, ok bool, err error) {
	err = db.view("deploy", func(tx *bolt.Tx) error {
		at := tx.Bucket(bucketDeployIDs).Get([]byte(id))
		if at == nil {
			return nil
		}
		d, ok, err = getDeploy(tx.Bucket(bucketDeploys), append(append([]byte(nil), at...), id...))
		return err
	})
	return d, ok, err
}

// getDeploy decodes the deploy under key; ok is false if there is none.
func getDeploy(b *bolt.Bucket, key []byte) (d rituals.Deploy, ok bool, err error) {
	v := b.Get(key)
	if v == nil {
		return d, false, nil
	}
	d, err = decodeDeploy(v)
	return d, err == nil, err
}

// putDeploy encodes d under its key.
func putDeploy(b *bolt.Bucket, d rituals.Deploy) error {
	v, err := encodeDeploy(d)
	if err != nil {
		return err
	}
	if err := b.Put(deployKey(d), v); err != nil {
		return fmt.Errorf("put deploy %s: %w", d.ID, err)
	}
	return nil
}

// PutDeploy stores d, replacing the deploy with the same ID wherever its
// finish time put it.
func (db *DB) PutDeploy(d rituals.Deploy) error {
	if d.ID == "" {
		return fmt.Errorf("put deploy: empty ID")
	}
	return db.update("put_deploy", func(tx *bolt.Tx) error {
		db.deploys.stale(tx)
		ids, deploys, shas := tx.Bucket(bucketDeployIDs), tx.Bucket(bucketDeploys), tx.Bucket(bucketDeploySHAs)
		if at := ids.Get([]byte(d.ID)); at != nil {
			old := append(append([]byte(nil), at...), d.ID...)
			if prev, ok, err := getDeploy(deploys, old); err == nil && ok && prev.SHA != "" {
				if err := shas.Delete(joinKey(prev.SHA, d.ID)); err != nil {
					return err
				}
			}
			if err := deploys.Delete(old); err != nil {
				return err
			}
		}
		if err := putDeploy(deploys, d); err != nil {
			return err
		}
		if err := ids.Put([]byte(d.ID), timeKey(d.Finished)); err != nil {
			return err
		}
		if d.SHA != "" {
			return shas.Put(joinKey(d.SHA, d.ID), nil)
		}
		return nil
	})
}

// DeploysWithSHA returns the deploys of a commit.
func (db *DB) DeploysWithSHA(sha string) ([]rituals.Deploy, error) {
	var out []rituals.Deploy
	err := db.view("deploys_with_sha", func(tx *bolt.Tx) error {
		ids, deploys := tx.Bucket(bucketDeployIDs), tx.Bucket(bucketDeploys)
		prefix := prefixKey(sha)
		return scanPrefix(tx.Bucket(bucketDeploySHAs), prefix, func(k, _ []byte) error {
			id := k[len(prefix):]
			at := ids.Get(id)
			if at == nil {
				return nil
			}
			d, ok, err := getDeploy(deploys, append(append([]byte(nil), at...), id...))
			if err != nil || !ok {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// DeploysBetween returns the deploys finished in [from, to), in order of
// finishing. The recent ones come from memory (recentDeploys), so what it
// returns is shared: callers do not change it (an append copies).
func (db *DB) DeploysBetween(from, to time.Time) ([]rituals.Deploy, error) {
	return db.deploys.between(from, to, func(from, to []byte) (all []rituals.Deploy, n int, fits bool, err error) {
		err = db.view("deploys_between", func(tx *bolt.Tx) (err error) {
			all, n, fits, err = decodeDeploysFrom(tx.Bucket(bucketDeploys), from, to)
			return err
		})
		return all, n, fits, err
	})
}

// PutPush stores a push under its head SHA.
func (db *DB) PutPush(p digest.Push) error {
	if p.Head == "" {
		return fmt.Errorf("put push: empty head")
	}
	return db.update("put_push", func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketPushes), []byte(p.Head), p)
	})
}

// Push returns the push that left a branch at head.
func (db *DB) Push(head string) (p digest.Push, ok bool, err error) {
	err = db.view("push", func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketPushes), []byte(head), &p)
		return err
	})
	return p, ok, err
}
