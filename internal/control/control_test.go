package control

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve starts a server for ops at path, shut down at the end of the test.
func serve(t *testing.T, path string, ops Ops) *Server {
	t.Helper()
	s, err := Listen(path, ops)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestCallRunsAnOperation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ritualbot.db.sock")
	serve(t, path, Ops{
		"echo": func(_ context.Context, args []string, w io.Writer) error {
			_, err := io.WriteString(w, strings.Join(args, " "))
			return err
		},
		"refuse": func(context.Context, []string, io.Writer) error { return errors.New("no such user") },
		"halfway": func(_ context.Context, _ []string, w io.Writer) error {
			io.WriteString(w, "part")
			return errors.New("disk gone")
		},
	})
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v, want a socket with 0600", fi.Mode())
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := Call(ctx, path, "echo", []string{"U0BOB", "x"}, &out); err != nil || out.String() != "U0BOB x" {
		t.Errorf("echo = %q, %v", out.String(), err)
	}
	for op, want := range map[string]string{"refuse": "no such user", "halfway": "disk gone", "nope": `no operation "nope" (this bot offers: echo, halfway, refuse)`} {
		if err := Call(ctx, path, op, nil, io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Call(%s) = %v, want an error saying %q", op, err, want)
		}
	}
}

func TestCallWithoutABot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ritualbot.db.sock")
	if err := Call(context.Background(), path, "backup", nil, io.Discard); !errors.Is(err, ErrNotRunning) {
		t.Errorf("no socket: %v, want ErrNotRunning", err)
	}
	// A socket left by a bot that died: nothing listens.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if err := Call(context.Background(), path, "backup", nil, io.Discard); !errors.Is(err, ErrNotRunning) {
		t.Errorf("stale socket: %v, want ErrNotRunning", err)
	}
	// The next bot replaces it.
	serve(t, path, Ops{"ok": func(context.Context, []string, io.Writer) error { return nil }})
	if err := Call(context.Background(), path, "ok", nil, io.Discard); err != nil {
		t.Errorf("after replacing the stale socket: %v", err)
	}
}

func TestListenRefusesWhatIsNotAStaleSocket(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.sock")
	if err := os.WriteFile(file, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(file, nil); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Listen over a file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Error("Listen removed a file that was not a socket")
	}
	live := filepath.Join(dir, "live.sock")
	serve(t, live, nil)
	if _, err := Listen(live, nil); err == nil || !strings.Contains(err.Error(), "another process listens") {
		t.Errorf("Listen over a live socket: %v", err)
	}
	if _, err := Listen(filepath.Join(dir, "nodir", "x.sock"), nil); err == nil {
		t.Error("Listen in a missing directory succeeded")
	}
	long := filepath.Join(dir, strings.Repeat("x", 120)+".sock")
	if _, err := Listen(long, nil); err == nil || !strings.Contains(err.Error(), "store.path") {
		t.Errorf("Listen on a too long path: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".rb*"))
	if len(left) != 0 {
		t.Errorf("private directories left behind: %v", left)
	}
}
