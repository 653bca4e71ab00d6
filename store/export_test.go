package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ritualbot/ritualbot/rituals"
)

func TestExport(t *testing.T) {
	db := MustOpen(t)
	o := rituals.Occurrence{Job: "payments-standup", At: t0, Status: rituals.OccurrenceDone, Updated: t0}
	if err := db.PutOccurrence(o); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(t0, post("summary", "<b> & co"), update("summary", "v2")); err != nil {
		t.Fatal(err)
	}
	// A bucket no format knows, with a nested bucket, binary keys and
	// values of every kind: what a future ritual might store.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("future"))
		if err != nil {
			return err
		}
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(b.Put([]byte("json"), []byte(`{"a": [1, 2]}`)))
		must(b.Put([]byte("text"), []byte("plain words")))
		must(b.Put([]byte{0xff, 0x01}, []byte{0xfe, 0x00}))
		nested, err := b.CreateBucket([]byte("team"))
		must(err)
		must(nested.Put(occurrenceKey("x", t0), []byte("1")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	if err := db.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("export is not valid JSON:\n%s", buf.String())
	}
	var got struct {
		Schema  int
		Buckets map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if want := len(migrations) + 1; got.Schema != want {
		t.Errorf("schema = %d, want %d", got.Schema, want)
	}
	for _, name := range buckets {
		if _, ok := got.Buckets[string(name)]; !ok {
			t.Errorf("bucket %s missing from the export", name)
		}
	}

	check := func(bucket, key, want string) {
		t.Helper()
		v, ok := got.Buckets[bucket][key]
		if !ok {
			t.Errorf("export has no %s[%q]; bucket: %s", bucket, key, keysOf(got.Buckets[bucket]))
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, v); err != nil {
			t.Fatal(err)
		}
		if want != "" && compact.String() != want {
			t.Errorf("%s[%q] = %s, want %s", bucket, key, compact.String(), want)
		}
	}
	check("meta", "schema", fmt.Sprint(len(migrations)+1))
	check("occurrences", "payments-standup@2026-03-02T09:00:00Z", "")
	check("outbox", "1", "")
	check("outbox", "2", "")
	check("outbox_keys", "summary", "1")
	check("outbox_keys", "summary (update)", "2")
	check("future", "json", `{"a":[1,2]}`)
	check("future", "text", `"plain words"`)
	check("future", "0xff01", `"0xfe00"`)

	var team map[string]json.RawMessage
	if err := json.Unmarshal(got.Buckets["future"]["team"], &team); err != nil {
		t.Fatalf("nested bucket is not an object: %v", err)
	}
	if len(team) != 1 {
		t.Errorf("nested bucket = %v, want one key", team)
	}

	// The occurrence value is the record itself, embedded as JSON.
	var rec rituals.Occurrence
	if err := json.Unmarshal(got.Buckets["occurrences"]["payments-standup@2026-03-02T09:00:00Z"], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Status != rituals.OccurrenceDone {
		t.Errorf("exported occurrence = %+v", rec)
	}
	// User text stays readable: no \u003c for <.
	if !strings.Contains(buf.String(), `"<b> & co"`) {
		t.Errorf("export escaped HTML characters:\n%s", buf.String())
	}
}

func TestExportWildcardFormat(t *testing.T) {
	registerFormat("test_standups/*", format{Key: formatOccurrenceKey})
	t.Cleanup(func() { delete(formats, "test_standups/*") })

	db := MustOpen(t)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("test_standups"))
		if err != nil {
			return err
		}
		nested, err := b.CreateBucket([]byte("payments"))
		if err != nil {
			return err
		}
		return nested.Put(occurrenceKey("U1", t0), []byte(`{"ok":true}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := db.Export(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"U1@2026-03-02T09:00:00Z": {"ok":true}`) {
		t.Errorf("nested bucket keys not decoded by the wildcard format:\n%s", buf.String())
	}
}

func keysOf(m map[string]json.RawMessage) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return strings.Join(ks, ", ")
}
