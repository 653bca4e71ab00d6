package store

import (
	"github.com/ritualbot/ritualbot/rituals"

	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sampleDeploys are deploys as the webhooks record them: with and without
// commits, from payloads and pushes, with times in UTC, in other zones and
// zero, and text that JSON escapes.
func sampleDeploys() []rituals.Deploy {
	berlin := time.FixedZone("", 3600)
	india := time.FixedZone("", 5*3600+30*60)
	return []rituals.Deploy{
		{ID: "deploy:checkout-1", Source: "deploy", Service: "checkout", Environment: "production", SHA: "abc123", Status: rituals.DeploySucceeded,
			Started: t0, Finished: t0.Add(10 * time.Minute), Received: t0.Add(11 * time.Minute), CommitsFrom: rituals.CommitsFromPayload,
			Commits: []rituals.Commit{{SHA: "abc123", Time: t0.Add(-5 * time.Hour)}, {SHA: "abc122", Time: t0.Add(-20 * time.Hour).In(india)}}},
		{ID: "github:acme/search:42", Source: "github", Service: "search-api", Environment: "production", SHA: "def", Status: rituals.DeployFailed,
			Finished: time.Date(2026, 11, 24, 9, 30, 0, 123456789, berlin), CommitsFrom: rituals.CommitsFromPush,
			Commits: []rituals.Commit{{SHA: "def", Time: time.Date(2026, 11, 23, 18, 0, 0, 0, berlin)}}},
		{ID: "deploy:<ledger> & \"quotes\" ü", Service: "ledger", Environment: "production", Status: rituals.DeploySucceeded, Finished: t0},
		{ID: "deploy:billing-7", Source: "deploy", Service: "billing", Environment: "production", SHA: "9f8e7d", Status: rituals.DeploySucceeded,
			Started: t0, Finished: t0.Add(3 * time.Minute), Version: "v2.4.0", URL: "https://ci.example.com/run/7", Deployer: "U0ALICE", Notes: "## What's new\n* <!channel> refunds",
			CommitsTotal: 5000, CommitsFrom: rituals.CommitsFromPayload,
			Commits: []rituals.Commit{{SHA: "9f8e7d", Time: t0.Add(-time.Hour), Message: "feat(api): <!channel> *bold*", Author: "alice", URL: "https://git.example.com/c/9f8e7d"}}},
		{},
	}
}

// The deploy encoding keeps what JSON kept: a deploy reads back as it
// did when the store held JSON, zones and all.
func TestDeployEncodingReadsBackAsJSONDid(t *testing.T) {
	for _, d := range sampleDeploys() {
		js, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var want rituals.Deploy
		if err := json.Unmarshal(js, &want); err != nil {
			t.Fatal(err)
		}
		enc, err := encodeDeploy(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeDeploy(enc)
		if err != nil {
			t.Fatalf("decode %q: %v", d.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("deploy %q reads back as\n%#v\nwant, as from JSON,\n%#v", d.ID, got, want)
		}
		if js2, _ := json.Marshal(got); !bytes.Equal(js2, js) {
			t.Errorf("deploy %q as JSON after a round trip:\n%s\nwant\n%s", d.ID, js2, js)
		}
		// Every cut-short record is refused, never read as a shorter deploy.
		for n := 0; n < len(enc); n++ {
			if _, err := decodeDeploy(enc[:n]); err == nil {
				t.Errorf("deploy %q cut to %d of %d bytes decoded without error", d.ID, n, len(enc))
			}
		}
	}
	if _, err := decodeDeploy([]byte(`{"ID":"x"}`)); err == nil || !strings.Contains(err.Error(), "not in the deploy encoding") {
		t.Errorf("a JSON record: %v", err)
	}
}

func FuzzDecodeDeploy(f *testing.F) {
	for _, d := range sampleDeploys() {
		enc, err := encodeDeploy(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Add([]byte{deployFormat1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, v []byte) {
		d, err := decodeDeploy(v)
		if err != nil {
			return
		}
		// What decodes encodes, and reads back the same.
		enc, err := encodeDeploy(d)
		if err != nil {
			t.Fatalf("a decoded deploy does not encode: %v", err)
		}
		again, err := decodeDeploy(enc)
		if err != nil {
			t.Fatalf("a decoded deploy, encoded again, does not decode: %v", err)
		}
		if enc2, _ := encodeDeploy(again); !bytes.Equal(enc2, enc) || again.ID != d.ID || !again.Finished.Equal(d.Finished) || len(again.Commits) != len(d.Commits) {
			t.Fatalf("round trip of a decoded deploy:\n%#v\n%#v", again, d)
		}
	})
}

// A store of schema 2 kept its deploys as JSON: opening it rewrites them
// in the deploy encoding, and every read and the export find them as
// they were.
func TestMigrationEncodesTheDeploys(t *testing.T) {
	db := MustOpen(t)
	deploys := sampleDeploys()[:3]
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, d := range deploys {
			if err := putJSON(tx.Bucket(bucketDeploys), deployKey(d), d); err != nil {
				return err
			}
			if err := tx.Bucket(bucketDeployIDs).Put([]byte(d.ID), timeKey(d.Finished)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	setSchema(t, db, 2)
	path := db.Path()
	db.Close()

	db = mustOpenPath(t, path)
	if got := schemaOf(t, db); got != db.schemaVersion() {
		t.Fatalf("schema = %d after migrating", got)
	}
	got, err := db.DeploysBetween(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d deploys after migrating, want 3", len(got))
	}
	for _, d := range deploys {
		js, _ := json.Marshal(d)
		var want rituals.Deploy
		_ = json.Unmarshal(js, &want)
		one, ok, err := db.Deploy(d.ID)
		if err != nil || !ok || !reflect.DeepEqual(one, want) {
			t.Errorf("Deploy(%q) after migrating = %#v %v %v, want %#v", d.ID, one, ok, err, want)
		}
	}
	var export bytes.Buffer
	if err := db.Export(&export); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(export.String(), `"ID": "deploy:<ledger> & \"quotes\" ü"`) && !strings.Contains(export.String(), `"ID":"deploy:<ledger> & \"quotes\" ü"`) {
		t.Errorf("the export does not show the deploys as JSON:\n%s", export.String())
	}
}

// BenchmarkMigrateYearOfDeploys measures the schema 2 → 3 migration of a
// year of a 50-team company's deploys (two services each, three deploys a
// day, three commits each: 54,750 deploys), as a store opened by the new
// release runs it once.
//
//	go test ./store -run '^$' -bench MigrateYearOfDeploys -benchtime 3x
func BenchmarkMigrateYearOfDeploys(b *testing.B) {
	db := MustOpen(b)
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for team := range 50 {
			for day := range 365 {
				for k := range 3 {
					fin := start.AddDate(0, 0, day).Add(time.Duration(9+3*k) * time.Hour)
					id := fmt.Sprintf("team%02d/%d/%d", team, day, k)
					d := rituals.Deploy{ID: "deploy:" + id, Source: "deploy", Service: fmt.Sprintf("svc%02d-%d", team, k%2), Environment: "production",
						SHA: id, Status: rituals.DeploySucceeded, Started: fin.Add(-10 * time.Minute), Finished: fin, Received: fin,
						CommitsFrom: rituals.CommitsFromPayload, Commits: []rituals.Commit{
							{SHA: id + "a", Time: fin.Add(-30 * time.Hour)}, {SHA: id + "b", Time: fin.Add(-6 * time.Hour)}, {SHA: id + "c", Time: fin.Add(-time.Hour)}}}
					if err := putJSON(tx.Bucket(bucketDeploys), deployKey(d), d); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	path := db.Path()
	db.Close()
	benchMigration(b, path, func(tx *bolt.Tx) error {
		// Back to schema 2, deploys as JSON (as the first pass left them
		// encoded, decode them back).
		deploys := tx.Bucket(bucketDeploys)
		var keys, values [][]byte
		if err := deploys.ForEach(func(k, v []byte) error {
			if v[0] != deployFormat1 {
				return nil
			}
			d, err := decodeDeploy(v)
			if err != nil {
				return err
			}
			js, err := json.Marshal(d)
			keys, values = append(keys, append([]byte(nil), k...)), append(values, js)
			return err
		}); err != nil {
			return err
		}
		for i := range keys {
			if err := deploys.Put(keys[i], values[i]); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte{0, 0, 0, 2})
	})
}

// A record written before release notes (format 1) still decodes, as a
// deploy without version, deployer or commit messages.
func TestDeployEncodingReadsFormat1(t *testing.T) {
	at := t0.Add(10 * time.Minute)
	tb, err := at.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	rec := []byte{deployFormat1}
	for _, s := range []string{"deploy:old", "deploy", "checkout", "production", "abc", rituals.DeploySucceeded, rituals.CommitsFromPayload} {
		rec = append(append(rec, byte(len(s))), s...)
	}
	for range 3 {
		rec = append(append(rec, byte(len(tb))), tb...)
	}
	rec = append(rec, 1, 3, 'a', 'b', 'c', byte(len(tb)))
	rec = append(rec, tb...)
	d, err := decodeDeploy(rec)
	if err != nil {
		t.Fatalf("a format 1 record: %v", err)
	}
	want := rituals.Deploy{ID: "deploy:old", Source: "deploy", Service: "checkout", Environment: "production", SHA: "abc",
		Status: rituals.DeploySucceeded, CommitsFrom: rituals.CommitsFromPayload, Started: at, Finished: at, Received: at,
		Commits: []rituals.Commit{{SHA: "abc", Time: at}}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("format 1 record reads as\n%#v\nwant\n%#v", d, want)
	}
}
