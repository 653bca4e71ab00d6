// Package control is the running bot's control channel: a unix socket next
// to the store file, mode 0600, over which `ritualbot backup`, `export`,
// `preview` (and any operation the bot registers) reach the bot that holds
// the store. It is not the HTTP listener: nothing that reaches the bot over
// the network, through a proxy or by DNS rebinding can reach it, and on the
// machine only the socket's owner (and root) may connect.
//
// The protocol is HTTP/1.1 over the socket: `POST /op/NAME` with a JSON
// body {"args": [...]}; the answer streams the operation's output with
// status 200, and an error that happens once output has started arrives in
// the Ritualbot-Error trailer. An operation is one entry of Ops.
package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// SocketPath is where the bot holding the store at storePath listens.
func SocketPath(storePath string) string { return storePath + ".sock" }

// Op is one operation of the control channel: args are the CLI's
// arguments after the operation's name; w streams the answer back.
type Op func(ctx context.Context, args []string, w io.Writer) error

// Ops are the operations a server offers, by name.
type Ops map[string]Op

// ErrNotRunning is Call's error when no bot listens on the socket: the
// caller may open the store file itself.
var ErrNotRunning = errors.New("no running ritualbot answers on the control socket")

const (
	errorTrailer = "Ritualbot-Error"
	// maxSunPath is what a unix socket's path may hold on Linux (108 bytes
	// with the terminating NUL).
	maxSunPath = 107
)

type request struct {
	Args []string `json:"args"`
}

// Server serves Ops on a unix socket.
type Server struct {
	path string
	ln   *net.UnixListener
	fi   os.FileInfo // the socket file, to remove only ours
	http *http.Server
}

// Listen creates the socket at path, readable and writable by this user
// only, and returns a server for ops; Serve starts answering. The socket is
// bound in a private directory, made 0600 there and renamed into place, so
// that it is never reachable with looser permissions. A stale socket at path
// (one nothing listens on) is replaced; anything else at path is an error.
func Listen(path string, ops Ops) (*Server, error) {
	if len(path) > maxSunPath {
		return nil, fmt.Errorf("control socket %s: the path is %d bytes, unix sockets allow %d; choose a shorter store.path", path, len(path), maxSunPath)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("control socket %s: %s is not a directory", path, dir)
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	// A short name: the bound path must fit a socket address too.
	tmp, err := os.MkdirTemp(dir, ".rb")
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	if len(bound) > maxSunPath {
		return nil, fmt.Errorf("control socket %s: the path of its private directory is too long (%d bytes, unix sockets allow %d); choose a shorter store.path", path, len(bound), maxSunPath)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: bound, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (*Server, error) {
		ln.Close()
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(bound, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(bound, path); err != nil {
		return fail(err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fail(err)
	}
	s := &Server{path: path, ln: ln, fi: fi}
	s.http = &http.Server{Handler: handler(ops), ReadHeaderTimeout: 10 * time.Second}
	return s, nil
}

// removeStale removes a socket at path that nothing listens on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		return fmt.Errorf("control socket %s: the path exists and is not a socket; move it away", path)
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("control socket %s: another process listens on it", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("control socket %s: remove the stale socket: %w", path, err)
	}
	return nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers requests until Shutdown; it then returns nil.
func (s *Server) Serve() error {
	if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("control socket %s: %w", s.path, err)
	}
	return nil
}

// Shutdown stops taking requests, waits for those in hand (until ctx ends)
// and removes the socket if it is still the one Listen made.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if fi, serr := os.Lstat(s.path); serr == nil && os.SameFile(fi, s.fi) {
		_ = os.Remove(s.path)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func handler(ops Ops) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /op/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		op, ok := ops[name]
		if !ok {
			http.Error(w, fmt.Sprintf("no operation %q (this bot offers: %s)", name, strings.Join(names(ops), ", ")), http.StatusNotFound)
			return
		}
		var req request
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		out := &lazyWriter{w: w}
		if err := op(r.Context(), req.Args, out); err != nil {
			if !out.started {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set(errorTrailer, err.Error())
		}
	})
	return mux
}

func names(ops Ops) []string {
	var ns []string
	for n := range ops {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

// lazyWriter sends the 200 with the first byte, so that an operation that
// fails before writing answers with its error as the status.
type lazyWriter struct {
	w       http.ResponseWriter
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.w.Header().Set("Trailer", errorTrailer)
		l.w.Header().Set("Content-Type", "application/octet-stream")
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

// Call runs op with args on the bot listening at socket and copies its
// answer to w. It returns ErrNotRunning when nothing listens there (no
// socket, or a stale one).
func Call(ctx context.Context, socket, op string, args []string, w io.Writer) error {
	fi, err := os.Lstat(socket)
	if errors.Is(err, os.ErrNotExist) {
		return ErrNotRunning
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", socket, err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		return fmt.Errorf("control socket %s is not a socket", socket)
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableKeepAlives: true,
	}}
	body, err := json.Marshal(request{Args: args})
	if err != nil {
		return err
	}
	// The host is never looked up: the transport dials the socket.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://ritualbot/op/"+op, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, os.ErrNotExist) {
			return ErrNotRunning
		}
		if errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("control socket %s: %w (run this as the user the bot runs as)", socket, err)
		}
		return fmt.Errorf("control socket %s: %w", socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("running ritualbot (%s): %s", op, strings.TrimSpace(string(msg)))
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("running ritualbot (%s): %w", op, err)
	}
	if msg := resp.Trailer.Get(errorTrailer); msg != "" {
		return fmt.Errorf("running ritualbot (%s): %s", op, msg)
	}
	return nil
}
