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
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
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
