package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Keys sort byte-wise, so every number or time in a key is fixed-width and
// big-endian.

// timeKeyLen is the length of a timeKey.
const timeKeyLen = 8

// timeKey encodes t as 8 bytes that sort in time order: its Unix time in
// nanoseconds, big-endian, with the sign bit flipped so that instants before
// 1970 sort before those after. The zone is not kept; decode gives UTC.
func timeKey(t time.Time) []byte {
	b := make([]byte, timeKeyLen)
	binary.BigEndian.PutUint64(b, uint64(t.UnixNano())^(1<<63))
	return b
}

// parseTimeKey decodes a timeKey.
func parseTimeKey(b []byte) (time.Time, error) {
	if len(b) != timeKeyLen {
		return time.Time{}, fmt.Errorf("time key is %d bytes long, want %d", len(b), timeKeyLen)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC(), nil
}

// seqKey encodes a sequence number as 8 big-endian bytes.
func seqKey(seq uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, seq)
	return b
}

// parseSeqKey decodes a seqKey.
func parseSeqKey(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("sequence key is %d bytes long, want 8", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// putJSON stores v as JSON under key. User text keeps its <, > and &
// unescaped so that the export reads as what people wrote.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := encodeJSON(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	if err := b.Put(key, data); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// encodeJSON is v as the store keeps it: user text keeps its <, > and &.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// putJSONIfChanged is putJSON, but writes nothing if key holds v already.
func putJSONIfChanged(b *bolt.Bucket, key []byte, v any) error {
	data, err := encodeJSON(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	if bytes.Equal(b.Get(key), data) {
		return nil
	}
	if err := b.Put(key, data); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// getJSON decodes the JSON under key into v; ok is false, and v untouched,
// if there is none. Decoding copies, so v is valid after the transaction.
func getJSON(b *bolt.Bucket, key []byte, v any) (ok bool, err error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

// Keys of several parts join them with a 0 byte: names never hold one, so
// "a" and "ab" stay apart, and a name's records are one contiguous stretch.

// present is the value of an index entry, whose key says everything.
var present = []byte{1}

// joinKey joins string parts with the 0 separator.
func joinKey(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

// prefixKey is joinKey(parts...) followed by the separator, so that it
// matches those keys and no key whose last part merely starts the same.
func prefixKey(parts ...string) []byte { return append(joinKey(parts...), 0) }

// underKey is name and the separator followed by fixed-width or final
// parts (a timeKey, a seqKey, an ID): the key of a record in name's
// stretch of a bucket.
func underKey(name string, parts ...[]byte) []byte {
	n := len(name) + 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(append(k, name...), 0)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// scanPrefix calls f with each key and value whose key starts with prefix.
func scanPrefix(b *bolt.Bucket, prefix []byte, f func(k, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// decode decodes a stored JSON value; decoding copies, so into is valid
// after the transaction.
func decode(v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("decode %T: %w", into, err)
	}
	return nil
}

// decodePrefix decodes the values whose key starts with prefix (every
// value, for a nil prefix), in key order, and returns those keep accepts
// (all of them, for a nil keep).
func decodePrefix[T any](b *bolt.Bucket, prefix []byte, keep func(T) bool) ([]T, error) {
	var out []T
	err := scanPrefix(b, prefix, func(_, v []byte) error {
		var x T
		if err := decode(v, &x); err != nil {
			return err
		}
		if keep == nil || keep(x) {
			out = append(out, x)
		}
		return nil
	})
	return out, err
}

// decodeRange decodes the values whose keys fall in [from, to), in key
// order.
func decodeRange[T any](b *bolt.Bucket, from, to []byte) ([]T, error) {
	return decodeRangeWith(b, from, to, func(v []byte) (T, error) {
		var x T
		return x, decode(v, &x)
	})
}

// decodeRangeWith is decodeRange for values that decode. It counts them
// first: a digest reads thousands, and growing the slice would copy them
// over and over.
func decodeRangeWith[T any](b *bolt.Bucket, from, to []byte, decode func([]byte) (T, error)) ([]T, error) {
	c := b.Cursor()
	n := 0
	for k, _ := c.Seek(from); k != nil && bytes.Compare(k, to) < 0; k, _ = c.Next() {
		n++
	}
	out := make([]T, 0, n)
	for k, v := c.Seek(from); k != nil && bytes.Compare(k, to) < 0; k, v = c.Next() {
		x, err := decode(v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}
