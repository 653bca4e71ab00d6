package main

import (
	"os"
	"testing"
)

func osWriteFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
