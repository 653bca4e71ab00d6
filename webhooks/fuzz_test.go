package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/rituals/incident"
	"github.com/ritualbot/ritualbot/webhooks"
)

const amSeed = `{"receiver":"ritualbot","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighLatency","severity":"critical"},` +
	`"annotations":{"summary":"p99 above 2s"},"startsAt":"2026-11-24T12:55:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph","fingerprint":"a1b2c3"}],` +
	`"groupLabels":{"alertname":"HighLatency"},"commonLabels":{"alertname":"HighLatency"},"commonAnnotations":{},"externalURL":"http://am:9093","version":"4","groupKey":"{}:{alertname=\"HighLatency\"}","truncatedAlerts":0}`

const pdSeed = `{"event":{"id":"01DEN6SVGQR9A4NVZ3A1LD1JDM","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-24T13:01:12.169Z",` +
	`"agent":{"id":"PLH1HKV","summary":"Tenex Engineer"},"data":{"id":"Q1BD5T6Y8I9Z1L","type":"incident","html_url":"https://acme.pagerduty.com/incidents/Q1BD5T6Y8I9Z1L",` +
	`"number":2,"status":"triggered","title":"Latency","service":{"id":"PF9KMXH","summary":"API Service"},"priority":{"summary":"P2"},"urgency":"high"}}}`

const pdNoteSeed = `{"event":{"id":"01DEN","event_type":"incident.annotated","resource_type":"incident","occurred_at":"2026-11-24T13:01:12Z",` +
	`"data":{"type":"incident_note","content":"Rolled back","incident":{"id":"Q1BD","html_url":"https://x"}}}}`

// FuzzParseAlertmanager: no body panics the parser, and what it accepts is
// a well-formed group.
func FuzzParseAlertmanager(f *testing.F) {
	for _, s := range []string{amSeed, `{}`, `[]`, `null`, `{"version":"4","groupKey":"g","status":"resolved","alerts":[]}`,
		`{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing","startsAt":"2026-01-01T00:00:00.123456789+05:30"}]}`,
		`{"version":4}`, `{"version":"4","groupKey":"g","status":"firing","alerts":[null]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		g, err := webhooks.ParseAlertmanager(body)
		if err != nil {
			if err.Error() == "" {
				t.Error("an error without a reason")
			}
			return
		}
		if g.GroupKey == "" || g.Status != incident.AlertFiring && g.Status != incident.AlertResolved {
			t.Errorf("accepted a group without key or status: %+v", g)
		}
		for _, a := range g.Alerts {
			if a.Status != incident.AlertFiring && a.Status != incident.AlertResolved || a.Labels == nil || a.Annotations == nil {
				t.Errorf("accepted a bad alert: %+v", a)
			}
		}
	})
}

func FuzzParsePagerDuty(f *testing.F) {
	for _, s := range []string{pdSeed, pdNoteSeed, `{}`, `{"event":null}`, `{"event":{"id":"x","event_type":"service.updated","resource_type":"service"}}`,
		`{"event":{"id":"x","event_type":"incident.triggered","resource_type":"incident","data":null}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := webhooks.ParsePagerDuty(body)
		if err != nil {
			return
		}
		if ev.ID == "" || ev.Type == "" {
			t.Errorf("accepted an event without id or type: %+v", ev)
		}
	})
}

// FuzzVerifyPagerDutySignature: a header never verifies a body it was not
// computed for, and the real signature among junk always does.
func FuzzVerifyPagerDutySignature(f *testing.F) {
	f.Add("secret", "v1=00,v1=zz", []byte(pdSeed))
	f.Add("s", "", []byte{})
	f.Add("", "v1=", []byte("x"))
	f.Fuzz(func(t *testing.T, secret, junk string, body []byte) {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		good := "v1=" + hex.EncodeToString(mac.Sum(nil))
		if secret != "" && !webhooks.VerifyPagerDutySignature(secret, junk+","+good, body) {
			t.Errorf("the right signature after %q did not verify", junk)
		}
		if webhooks.VerifyPagerDutySignature(secret, junk, body) && junk != "" {
			// Only possible if junk holds the right signature itself.
			mac2 := hmac.New(sha256.New, []byte(secret))
			mac2.Write(body)
			if !containsSig(junk, hex.EncodeToString(mac2.Sum(nil))) {
				t.Errorf("%q verified without the signature", junk)
			}
		}
		if webhooks.VerifyPagerDutySignature("", good, body) {
			t.Error("an empty secret verified")
		}
	})
}

func containsSig(header, sig string) bool {
	for i := 0; i+len(sig) <= len(header); i++ {
		if len(header[i:]) >= len(sig) && equalFoldHex(header[i:i+len(sig)], sig) {
			return true
		}
	}
	return false
}

func equalFoldHex(a, b string) bool {
	x, err1 := hex.DecodeString(a)
	y, err2 := hex.DecodeString(b)
	return err1 == nil && err2 == nil && hmac.Equal(x, y)
}

// FuzzParseRelease: no body panics the parser, and a published release it
// accepts is a finished record in the release environment, its links
// http(s) and its notes within their bound.
func FuzzParseRelease(f *testing.F) {
	for _, s := range []string{`{"action":"published","release":{"id":1,"tag_name":"v1","body":"x","html_url":"https://github.com/a/b/releases/1",` +
		`"published_at":"2026-11-23T07:30:00Z","author":{"login":"alice"}},"repository":{"name":"b","full_name":"a/b"}}`,
		`{}`, `null`, `{"action":"created","release":{},"repository":{"name":"b"}}`,
		`{"action":"published","release":{"id":"x"},"repository":{"name":"b"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, ok, err := webhooks.ParseRelease(body)
		if err != nil || !ok {
			return
		}
		if d.ID == "" || d.Service == "" || d.Environment != "release" || d.Finished.IsZero() || len(d.Notes) > 20000 {
			t.Errorf("accepted a bad release: %+v", d)
		}
		if d.URL != "" && !strings.HasPrefix(d.URL, "http://") && !strings.HasPrefix(d.URL, "https://") {
			t.Errorf("release link %q", d.URL)
		}
	})
}
