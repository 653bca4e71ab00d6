package bot

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// A response_url posts as the bot for 30 minutes: a failed post logs its
// host, never its path, which holds the capability.
func TestFailedResponseURLPostLogsTheHostOnly(t *testing.T) {
	const secretPath = "/commands/T0FAKE/1234567890/s3cr3tCapabilityToken"
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "expired_url", http.StatusNotFound)
	}))
	defer refusing.Close()
	// A port nothing listens on: the post fails to connect.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	for _, tc := range []struct{ name, url, host, msg string }{
		{"refused by the server", refusing.URL + secretPath, strings.TrimPrefix(refusing.URL, "http://"), "response_url refused the reply"},
		{"connection refused", "http://" + closed + secretPath, closed, "post to response_url"},
		{"not a URL", "http://[::1" + secretPath, "?", "build response_url request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			in := &Intake{Log: zerolog.New(&logs), HTTP: refusing.Client()}
			in.respond(context.Background(), tc.url, Reply{Text: "hi"})
			got := logs.String()
			if !strings.Contains(got, tc.msg) || !strings.Contains(got, `"response_host":"`+tc.host+`"`) {
				t.Errorf("log %q lacks %q with the host %s", got, tc.msg, tc.host)
			}
			if strings.Contains(got, "s3cr3tCapabilityToken") || strings.Contains(got, "/commands/") {
				t.Errorf("the log holds the response_url's path: %s", got)
			}
		})
	}
}
