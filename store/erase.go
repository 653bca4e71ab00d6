package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

// eraseRewritesPerTx bounds the records one transaction of an erasure
// rewrites: an incident is kilobytes of JSON, so a commit of 256 of them
// writes (and syncs) enough pages to hold the bot's writes for 100 ms.
const eraseRewritesPerTx = 32

// slackUserID is the shape of a Slack member ID.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// ErasureReport counts what EraseUser changed.
type ErasureReport struct {
	// Removed: the person's own records.
	Answers, Blockers, Aways, MemberDays int
	// Feedback: their votes and answers on digests.
	Feedback int
	// PulsesAnswered are the records that they answered a pulse (their
	// answers are not linked to them, so they stay, anonymous).
	PulsesAnswered int
	// OnboardingFeedback: what they said of their onboarding.
	OnboardingFeedback int
	// Messages are pending messages to the person, dropped.
	Messages int
	// RotationAdditions are their places in rotations added from Slack
	// (the handoff records of shifts they had keep them, anonymised).
	RotationAdditions int
	// Replaced counts, per bucket, the records that stay with the person's
	// ID replaced by rituals.FormerMember.
	Replaced map[string]int
}

// Empty reports whether the erasure changed nothing.
func (r ErasureReport) Empty() bool {
	return r.Answers+r.Blockers+r.Aways+r.MemberDays+r.Feedback+r.PulsesAnswered+r.OnboardingFeedback+r.Messages+r.RotationAdditions+r.Rewritten() == 0
}

// Rewritten is the number of records whose ID was replaced.
func (r ErasureReport) Rewritten() int {
	n := 0
	for _, c := range r.Replaced {
		n += c
	}
	return n
}

// Add adds the counts of another pass to r.
func (r *ErasureReport) Add(o ErasureReport) {
	r.Answers += o.Answers
	r.Blockers += o.Blockers
	r.Aways += o.Aways
	r.MemberDays += o.MemberDays
	r.Feedback += o.Feedback
	r.PulsesAnswered += o.PulsesAnswered
	r.OnboardingFeedback += o.OnboardingFeedback
	r.Messages += o.Messages
	r.RotationAdditions += o.RotationAdditions
	if r.Replaced == nil {
		r.Replaced = map[string]int{}
	}
	for b, n := range o.Replaced {
		r.Replaced[b] += n
	}
}

// Buckets returns the buckets of Replaced in order.
func (r ErasureReport) Buckets() []string {
	names := make([]string, 0, len(r.Replaced))
	for name := range r.Replaced {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// EraseUser removes a person from the store: their standup answers (and
// the day-by-day record of their participation), blockers, away stretches,
// their feedback on digests (votes and answers are theirs), the records
// that they answered a pulse, their feedback on their onboarding, pending
// messages to them and their stored additions to on-call rotations go;
// every other
// record that names them (incident timelines, commanders and participants, retros and
// postmortems, action items, on-call records, others' answers that
// mention them, the keys of delivered messages) keeps its place with
// rituals.FormerMember where their ID was, mentions (<@U…>) included, so
// that counts and histories still add up.
//
// It runs in small transactions like Prune. Erasing again finishes an
// erasure cut short, and finds nothing more once it is done.
func (db *DB) EraseUser(userID string) (ErasureReport, error) {
	rep := ErasureReport{Replaced: map[string]int{}}
	if !slackUserID.MatchString(userID) {
		return rep, rituals.Errorf(rituals.EINVALID, "%q is not a Slack member ID (U0123ABCD)", userID)
	}
	fail := func(err error) (ErasureReport, error) {
		return rep, fmt.Errorf("erase user %s: %w", userID, err)
	}
	id := []byte(userID)
	var err error
	rep.Answers, err = db.pruneWalk("erase_answers", bucketAnswers, prunePerTx, func(_ *bolt.Tx, k, _ []byte) ([]doomed, bool, error) {
		if !bytes.Equal(keyPart(k, 2), id) {
			return nil, false, nil
		}
		ritual, date := string(keyPart(k, 0)), string(keyPart(k, 1))
		return []doomed{doom(bucketAnswers, k), doom(bucketAnswersByUser, joinKey(ritual, userID, date))}, false, nil
	})
	if err != nil {
		return fail(err)
	}
	keyed := []struct {
		bucket []byte
		part   int
		count  *int
	}{
		{bucketAnswersByUser, 1, nil}, // an index entry whose answer was gone already
		{bucketMemberDays, 1, &rep.MemberDays},
		{bucketAway, 0, &rep.Aways},
		{bucketFeedback, 2, &rep.Feedback},
		{bucketAdditions, 1, &rep.RotationAdditions},
	}
	for _, kb := range keyed {
		n, err := db.pruneWalk("erase_"+string(kb.bucket), kb.bucket, prunePerTx, func(_ *bolt.Tx, k, _ []byte) ([]doomed, bool, error) {
			if !bytes.Equal(keyPart(k, kb.part), id) {
				return nil, false, nil
			}
			return []doomed{doom(kb.bucket, k)}, false, nil
		})
		if err != nil {
			return fail(err)
		}
		if kb.count != nil {
			*kb.count = n
		}
	}
	rep.Blockers, err = db.pruneWalk("erase_blockers", bucketBlockers, prunePerTx, func(_ *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var bl rituals.Blocker
		if err := decode(v, &bl); err != nil {
			return nil, false, err
		}
		if bl.User != userID {
			return nil, false, nil
		}
		return []doomed{doom(bucketBlockers, k), doom(bucketBlockersOpen, joinKey(bl.Ritual, bl.ID))}, false, nil
	})
	if err != nil {
		return fail(err)
	}
	rep.PulsesAnswered, err = db.pruneWalk("erase_pulse_answered", bucketPulseAnswered, prunePerTx, func(_ *bolt.Tx, k, _ []byte) ([]doomed, bool, error) {
		ritual, round := string(keyPart(k, 0)), string(keyPart(k, 1))
		if string(keyPart(k, 2)) != answeredTag(ritual, round, userID) {
			return nil, false, nil
		}
		return []doomed{doom(bucketPulseAnswered, k)}, false, nil
	})
	if err != nil {
		return fail(err)
	}
	if rep.OnboardingFeedback, err = db.eraseOnboardingFeedback(userID); err != nil {
		return fail(err)
	}
	rep.Messages, err = db.pruneWalk("erase_outbox", bucketOutbox, prunePerTx, func(tx *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
		var item rituals.OutboxItem
		if err := decode(v, &item); err != nil {
			return nil, false, err
		}
		if item.Message.To != userID {
			return nil, false, nil
		}
		del := []doomed{doom(bucketOutbox, k)}
		if pk := pendingKey(item.Message); bytes.Equal(tx.Bucket(bucketOutboxKeys).Get(pk), k) {
			del = append(del, doom(bucketOutboxKeys, pk))
		}
		return del, false, nil
	})
	if err != nil {
		return fail(err)
	}

	// Everything else that names them.
	var names [][]byte
	err = db.view("erase_buckets", func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if !bytes.Equal(name, bucketMeta) {
				names = append(names, append([]byte(nil), name...))
			}
			return nil
		})
	})
	if err != nil {
		return fail(err)
	}
	re := mentionsOf(userID)
	for _, name := range names {
		n, err := db.pruneWalk("erase_replace", name, eraseRewritesPerTx, func(tx *bolt.Tx, k, v []byte) ([]doomed, bool, error) {
			// bytes.Contains first: a regexp over every value read is the
			// bulk of the time.
			// Keys of binary parts (times, sequence numbers) are not text
			// that could name anyone.
			inKey := bytes.Contains(k, id) && utf8.Valid(k) && re.Match(k)
			inValue := bytes.Contains(v, id) && re.Match(v)
			if !inKey && !inValue {
				return nil, false, nil
			}
			nk, nv := k, v
			if inKey {
				nk = re.ReplaceAllLiteral(k, []byte(rituals.FormerMember))
			}
			if inValue && json.Valid(v) {
				var err error
				if nv, err = replaceInJSON(v, re); err != nil {
					return nil, false, err
				}
			}
			if !inKey && bytes.Equal(nv, v) {
				return nil, false, nil
			}
			db.briefs.stale(tx)
			db.actions.stale(tx)
			var ops []doomed
			if !bytes.Equal(nk, k) {
				ops = append(ops, doom(name, k))
			}
			return append(ops, rewrite(name, nk, append([]byte(nil), nv...))), false, nil
		})
		if err != nil {
			return fail(err)
		}
		if n > 0 {
			rep.Replaced[string(name)] = n
		}
	}
	return rep, nil
}

// mentionsOf matches userID as a mention (<@U…>, <@U…|name>) or as a word
// of its own (a key part, a field, a list element), not inside a longer
// ID.
func mentionsOf(userID string) *regexp.Regexp {
	q := regexp.QuoteMeta(userID)
	return regexp.MustCompile(`<@` + q + `(?:\|[^>]*)?>|\b` + q + `\b`)
}

// replaceInJSON replaces what re matches in every string and object key of
// the JSON value v. Numbers stay as written.
func replaceInJSON(v []byte, re *regexp.Regexp) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	return encodeJSON(replaceIn(x, re))
}

func replaceIn(x any, re *regexp.Regexp) any {
	switch t := x.(type) {
	case string:
		return re.ReplaceAllLiteralString(t, rituals.FormerMember)
	case []any:
		for i := range t {
			t[i] = replaceIn(t[i], re)
		}
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[re.ReplaceAllLiteralString(k, rituals.FormerMember)] = replaceIn(v, re)
		}
		return out
	}
	return x
}
