package slackfake

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
)

// requestURLSet is the app's request URL, or an error while none is set.
func (s *Server) requestURLSet() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requestURL == "" {
		return "", fmt.Errorf("slackfake: no request URL set")
	}
	return s.requestURL, nil
}

// SSLCheck sends what Slack sends a slash command's request URL to check
// its certificate: a form POST of ssl_check=1 and the verification token,
// without a signature (api.slack.com/interactivity/slash-commands, "SSL
// check"; Bolt answers it before verifying requests:
// slackapi/bolt-python slack_bolt/middleware/ssl_check/ssl_check.py).
// Anything but a 200 is an error: Slack would then refuse the URL.
func (s *Server) SSLCheck(ctx context.Context) error {
	reqURL, err := s.requestURLSet()
	if err != nil {
		return err
	}
	body := []byte("ssl_check=1&token=" + verificationToken)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, reqURL+"/slack/commands", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	resp, err := s.httpc.Do(req)
	if err != nil {
		return fmt.Errorf("slackfake: ssl_check: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slackfake: ssl_check answered HTTP %d, want 200", resp.StatusCode)
	}
	return nil
}
