package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/internal/httplimit"
	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/digest"
)

// DeployRecorder is what the deploy webhooks feed: digest.DeployLog.
type DeployRecorder interface {
	RecordDeploy(ctx context.Context, d rituals.Deploy) (digest.DeployOutcome, string, error)
	RecordPush(ctx context.Context, p digest.Push) error
}

// maxCommits bounds the commits kept of one deploy or push.
const maxCommits = 2000

// BadRequest is a webhook body that cannot be used, and why.
type BadRequest struct{ Reason string }

func (e *BadRequest) Error() string { return e.Reason }

func badf(format string, args ...any) error {
	return &BadRequest{Reason: fmt.Sprintf(format, args...)}
}

// deployPayload is POST /hooks/deploy's body (docs/CONTRACT.md, docs/DIGEST.md).
type deployPayload struct {
	Service     string          `json:"service"`
	Environment string          `json:"environment"`
	SHA         string          `json:"sha"`
	Status      string          `json:"status"`
	StartedAt   string          `json:"started_at"`
	FinishedAt  string          `json:"finished_at"`
	Commits     []commitPayload `json:"commits"`
	// Optional, for release notes.
	Version  string `json:"version"`
	URL      string `json:"url"`
	Deployer string `json:"deployer"`
}

type commitPayload struct {
	SHA       string `json:"sha"`
	Timestamp string `json:"timestamp"`
	Message   string `json:"message"`
	Author    string `json:"author"`
	URL       string `json:"url"`
}

// Bounds on the optional text a deploy carries; longer is clipped.
const (
	maxMessage = 1000
	maxURL     = 2000
)

// Status words deploy systems use, mapped onto the two that count.
var deployStatuses = map[string]string{
	"success": rituals.DeploySucceeded, "succeeded": rituals.DeploySucceeded, "successful": rituals.DeploySucceeded,
	"ok": rituals.DeploySucceeded, "done": rituals.DeploySucceeded, "completed": rituals.DeploySucceeded,
	"failure": rituals.DeployFailed, "failed": rituals.DeployFailed, "error": rituals.DeployFailed, "errored": rituals.DeployFailed,
}

// unfinished statuses are answered but not recorded: the deploy will be
// reported again when it ends.
var unfinished = map[string]bool{
	"pending": true, "queued": true, "in_progress": true, "started": true, "running": true, "waiting": true,
}

// ParseDeploy reads POST /hooks/deploy's JSON. A deploy that has not
// finished yet is returned with ok=false and no error.
func ParseDeploy(body []byte) (d rituals.Deploy, ok bool, err error) {
	var p deployPayload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return d, false, badf("the body is not the deploy JSON: %s", jsonProblem(err))
	}
	if dec.More() {
		return d, false, badf("the body holds more than one JSON value; send one deploy per request")
	}
	status := strings.ToLower(strings.TrimSpace(p.Status))
	switch {
	case strings.TrimSpace(p.Service) == "":
		return d, false, badf(`"service" is missing: name the deployed service, e.g. "checkout" (teams list theirs under services)`)
	case !validName(p.Service):
		return d, false, badf(`"service" %q is not a service name (at most 200 printable characters)`, cutText(p.Service))
	case strings.TrimSpace(p.Environment) == "":
		return d, false, badf(`"environment" is missing, e.g. "production" (only production deploys count)`)
	case !validName(p.Environment):
		return d, false, badf(`"environment" %q is not an environment name`, cutText(p.Environment))
	case strings.TrimSpace(p.SHA) == "":
		return d, false, badf(`"sha" is missing: the commit deployed`)
	case !validName(p.SHA):
		return d, false, badf(`"sha" %q is not a commit`, cutText(p.SHA))
	case status == "":
		return d, false, badf(`"status" is missing: "success" or "failure"`)
	}
	d = rituals.Deploy{
		Source: "deploy", Service: strings.TrimSpace(p.Service), Environment: strings.TrimSpace(p.Environment),
		SHA: strings.TrimSpace(p.SHA),
	}
	if unfinished[status] {
		return d, false, nil
	}
	mapped, known := deployStatuses[status]
	if !known {
		return d, false, badf(`"status" %q is not one we know: send "success" or "failure" (also accepted: succeeded, failed, error; in_progress and pending are acknowledged and not counted)`, cutText(p.Status))
	}
	d.Status = mapped
	if d.Finished, err = parseTime("finished_at", p.FinishedAt, true); err != nil {
		return d, false, err
	}
	if d.Started, err = parseTime("started_at", p.StartedAt, false); err != nil {
		return d, false, err
	}
	if d.Started.IsZero() {
		d.Started = d.Finished
	}
	if d.Started.After(d.Finished) {
		return d, false, badf(`"started_at" (%s) is after "finished_at" (%s)`, p.StartedAt, p.FinishedAt)
	}
	if d.Version, err = optionalName("version", p.Version); err != nil {
		return d, false, err
	}
	if d.Deployer, err = optionalName("deployer", p.Deployer); err != nil {
		return d, false, err
	}
	if d.URL, err = optionalURL("url", p.URL); err != nil {
		return d, false, err
	}
	// A long release lists more commits than a note shows or DORA needs:
	// keep the first maxCommits and remember how many there were.
	if len(p.Commits) > maxCommits {
		d.CommitsTotal = len(p.Commits)
		p.Commits = p.Commits[:maxCommits]
	}
	for i, c := range p.Commits {
		if strings.TrimSpace(c.SHA) == "" || !validName(c.SHA) {
			return d, false, badf(`commits[%d].sha is missing or not a commit`, i)
		}
		at, err := parseTime(fmt.Sprintf("commits[%d].timestamp", i), c.Timestamp, true)
		if err != nil {
			return d, false, err
		}
		cm := rituals.Commit{SHA: strings.TrimSpace(c.SHA), Time: at, Message: clipText(c.Message, maxMessage)}
		if cm.Author, err = optionalName(fmt.Sprintf("commits[%d].author", i), c.Author); err != nil {
			return d, false, err
		}
		if cm.URL, err = optionalURL(fmt.Sprintf("commits[%d].url", i), c.URL); err != nil {
			return d, false, err
		}
		d.Commits = append(d.Commits, cm)
	}
	// The same deploy reported twice (a retry of the hook, or its status
	// changing) has the same service, environment, commit and start.
	d.ID = "deploy:" + strings.ToLower(d.Service) + "/" + strings.ToLower(d.Environment) + "/" + d.SHA + "/" + d.Started.UTC().Format(time.RFC3339Nano)
	return d, true, nil
}

func parseTime(field, s string, required bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return time.Time{}, badf(`%q is missing: an RFC 3339 time such as "2026-11-23T10:05:00Z"`, field)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badf(`%q is %q, not an RFC 3339 time such as "2026-11-23T10:05:00Z"`, field, cutText(s))
	}
	if t.Year() < 2000 || t.Year() > 9999 {
		return time.Time{}, badf(`%q is %q, out of range`, field, cutText(s))
	}
	return t.UTC(), nil
}

// validName accepts what deploy systems name services, environments and
// commits with: printable, one line, at most 200 characters.
func validName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// optionalName reads an optional one-line field such as a version.
func optionalName(field, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	if !validName(s) {
		return "", badf(`%q %q is not one line of at most 200 printable characters`, field, cutText(s))
	}
	return strings.TrimSpace(s), nil
}

// optionalURL reads an optional http(s) link.
func optionalURL(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > maxURL || strings.ContainsAny(s, " <>|\n") {
		return "", badf(`%q %q is not an http(s) link`, field, cutText(s))
	}
	return s, nil
}

// clipText keeps a commit message's first n bytes, valid UTF-8, without
// control characters other than line breaks.
func clipText(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "?")
	if len(s) > n {
		s = s[:n]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func cutText(s string) string {
	if len(s) > 60 {
		s = s[:60]
	}
	return strings.ToValidUTF8(s, "?")
}

// jsonProblem words a decoding error for the sender.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d (%v)", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return fmt.Sprintf("%q should be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return "the body is empty"
	}
	return err.Error()
}

// Deploys serves POST /hooks/deploy: a CD system reports a finished deploy.
// The bearer token is checked before this handler (RITUALBOT_WEBHOOK_TOKEN).
type Deploys struct {
	Recorder DeployRecorder
	Log      zerolog.Logger
	Observe  Observer
	Body     *httplimit.Body // default: maxBody
}

func (h *Deploys) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, h.Body)
	if !ok {
		h.Observe.count("bad_request")
		return
	}
	d, finished, err := ParseDeploy(body)
	recordParsed(w, r, deployRecording{h.Recorder, h.Log, h.Observe}, d, finished, err, "the deploy has not finished; report it again when it has")
}

// deployRecording is what each deploy-reporting endpoint records with.
type deployRecording struct {
	Recorder DeployRecorder
	Log      zerolog.Logger
	Observe  Observer
}

// recordParsed answers a parsed deploy report, the same for every
// source: a body that did not parse is the sender's mistake (400); one
// that parsed but reports no finished deploy (ready false) is ignored
// with a 202 saying why (notReady), so the sender does not retry it; the
// rest is stored.
func recordParsed(w http.ResponseWriter, r *http.Request, to deployRecording, d rituals.Deploy, ready bool, parseErr error, notReady string) {
	switch {
	case parseErr != nil:
		to.Observe.count("bad_request")
		fail(w, http.StatusBadRequest, parseErr.Error())
	case !ready:
		to.Observe.count("ignored")
		writeJSON(w, http.StatusAccepted, map[string]string{"outcome": "ignored", "reason": notReady})
	default:
		record(w, r.Context(), to.Recorder, d, to.Log, to.Observe)
	}
}

// record stores a parsed deploy and answers with the outcome.
func record(w http.ResponseWriter, ctx context.Context, rec DeployRecorder, d rituals.Deploy, log zerolog.Logger, observe Observer) {
	outcome, reason, err := rec.RecordDeploy(ctx, d)
	if err != nil {
		observe.count("error")
		log.Error().Err(err).Str("deploy", httplimit.Clip(d.ID)).Msg("record deploy")
		fail(w, http.StatusInternalServerError, "could not store the deploy; it has been logged, please retry")
		return
	}
	observe.count(string(outcome))
	log.Info().Str("deploy", httplimit.Clip(d.ID)).Str("service", httplimit.Clip(d.Service)).Str("status", httplimit.Clip(d.Status)).Str("outcome", string(outcome)).Msg("deploy reported")
	code := http.StatusOK
	if outcome == digest.DeployIgnored {
		code = http.StatusAccepted
	}
	resp := map[string]string{"outcome": string(outcome), "id": d.ID}
	if reason != "" {
		resp["reason"] = reason
	}
	writeJSON(w, code, resp)
}
