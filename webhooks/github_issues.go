package webhooks

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/ritualbot/ritualbot/internal/httplimit"
)

// IssueEvent is an `issues` event that changes an issue's state.
type IssueEvent struct {
	Repo   string // owner/name
	Number int
	URL    string
	// Closed is true for "closed", false for "reopened".
	Closed bool
}

// IssueSink takes the closing or reopening of an issue, and says what
// came of it: "updated", or "ignored" for an issue that is no action
// item's.
type IssueSink func(ctx context.Context, ev IssueEvent) (outcome string, err error)

type githubIssues struct {
	Action string `json:"action"`
	Issue  *struct {
		Number  int    `json:"number"`
		HTMLURL string `json:"html_url"`
	} `json:"issue"`
	Repository *githubRepository `json:"repository"`
}

// ParseIssues reads an `issues` event; ok is false for actions other than
// closed and reopened.
func ParseIssues(body []byte) (ev IssueEvent, ok bool, err error) {
	var in githubIssues
	if err := json.Unmarshal(body, &in); err != nil {
		return ev, false, badf("the body is not an issues event: %s", jsonProblem(err))
	}
	switch {
	case in.Issue == nil || in.Issue.Number <= 0:
		return ev, false, badf(`no "issue" with a number`)
	case in.Repository == nil || !validName(in.Repository.FullName):
		return ev, false, badf(`no "repository" with a full_name`)
	}
	ev = IssueEvent{Repo: in.Repository.FullName, Number: in.Issue.Number, URL: in.Issue.HTMLURL, Closed: in.Action == "closed"}
	return ev, in.Action == "closed" || in.Action == "reopened", nil
}

func (h *GitHub) serveIssues(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, ok, err := ParseIssues(body)
	switch {
	case err != nil:
		h.Observe.count("bad_request")
		fail(w, http.StatusBadRequest, err.Error())
		return
	case !ok:
		h.Observe.count("ignored")
		writeJSON(w, http.StatusAccepted, map[string]string{"outcome": "ignored", "reason": "only closed and reopened issues change action items"})
		return
	}
	outcome, err := h.Issues(r.Context(), ev)
	if err != nil {
		h.Observe.count("error")
		h.Log.Error().Err(err).Str("repo", httplimit.Clip(ev.Repo)).Int("issue", ev.Number).Msg("apply an issues event")
		fail(w, http.StatusInternalServerError, "could not apply the event; it has been logged, please redeliver")
		return
	}
	h.Observe.count("issues_" + outcome)
	writeJSON(w, http.StatusOK, map[string]string{"outcome": outcome})
}
