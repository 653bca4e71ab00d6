package store

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/standup"
)

// Bounds of one pruning transaction. bbolt has one writer at a time, so a
// prune that deleted a year in one commit would hold every answer and
// webhook behind it; in steps of at most pruneScan records read and
// prunePerTx deleted, the bot's own writes wait for one small commit.
const (
	pruneScan  = 2048
	prunePerTx = 256
	// An incident goes with its brief, source and action items.
	pruneIncidentsPerTx = 64
)

// PruneReport counts the records a prune removed.
type PruneReport struct {
	Answers, Days, Tallies, MemberDays, Blockers, Aways int
	Incidents, Actions                                  int
	Deploys, Pushes                                     int
	Sent, Dropped                                       int
	// Feedback: readers' feedback on digests, kept as long as standups.
	Feedback int
	// Onboardings ended and newcomers' feedback on them.
	Onboardings, OnboardingFeedback int
	// RotationAdditions: members added to rotations from Slack, taken out.
	RotationAdditions int
}

// Total is the number of records removed.
func (r PruneReport) Total() int {
	return r.Answers + r.Days + r.Tallies + r.MemberDays + r.Blockers + r.Aways +
		r.Incidents + r.Actions + r.Deploys + r.Pushes + r.Sent + r.Dropped + r.Feedback + r.Onboardings + r.OnboardingFeedback + r.RotationAdditions
}

// Prune deletes what the retention lets go at now, each kind counted back
// from now, in small transactions. Every record goes with its index
// entries in the same transaction, so a prune cut short by a crash leaves
// a consistent store, and running it again for the same now finishes it.
// Pending outbox items and open incidents are never pruned.
func (db *DB) Prune(r rituals.Retention, now time.Time) (PruneReport, error) {
	var rep PruneReport
	if cut, ok := rituals.Cutoff(r.Standup, now); ok {
		if err := db.pruneStandups(cut, &rep); err != nil {
			return rep, err
		}
		if err := db.pruneFeedback(cut, &rep); err != nil {
			return rep, err
		}
	}
	if cut, ok := rituals.Cutoff(r.Incidents, now); ok {
		if err := db.pruneIncidents(cut, &rep); err != nil {
			return rep, err
		}
	}
	if cut, ok := rituals.Cutoff(r.Deploys, now); ok {
		if err := db.pruneDeploys(cut, &rep); err != nil {
			return rep, err
		}
	}
	if cut, ok := rituals.Cutoff(r.Outbox, now); ok {
		if err := db.pruneOutbox(cut, &rep); err != nil {
			return rep, err
		}
	}
	if cut, ok := rituals.Cutoff(r.Onboarding, now); ok {
		if err := db.pruneOnboardings(cut, &rep); err != nil {
			return rep, err
		}
	}
	if cut, ok := rituals.Cutoff(r.OnCall, now); ok {
		if err := db.pruneAdditions(cut, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// doomed is a record to delete, or with put, to write.
type doomed struct {
	bucket, key []byte
	put         bool
	value       []byte
}

func doom(bucket, key []byte) doomed { return doomed{bucket: bucket, key: append([]byte(nil), key...)} }

func rewrite(bucket, key, value []byte) doomed {
	return doomed{bucket: bucket, key: append([]byte(nil), key...), put: true, value: value}
}

// pick decides whether the record k, v of a walk goes, and with which
// other records; stop ends the walk (the rest of the bucket is younger).
type pick func(tx *bolt.Tx, k, v []byte) (del []doomed, stop bool, err error)

// pruneWalk walks bucket in transactions of at most pruneScan records
// read and perTx picked, deleting (or writing) what p picks, and returns
// how many records p picked.
func (db *DB) pruneWalk(op string, bucket []byte, perTx int, p pick) (int, error) {
	var from []byte
	total := 0
	for {
		var next []byte
		n := 0
		err := db.update(op, func(tx *bolt.Tx) error {
			next, n = nil, 0
			var del []doomed
			c := tx.Bucket(bucket).Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for scanned := 0; k != nil; k, v = c.Next() {
				if scanned == pruneScan || n == perTx {
					next = append([]byte(nil), k...)
					break
				}
				scanned++
				if v == nil {
					continue // a nested bucket
				}
				d, stop, err := p(tx, k, v)
				if err != nil {
					return fmt.Errorf("%s %q: %w", bucket, k, err)
				}
				if stop {
					break
				}
				if len(d) > 0 {
					n++
					del = append(del, d...)
				}
			}
			// Deleting under a cursor can skip the next key: collect, then
			// delete.
			for _, d := range del {
				b := tx.Bucket(d.bucket)
				if d.put {
					if err := b.Put(d.key, d.value); err != nil {
						return fmt.Errorf("put %s %q: %w", d.bucket, d.key, err)
					}
				} else if err := b.Delete(d.key); err != nil {
					return fmt.Errorf("delete %s %q: %w", d.bucket, d.key, err)
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("%s: %w", op, err)
		}
		total += n
		if next == nil {
			return total, nil
		}
		from = next
	}
}

// keyPart is the i-th 0-separated part of k, nil if it has fewer.
func keyPart(k []byte, i int) []byte {
	parts := bytes.Split(k, []byte{0})
	if i >= len(parts) {
		return nil
	}
	return parts[i]
}

// datedBefore picks the records of bucket whose key's part i, a
// YYYY-MM-DD date, is before day.
func datedBefore(bucket []byte, i int, day string, also func(k []byte) []doomed) pick {
	return func(_ *bolt.Tx, k, _ []byte) ([]doomed, bool, error) {
		if string(keyPart(k, i)) >= day {
			return nil, false, nil
		}
		del := []doomed{doom(bucket, k)}
		if also != nil {
			del = append(del, also(k)...)
		}
		return del, false, nil
	}
}

func (db *DB) pruneStandups(cut time.Time, rep *PruneReport) error {
	day := rituals.DateOf(cut).String()
	var err error
	// An answer goes with its entry in the member's index.
	rep.Answers, err = db.pruneWalk("prune_answers", bucketAnswers, prunePerTx, datedBefore(bucketAnswers, 1, day, func(k []byte) []doomed {
		ritual, date, user := keyPart(k, 0), keyPart(k, 1), keyPart(k, 2)
		return []doomed{doom(bucketAnswersByUser, joinKey(string(ritual), string(user), string(date)))}
	}))
	if err != nil {
		return err
	}
	if rep.Days, err = db.pruneWalk("prune_standup_days", bucketDays, prunePerTx, datedBefore(bucketDays, 1, day, nil)); err != nil {
		return err
	}
	if rep.Tallies, err = db.pruneWalk("prune_tallies", bucketTallies, prunePerTx, datedBefore(bucketTallies, 1, day, nil)); err != nil {
		return err
	}
	if rep.MemberDays, err = db.pruneWalk("prune_member_days", bucketMemberDays, prunePerTx, datedBefore(bucketMemberDays, 2, day, nil)); err != nil {
		return err
	}
	rep.Blockers, err = db.pruneWalk("prune_blockers", bucketBlockers, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var bl rituals.Blocker
		if err := decode(v, &bl); err != nil {
			return nil, false, err
		}
		if bl.Open() || !bl.Cleared.Before(cut) {
			return nil, false, nil
		}
		return []doomed{doom(bucketBlockers, k), doom(bucketBlockersOpen, joinKey(bl.Ritual, bl.ID))}, false, nil
	})
	if err != nil {
		return err
	}
	last := rituals.DateOf(cut)
	rep.Aways, err = db.pruneWalk("prune_aways", bucketAway, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var a standup.Away
		if err := decode(v, &a); err != nil {
			return nil, false, err
		}
		if !a.To.Before(last) {
			return nil, false, nil
		}
		return []doomed{doom(bucketAway, k)}, false, nil
	})
	return err
}

// pruneIncidents deletes resolved incidents resolved before cut, each
// with its brief, its source entry and its action items. The walk reads
// the briefs, a tenth of the incidents' size.
func (db *DB) pruneIncidents(cut time.Time, rep *PruneReport) error {
	type incKey struct {
		ritual string
		number int
	}
	var actions map[incKey][][]byte // per transaction, read at its first pick
	actionsOf := func(tx *bolt.Tx, ritual string, n int) ([][]byte, error) {
		if actions == nil {
			actions = map[incKey][][]byte{}
			err := tx.Bucket(bucketIncidentActions).ForEach(func(k, v []byte) error {
				var a struct {
					Ritual   string
					Incident int
				}
				if err := decode(v, &a); err != nil {
					return err
				}
				key := incKey{a.Ritual, a.Incident}
				actions[key] = append(actions[key], append([]byte(nil), k...))
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("action items: %w", err)
			}
			tx.OnCommit(func() { actions = nil })
			db.briefs.stale(tx)
			db.actions.stale(tx)
		}
		return actions[incKey{ritual, n}], nil
	}
	n, err := db.pruneWalk("prune_incidents", bucketIncidentBriefs, pruneIncidentsPerTx, func(tx *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		if tx.Bucket(bucketIncidentsOpen).Get(k) != nil {
			return nil, false, nil
		}
		var b briefRecord
		if err := decode(v, &b); err != nil {
			return nil, false, err
		}
		if b.Resolved.IsZero() || !b.Resolved.Before(cut) {
			return nil, false, nil
		}
		var inc struct{ Source, SourceRef string }
		if _, err := getJSON(tx.Bucket(bucketIncidents), k, &inc); err != nil {
			return nil, false, err
		}
		del := []doomed{doom(bucketIncidents, k), doom(bucketIncidentBriefs, k)}
		if inc.SourceRef != "" {
			sk := sourceKey(b.Ritual, inc.Source, inc.SourceRef)
			if bytes.Equal(tx.Bucket(bucketIncidentSources).Get(sk), k) {
				del = append(del, doom(bucketIncidentSources, sk))
			}
		}
		acts, err := actionsOf(tx, b.Ritual, b.Number)
		if err != nil {
			return nil, false, err
		}
		for _, a := range acts {
			del = append(del, doom(bucketIncidentActions, a))
		}
		rep.Actions += len(acts)
		return del, false, nil
	})
	rep.Incidents = n
	// A failed transaction rolled back: its incidents' actions stay too.
	actions = nil
	return err
}

// pruneDeploys deletes the deploys that finished before cut (the walk is
// in order of finishing, so it stops at the first younger one) and the
// pushes received before it.
func (db *DB) pruneDeploys(cut time.Time, rep *PruneReport) error {
	var err error
	var marked *bolt.Tx // the transaction that marked the recent deploys stale
	rep.Deploys, err = db.pruneWalk("prune_deploys", bucketDeploys, prunePerTx, func(tx *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		if len(k) < timeKeyLen {
			return nil, false, fmt.Errorf("deploy key is %d bytes long", len(k))
		}
		at, err := parseTimeKey(k[:timeKeyLen])
		if err != nil {
			return nil, false, err
		}
		if !at.Before(cut) {
			return nil, true, nil
		}
		d, err := decodeDeploy(v)
		if err != nil {
			return nil, false, err
		}
		if tx != marked { // once per transaction
			db.deploys.stale(tx)
			marked = tx
		}
		id := k[timeKeyLen:]
		del := []doomed{doom(bucketDeploys, k)}
		if bytes.Equal(tx.Bucket(bucketDeployIDs).Get(id), k[:timeKeyLen]) {
			del = append(del, doom(bucketDeployIDs, id))
		}
		if d.SHA != "" {
			del = append(del, doom(bucketDeploySHAs, joinKey(d.SHA, string(id))))
		}
		return del, false, nil
	})
	if err != nil {
		return err
	}
	rep.Pushes, err = db.pruneWalk("prune_pushes", bucketPushes, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var p struct{ Received time.Time }
		if err := decode(v, &p); err != nil {
			return nil, false, err
		}
		if !p.Received.Before(cut) {
			return nil, false, nil
		}
		return []doomed{doom(bucketPushes, k)}, false, nil
	})
	return err
}

// pruneOutbox forgets where messages delivered before cut landed, and the
// items dropped before it. A message's key can be posted again once its
// record is gone, which is why the outbox's retention has a floor well
// past any ritual's re-run.
func (db *DB) pruneOutbox(cut time.Time, rep *PruneReport) error {
	var err error
	rep.Sent, err = db.pruneWalk("prune_sent", bucketSent, prunePerTx, func(tx *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var sm struct{ Sent time.Time }
		if err := decode(v, &sm); err != nil {
			return nil, false, err
		}
		if !sm.Sent.Before(cut) || ofOpenIncident(tx, k) {
			return nil, false, nil
		}
		return []doomed{doom(bucketSent, k)}, false, nil
	})
	if err != nil {
		return err
	}
	rep.Dropped, err = db.pruneWalk("prune_dropped", bucketDropped, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var d struct{ Dropped time.Time }
		if err := decode(v, &d); err != nil {
			return nil, false, err
		}
		if !d.Dropped.Before(cut) {
			return nil, false, nil
		}
		return []doomed{doom(bucketDropped, k)}, false, nil
	})
	return err
}

// ofOpenIncident reports whether the message key k is an open incident's
// ("incident/N", "incident/N/…"): its announcement is edited when it is
// resolved and its thread is replied to however long it stays open, which
// needs the record of where it landed.
func ofOpenIncident(tx *bolt.Tx, k []byte) bool {
	rest, ok := bytes.CutPrefix(k, []byte("incident/"))
	if !ok {
		return false
	}
	num, _, _ := bytes.Cut(rest, []byte("/"))
	n, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil {
		return false
	}
	return tx.Bucket(bucketIncidentsOpen).Get(seqKey(n)) != nil
}

// pruneFeedback drops readers' feedback on digests posted before cut:
// like standup answers, it is what people said, and it goes with the
// standup retention.
func (db *DB) pruneFeedback(cut time.Time, rep *PruneReport) error {
	var err error
	rep.Feedback, err = db.pruneWalk("prune_feedback", bucketFeedback, prunePerTx, datedBefore(bucketFeedback, 1, feedbackTime(cut), nil))
	return err
}
