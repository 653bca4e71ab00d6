// Package githubissues keeps a GitHub issue per action item of the
// incidents rituals that ask for one (actions.github): it creates the
// issue, and closes or reopens it as the item is done or open again.
// The items in the store are the queue: a pass compares each item with
// the issue state last set, and a failed call is retried with backoff
// at a later pass, so GitHub being down never holds up an incident.
package githubissues

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DefaultAPIURL is GitHub's REST API (GITHUB_API_URL overrides it, for
// GitHub Enterprise Server or a test's fake).
const DefaultAPIURL = "https://api.github.com/"

// Client calls the GitHub REST API with a token (GITHUB_TOKEN).
type Client struct {
	BaseURL string
	// Token is read at each call, as the other secrets are.
	Token func() string
	HTTP  *http.Client
}

// Issue is what GitHub answers about an issue.
type Issue struct {
	Number  int    `json:"number"`
	HTMLURL string `json:"html_url"`
	State   string `json:"state"`
}

// CreateIssue opens an issue in repo (owner/name).
func (c *Client) CreateIssue(ctx context.Context, repo, title, body string, labels []string) (Issue, error) {
	if labels == nil {
		labels = []string{}
	}
	var is Issue
	err := c.call(ctx, http.MethodPost, "repos/"+repo+"/issues", map[string]any{"title": title, "body": body, "labels": labels}, &is)
	if err == nil && is.Number <= 0 {
		err = fmt.Errorf("create issue in %s: GitHub gave no issue number", repo)
	}
	return is, err
}

// SetState closes (as completed) or reopens issue n of repo.
func (c *Client) SetState(ctx context.Context, repo string, n int, state string) error {
	body := map[string]any{"state": state}
	if state == "closed" {
		body["state_reason"] = "completed"
	}
	return c.call(ctx, http.MethodPatch, fmt.Sprintf("repos/%s/issues/%d", repo, n), body, nil)
}

func (c *Client) call(ctx context.Context, method, path string, body, out any) error {
	token := c.Token()
	if token == "" {
		return fmt.Errorf("%s %s: GITHUB_TOKEN is not set", method, path)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultAPIURL
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+"/"+path, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ritualbot")
	req.Header.Set("Authorization", "Bearer "+token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		return &StatusError{Method: method, Path: path, Code: resp.StatusCode, Message: e.Message}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not JSON: %w", method, path, err)
		}
	}
	return nil
}

// StatusError is GitHub's answer to a call it refused.
type StatusError struct {
	Method, Path string
	Code         int
	Message      string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: GitHub answered %d %s", e.Method, e.Path, e.Code, e.Message)
}
