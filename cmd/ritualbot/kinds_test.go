package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ritualbot/ritualbot/config"
	"github.com/ritualbot/ritualbot/demo"
	"github.com/ritualbot/ritualbot/rituals"
)

// The one table of kinds is complete: every entry builds and previews its
// rituals, and the config reads exactly the table's kinds, each with the
// entry's own parser: config.example.yaml and the demo's config, which
// between them use every kind, load with it.
func TestKindsTable(t *testing.T) {
	for name, k := range kinds {
		if k.build == nil || k.preview == nil {
			t.Errorf("kind %s lacks build or preview", name)
		}
	}
	_, err := config.Parse("t.yaml", []byte("timezone: UTC\nteams:\n  - {id: a, channel: C1}\nrituals:\n  - {name: r, kind: nosuch, team: a}\n"), configKinds())
	if want := "this ritualbot knows " + strings.Join(slices.Sorted(maps.Keys(kinds)), ", "); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("an unknown kind: got %v, want %q", err, want)
	}
	used := map[string]bool{}
	example, err := config.Load("../../config.example.yaml", configKinds())
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	builtin, err := demo.BuiltinConfig(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), configKinds())
	if err != nil {
		t.Fatalf("the demo's config: %v", err)
	}
	for _, rcs := range [][]*rituals.RitualConfig{example.Config.Rituals, builtin.Config.Rituals} {
		for _, rc := range rcs {
			used[rc.Kind] = true
		}
	}
	for name := range kinds {
		if !used[name] {
			t.Errorf("neither config.example.yaml nor the demo's config has a %s ritual", name)
		}
	}
}
