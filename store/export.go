package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// format renders the keys and values of some buckets readably in the
// export. Either func may be nil, or decline with ok=false, to fall back on
// the generic rendering: the key as text (hex if it is not UTF-8), the value
// as embedded JSON if it is JSON, else as text (hex if not UTF-8).
type format struct {
	Key   func(k []byte) (s string, ok bool)
	Value func(k, v []byte) (js json.RawMessage, ok bool)
}

// formats maps a bucket pattern to its format. A pattern is the path of
// bucket names from the top, joined by "/"; a "*" element matches any name,
// for nested buckets named at run time ("standups/*").
var formats = map[string]format{}

// registerFormat sets the export format of the buckets matching pattern.
func registerFormat(pattern string, f format) {
	if _, dup := formats[pattern]; dup {
		panic("store: export format of " + pattern + " registered twice")
	}
	formats[pattern] = f
}

func init() {
	registerFormat("meta", format{Value: func(k, v []byte) (json.RawMessage, bool) {
		if string(k) != string(keySchema) || len(v) != 4 {
			return nil, false
		}
		return json.RawMessage(strconv.FormatUint(uint64(binary.BigEndian.Uint32(v)), 10)), true
	}})
}

// formatOf returns the format of the bucket at path: the exact pattern if
// registered, else the first matching wildcard pattern in sorted order.
func formatOf(path []string) format {
	if f, ok := formats[strings.Join(path, "/")]; ok {
		return f
	}
	patterns := make([]string, 0, len(formats))
	for p := range formats {
		if strings.Contains(p, "*") {
			patterns = append(patterns, p)
		}
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		if matchPath(strings.Split(p, "/"), path) {
			return formats[p]
		}
	}
	return format{}
}

func matchPath(pattern, path []string) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i := range pattern {
		if pattern[i] != "*" && pattern[i] != path[i] {
			return false
		}
	}
	return true
}

// Export writes all of the store as one JSON object,
//
//	{"schema": 1, "buckets": {"name": {"key": value, ...}, ...}}
//
// from one consistent snapshot. Nested buckets appear as nested objects, keys
// in stored order. The export is for people and tools to read; restore from
// a Backup.
func (db *DB) Export(w io.Writer) error {
	e := &exporter{w: bufio.NewWriter(w)}
	err := db.view("export", func(tx *bolt.Tx) error {
		schema, err := readSchema(tx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.w, "{\n  \"schema\": %d,\n  \"buckets\": ", schema)
		o := e.begin(2)
		err = tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			o.key(readable(name))
			e.bucket(b, []string{string(name)}, 3)
			return nil
		})
		o.end()
		e.w.WriteString("\n}\n")
		return err
	})
	if err == nil {
		// bufio.Writer keeps the first write error and returns it here.
		err = e.w.Flush()
	}
	if err != nil {
		return fmt.Errorf("export store %s: %w", db.path, err)
	}
	return nil
}

type exporter struct {
	w *bufio.Writer
}

// bucket writes b, at path, as a JSON object whose members are indented
// depth levels.
func (e *exporter) bucket(b *bolt.Bucket, path []string, depth int) {
	f := formatOf(path)
	o := e.begin(depth)
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		key := ""
		if f.Key != nil {
			key, _ = f.Key(k)
		}
		if key == "" {
			key = readable(k)
		}
		o.key(key)
		if v == nil {
			if child := b.Bucket(k); child != nil {
				e.bucket(child, append(path[:len(path):len(path)], string(k)), depth+1)
				continue
			}
		}
		e.w.Write(value(f, k, v))
	}
	o.end()
}

// objectWriter writes the members of one JSON object.
type objectWriter struct {
	e     *exporter
	depth int
	n     int
}

func (e *exporter) begin(depth int) *objectWriter {
	e.w.WriteByte('{')
	return &objectWriter{e: e, depth: depth}
}

// key starts a member; its value is written next.
func (o *objectWriter) key(k string) {
	if o.n > 0 {
		o.e.w.WriteByte(',')
	}
	o.n++
	o.e.newline(o.depth)
	o.e.w.Write(jsonString(k))
	o.e.w.WriteString(": ")
}

func (o *objectWriter) end() {
	if o.n > 0 {
		o.e.newline(o.depth - 1)
	}
	o.e.w.WriteByte('}')
}

func (e *exporter) newline(depth int) {
	e.w.WriteByte('\n')
	for range depth {
		e.w.WriteString("  ")
	}
}

// value renders the value v of key k as JSON.
func value(f format, k, v []byte) []byte {
	if f.Value != nil {
		if js, ok := f.Value(k, v); ok && json.Valid(js) {
			return js
		}
	}
	if json.Valid(v) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err == nil {
			return buf.Bytes()
		}
	}
	return jsonString(readable(v))
}

// readable returns b as text if it is UTF-8, else as 0x-prefixed hex.
func readable(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return "0x" + hex.EncodeToString(b)
}

// jsonString quotes s as a JSON string, leaving <, > and & readable.
func jsonString(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
