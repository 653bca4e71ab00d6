package webhooks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// amPayload is the webhook v4 body as it was sent, before it is checked.
// Null and absent are the same: the zero value (nil for the pointers).
type amPayload struct {
	Version           *string           `json:"version"`
	GroupKey          *string           `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            *[]amAlert        `json:"alerts"`
}

type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// decodeAlertmanager decodes a body with json/v2's defaults, which refuse
// duplicate member names and invalid UTF-8 and match names exactly. Its
// errors name the member at fault (alerts[3].labels.severity) and what was
// wanted, for the 400 answer.
func decodeAlertmanager(body []byte) (amPayload, error) {
	var p amPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return amPayload{}, amError(body, err)
	}
	if jsontext.Value(bytes.TrimLeft(body, " \t\r\n")).Kind() != '{' {
		return amPayload{}, errNotObject // null
	}
	return p, nil
}

var errNotObject = errors.New("the body is not a JSON object")

// amError words a json/v2 error after the JSON pointer it carries.
func amError(body []byte, err error) error {
	var se *json.SemanticError
	if errors.As(err, &se) {
		if se.JSONPointer == "" {
			return errNotObject
		}
		got := kindName(se.JSONKind)
		if se.JSONKind == '0' && len(se.JSONValue) > 0 {
			got = string(se.JSONValue) // 1.5 for a whole number
		}
		return fmt.Errorf("%s is %s; want %s", amPath(se.JSONPointer), got, wantName(se.GoType))
	}
	var sy *jsontext.SyntacticError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the body ends before the JSON does")
	case errors.As(err, &sy) && sy.ByteOffset > 0 && sy.ByteOffset <= int64(len(body)) &&
		jsontext.Value(bytes.TrimSpace(body[:sy.ByteOffset])).IsValid():
		return errors.New("there is more after the JSON object; send one object")
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// amPath words a pointer into the body as alerts[3].labels.severity.
func amPath(p jsontext.Pointer) string {
	var b strings.Builder
	i := 0
	for tok := range p.Tokens() {
		switch {
		case i == 1 && b.String() == "alerts": // the only list
			b.WriteString("[" + tok + "]")
		case i > 0:
			b.WriteString("." + tok)
		default:
			b.WriteString(tok)
		}
		i++
	}
	return b.String()
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "a list"
	}
	return "not JSON"
}

// wantName words what a field of amPayload takes.
func wantName(t reflect.Type) string {
	if t == nil {
		return "something else"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int:
		return "a whole number"
	case reflect.Slice:
		return "a list of alerts"
	}
	return "an object"
}
