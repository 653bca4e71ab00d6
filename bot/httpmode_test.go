package bot

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Slack's published example ("Verifying requests from Slack"): using their
// vector, not one we computed, proves the base string is built as Slack
// builds it.
const (
	vectorSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	vectorTimestamp = "1531420618"
	vectorBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	vectorSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerifySignatureWithSlacksVector(t *testing.T) {
	sent := time.Unix(1531420618, 0)
	header := func(sig, ts string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set("X-Slack-Signature", sig)
		}
		if ts != "" {
			h.Set("X-Slack-Request-Timestamp", ts)
		}
		return h
	}
	tests := []struct {
		name    string
		header  http.Header
		body    string
		now     time.Time
		wantErr string
	}{
		{"the published request", header(vectorSignature, vectorTimestamp), vectorBody, sent.Add(time.Minute), ""},
		{"4m59s later is still fresh", header(vectorSignature, vectorTimestamp), vectorBody, sent.Add(5*time.Minute - time.Second), ""},
		{"stamped 30 s ahead of our clock", header(vectorSignature, vectorTimestamp), vectorBody, sent.Add(-30 * time.Second), ""},
		{"stamped 31 s ahead of our clock", header(vectorSignature, vectorTimestamp), vectorBody, sent.Add(-31 * time.Second), "more than 30 s in the future"},
		{"stamped 290 s ahead (the review's)", header(vectorSignature, vectorTimestamp), vectorBody, sent.Add(-290 * time.Second), "more than 30 s in the future"},
		{"replayed 6 minutes later", header(vectorSignature, vectorTimestamp), vectorBody, sent.Add(6 * time.Minute), "more than 5 minutes old"},
		{"body changed", header(vectorSignature, vectorTimestamp), strings.Replace(vectorBody, "text=", "text=x", 1), sent, "signature does not match"},
		{"wrong secret's signature", header("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504", vectorTimestamp), vectorBody, sent, "signature does not match"},
		{"timestamp changed", header(vectorSignature, "1531420619"), vectorBody, sent, "signature does not match"},
		{"no signature", header("", vectorTimestamp), vectorBody, sent, "missing"},
		{"no timestamp", header(vectorSignature, ""), vectorBody, sent, "missing"},
		{"timestamp not a number", header(vectorSignature, "yesterday"), vectorBody, sent, "bad X-Slack-Request-Timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(vectorSecret, tt.header, []byte(tt.body), tt.now)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
