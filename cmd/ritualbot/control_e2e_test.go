package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/internal/control"
	"github.com/ritualbot/ritualbot/slackfake"
	"github.com/ritualbot/ritualbot/store"
	bolt "go.etcd.io/bbolt"
)

// TestStoreIsNeverServedOverHTTP: the backup and the export hold everyone's
// answers. They once answered on the HTTP listener to loopback callers,
// which let another local user, a DNS-rebinding page and a same-host
// reverse proxy download the store. Over TCP no request gets them now,
// with or without the webhook token set, whatever it claims; the CLI gets
// them from the control socket, which only the bot's user may open.
func TestStoreIsNeverServedOverHTTP(t *testing.T) {
	for _, withToken := range []bool{false, true} {
		name := "without a webhook token"
		if withToken {
			name = "with a webhook token"
		}
		t.Run(name, func(t *testing.T) {
			h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
			if !withToken {
				delete(h.env, envWebhookToken)
			}
			h.startHTTP()
			h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Card network outage")
			for _, path := range []string{"/admin/backup", "/admin/export", "/admin/backup/", "/admin/"} {
				for _, header := range []map[string]string{
					{},
					{"Authorization": "Bearer " + wsWebhookToken},
					{"Host": "rebind.attacker.example"},
					{"Host": "rebind.attacker.example", "Authorization": "Bearer " + wsWebhookToken},
					{"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"},
				} {
					code, body := rawGet(t, h.m.Addr, path, header)
					if code != http.StatusNotFound || strings.Contains(body, "Card network outage") || strings.Contains(body, "schema") {
						t.Errorf("GET %s over TCP with %v: %d %.80q; want 404 and nothing of the store", path, header, code, body)
					}
				}
			}

			sock := control.SocketPath(h.storePath())
			fi, err := os.Lstat(sock)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
				t.Errorf("control socket %s: mode %v, want a socket with 0600", sock, fi.Mode())
			}
			env := func(k string) string { return h.env[k] }
			var out, errOut bytes.Buffer
			if code := run(h.ctx(), []string{"export", "--config", h.cfg}, &out, &errOut, env); code != 0 || !strings.Contains(out.String(), "Card network outage") {
				t.Errorf("export while running: exit %d, %.300s %s", code, out.String(), errOut.String())
			}
			backupPath := filepath.Join(h.dir, "backup.db")
			if code := run(h.ctx(), []string{"backup", "--config", h.cfg, backupPath}, &out, &errOut, env); code != 0 {
				t.Fatalf("backup while running: exit %d, %s", code, errOut.String())
			}
			wantBackupOf(t, backupPath, "Card network outage")
		})
	}
}

// rawGet sends a GET over TCP with the headers as given (Host included).
func rawGet(t *testing.T, addr, path string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// wantBackupOf checks path is a store readable by its owner only that
// holds text.
func wantBackupOf(t *testing.T, path, text string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup %s: mode %v, want a regular file with 0600", path, fi.Mode())
	}
	db, err := store.Open(path, store.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b bytes.Buffer
	if err := db.Export(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), text) {
		t.Errorf("backup %s lacks %q", path, text)
	}
}

// A backup never writes through a file or a link that someone left at the
// name it once used for its temporary file (OUT.partial): before, a 0666
// OUT.partial made the backup world-readable and a link made the bot
// overwrite the link's target. Both for a running bot and a stopped store.
func TestBackupIgnoresWhatItFindsAtItsTemporaryName(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.startHTTP()
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Card network outage")
	env := func(k string) string { return h.env[k] }
	victim := filepath.Join(h.dir, "victim")
	for _, running := range []bool{true, false} {
		if !running {
			h.stop()
		}
		out := filepath.Join(h.dir, "backup.db")
		os.Remove(out)
		partial := out + ".partial"
		// A world-writable file at the old temporary name.
		os.Remove(partial)
		if err := os.WriteFile(partial, []byte("planted"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(partial, 0o666); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if code := run(h.ctx(), []string{"backup", "--config", h.cfg, out}, &stdout, &stderr, env); code != 0 {
			t.Fatalf("backup (running %v): exit %d, %s", running, code, stderr.String())
		}
		wantBackupOf(t, out, "Card network outage")
		if b, _ := os.ReadFile(partial); string(b) != "planted" {
			t.Errorf("running %v: the backup wrote into the planted %s", running, partial)
		}
		// A link at the old temporary name, to a file the bot's user owns.
		os.Remove(partial)
		if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(victim, partial); err != nil {
			t.Fatal(err)
		}
		if code := run(h.ctx(), []string{"backup", "--config", h.cfg, out}, &stdout, &stderr, env); code != 0 {
			t.Fatalf("backup (running %v): exit %d, %s", running, code, stderr.String())
		}
		wantBackupOf(t, out, "Card network outage")
		if b, _ := os.ReadFile(victim); string(b) != "precious" {
			t.Errorf("running %v: the backup followed the link %s and overwrote %s", running, partial, victim)
		}
		if left, _ := filepath.Glob(filepath.Join(h.dir, ".backup.db.partial-*")); len(left) != 0 {
			t.Errorf("running %v: temporary files left: %v", running, left)
		}
	}
}

// The control socket answers only the operations it has; it goes away when
// the bot stops, and the CLI then reads the store file itself.
func TestControlSocketLifecycle(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	h.startHTTP()
	sock := control.SocketPath(h.storePath())
	if err := control.Call(h.ctx(), sock, "nope", nil, io.Discard); err == nil || !strings.Contains(err.Error(), "backup, erase, export") {
		t.Errorf("unknown operation: %v; want it refused with the list of operations", err)
	}
	h.stop()
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket outlived the bot: %v", err)
	}
	// A socket left by a bot that was killed is replaced at the next start.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	var out, errOut bytes.Buffer
	env := func(k string) string { return h.env[k] }
	if code := run(h.ctx(), []string{"export", "--config", h.cfg}, &out, &errOut, env); code != 0 || !strings.Contains(out.String(), `"meta"`) {
		t.Errorf("export of a stopped store with a stale socket: exit %d, %s", code, errOut.String())
	}
	h.start()
	if err := control.Call(h.ctx(), sock, opExport, nil, io.Discard); err != nil {
		t.Errorf("export after a restart over a stale socket: %v", err)
	}
}

// /readyz says not ready while the store takes no writes (a full disk), and
// ready again once a commit goes through.
func TestReadyzReflectsFailingCommits(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	var diskFull atomic.Bool
	h.setup = func(m *Main) {
		m.StoreOptions = append(m.StoreOptions, store.WithCommitFault(func() error {
			if diskFull.Load() {
				return errors.New("write ritualbot.db: no space left on device")
			}
			return nil
		}))
	}
	h.startHTTP()
	if code, body := h.get("/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz before: %d %s", code, body)
	}
	diskFull.Store(true)
	for i := range 3 {
		h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Disk full "+string(rune('a'+i)))
	}
	code, body := h.get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no space left on device") {
		t.Errorf("/readyz with every commit failing: %d %q; want 503 with the cause", code, body)
	}
	diskFull.Store(false)
	h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Disk freed")
	if code, body := h.get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz after a commit went through: %d %q", code, body)
	}
}

// A truncated or page-zeroed store stops the bot at start with a message
// naming the file and the way back, before it says it started; before, it
// started and then died of a fault in bbolt.
func TestDamagedStoreStopsTheBotWithAClearMessage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string, b []byte) []byte
	}{
		{"truncated", func(_ *testing.T, _ string, b []byte) []byte { return b[:len(b)/2] }},
		{"page zeroed", func(t *testing.T, path string, b []byte) []byte {
			at, size := pageInUse(t, path)
			clear(b[at : at+size])
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
			h.startHTTP()
			for i := range 40 {
				h.command("U0ALICE", "C0INCIDENTS", "/incident", "declare sev2 Outage "+strings.Repeat("x", i*20))
			}
			h.stop()
			data, err := os.ReadFile(h.storePath())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(h.storePath(), tc.damage(t, h.storePath(), data), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for _, args := range [][]string{{"run"}, {"export"}, {"backup", filepath.Join(h.dir, "b.db")}} {
				var stdout, stderr bytes.Buffer
				env := func(k string) string { return h.env[k] }
				code := run(ctx, append(args, "--config", h.cfg), &stdout, &stderr, env)
				msg := stderr.String()
				if code != 1 || !strings.Contains(msg, h.storePath()) || !strings.Contains(msg, "damaged") || !strings.Contains(msg, "ritualbot backup") || strings.Contains(msg, "ritualbot started") {
					t.Errorf("ritualbot %s on a %s store: exit %d, %q; want 1 and a message naming the file and the restore", args[0], tc.name, code, msg)
				}
			}
		})
	}
}

// backup, export and preview read a stopped bot's store as it is: an older
// schema is not migrated (a backup taken before an upgrade must still open
// in the version it came from), and a missing store is not created.
func TestCLINeverMigratesOrCreatesTheStore(t *testing.T) {
	h := newWorkspaceHarness(t, "", at(t, "2026-11-23 08:00", berlin), slackfake.Options{})
	env := func(k string) string { return h.env[k] }
	cli := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(h.ctx(), append(args, "--config", h.cfg), &stdout, &stderr, env)
		return code, stdout.String() + stderr.String()
	}
	backupPath := filepath.Join(h.dir, "backup.db")
	for _, args := range [][]string{{"backup", backupPath}, {"export"}, {"preview", "payments-oncall"}, {"preview", "weekly-digest"}} {
		cli(args...)
		if _, err := os.Stat(h.storePath()); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("ritualbot %s with no store created one: %v", args[0], err)
		}
	}
	if code, out := cli("backup", backupPath); code != 1 || !strings.Contains(out, h.storePath()) {
		t.Errorf("backup with no store: exit %d, %q", code, out)
	}

	fixture, err := os.ReadFile("../../store/testdata/v1-3ee8239.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.storePath(), fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := cli("backup", backupPath); code != 0 {
		t.Fatalf("backup of a schema-1 store: exit %d, %s", code, out)
	}
	if code, out := cli("export"); code != 0 || !strings.Contains(out, `"schema": 1`) {
		t.Errorf("export of a schema-1 store: exit %d, %.300s", code, out)
	}
	if code, out := cli("preview", "payments-oncall"); code != 0 || !strings.Contains(out, "On-call handoff") {
		t.Errorf("preview of a schema-1 store: exit %d, %.300s", code, out)
	}
	if after, _ := os.ReadFile(h.storePath()); !bytes.Equal(after, fixture) {
		t.Error("backup, export or preview changed the stopped store")
	}
	db, err := store.Open(backupPath, store.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if have, want, err := db.Schema(); err != nil || have != 1 {
		t.Errorf("the backup's schema = %d (this version writes %d), %v; want 1, the store's", have, want, err)
	}
}

// pageInUse is the offset and size of a branch or leaf page from the middle
// of the stopped store at path on: zeroing a free page would damage nothing,
// and which pages are free depends on the order of the commits.
func pageInUse(t *testing.T, path string) (offset, size int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin(true) // Page reads the free list, loaded for writers
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	size = db.Info().PageSize
	pages := int(tx.Size()) / size
	for i := range pages {
		id := (pages/2 + i) % pages
		info, err := tx.Page(id)
		if err != nil {
			t.Fatal(err)
		}
		if info != nil && (info.Type == "leaf" || info.Type == "branch") {
			return id * size, size
		}
	}
	t.Fatalf("%s has no branch or leaf page", path)
	return 0, 0
}
