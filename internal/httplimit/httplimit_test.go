package httplimit

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// ReadAll reads the whole body into the buffer given or not, whatever that
// buffer held.
func TestReadAllIntoAnyBuffer(t *testing.T) {
	body := strings.Repeat("alert ", 5000)
	used := []byte(strings.Repeat("x", 2*len(body)))
	for _, buf := range [][]byte{nil, make([]byte, 0, 10), used[:0], used[:100]} {
		got, err := ReadAll(iotest.HalfReader(strings.NewReader(body)), buf)
		if err != nil || string(got) != body {
			t.Errorf("buffer of %d/%d: read %d bytes, %v; want %d", len(buf), cap(buf), len(got), err, len(body))
		}
	}
	boom := errors.New("boom")
	if _, err := ReadAll(io.MultiReader(bytes.NewReader([]byte("abc")), iotest.ErrReader(boom)), nil); !errors.Is(err, boom) {
		t.Errorf("a failing read: %v", err)
	}
}

// A body announced or found longer than the limit is refused with 413 and
// the connection closes; a body within it is read whole.
func TestBodyLimit(t *testing.T) {
	var shed []string
	b := &Body{Limit: 100, Shed: func(r string) { shed = append(shed, r) }}
	for _, tc := range []struct {
		name   string
		body   string
		length int64
		code   int
	}{
		{"within", strings.Repeat("a", 100), 100, 0},
		{"announced too long", "short", 101, 413},
		{"longer than announced", strings.Repeat("a", 101), -1, 413},
	} {
		r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tc.body))
		r.ContentLength = tc.length
		w := httptest.NewRecorder()
		got, err := b.Read(w, r, nil)
		var e *Error
		switch {
		case tc.code == 0 && (err != nil || string(got) != tc.body):
			t.Errorf("%s: read %q, %v", tc.name, got, err)
		case tc.code != 0 && (!errors.As(err, &e) || e.Code != tc.code || w.Header().Get("Connection") != "close"):
			t.Errorf("%s: %v, Connection %q; want %d and close", tc.name, err, w.Header().Get("Connection"), tc.code)
		}
	}
	if strings.Join(shed, " ") != "too_large too_large" {
		t.Errorf("shed %v", shed)
	}
}

// With every slot held by a body that never ends, a new request takes the
// oldest one's slot: the old read fails at once with 503, the new one is
// read. Within Grace of the oldest read's start, the newcomer gets 503.
func TestBodySlotsCutOffTheOldestRead(t *testing.T) {
	var cut, busy atomic.Int32
	b := &Body{Limit: 1 << 10, Slots: 2, Grace: time.Hour, Shed: func(r string) {
		switch r {
		case "cut_off":
			cut.Add(1)
		case "busy":
			busy.Add(1)
		}
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := b.Read(w, r, nil)
		var e *Error
		if errors.As(err, &e) {
			http.Error(w, e.Reason, e.Code)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	slow := func() net.Conn {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
		return c
	}
	post := func() (int, string) {
		resp, err := http.Post(srv.URL+"/x", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	reading := func(n int) {
		for {
			b.mu.Lock()
			got := len(b.readers)
			b.mu.Unlock()
			if got == n {
				return
			}
			runtime.Gosched()
		}
	}
	first := slow()
	defer first.Close()
	reading(1)
	second := slow()
	defer second.Close()
	reading(2)
	if code, _ := post(); code != http.StatusServiceUnavailable || busy.Load() != 1 {
		t.Fatalf("with both slots held within their grace: %d, want 503", code)
	}
	b.mu.Lock()
	b.Grace = 0
	b.mu.Unlock()
	if code, out := post(); code != http.StatusOK || out != "hello" {
		t.Fatalf("with the slots full of slow bodies: %d %q", code, out)
	}
	// The oldest slow read was answered 503 and its connection closed.
	first.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, _ := io.ReadAll(first)
	if !strings.HasPrefix(string(answer), "HTTP/1.1 503") || !strings.Contains(string(answer), "Connection: close") || cut.Load() != 1 {
		t.Errorf("the oldest slow read got %q (%d cut off)", answer, cut.Load())
	}
}

// At the cap, a new connection closes the one that waited longest without
// a request; connections with a request in flight stay.
func TestListenerClosesTheLongestWaitingConnection(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewListener(inner, 3)
	l.Grace = 50 * time.Millisecond
	holding, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{ConnState: l.ConnState, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			close(holding)
			<-release
		}
		io.WriteString(w, "ok")
	})}
	go srv.Serve(l)
	defer srv.Close()
	addr := inner.Addr().String()
	held := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/hold")
		if err == nil {
			resp.Body.Close()
		}
		held <- err
	}()
	<-holding
	var idle []net.Conn
	for range 10 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	// Ten idle connections and one busy one through a cap of three: every
	// request is still answered, and the busy one is never closed.
	for range 5 {
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get("http://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if n := l.Open(); n > 3 {
			t.Fatalf("%d connections open, over the cap of 3", n)
		}
	}
	// The first idle connections were closed to make room.
	idle[0].SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idle[0].Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the longest-waiting connection: %v, want closed", err)
	}
	close(release)
	if err := <-held; err != nil {
		t.Errorf("the request in flight: %v", err)
	}
}

func TestClipAndRefusals(t *testing.T) {
	if got := Clip(strings.Repeat("é", 100)); len(got) > maxLogged+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("Clip: %q", got)
	}
	if got := Clip("abc\xff"); got != "abc?" {
		t.Errorf("Clip of invalid UTF-8: %q", got)
	}
	var suppressed []string
	l := &Refusals{Every: time.Hour, Burst: 3, Suppressed: func(e string) { suppressed = append(suppressed, e) }}
	allowed := 0
	for range 10 {
		if l.Allow("/a") {
			allowed++
		}
	}
	if !l.Allow("/b") || allowed != 3 || len(suppressed) != 7 {
		t.Errorf("allowed %d of 10, suppressed %v", allowed, suppressed)
	}
	if !(*Refusals)(nil).Allow("/a") {
		t.Error("a nil Refusals suppresses")
	}
}
