package store

import (
	"github.com/ritualbot/ritualbot/rituals"

	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Deploys are the one record the store reads by the thousand: a digest
// reads 13 weeks of them (for 50 teams, 13,650), and so does /digest
// preview. As JSON, decoding them was two thirds of a digest's time, so
// since schema 3 they are stored in the compact encoding below, which
// decodes about twenty times faster. The export still shows them as JSON.
//
// A record is the format byte, then each string as a uvarint length and
// its bytes, each time as a one-byte length and time.MarshalBinary's
// bytes (which keep the zone offset, as RFC 3339 does), in this order:
//
//	format 1: ID Source Service Environment SHA Status CommitsFrom
//	          Started Finished Received
//	          uvarint count of commits, then each commit's SHA and Time
//	format 2: ID Source Service Environment SHA Status CommitsFrom
//	          Version URL Deployer Notes
//	          Started Finished Received
//	          uvarint CommitsTotal, uvarint count of commits, then each
//	          commit's SHA Time Message Author URL
//
// Format 2 added what release notes show; records of format 1 still
// decode (as deploys without those), and are rewritten in format 2 only
// when the deploy is stored again.
//
// A JSON record begins with '{', so a format byte is never mistaken for
// one. A change to Deploy's fields needs a new format byte (and a
// migration, or a decoder for each format kept).
const (
	deployFormat1 = 1
	deployFormat2 = 2
)

// encodeDeploy encodes d in the deploy encoding's latest format.
func encodeDeploy(d rituals.Deploy) ([]byte, error) {
	strs := []string{d.ID, d.Source, d.Service, d.Environment, d.SHA, d.Status, d.CommitsFrom, d.Version, d.URL, d.Deployer, d.Notes}
	n := 1 + 3*16 + 2*binary.MaxVarintLen64 + len(d.Commits)*(16+4)
	for _, s := range strs {
		n += binary.MaxVarintLen64 + len(s)
	}
	for _, c := range d.Commits {
		n += 4*binary.MaxVarintLen64 + len(c.SHA) + len(c.Message) + len(c.Author) + len(c.URL)
	}
	b := make([]byte, 0, n)
	b = append(b, deployFormat2)
	for _, s := range strs {
		b = appendString(b, s)
	}
	var err error
	for _, t := range []time.Time{d.Started, d.Finished, d.Received} {
		if b, err = appendTime(b, t); err != nil {
			return nil, fmt.Errorf("encode deploy %s: %w", d.ID, err)
		}
	}
	if d.CommitsTotal < 0 {
		return nil, fmt.Errorf("encode deploy %s: %d commits in total", d.ID, d.CommitsTotal)
	}
	b = binary.AppendUvarint(b, uint64(d.CommitsTotal))
	b = binary.AppendUvarint(b, uint64(len(d.Commits)))
	for _, c := range d.Commits {
		b = appendString(b, c.SHA)
		if b, err = appendTime(b, c.Time); err != nil {
			return nil, fmt.Errorf("encode deploy %s: commit %s: %w", d.ID, c.SHA, err)
		}
		b = appendString(appendString(appendString(b, c.Message), c.Author), c.URL)
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendTime(b []byte, t time.Time) ([]byte, error) {
	at := len(b)
	b = append(b, 0)
	b, err := t.AppendBinary(b)
	if err != nil {
		return nil, err
	}
	if n := len(b) - at - 1; n > 255 {
		return nil, fmt.Errorf("time %s encodes to %d bytes", t, n)
	} else {
		b[at] = byte(n)
	}
	return b, nil
}

var errShortDeploy = errors.New("deploy record ends early")

// decodeDeploy decodes a record of the deploy encoding. Its strings share
// one copy of the record: the result is valid after the transaction.
func decodeDeploy(v []byte) (rituals.Deploy, error) {
	var d rituals.Deploy
	if len(v) == 0 || (v[0] != deployFormat1 && v[0] != deployFormat2) {
		return d, fmt.Errorf("deploy record: not in the deploy encoding (first byte %q)", bytes.TrimSpace(v[:min(len(v), 1)]))
	}
	v2 := v[0] == deployFormat2
	r := deployReader{b: v[1:], s: string(v[1:])}
	for _, s := range []*string{&d.ID, &d.Source, &d.Service, &d.Environment, &d.SHA, &d.Status, &d.CommitsFrom} {
		*s = r.string()
	}
	if v2 {
		for _, s := range []*string{&d.Version, &d.URL, &d.Deployer, &d.Notes} {
			*s = r.string()
		}
	}
	for _, t := range []*time.Time{&d.Started, &d.Finished, &d.Received} {
		*t = r.time()
	}
	if v2 {
		if total := r.uvarint(); total > math.MaxInt32 {
			r.err = fmt.Errorf("%d commits in total", total)
		} else {
			d.CommitsTotal = int(total)
		}
	}
	if n := r.uvarint(); n > 0 && r.err == nil {
		if n > uint64(len(r.b)-r.at) { // each commit takes at least a byte
			return d, fmt.Errorf("deploy record %s: %d commits in %d bytes", d.ID, n, len(r.b)-r.at)
		}
		d.Commits = make([]rituals.Commit, n)
		for i := range d.Commits {
			c := &d.Commits[i]
			c.SHA = r.string()
			c.Time = r.time()
			if v2 {
				c.Message, c.Author, c.URL = r.string(), r.string(), r.string()
			}
		}
	}
	if r.err == nil && r.at != len(r.b) {
		r.err = fmt.Errorf("%d bytes left over", len(r.b)-r.at)
	}
	if r.err != nil {
		return rituals.Deploy{}, fmt.Errorf("deploy record %q: %w", d.ID, r.err)
	}
	return d, nil
}

// deployReader reads a record's fields in turn; s is b as a string, for
// strings that do not copy. The first error sticks.
type deployReader struct {
	b   []byte
	s   string
	at  int
	err error
}

func (r *deployReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b[r.at:])
	if k <= 0 {
		r.err = errShortDeploy
		return 0
	}
	r.at += k
	return n
}

func (r *deployReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)-r.at) {
		r.err = errShortDeploy
		return ""
	}
	s := r.s[r.at : r.at+int(n)]
	r.at += int(n)
	return s
}

func (r *deployReader) time() time.Time {
	if r.err != nil {
		return time.Time{}
	}
	if r.at >= len(r.b) || int(r.b[r.at]) > len(r.b)-r.at-1 {
		r.err = errShortDeploy
		return time.Time{}
	}
	n := int(r.b[r.at])
	var t time.Time
	if err := t.UnmarshalBinary(r.b[r.at+1 : r.at+1+n]); err != nil {
		r.err = err
		return time.Time{}
	}
	r.at += 1 + n
	return t
}

// deployJSON renders a stored deploy as the JSON the store kept before
// schema 3, for the export.
func deployJSON(_, v []byte) (json.RawMessage, bool) {
	d, err := decodeDeploy(v)
	if err != nil {
		return nil, false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}
