package webhooks

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// GitHub serves POST /hooks/github: `deployment_status` events are deploys,
// `push` events give commit times for lead time. Requests are
// authenticated by their X-Hub-Signature-256 (GITHUB_WEBHOOK_SECRET).
type GitHub struct {
	Secret   string
	Recorder DeployRecorder // nil: no digest takes deploys
	// Issues takes `issues` events (closed, reopened): nil when no
	// incidents ritual keeps its action items as GitHub issues.
	Issues  IssueSink
	Log     zerolog.Logger
	Observe Observer
	// Deliveries, if set, refuses a delivery taken before (a replay).
	Deliveries *Deliveries
	Body       *httplimit.Body // default: maxBody
	// Refusals rate-limits the log lines of refused deliveries.
	Refusals *httplimit.Refusals
}

// VerifySignature checks GitHub's `X-Hub-Signature-256: sha256=<hex>`, the
// HMAC-SHA256 of the raw body with the webhook's secret, in constant time.
func VerifySignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok || secret == "" {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// Sign returns the X-Hub-Signature-256 header GitHub would send for body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (h *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Without a secret nothing can be verified: refuse before reading.
	if h.Secret == "" {
		h.Observe.count("unauthorized")
		httplimit.CloseUnread(w)
		fail(w, http.StatusUnauthorized, "GITHUB_WEBHOOK_SECRET is not set on the bot, so GitHub webhooks are refused")
		return
	}
	body, ok := readBody(w, r, h.Body)
	if !ok {
		h.Observe.count("bad_request")
		return
	}
	if !VerifySignature(h.Secret, body, r.Header.Get("X-Hub-Signature-256")) {
		h.Observe.count("unauthorized")
		if h.Refusals.Allow("/hooks/github") {
			h.Log.Warn().Str("delivery", httplimit.Clip(r.Header.Get("X-GitHub-Delivery"))).Msg("GitHub webhook with a missing or wrong signature refused")
		}
		fail(w, http.StatusUnauthorized, "missing or wrong X-Hub-Signature-256: check the webhook's secret matches GITHUB_WEBHOOK_SECRET")
		return
	}
	key := BodyKey(body)
	if seen, err := h.Deliveries.Seen("github", key); err != nil {
		h.Log.Error().Err(err).Msg("read the GitHub deliveries taken; taking this one")
	} else if seen {
		h.Observe.count("duplicate")
		writeJSON(w, http.StatusOK, map[string]string{"outcome": "duplicate", "reason": "this delivery was taken before"})
		return
	}
	w = h.Deliveries.recordOnSuccess(w, "github", key, func(err error) { h.Log.Error().Err(err).Msg("remember a GitHub delivery") })
	event := r.Header.Get("X-GitHub-Event")
	switch event {
	case "ping":
		h.Observe.count("ping")
		writeJSON(w, http.StatusOK, map[string]string{"outcome": "pong"})
	case "deployment_status", "push", "release", "issues":
		if event == "issues" && h.Issues == nil || event != "issues" && h.Recorder == nil {
			h.Observe.count("ignored")
			writeJSON(w, http.StatusAccepted, map[string]string{"outcome": "ignored", "reason": "no ritual here takes " + event + " events"})
			return
		}
		h.serveEvent(w, r, event, body)
	case "":
		h.Observe.count("bad_request")
		fail(w, http.StatusBadRequest, "no X-GitHub-Event header")
	default:
		h.Observe.count("ignored")
		writeJSON(w, http.StatusAccepted, map[string]string{"outcome": "ignored", "reason": "ritualbot reads deployment_status, push, release and issues events only; event " + cutText(event) + " is not used"})
	}
}

// serveEvent handles an event a sink is there for.
func (h *GitHub) serveEvent(w http.ResponseWriter, r *http.Request, event string, body []byte) {
	switch event {
	case "issues":
		h.serveIssues(w, r, body)
	case "deployment_status":
		d, finished, err := ParseDeploymentStatus(body)
		recordParsed(w, r, deployRecording{h.Recorder, h.Log, h.Observe}, d, finished, err, "the deployment has not finished (state "+d.Status+")")
	case "push":
		p, err := ParsePush(body)
		if err != nil {
			h.Observe.count("bad_request")
			fail(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := h.Recorder.RecordPush(r.Context(), p); err != nil {
			h.Observe.count("error")
			h.Log.Error().Err(err).Str("head", httplimit.Clip(p.Head)).Msg("record push")
			fail(w, http.StatusInternalServerError, "could not store the push; it has been logged, please redeliver")
			return
		}
		h.Observe.count("push")
		writeJSON(w, http.StatusOK, map[string]any{"outcome": "recorded", "commits": len(p.Commits)})
	case "release":
		d, published, err := ParseRelease(body)
		recordParsed(w, r, deployRecording{h.Recorder, h.Log, h.Observe}, d, published, err, "only published releases are announced")
	}
}

// githubDeploymentStatus is the part of a deployment_status event we read.
type githubDeploymentStatus struct {
	DeploymentStatus *struct {
		State       string `json:"state"`
		Environment string `json:"environment"`
		CreatedAt   string `json:"created_at"`
	} `json:"deployment_status"`
	Deployment *struct {
		ID                    json.Number `json:"id"`
		SHA                   string      `json:"sha"`
		Environment           string      `json:"environment"`
		CreatedAt             string      `json:"created_at"`
		ProductionEnvironment bool        `json:"production_environment"`
	} `json:"deployment"`
	Repository *githubRepository `json:"repository"`
}

type githubRepository struct {
	Name     string `json:"name"`
	FullName string `json:"full_name"`
}

// GitHub's deployment states: success and failure end a deploy (error is
// a failure to deploy); the others are on the way or superseded.
var githubStates = map[string]string{
	"success": rituals.DeploySucceeded, "failure": rituals.DeployFailed, "error": rituals.DeployFailed,
}

// ParseDeploymentStatus reads a deployment_status event. The deploy's
// service is the repository's name; its identity is the deployment's id,
// so each of its statuses, and each redelivery, lands on one record. A
// deployment that has not finished comes back with ok=false (and its
// state in Status).
func ParseDeploymentStatus(body []byte) (d rituals.Deploy, ok bool, err error) {
	var ev githubDeploymentStatus
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		return d, false, badf("the body is not a deployment_status event: %s", jsonProblem(err))
	}
	switch {
	case ev.DeploymentStatus == nil:
		return d, false, badf(`no "deployment_status" object: is this a deployment_status event?`)
	case ev.Deployment == nil:
		return d, false, badf(`no "deployment" object`)
	case ev.Repository == nil || !validName(ev.Repository.Name):
		return d, false, badf(`no "repository" with a name`)
	case !validName(ev.Deployment.SHA):
		return d, false, badf(`"deployment.sha" is missing`)
	}
	id := ev.Deployment.ID.String()
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return d, false, badf(`"deployment.id" %q is not a number`, cutText(id))
	}
	env := ev.DeploymentStatus.Environment
	if env == "" {
		env = ev.Deployment.Environment
	}
	if ev.Deployment.ProductionEnvironment {
		// GitHub's own flag: the repository marks this environment as
		// production, whatever it is called.
		env = digest.ProductionEnvironment
	}
	repo := ev.Repository.FullName
	if repo == "" {
		repo = ev.Repository.Name
	}
	d = rituals.Deploy{
		ID: "github:" + repo + ":" + id, Source: "github", Service: ev.Repository.Name,
		Environment: env, SHA: ev.Deployment.SHA,
	}
	state := strings.ToLower(ev.DeploymentStatus.State)
	mapped, finished := githubStates[state]
	if !finished {
		if !validName(state) {
			return d, false, badf(`"deployment_status.state" is missing`)
		}
		d.Status = state
		return d, false, nil
	}
	d.Status = mapped
	if d.Finished, err = parseTime("deployment_status.created_at", ev.DeploymentStatus.CreatedAt, true); err != nil {
		return d, false, err
	}
	if d.Started, err = parseTime("deployment.created_at", ev.Deployment.CreatedAt, false); err != nil {
		return d, false, err
	}
	if d.Started.IsZero() || d.Started.After(d.Finished) {
		d.Started = d.Finished
	}
	return d, true, nil
}

// githubPush is the part of a push event we read.
type githubPush struct {
	After      string            `json:"after"`
	Deleted    bool              `json:"deleted"`
	Repository *githubRepository `json:"repository"`
	Commits    []githubCommit    `json:"commits"`
	HeadCommit *githubCommit     `json:"head_commit"`
}

type githubCommit struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	// For release notes.
	Message string `json:"message"`
	URL     string `json:"url"`
	Author  *struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"author"`
}

// ParsePush reads a push event: the commits it brought and when each was
// made, under the SHA the branch now points at. A deploy of that SHA
// ships them. A branch deletion carries no commits.
func ParsePush(body []byte) (digest.Push, error) {
	var ev githubPush
	if err := json.Unmarshal(body, &ev); err != nil {
		return digest.Push{}, badf("the body is not a push event: %s", jsonProblem(err))
	}
	if ev.Repository == nil || !validName(ev.Repository.Name) {
		return digest.Push{}, badf(`no "repository" with a name`)
	}
	p := digest.Push{Repo: ev.Repository.FullName}
	if ev.Deleted || strings.Trim(ev.After, "0") == "" {
		return p, nil
	}
	if !validName(ev.After) {
		return p, badf(`"after" is not a commit`)
	}
	p.Head = ev.After
	seen := map[string]bool{}
	add := func(i int, c githubCommit) error {
		sha := c.ID
		if seen[sha] || len(p.Commits) >= maxCommits {
			return nil
		}
		if !validName(sha) {
			return badf(`commits[%d].id is missing`, i)
		}
		at, err := parseTime(fmt.Sprintf("commits[%d].timestamp", i), c.Timestamp, true)
		if err != nil {
			return err
		}
		seen[sha] = true
		// What a release note shows of it; a bad link or name is left out
		// rather than refusing the push its lead times.
		cm := rituals.Commit{SHA: sha, Time: at, Message: clipText(c.Message, maxMessage)}
		cm.URL, _ = optionalURL("url", c.URL)
		if c.Author != nil {
			cm.Author, _ = optionalName("author", cmp.Or(c.Author.Username, c.Author.Name))
		}
		p.Commits = append(p.Commits, cm)
		return nil
	}
	for i, c := range ev.Commits {
		if err := add(i, c); err != nil {
			return digest.Push{}, err
		}
	}
	// GitHub lists at most 2048 commits; the head is always described.
	if ev.HeadCommit != nil && ev.HeadCommit.ID != "" {
		if err := add(len(ev.Commits), *ev.HeadCommit); err != nil {
			return digest.Push{}, err
		}
	}
	return p, nil
}

// maxReleaseNotes bounds the body of a release kept: a note shows its
// start and links to the rest.
const maxReleaseNotes = 20000

// githubRelease is the part of a release event we read.
type githubRelease struct {
	Action  string `json:"action"`
	Release *struct {
		ID          json.Number `json:"id"`
		TagName     string      `json:"tag_name"`
		Name        string      `json:"name"`
		Body        string      `json:"body"`
		HTMLURL     string      `json:"html_url"`
		Draft       bool        `json:"draft"`
		PublishedAt string      `json:"published_at"`
		Author      *struct {
			Login string `json:"login"`
		} `json:"author"`
	} `json:"release"`
	Repository *githubRepository `json:"repository"`
}

// ParseRelease reads a release event. A published release is recorded
// like a deploy of the repository in the "release" environment (which
// DORA does not count), its tag as the version and its body as the
// notes; other actions come back with ok=false.
func ParseRelease(body []byte) (d rituals.Deploy, ok bool, err error) {
	var ev githubRelease
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		return d, false, badf("the body is not a release event: %s", jsonProblem(err))
	}
	switch {
	case ev.Release == nil:
		return d, false, badf(`no "release" object: is this a release event?`)
	case ev.Repository == nil || !validName(ev.Repository.Name):
		return d, false, badf(`no "repository" with a name`)
	}
	if ev.Action != "published" || ev.Release.Draft {
		return d, false, nil
	}
	id := ev.Release.ID.String()
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return d, false, badf(`"release.id" %q is not a number`, cutText(id))
	}
	repo := cmp.Or(ev.Repository.FullName, ev.Repository.Name)
	d = rituals.Deploy{ID: "github-release:" + repo + ":" + id, Source: "github-release", Service: ev.Repository.Name,
		Environment: digest.ReleaseEnvironment, Status: rituals.DeploySucceeded, Notes: clipText(ev.Release.Body, maxReleaseNotes)}
	if d.Version, err = optionalName("release.tag_name", cmp.Or(ev.Release.TagName, ev.Release.Name)); err != nil {
		return d, false, err
	}
	if ev.Release.Author != nil {
		if d.Deployer, err = optionalName("release.author.login", ev.Release.Author.Login); err != nil {
			return d, false, err
		}
	}
	if d.URL, err = optionalURL("release.html_url", ev.Release.HTMLURL); err != nil {
		return d, false, err
	}
	if d.Finished, err = parseTime("release.published_at", ev.Release.PublishedAt, true); err != nil {
		return d, false, err
	}
	d.Started = d.Finished
	return d, true, nil
}
