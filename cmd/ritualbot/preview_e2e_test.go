package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ritualbot/ritualbot/config"
)

// freshExample is config.example.yaml in a directory of its own, as on a
// fresh checkout: its store (ritualbot.db beside it) does not exist.
func freshExample(t *testing.T) (cfgPath, storePath string) {
	t.Helper()
	src, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, src, 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, filepath.Join(dir, "ritualbot.db")
}

// A person writing a first config previews every ritual before running
// the bot: each renders from empty data with a line saying so, and the
// store is not created.
func TestPreviewEveryExampleRitualWithNoStore(t *testing.T) {
	cfgPath, storePath := freshExample(t)
	loaded, err := config.Load(cfgPath, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	const note = "No store yet at "
	for _, rc := range loaded.Config.Rituals {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"preview", "--config", cfgPath, rc.Name}, &out, &errOut, noEnv); code != 0 {
			t.Errorf("preview %s exited %d: %s", rc.Name, code, errOut.String())
			continue
		}
		first, rest, _ := strings.Cut(out.String(), "\n")
		if !strings.HasPrefix(first, note+storePath) || !strings.HasPrefix(rest, "To ") {
			t.Errorf("preview %s printed:\n%s\nwant one line about the missing store above the message", rc.Name, out.String())
		}

		out.Reset()
		errOut.Reset()
		if code := run(context.Background(), []string{"preview", "--json", "--config", cfgPath, rc.Name}, &out, &errOut, noEnv); code != 0 {
			t.Errorf("preview --json %s exited %d: %s", rc.Name, code, errOut.String())
			continue
		}
		var msg map[string]any
		if err := json.Unmarshal(out.Bytes(), &msg); err != nil || msg["blocks"] == nil {
			t.Errorf("preview --json %s: stdout is not the message alone (%v):\n%s", rc.Name, err, out.String())
		}
		if !strings.HasPrefix(errOut.String(), note) {
			t.Errorf("preview --json %s: stderr %q, want the note there", rc.Name, errOut.String())
		}
	}
	if _, err := os.Stat(storePath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("preview created the store %s: %v", storePath, err)
	}
}

// The on-call preview names a member the config gives by e-mail as the
// e-mail: without Slack there is no ID to mention.
func TestPreviewOnCallNamesAnEmailMemberAsText(t *testing.T) {
	cfgPath, _ := freshExample(t)
	loaded, err := config.Load(cfgPath, configKinds())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	// Mon 14 Dec's handoff makes the fourth member, carol@example.com, primary.
	if err := preview(context.Background(), loaded, func(string) string { return "" }, "payments-oncall", false, at(t, "2026-12-10 12:00", berlin), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "<@carol@") || !strings.Contains(out.String(), "carol@example.com") {
		t.Errorf("preview:\n%s\nwant carol@example.com as plain text", out.String())
	}
}
