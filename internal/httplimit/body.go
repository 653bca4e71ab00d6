package httplimit

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Body bounds one endpoint's request bodies: how long one may be and how
// many are read at once. The space a body takes grows with what arrives,
// never with what Content-Length announces, so a slow or lying sender
// holds only the bytes it has sent.
//
// When every slot is taken, a new request takes the slot of the read that
// has gone on longest, if that one is older than Grace: real senders
// (Slack, GitHub, PagerDuty, Alertmanager) send a body within
// milliseconds, so the oldest unfinished read is the likeliest to be
// hostile, and a flood of slow bodies cannot lock out a real delivery.
// Otherwise the newcomer is refused with 503 at once.
type Body struct {
	Limit int64 // bytes; a longer body is refused with 413
	Slots int   // bodies read at once; 0 for no bound
	// Grace: a read younger than this is never cut off. Cutting off a
	// read just as it ends would cancel its request's context, so no real
	// delivery should take this long.
	Grace time.Duration
	// Shed, if set, counts requests refused or cut off, by reason:
	// too_large, busy, cut_off or unreadable.
	Shed func(reason string)

	mu      sync.Mutex
	readers []*reader // in the order they started
}

type reader struct {
	start time.Time
	rc    *http.ResponseController
	cut   bool // guarded by Body.mu
}

// Error is a body that was not read: Code is the status to answer.
type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Read reads r's whole body within b's bounds, into buf's space when it is
// large enough. On an error, which is an *Error, nothing of the body is
// kept and the connection is marked to close after the answer: the server
// would otherwise go on reading what is left of the body.
func (b *Body) Read(w http.ResponseWriter, r *http.Request, buf []byte) ([]byte, error) {
	if r.ContentLength > b.Limit {
		return nil, b.refuse(w, "too_large", http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: over %d bytes", b.Limit))
	}
	rd := b.enter(w)
	if rd == nil {
		w.Header().Set("Retry-After", "1")
		return nil, b.refuse(w, "busy", http.StatusServiceUnavailable, "too many requests at once on this endpoint; retry")
	}
	body, err := ReadAll(http.MaxBytesReader(w, r.Body, b.Limit), buf)
	cut := b.leave(rd)
	if err == nil {
		return body, nil
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, b.refuse(w, "too_large", http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large: over %d bytes", b.Limit))
	case cut:
		return nil, b.refuse(w, "cut_off", http.StatusServiceUnavailable, "the body came too slowly while others waited; retry")
	default:
		return nil, b.refuse(w, "unreadable", http.StatusBadRequest, "could not read the request body")
	}
}

// Refuse marks the connection to close, so that the server does not read
// on a body the handler will not use, and counts the refusal.
func (b *Body) refuse(w http.ResponseWriter, reason string, code int, msg string) error {
	CloseUnread(w)
	if b.Shed != nil {
		b.Shed(reason)
	}
	return &Error{Code: code, Reason: msg}
}

// enter takes a slot, cutting off the oldest read if need be; nil if none
// can be had.
func (b *Body) enter(w http.ResponseWriter) *reader {
	rd := &reader{start: time.Now(), rc: http.NewResponseController(w)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.Slots > 0 && len(b.readers) >= b.Slots {
		oldest := b.readers[0]
		if time.Since(oldest.start) < b.Grace {
			return nil
		}
		// The oldest read's next Read fails at once; its handler answers.
		if err := oldest.rc.SetReadDeadline(time.Now()); err != nil {
			return nil
		}
		oldest.cut = true
		b.readers = b.readers[1:]
	}
	b.readers = append(b.readers, rd)
	return rd
}

// leave gives the slot back; it says whether the read was cut off.
func (b *Body) leave(rd *reader) (cut bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if rd.cut {
		return true
	}
	b.readers = slices.DeleteFunc(b.readers, func(x *reader) bool { return x == rd })
	return false
}

// CloseUnread marks the connection to close after the answer: for a
// handler that refuses a request without reading its body (a missing
// credential). Ending reads too keeps the server from draining what is
// left of a short body, as slowly as it comes, before it closes.
func CloseUnread(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// ReadAll reads r to its end into buf's space, growing it as io.ReadAll
// does: by what arrives, never by what a header announces.
func ReadAll(r io.Reader, buf []byte) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 512)
	}
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
