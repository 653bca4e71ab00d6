package webhooks

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// A deployment_status event as GitHub sends it (trimmed of URLs and of
// the sender's and repository's many other fields).
const deploymentStatusEvent = `{
  "action": "created",
  "deployment_status": {
    "id": 2600000001, "node_id": "DES_kwDOA", "state": "success", "description": "Deployed",
    "environment": "production", "target_url": "", "log_url": "",
    "created_at": "2026-11-24T11:30:00Z", "updated_at": "2026-11-24T11:30:00Z",
    "creator": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
  },
  "deployment": {
    "id": 1700000001, "node_id": "DE_kwDOA", "sha": "5e1f0c2a9b", "ref": "main", "task": "deploy",
    "payload": {}, "original_environment": "production", "environment": "production",
    "description": null, "created_at": "2026-11-24T11:20:00Z", "updated_at": "2026-11-24T11:30:00Z",
    "transient_environment": false, "production_environment": true
  },
  "repository": {"id": 123, "name": "checkout", "full_name": "acme/checkout", "private": true},
  "sender": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
}`

const pushEvent = `{
  "ref": "refs/heads/main", "before": "0d1a2b3c4d", "after": "5e1f0c2a9b",
  "created": false, "deleted": false, "forced": false, "compare": "https://github.com/acme/checkout/compare/0d1a2b3c4d...5e1f0c2a9b",
  "commits": [
    {"id": "5e1f0c2a9b", "tree_id": "t1", "distinct": true, "message": "Retry card auth (#42)",
     "timestamp": "2026-11-24T10:15:00+01:00", "author": {"name": "Alice", "email": "alice@example.com", "username": "alice"}}
  ],
  "head_commit": {"id": "5e1f0c2a9b", "tree_id": "t1", "distinct": true, "message": "Retry card auth (#42)",
     "timestamp": "2026-11-24T10:15:00+01:00", "author": {"name": "Alice", "email": "alice@example.com", "username": "alice"}},
  "repository": {"id": 123, "name": "checkout", "full_name": "acme/checkout"},
  "pusher": {"name": "alice", "email": "alice@example.com"}
}`

const secret = "It's a Secret to Everybody"

func TestGitHubSignature(t *testing.T) {
	// GitHub's documented test vector for X-Hub-Signature-256.
	body := []byte("Hello, World!")
	want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := Sign(secret, body); got != want {
		t.Fatalf("Sign = %s, want GitHub's %s", got, want)
	}
	for _, c := range []struct {
		header string
		ok     bool
	}{
		{want, true},
		{strings.ToUpper(want[:7]) + want[7:], false}, // the prefix is lower case
		{"sha1=757107ea0eb2509fc211221cce984b8a37570b6d", false},
		{"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18", false},
		{"sha256=zz", false},
		{"", false},
	} {
		if got := VerifySignature(secret, body, c.header); got != c.ok {
			t.Errorf("VerifySignature(%q) = %v, want %v", c.header, got, c.ok)
		}
	}
	if VerifySignature("", body, Sign("", body)) {
		t.Error("an empty secret must verify nothing")
	}
}

func TestGitHubHandler(t *testing.T) {
	var deploys []rituals.Deploy
	var pushes []digest.Push
	h := &GitHub{Secret: secret, Recorder: recording(&deploys, &pushes), Log: zerolog.Nop()}
	send := func(event, body, sig string) (int, map[string]any) {
		return post(t, h, "/hooks/github", []byte(body), map[string]string{
			"X-GitHub-Event": event, "X-Hub-Signature-256": sig, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
			"Content-Type": "application/json",
		})
	}
	if code, _ := send("deployment_status", deploymentStatusEvent, Sign("wrong secret", []byte(deploymentStatusEvent))); code != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", code)
	}
	if code, _ := send("deployment_status", deploymentStatusEvent, ""); code != http.StatusUnauthorized {
		t.Errorf("no signature: %d, want 401", code)
	}
	if len(deploys) != 0 {
		t.Fatalf("a refused request reached the store: %+v", deploys)
	}
	if code, out := send("ping", `{"zen":"Keep it logically awesome."}`, Sign(secret, []byte(`{"zen":"Keep it logically awesome."}`))); code != 200 || out["outcome"] != "pong" {
		t.Errorf("ping: %d %v", code, out)
	}
	if code, out := send("push", pushEvent, Sign(secret, []byte(pushEvent))); code != 200 || out["outcome"] != "recorded" {
		t.Errorf("push: %d %v", code, out)
	}
	if code, out := send("deployment_status", deploymentStatusEvent, Sign(secret, []byte(deploymentStatusEvent))); code != 200 || out["outcome"] != "recorded" {
		t.Errorf("deployment_status: %d %v", code, out)
	}
	pending := strings.Replace(deploymentStatusEvent, `"state": "success"`, `"state": "in_progress"`, 1)
	if code, _ := send("deployment_status", pending, Sign(secret, []byte(pending))); code != http.StatusAccepted {
		t.Errorf("in_progress: %d, want 202", code)
	}
	if code, _ := send("issues", `{}`, Sign(secret, []byte(`{}`))); code != http.StatusAccepted {
		t.Errorf("another event: %d, want 202", code)
	}
	if code, out := send("deployment_status", `{"deployment_status":{}}`, Sign(secret, []byte(`{"deployment_status":{}}`))); code != http.StatusBadRequest || out["error"] == nil {
		t.Errorf("malformed: %d %v, want 400 with a reason", code, out)
	}
	if len(deploys) != 1 || len(pushes) != 1 {
		t.Fatalf("recorded %d deploys, %d pushes; want 1 and 1", len(deploys), len(pushes))
	}
	d := deploys[0]
	if d.ID != "github:acme/checkout:1700000001" || d.Service != "checkout" || d.Status != rituals.DeploySucceeded || d.SHA != "5e1f0c2a9b" ||
		!d.Finished.Equal(time.Date(2026, 11, 24, 11, 30, 0, 0, time.UTC)) || !d.Started.Equal(time.Date(2026, 11, 24, 11, 20, 0, 0, time.UTC)) {
		t.Errorf("deploy = %+v", d)
	}
	p := pushes[0]
	if p.Head != "5e1f0c2a9b" || len(p.Commits) != 1 || !p.Commits[0].Time.Equal(time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC)) {
		t.Errorf("push = %+v", p)
	}
}

// memStore is a digest.DeployStore in memory, for the redelivery test.
type memStore struct {
	mu      sync.Mutex
	deploys map[string]rituals.Deploy
	pushes  map[string]digest.Push
}

func (m *memStore) Deploy(id string) (rituals.Deploy, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.deploys[id]
	return d, ok, nil
}
func (m *memStore) PutDeploy(d rituals.Deploy) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deploys[d.ID] = d
	return nil
}
func (m *memStore) DeploysWithSHA(string) ([]rituals.Deploy, error)               { return nil, nil }
func (m *memStore) DeploysBetween(time.Time, time.Time) ([]rituals.Deploy, error) { return nil, nil }
func (m *memStore) PutPush(p digest.Push) error                                   { m.pushes[p.Head] = p; return nil }
func (m *memStore) Push(head string) (digest.Push, bool, error) {
	p, ok := m.pushes[head]
	return p, ok, nil
}

func TestGitHubRedeliveryIsNotCountedTwice(t *testing.T) {
	store := &memStore{deploys: map[string]rituals.Deploy{}, pushes: map[string]digest.Push{}}
	log := &digest.DeployLog{Store: store, Clock: rituals.NewFakeClock(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))}
	h := &GitHub{Secret: secret, Recorder: log, Log: zerolog.Nop()}
	var outcomes []string
	for i := 0; i < 3; i++ {
		_, out := post(t, h, "/hooks/github", []byte(deploymentStatusEvent), map[string]string{
			"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": Sign(secret, []byte(deploymentStatusEvent)),
			"X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"})
		outcomes = append(outcomes, out["outcome"].(string))
	}
	if strings.Join(outcomes, ",") != "recorded,duplicate,duplicate" || len(store.deploys) != 1 {
		t.Errorf("three deliveries: %v, %d deploys stored; want recorded then duplicates, one deploy", outcomes, len(store.deploys))
	}
	// A staging deployment is acknowledged and not stored.
	staging := strings.NewReplacer(`"environment": "production"`, `"environment": "staging"`, `"production_environment": true`, `"production_environment": false`, `1700000001`, `1700000002`).Replace(deploymentStatusEvent)
	code, out := post(t, h, "/hooks/github", []byte(staging), map[string]string{"X-GitHub-Event": "deployment_status", "X-Hub-Signature-256": Sign(secret, []byte(staging))})
	if code != http.StatusAccepted || out["outcome"] != "ignored" || len(store.deploys) != 1 {
		t.Errorf("staging: %d %v, %d stored", code, out, len(store.deploys))
	}
	_ = context.Background()
}

func FuzzParseDeploymentStatus(f *testing.F) {
	f.Add([]byte(deploymentStatusEvent))
	f.Add([]byte(strings.Replace(deploymentStatusEvent, `"state": "success"`, `"state": "error"`, 1)))
	f.Add([]byte(`{"deployment_status":{"state":"success"},"deployment":{"id":1e99,"sha":"x"},"repository":{"name":"r"}}`))
	f.Add([]byte(`{"deployment":{"id":"1"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, finished, err := ParseDeploymentStatus(body)
		if err != nil || !finished {
			return
		}
		if !strings.HasPrefix(d.ID, "github:") || d.Service == "" || d.SHA == "" || d.Finished.IsZero() || d.Started.After(d.Finished) {
			t.Fatalf("accepted an unusable deploy %+v", d)
		}
	})
}

func FuzzParsePush(f *testing.F) {
	f.Add([]byte(pushEvent))
	f.Add([]byte(`{"after":"0000000000000000000000000000000000000000","deleted":true,"repository":{"name":"r"}}`))
	f.Add([]byte(`{"after":"a","repository":{"name":"r"},"commits":[{"id":"a","timestamp":"2026-11-24T10:15:00Z"},{"id":"a"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParsePush(body)
		if err != nil {
			return
		}
		if p.Head == "" && len(p.Commits) > 0 {
			t.Fatalf("commits without a head: %+v", p)
		}
		for _, c := range p.Commits {
			if c.SHA == "" || c.Time.IsZero() {
				t.Fatalf("a commit without sha or time: %+v", c)
			}
		}
	})
}

// FuzzVerifyGitHubSignature: GitHub's X-Hub-Signature-256 passes only for the
// HMAC of the body under the secret; no secret passes nothing.
func FuzzVerifyGitHubSignature(f *testing.F) {
	f.Add("secret", []byte(pushEvent), "sha256=00")
	f.Add("", []byte{}, "sha256=")
	f.Add("s", []byte("x"), "sha1=0000000000000000000000000000000000000000")
	f.Fuzz(func(t *testing.T, secret string, body []byte, junk string) {
		good := Sign(secret, body)
		if secret != "" && !VerifySignature(secret, body, good) {
			t.Fatalf("the right signature of %q did not pass", body)
		}
		if VerifySignature(secret, body, junk) {
			got, _ := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(junk), "sha256="))
			want, _ := hex.DecodeString(strings.TrimPrefix(good, "sha256="))
			if !hmac.Equal(got, want) {
				t.Fatalf("%q passed for %q", junk, body)
			}
		}
		if VerifySignature("", body, good) {
			t.Fatal("an empty secret passed")
		}
		if VerifySignature(secret+"x", body, good) {
			t.Fatal("another secret's signature passed")
		}
	})
}
