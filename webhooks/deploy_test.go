package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// fakeRecorder is a DeployRecorder with function fields.
type fakeRecorder struct {
	RecordDeployFn func(ctx context.Context, d rituals.Deploy) (digest.DeployOutcome, string, error)
	RecordPushFn   func(ctx context.Context, p digest.Push) error
}

func (f *fakeRecorder) RecordDeploy(ctx context.Context, d rituals.Deploy) (digest.DeployOutcome, string, error) {
	return f.RecordDeployFn(ctx, d)
}

func (f *fakeRecorder) RecordPush(ctx context.Context, p digest.Push) error {
	return f.RecordPushFn(ctx, p)
}

// recording returns a recorder that keeps what it is given.
func recording(deploys *[]rituals.Deploy, pushes *[]digest.Push) *fakeRecorder {
	return &fakeRecorder{
		RecordDeployFn: func(_ context.Context, d rituals.Deploy) (digest.DeployOutcome, string, error) {
			*deploys = append(*deploys, d)
			return digest.DeployRecorded, "", nil
		},
		RecordPushFn: func(_ context.Context, p digest.Push) error {
			*pushes = append(*pushes, p)
			return nil
		},
	}
}

const goodDeploy = `{"service":"checkout","environment":"production","sha":"9f2c1e0",
 "status":"success","started_at":"2026-11-23T10:00:00Z","finished_at":"2026-11-23T11:05:00+01:00",
 "commits":[{"sha":"a1b2c3","timestamp":"2026-11-20T15:04:05Z"},{"sha":"d4e5f6","timestamp":"2026-11-22T09:00:00-05:00"}]}`

func TestParseDeploy(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		finished bool
		errWant  string // substring of the reason; "" for none
		check    func(t *testing.T, d rituals.Deploy)
	}{
		{"full", goodDeploy, true, "", func(t *testing.T, d rituals.Deploy) {
			if d.ID != "deploy:checkout/production/9f2c1e0/2026-11-23T10:00:00Z" || d.Status != rituals.DeploySucceeded ||
				d.Finished.Sub(d.Started) != 5*time.Minute || len(d.Commits) != 2 ||
				!d.Commits[1].Time.Equal(time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)) {
				t.Errorf("parsed %+v", d)
			}
		}},
		{"started after finished", strings.Replace(goodDeploy, "11:05:00+01:00", "10:55:00+01:00", 1), false, `"started_at"`, nil},
		{"started_at may be left out", `{"service":"s","environment":"production","sha":"x","status":"failed","finished_at":"2026-11-23T10:05:00Z"}`, true, "", func(t *testing.T, d rituals.Deploy) {
			if d.Status != rituals.DeployFailed || !d.Started.Equal(d.Finished) {
				t.Errorf("parsed %+v", d)
			}
		}},
		{"in progress is acknowledged, not counted", `{"service":"s","environment":"production","sha":"x","status":"in_progress"}`, false, "", nil},
		{"unknown status", `{"service":"s","environment":"production","sha":"x","status":"meh","finished_at":"2026-11-23T10:05:00Z"}`, false, `"status" "meh"`, nil},
		{"no service", `{"environment":"production","sha":"x","status":"success","finished_at":"2026-11-23T10:05:00Z"}`, false, `"service" is missing`, nil},
		{"no environment", `{"service":"s","sha":"x","status":"success","finished_at":"2026-11-23T10:05:00Z"}`, false, `"environment" is missing`, nil},
		{"no sha", `{"service":"s","environment":"production","status":"success","finished_at":"2026-11-23T10:05:00Z"}`, false, `"sha" is missing`, nil},
		{"no finish", `{"service":"s","environment":"production","sha":"x","status":"success"}`, false, `"finished_at" is missing`, nil},
		{"bad time", `{"service":"s","environment":"production","sha":"x","status":"success","finished_at":"yesterday"}`, false, `not an RFC 3339 time`, nil},
		{"bad commit time", `{"service":"s","environment":"production","sha":"x","status":"success","finished_at":"2026-11-23T10:05:00Z","commits":[{"sha":"a","timestamp":"x"}]}`, false, `commits[0].timestamp`, nil},
		{"commit without sha", `{"service":"s","environment":"production","sha":"x","status":"success","finished_at":"2026-11-23T10:05:00Z","commits":[{"timestamp":"2026-11-23T10:05:00Z"}]}`, false, `commits[0].sha`, nil},
		{"wrong type", `{"service":7}`, false, `"service" should be string`, nil},
		{"not JSON", `service=checkout`, false, "invalid JSON", nil},
		{"empty", ``, false, "empty", nil},
		{"two values", goodDeploy + goodDeploy, false, "more than one", nil},
		{"a newline in a name", `{"service":"a\nb","environment":"production","sha":"x","status":"success","finished_at":"2026-11-23T10:05:00Z"}`, false, `"service"`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, finished, err := ParseDeploy([]byte(c.body))
			if c.errWant == "" && err != nil || c.errWant != "" && (err == nil || !strings.Contains(err.Error(), c.errWant)) {
				t.Fatalf("err = %v, want one saying %q", err, c.errWant)
			}
			if finished != c.finished {
				t.Errorf("finished = %v, want %v", finished, c.finished)
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

func post(t *testing.T, h http.Handler, path string, body []byte, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func TestDeployHandler(t *testing.T) {
	var deploys []rituals.Deploy
	var pushes []digest.Push
	h := &Deploys{Recorder: recording(&deploys, &pushes), Log: zerolog.Nop()}
	body := goodDeploy
	if code, out := post(t, h, "/hooks/deploy", []byte(body), nil); code != http.StatusOK || out["outcome"] != "recorded" {
		t.Errorf("good deploy: %d %v", code, out)
	}
	if code, out := post(t, h, "/hooks/deploy", []byte(`{"service":""}`), nil); code != http.StatusBadRequest || !strings.Contains(out["error"].(string), "service") {
		t.Errorf("malformed deploy: %d %v, want 400 with the reason", code, out)
	}
	if code, _ := post(t, h, "/hooks/deploy", []byte(`{"service":"s","environment":"production","sha":"x","status":"queued"}`), nil); code != http.StatusAccepted {
		t.Errorf("queued deploy: %d, want 202", code)
	}
	big := bytes.Repeat([]byte(" "), maxBody+1)
	if code, _ := post(t, h, "/hooks/deploy", big, nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize body: %d, want 413", code)
	}
	if len(deploys) != 1 {
		t.Errorf("%d deploys recorded, want the one good one", len(deploys))
	}
}

// FuzzParseDeploy: no body makes the parser panic, and a deploy it accepts
// is one the digest can count.
func FuzzParseDeploy(f *testing.F) {
	f.Add([]byte(goodDeploy))
	f.Add([]byte(strings.Replace(goodDeploy, "11:05:00+01:00", "10:55:00+01:00", 1)))
	f.Add([]byte(`{"service":"s","environment":"production","sha":"x","status":"in_progress"}`))
	f.Add([]byte(`{"service":"s","environment":"production","sha":"x","status":"failed","finished_at":"2026-11-23T10:05:00Z","commits":[{"sha":"a","timestamp":"2026-11-23T10:05:00Z"}]}`))
	f.Add([]byte(`{"commits":[null,{}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, finished, err := ParseDeploy(body)
		if err != nil || !finished {
			return
		}
		if d.ID == "" || d.Service == "" || d.SHA == "" || d.Finished.IsZero() || d.Started.After(d.Finished) ||
			d.Status != rituals.DeploySucceeded && d.Status != rituals.DeployFailed {
			t.Fatalf("accepted an unusable deploy %+v from %q", d, body)
		}
		for _, c := range d.Commits {
			if c.SHA == "" || c.Time.IsZero() {
				t.Fatalf("accepted a commit without sha or time: %+v", c)
			}
		}
	})
}

// The release-note fields are optional: a deploy without them parses as
// before, one with them keeps them, and a long commit list is cut to
// maxCommits with its length kept.
func TestParseDeployReleaseFields(t *testing.T) {
	d, ok, err := ParseDeploy([]byte(goodDeploy))
	if err != nil || !ok || d.Version != "" || d.Deployer != "" || d.CommitsTotal != 0 || d.Commits[0].Message != "" {
		t.Fatalf("an old payload: %+v %v %v", d, ok, err)
	}
	var commits []string
	for i := range 5000 {
		commits = append(commits, `{"sha":"c`+strings.Repeat("0", 4)+string(rune('a'+i%26))+`","timestamp":"2026-11-20T15:04:05Z","message":"feat: <!channel> *x*","author":"alice","url":"https://git.example.com/c/1"}`)
	}
	body := `{"service":"checkout","environment":"production","sha":"9f2c1e0","status":"success",
	 "finished_at":"2026-11-23T11:05:00Z","version":"v1.2.3","url":"https://ci.example.com/r/1","deployer":"U0ALICE",
	 "commits":[` + strings.Join(commits, ",") + `]}`
	d, ok, err = ParseDeploy([]byte(body))
	if err != nil || !ok {
		t.Fatalf("5000 commits: %v", err)
	}
	if d.Version != "v1.2.3" || d.URL != "https://ci.example.com/r/1" || d.Deployer != "U0ALICE" {
		t.Errorf("release fields: %+v", d)
	}
	if len(d.Commits) != maxCommits || d.CommitsTotal != 5000 {
		t.Errorf("kept %d commits of %d, want %d of 5000", len(d.Commits), d.CommitsTotal, maxCommits)
	}
	if c := d.Commits[0]; c.Message != "feat: <!channel> *x*" || c.Author != "alice" || c.URL != "https://git.example.com/c/1" {
		t.Errorf("commit: %+v", c)
	}
	for _, bad := range []string{`"url":"javascript:alert(1)"`, `"version":"a\nb"`} {
		b := `{"service":"s","environment":"production","sha":"1","status":"success","finished_at":"2026-11-23T11:05:00Z",` + bad + `}`
		if _, _, err := ParseDeploy([]byte(b)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
