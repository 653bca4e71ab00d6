package main

import (
	"maps"
	"slices"
	"testing"

	"github.com/ritualbot/ritualbot/config"
)

// The bot runs every kind the config reads, and no other: the two tables
// name the same kinds.
func TestEveryKindTheConfigReadsIsWired(t *testing.T) {
	if got, want := slices.Sorted(maps.Keys(kinds)), config.Kinds(); !slices.Equal(got, want) {
		t.Errorf("the bot's kinds are %v, the config's %v", got, want)
	}
	for name, k := range kinds {
		if k.build == nil || k.preview == nil {
			t.Errorf("kind %s lacks build or preview", name)
		}
	}
}
