package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ritualbot/ritualbot/rituals"
)

// Real payload shapes, after bolt-python's tests/scenario_tests
// (test_block_actions.py, test_view_submission.py) and Slack's Events API
// docs, with our own action and callback IDs.
const (
	seedBlockActions = `{"type":"block_actions","user":{"id":"W111","username":"primary-owner","name":"primary-owner","team_id":"T111"},` +
		`"api_app_id":"A111","token":"verification_token","container":{"type":"message","message_ts":"111.222","channel_id":"C111","is_ephemeral":true},` +
		`"trigger_id":"111.222.valid","team":{"id":"T111","domain":"workspace-domain","enterprise_id":"E111","enterprise_name":"Sandbox Org"},` +
		`"channel":{"id":"C111","name":"test-channel"},"response_url":"https://hooks.slack.com/actions/T111/111/random-value",` +
		`"actions":[{"action_id":"standup:skip","block_id":"b","text":{"type":"plain_text","text":"Button","emoji":true},"value":"payments-standup|2026-11-23","type":"button","action_ts":"1596530385.194939"}]}`
	seedViewSubmission = `{"type":"view_submission","team":{"id":"T111","domain":"workspace-domain","enterprise_id":"E111","enterprise_name":"Sandbox Org"},` +
		`"user":{"id":"W111","username":"primary-owner","name":"primary-owner","team_id":"T111"},"api_app_id":"A111","token":"verification_token","trigger_id":"111.222.valid",` +
		`"view":{"id":"V111","team_id":"T111","type":"modal","blocks":[{"type":"input","block_id":"hspI","label":{"type":"plain_text","text":"Label"},"optional":false,` +
		`"element":{"type":"plain_text_input","action_id":"maBWU"}}],"private_metadata":"payments-standup|2026-11-23","callback_id":"standup",` +
		`"state":{"values":{"hspI":{"maBWU":{"type":"plain_text_input","value":"test"}},"owner":{"value":{"type":"users_select","selected_user":"U0BOB"}},` +
		`"due":{"value":{"type":"datepicker","selected_date":"2026-12-01"}},"sev":{"value":{"type":"static_select","selected_option":{"text":{"type":"plain_text","text":"SEV1"},"value":"sev1"}}},` +
		`"many":{"value":{"type":"multi_users_select","selected_users":["U1","U2"]}}}},"hash":"1596530361.3wRYuk3R","title":{"type":"plain_text","text":"My App"},` +
		`"clear_on_close":false,"notify_on_close":false,"close":{"type":"plain_text","text":"Cancel"},"submit":{"type":"plain_text","text":"Submit"},` +
		`"previous_view_id":null,"root_view_id":"V111","app_id":"A111","external_id":"","app_installed_team_id":"T111","bot_id":"B111"},"response_urls":[],"is_enterprise_install":false}`
	seedEvent = `{"token":"XXYYZZ","team_id":"T111","api_app_id":"A111","event":{"type":"app_mention","user":"U0BOB","text":"<@U0BOT> update #1 ok",` +
		`"ts":"1515449522.000016","channel":"C111","thread_ts":"1515449438.000011","event_ts":"1515449522000016"},"type":"event_callback","event_id":"Ev0PV52K25","event_time":1515449522}`
)

// fuzzHTTPMode is HTTP mode over a router whose handlers answer the way
// the rituals' do (a reply, an error for users, errors on a form's
// blocks), and whose response_url posts go nowhere: a fuzzed payload must
// not make the fuzzer call the network.
func fuzzHTTPMode(secret string) http.Handler {
	r := NewRouter(zerolog.Nop())
	r.HandleAction("standup", func(_ context.Context, a Action) (*Reply, error) {
		if a.Value == "" {
			return nil, rituals.Errorf(rituals.EINVALID, "That button no longer does anything.")
		}
		return &Reply{Text: "Skipped " + rituals.Escape(a.Value)}, nil
	})
	r.HandleAction("incident", func(_ context.Context, a Action) (*Reply, error) {
		return nil, errors.New("store closed")
	})
	r.HandleSubmit("standup", func(_ context.Context, s Submission) (map[string]string, error) {
		for id, v := range s.Values {
			if v == "" {
				return map[string]string{id: "Please answer this one."}, nil
			}
		}
		return nil, nil
	})
	r.HandleSubmit("incident_retro", func(context.Context, Submission) (map[string]string, error) {
		return nil, rituals.Errorf(rituals.ECONFLICT, "The postmortem is already published.")
	})
	r.HandleEvent("app_mention", func(context.Context, Event) error { return nil })
	noNetwork := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("no network in the fuzzer")
	})}
	in := &Intake{Router: r, Log: zerolog.Nop(), HTTP: noNetwork, Deadline: time.Second}
	mux := http.NewServeMux()
	(&HTTPMode{SigningSecret: secret, Intake: in, Log: zerolog.Nop()}).Register(mux)
	return mux
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// serveSigned posts body to path, signed with secret now.
func serveSigned(h http.Handler, secret, path string, body []byte) *httptest.ResponseRecorder {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkAnswer: a signed request is answered 200 (with an empty body or
// JSON) or 400 with the reason; never a panic, a 5xx or a half answer.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	switch rec.Code {
	case http.StatusOK:
		body := bytes.TrimSpace(rec.Body.Bytes())
		if len(body) > 0 && rec.Header().Get("Content-Type") == "application/json" && !json.Valid(body) {
			t.Fatalf("%s: answered invalid JSON %q", what, body)
		}
		var ack struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		}
		if json.Unmarshal(body, &ack) == nil && ack.ResponseAction == "errors" && len(ack.Errors) == 0 {
			t.Fatalf("%s: an errors answer without errors: %s", what, body)
		}
	case http.StatusBadRequest, http.StatusConflict: // 409: the same body signed in the same second again
		if strings.TrimSpace(rec.Body.String()) == "" {
			t.Fatalf("%s: %d without a reason", what, rec.Code)
		}
	default:
		t.Fatalf("%s: answered %d %q", what, rec.Code, rec.Body.String())
	}
}

// FuzzInteractionPayload: whatever JSON arrives in an interaction's
// payload field (block_actions, view_submission, or anything), HTTP mode's
// form decoding, slack-go's InteractionCallback and the intake answer
// cleanly.
func FuzzInteractionPayload(f *testing.F) {
	for _, s := range []string{seedBlockActions, seedViewSubmission,
		strings.Replace(seedBlockActions, `"standup:skip"`, `"incident:done"`, 1),
		strings.Replace(seedViewSubmission, `"callback_id":"standup"`, `"callback_id":"incident_retro"`, 1),
		strings.Replace(seedViewSubmission, `"value":"test"`, `"value":""`, 1),
		`{"type":"block_actions","actions":[]}`, `{"type":"block_actions","actions":[null]}`, `{"type":"view_submission","view":null}`,
		`{"type":"view_submission","view":{"state":{"values":{"a":null}}}}`, `{"type":"shortcut"}`, `{}`, `null`, `[]`, `"x"`, ``,
		`{"type":"block_actions","actions":[{"action_id":"nobody:x","type":"overflow","selected_option":{"value":"v"}}]}`,
		`{"type":"block_actions","actions":[{"action_id":"standup","type":"checkboxes","selected_options":[{"value":"a"},{"value":"b"}]}]}`} {
		f.Add([]byte(s))
	}
	const secret = "fuzz-secret"
	h := fuzzHTTPMode(secret)
	f.Fuzz(func(t *testing.T, payload []byte) {
		body := []byte(url.Values{"payload": {string(payload)}}.Encode())
		checkAnswer(t, "payload "+string(payload), serveSigned(h, secret, "/slack/interactions", body))
	})
}

// FuzzSlackRequest: any signed body on any of HTTP mode's endpoints (the
// form of a slash command or an interaction, an Events API body) is
// answered cleanly; a url_verification gets its challenge back.
func FuzzSlackRequest(f *testing.F) {
	paths := []string{"/slack/commands", "/slack/interactions", "/slack/events"}
	command := "token=x&team_id=T1&channel_id=C1&user_id=U1&user_name=a&command=%2Fstandup&text=history+%3C%40U2%7Cb%3E+5&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=1.2.3&api_app_id=A1&is_enterprise_install=false"
	for i, s := range []string{command, "payload=" + url.QueryEscape(seedBlockActions), seedEvent,
		`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`,
		"command=%2Fnope", "%zz", "payload=%7B", `{"type":"event_callback","event":null}`, `{"type":"event_callback","event":"x"}`, "", "a=b&a=c&payload="} {
		f.Add(uint8(i), []byte(s))
	}
	const secret = "fuzz-secret"
	h := fuzzHTTPMode(secret)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[int(which)%len(paths)]
		rec := serveSigned(h, secret, path, body)
		checkAnswer(t, path+" "+string(body), rec)
		var v struct{ Type, Challenge string }
		if path == "/slack/events" && json.Unmarshal(body, &v) == nil && v.Type == "url_verification" && rec.Code == 200 && rec.Body.String() != v.Challenge {
			t.Fatalf("url_verification answered %q, want the challenge %q", rec.Body.String(), v.Challenge)
		}
	})
}

// FuzzVerifySignature: a request passes only with the signature of its
// own timestamp and body under the secret, within the replay window.
func FuzzVerifySignature(f *testing.F) {
	f.Add("8f742231b10e8888abcd99yyyzzz85a5", int64(0), []byte(vectorBody), "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	f.Add("s", int64(-301), []byte{}, "")
	f.Add("", int64(299), []byte("x"), "v0=")
	f.Add("k", int64(31), []byte("x"), "")
	f.Add("k", int64(30), []byte("x"), "")
	now := time.Unix(1764000000, 0)
	f.Fuzz(func(t *testing.T, secret string, skew int64, body []byte, junk string) {
		ts := strconv.FormatInt(now.Unix()+skew, 10)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("v0:" + ts + ":"))
		mac.Write(body)
		good := "v0=" + hex.EncodeToString(mac.Sum(nil))
		header := func(sig string) http.Header {
			return http.Header{"X-Slack-Signature": {sig}, "X-Slack-Request-Timestamp": {ts}}
		}
		fresh := skew >= -300 && skew <= 30 // 5 minutes old, 30 s ahead
		if err := VerifySignature(secret, header(good), body, now); (err == nil) != fresh {
			t.Fatalf("the right signature, %ds off: %v", skew, err)
		}
		if junk != good && VerifySignature(secret, header(junk), body, now) == nil {
			t.Fatalf("%q passed for %q", junk, body)
		}
		if VerifySignature(secret+"x", header(good), body, now) == nil {
			t.Fatal("another secret's signature passed")
		}
	})
}
