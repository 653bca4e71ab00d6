package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/rituals"
	"github.com/ritualbot/ritualbot/rituals/incident"
)

// TestCompactShrinksAndKeepsEverything fills a store, lets the retention
// take most of it, and compacts: the copy is a fraction of the file and
// exports the same, and incident numbers go on where they were.
func TestCompactShrinksAndKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "ritualbot.db")
	db, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		at := t0.Add(-time.Duration(i) * day / 4)
		inc := incident.Incident{Ritual: "inc", Title: strings.Repeat("checkout errors ", 20), Status: incident.IncidentResolved, Opened: at, Resolved: at}
		if _, err := db.SaveIncident(inc, at, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Prune(rituals.Retention{Incidents: 30 * day}, t0); err != nil {
		t.Fatal(err)
	}
	var before bytes.Buffer
	if err := db.Export(&before); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "compact.db")
	rep, err := Compact(src, out)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 || fi.Size() != rep.After {
		t.Errorf("compacted file: mode %v size %d, report %+v", fi.Mode().Perm(), fi.Size(), rep)
	}
	// 30 of 400 incidents stay: the copy must be well under half.
	if rep.After*2 > rep.Before {
		t.Errorf("compacted %d bytes to %d, want under half", rep.Before, rep.After)
	}
	c := mustOpenPath(t, out)
	var after bytes.Buffer
	if err := c.Export(&after); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Error("the compacted store exports differently")
	}
	inc, err := c.SaveIncident(incident.Incident{Ritual: "inc", Title: "next", Opened: t0}, t0, nil)
	if err != nil || inc.Number != 401 {
		t.Errorf("next incident in the compacted store is #%d (%v), want #401", inc.Number, err)
	}
}

func TestCompactRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "ritualbot.db")
	db, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	// The bot holds the store: compacting it now would miss its writes.
	if _, err := Compact(src, filepath.Join(dir, "out.db")); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Errorf("compact of a store in use: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.db")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed compact left its output behind")
	}
	db.Close()

	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("keep me too"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{existing, link, src} {
		if _, err := Compact(src, out); !errors.Is(err, os.ErrExist) {
			t.Errorf("compact to %s: %v, want it refused as existing", filepath.Base(out), err)
		}
	}
	for path, want := range map[string]string{existing: "keep me", target: "keep me too"} {
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("%s now holds %q", filepath.Base(path), got)
		}
	}
	if db, err := Open(src); err != nil {
		t.Errorf("the source no longer opens: %v", err)
	} else {
		db.Close()
	}
}
