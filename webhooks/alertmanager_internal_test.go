package webhooks

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// referencePayload is amPayload for go-json-experiment/json's reflection,
// which decodeAlertmanager's hand-written walk must agree with.
type referencePayload struct {
	Version           *string           `json:"version"`
	GroupKey          *string           `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            *[]referenceAlert `json:"alerts"`
}

type referenceAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// sameAsReflection reports a difference between decodeAlertmanager and
// decoding by reflection, "" if none: the same payload, or an error from
// both. (A body that is not an object, such as null, the walk refuses
// outright; reflection leaves the struct empty.)
func sameAsReflection(body []byte) string {
	got, gotErr := decodeAlertmanager(body)
	var ref referencePayload
	refErr := jsonv2.Unmarshal(body, &ref)
	if refErr == nil && jsontext.Value(bytes.TrimSpace(body)).Kind() != '{' {
		refErr = errors.New("not an object")
	}
	if (gotErr == nil) != (refErr == nil) {
		return fmt.Sprintf("%q: error %v, reflection's %v", body, gotErr, refErr)
	}
	if gotErr != nil {
		return ""
	}
	want := amPayload{
		Version: ref.Version, GroupKey: ref.GroupKey, TruncatedAlerts: ref.TruncatedAlerts, Status: ref.Status,
		Receiver: ref.Receiver, GroupLabels: ref.GroupLabels, CommonLabels: ref.CommonLabels,
		CommonAnnotations: ref.CommonAnnotations, ExternalURL: ref.ExternalURL,
	}
	if ref.Alerts != nil {
		alerts := make([]amAlert, 0, len(*ref.Alerts))
		for _, a := range *ref.Alerts {
			alerts = append(alerts, amAlert(a))
		}
		want.Alerts = &alerts
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%q: decoded %#v, reflection %#v", body, got, want)
	}
	return ""
}

func TestDecodeAlertmanagerAgreesWithReflection(t *testing.T) {
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
		if diff := sameAsReflection([]byte(body)); diff != "" {
			t.Error(diff)
		}
	}
}

// Errors say where in the body the fault is and what was wanted.
func TestDecodeAlertmanagerErrorsSayWhere(t *testing.T) {
	for body, want := range map[string]string{
		`{"alerts":[{},{"labels":{"severity":2}}]}`: "alerts[1].labels.severity is a number; want a string",
		`{"alerts":{}}`:           "alerts is an object; want a list of alerts",
		`{"truncatedAlerts":1.5}`: "truncatedAlerts is 1.5; want a whole number",
		`[]`:                      "the body is not a JSON object",
		`{"version":"4"`:          "the body ends before the JSON does",
		`{"version":"4"} {}`:      "there is more after the JSON object",
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
		if diff := sameAsReflection(body); diff != "" {
			t.Fatal(diff)
		}
	})
}
