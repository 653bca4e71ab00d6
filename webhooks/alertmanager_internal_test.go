package webhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// sameAsEncodingJSON reports a difference between decodeAlertmanager
// (json/v2) and encoding/json's reflection into the same payload type, ""
// if none. json/v2 is stricter on purpose: it refuses duplicate member
// names and invalid UTF-8, and matches names exactly where encoding/json
// folds case; where the two differ, json/v2 with those three relaxed must
// agree with encoding/json. (A body that is not an object, such as null,
// is refused; encoding/json leaves the struct empty.)
func sameAsEncodingJSON(body []byte) string {
	got, gotErr := decodeAlertmanager(body)
	var ref amPayload
	refErr := json.Unmarshal(body, &ref)
	if refErr == nil && jsontext.Value(bytes.TrimSpace(body)).Kind() != '{' {
		refErr = errors.New("not an object")
	}
	var relaxed amPayload
	relaxedErr := jsonv2.Unmarshal(body, &relaxed, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true),
		jsonv2.MatchCaseInsensitiveNames(true))
	if relaxedErr == nil && jsontext.Value(bytes.TrimSpace(body)).Kind() != '{' {
		relaxedErr = errors.New("not an object")
	}
	if (gotErr == nil) != (refErr == nil) {
		if (relaxedErr == nil) == (refErr == nil) {
			return "" // one of json/v2's refusals, or a case-folded name
		}
		return fmt.Sprintf("%q: error %v, encoding/json's %v", body, gotErr, refErr)
	}
	if gotErr != nil || reflect.DeepEqual(got, ref) {
		return ""
	}
	if relaxedErr == nil && reflect.DeepEqual(relaxed, ref) {
		return "" // encoding/json took a member whose name differs in case
	}
	return fmt.Sprintf("%q: decoded %#v, encoding/json %#v", body, got, ref)
}

func TestDecodeAlertmanagerAgreesWithEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`{"version":"4","groupKey":"g","status":"firing","truncatedAlerts":2,"receiver":"r","externalURL":"http://am",` +
			`"groupLabels":{"alertname":"HighLatency"},"commonLabels":{},"commonAnnotations":null,` +
			`"alerts":[{"status":"firing","labels":{"alertname":"HighLatency","severity":"critical"},"annotations":{"summary":"s"},` +
			`"startsAt":"2026-11-24T12:55:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom","fingerprint":"a1"},null,{}]}`,
		` { "version" : "4" ,	"alerts":[ ]
		} `,
		`{}`, `null`, `[]`, `"4"`, `4`, `{"alerts":null}`, `{"version":null,"groupKey":null}`,
		`{"esc\"aped":"va\\lue","status":"\u0066iring","receiver":"\u00e9\ud83d\ude00"}`,
		`{"groupLabels":{"a":"1","a":"2"}}`, `{"status":"firing","status":"resolved"}`,
		`{"groupLabels":{"a":null}}`, `{"groupLabels":{"a":1}}`, `{"groupLabels":{"a":["x"]}}`, `{"groupLabels":{"a":{"b":"c"}}}`,
		"{\"receiver\":\"utf\xfe8\"}", "{\"bad\xff\":\"x\"}",
		`{"truncatedAlerts":-0}`, `{"truncatedAlerts":1.5}`, `{"truncatedAlerts":1e2}`, `{"truncatedAlerts":"3"}`,
		`{"truncatedAlerts":99999999999999999999}`, `{"truncatedAlerts":null}`,
		`{"version":4}`, `{"alerts":{}}`, `{"alerts":[1]}`, `{"alerts":[{"labels":[]}]}`, `{"Version":"4"}`,
		`{"unknown":{"deep":[1,{"x":null}]},"version":"4"}`, `{"version":"4"} {}`, `{"version":"4"`, `{"version":"4",}`, ``,
	} {
		if diff := sameAsEncodingJSON([]byte(body)); diff != "" {
			t.Error(diff)
		}
	}
}

// Errors say where in the body the fault is and what was wanted.
func TestDecodeAlertmanagerErrorsSayWhere(t *testing.T) {
	for body, want := range map[string]string{
		`{"alerts":[{},{"labels":{"severity":2}}]}`: "alerts[1].labels.severity is a number; want a string",
		`{"alerts":{}}`:                             "alerts is an object; want a list of alerts",
		`{"truncatedAlerts":1.5}`:                   "truncatedAlerts is 1.5; want a whole number",
		`{"alerts":[1]}`:                            "alerts[0] is a number; want an object",
		`{"groupLabels":{"a/b~":true}}`:             "groupLabels.a/b~ is a boolean; want a string",
		"{\"receiver\":\"utf\xfe8\"}":               "invalid UTF-8",
		`{"alerts":[{"labels":{"a":"1","a":"2"}}]}`: "duplicate",
		`[]`:                 "the body is not a JSON object",
		`{"version":"4"`:     "the body ends before the JSON does",
		`{"version":"4"} {}`: "there is more after the JSON object",
		`{"status":"firing","status":"resolved"}`: "duplicate",
	} {
		_, err := decodeAlertmanager([]byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v; want %q", body, err, want)
		}
	}
}

func FuzzDecodeAlertmanager(f *testing.F) {
	for _, s := range []string{`{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"firing","labels":{"a":"b"}}]}`,
		`{}`, `null`, `{"receiver":"\u0041"}`, `{"groupLabels" : {"a" : "b" , "c":"d"}}`, `{"truncatedAlerts":1}`, `{"alerts":[null,{}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if diff := sameAsEncodingJSON(body); diff != "" {
			t.Fatal(diff)
		}
	})
}
