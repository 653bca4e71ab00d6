package webhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// stringMap decodes as map[string]string does with encoding/json, fast
// path or not: the same maps, and an error for the same bodies (what a
// body that fails leaves behind is thrown away).
func TestStringMapDecodesAsEncodingJSON(t *testing.T) {
	for _, js := range []string{
		`{"alertname":"HighLatency","severity":"critical"}`,
		` { "a" : "1" ,	"b":"2"
		} `,
		`{}`, `null`, `{"a":"1","a":"2"}`,
		`{"esc\"aped":"va\\lue","u":"\u00e9\ud83d\ude00"}`,
		`{"a":null}`, `{"a":1}`, `{"a":["x"]}`, `{"a":{"b":"c"}}`,
		"{\"bad\xff\":\"utf\xfe8\"}",
		`{"url":"http://prometheus:9090/graph?g0.expr=up"}`,
		`["a"]`, `"a"`, `1`,
	} {
		var want map[string]string
		wantErr := json.Unmarshal([]byte(js), &want)
		var got stringMap
		gotErr := json.Unmarshal([]byte(js), &got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Errorf("%s: error %v, encoding/json's %v", js, gotErr, wantErr)
			continue
		}
		if wantErr == nil && !reflect.DeepEqual(map[string]string(got), want) {
			t.Errorf("%s: decoded %#v, encoding/json %#v", js, got, want)
		}
	}
}

func FuzzStringMap(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{}`, `null`, `{"a":"\u0041"}`, `{"a" : "b" , "c":"d"}`, `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]string
		wantErr := json.Unmarshal(data, &want)
		var got stringMap
		gotErr := json.Unmarshal(data, &got)
		if (wantErr == nil) != (gotErr == nil) || wantErr == nil && !reflect.DeepEqual(map[string]string(got), want) {
			t.Fatalf("%q: stringMap %#v (%v), encoding/json %#v (%v)", data, got, gotErr, want, wantErr)
		}
	})
}

// readAll reads the whole body whatever the announced length says.
func TestReadAllWhateverTheAnnouncedLength(t *testing.T) {
	body := strings.Repeat("alert ", 5000)
	for _, length := range []int64{-1, 0, 10, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 100, maxBody + 1} {
		got, err := readAll(iotest.HalfReader(strings.NewReader(body)), length)
		if err != nil || string(got) != body {
			t.Errorf("length %d: read %d bytes, %v; want %d", length, len(got), err, len(body))
		}
	}
	boom := errors.New("boom")
	if _, err := readAll(io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom)), 10); !errors.Is(err, boom) {
		t.Errorf("a failing read: %v", err)
	}
}
