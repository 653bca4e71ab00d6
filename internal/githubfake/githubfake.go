// Package githubfake is a fake of the part of GitHub's REST API that
// ritualbot calls, as strict as GitHub's documentation: creating an issue
// (POST /repos/{owner}/{repo}/issues) and changing its state (PATCH
// /repos/{owner}/{repo}/issues/{issue_number}), authenticated with a token
// (Authorization: Bearer TOKEN, or the older "token TOKEN"). It serves on
// loopback for tests, and can fail calls on demand.
package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Issue is an issue as the fake keeps it.
type Issue struct {
	Repo   string
	Number int
	Title  string
	Body   string
	Labels []string
	State  string // open, closed
	// StateReason is GitHub's: completed, not_planned or reopened.
	StateReason string
}

// Server is the fake GitHub API.
type Server struct {
	*httptest.Server
	Token string

	mu     sync.Mutex
	issues map[string][]*Issue // repo → issues, number-1 indexed
	fail   int                 // how many calls answer 502
	calls  []string            // "METHOD path"
	bad    []string            // requests refused, and why
}

// New starts a fake that accepts token.
func New(token string) *Server {
	s := &Server{Token: token, issues: map[string][]*Issue{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the API's base URL, as GITHUB_API_URL takes it.
func (s *Server) APIURL() string { return s.Server.URL + "/" }

// FailNext makes the next n calls answer 502 Bad Gateway.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = n
}

// Issues returns a copy of repo's issues, by number.
func (s *Server) Issues(repo string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, i := range s.issues[repo] {
		out = append(out, *i)
	}
	return out
}

// Calls returns the calls made, "METHOD path" each.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// Refused returns the requests the fake refused as GitHub would, and why.
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bad...)
}

var (
	createPath = regexp.MustCompile(`^/repos/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/issues$`)
	issuePath  = regexp.MustCompile(`^/repos/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/issues/([0-9]+)$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	refuse := func(code int, msg string) {
		s.bad = append(s.bad, fmt.Sprintf("%s %s: %d %s", r.Method, r.URL.Path, code, msg))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
	}
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "Bearer "); !ok || tok != s.Token {
		if tok, ok := strings.CutPrefix(auth, "token "); !ok || tok != s.Token {
			refuse(http.StatusUnauthorized, "Bad credentials")
			return
		}
	}
	if s.fail > 0 {
		s.fail--
		refuse(http.StatusBadGateway, "Server Error")
		return
	}
	if r.Method != http.MethodGet && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		refuse(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	if m := createPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPost {
		var body struct {
			Title  *string  `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || body.Title == nil || strings.TrimSpace(*body.Title) == "" {
			refuse(http.StatusUnprocessableEntity, "Validation Failed: title is required")
			return
		}
		repo := m[1] + "/" + m[2]
		is := &Issue{Repo: repo, Number: len(s.issues[repo]) + 1, Title: *body.Title, Body: body.Body, Labels: body.Labels, State: "open"}
		s.issues[repo] = append(s.issues[repo], is)
		s.write(w, http.StatusCreated, is)
		return
	}
	if m := issuePath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPatch {
		repo := m[1] + "/" + m[2]
		n, _ := strconv.Atoi(m[3])
		if n < 1 || n > len(s.issues[repo]) {
			refuse(http.StatusNotFound, "Not Found")
			return
		}
		var body struct {
			State       string `json:"state"`
			StateReason string `json:"state_reason"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || body.State != "open" && body.State != "closed" {
			refuse(http.StatusUnprocessableEntity, "Validation Failed: state is open or closed")
			return
		}
		is := s.issues[repo][n-1]
		is.State, is.StateReason = body.State, body.StateReason
		s.write(w, http.StatusOK, is)
		return
	}
	refuse(http.StatusNotFound, "Not Found")
}

// write answers with the issue as GitHub shows it.
func (s *Server) write(w http.ResponseWriter, code int, is *Issue) {
	labels := []map[string]string{}
	for _, l := range is.Labels {
		labels = append(labels, map[string]string{"name": l})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State, "labels": labels,
		"html_url": fmt.Sprintf("https://github.com/%s/issues/%d", is.Repo, is.Number),
		"url":      fmt.Sprintf("%s/repos/%s/issues/%d", s.Server.URL, is.Repo, is.Number),
	})
}

// CloseIssue closes issue n of repo as a person would on GitHub (the webhook
// is the test's to send).
func (s *Server) CloseIssue(repo string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n >= 1 && n <= len(s.issues[repo]) {
		s.issues[repo][n-1].State = "closed"
	}
}
