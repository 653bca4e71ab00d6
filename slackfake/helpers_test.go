package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/ritualbot/ritualbot/slackfake"
)

// newFake starts a workspace with a few members and channels.
func newFake(t *testing.T, opts slackfake.Options) *slackfake.Server {
	t.Helper()
	f := slackfake.New(opts)
	t.Cleanup(f.Close)
	f.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice", RealName: "Alice Liddell", Email: "alice@example.com", TZ: "Europe/Paris"})
	f.AddUser(slackfake.User{ID: "U0BOB", Name: "bob", RealName: "Bob Builder", Email: "bob@example.com", TZ: "America/New_York"})
	f.AddChannel(slackfake.Channel{ID: "C0GENERAL", Name: "general", Members: []string{"U0ALICE", "U0BOB", "U0BOT"}})
	f.AddChannel(slackfake.Channel{ID: "C0RANDOM", Name: "random", Members: []string{"U0ALICE"}})
	f.AddChannel(slackfake.Channel{ID: "C0SECRET", Name: "secret", IsPrivate: true, Members: []string{"U0ALICE"}})
	return f
}

func botClient(f *slackfake.Server) *slack.Client {
	return slack.New("xoxb-fake-bot-token", slack.OptionAPIURL(f.APIURL()))
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// slackErr returns the Slack error code of err, or "".
func slackErr(err error) string {
	var e slack.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	return ""
}

// rawBlock sends JSON as-is through slack-go, to build blocks slack-go's
// types cannot express.
type rawBlock json.RawMessage

func (rawBlock) BlockType() slack.MessageBlockType { return "raw" }
func (rawBlock) ID() string                        { return "" }
func (r rawBlock) MarshalJSON() ([]byte, error)    { return r, nil }

func blocksOf(t *testing.T, js string) []slack.Block {
	t.Helper()
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(js), &arr); err != nil {
		t.Fatalf("bad test blocks %s: %v", js, err)
	}
	out := make([]slack.Block, len(arr))
	for i, b := range arr {
		out[i] = rawBlock(b)
	}
	return out
}

// callAPI posts a form to a Web API method and decodes the answer.
func callAPI(t *testing.T, f *slackfake.Server, method string, form url.Values, header http.Header) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.APIURL()+method, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: body is not JSON: %v", method, err)
	}
	return resp.StatusCode, resp.Header, body
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }
