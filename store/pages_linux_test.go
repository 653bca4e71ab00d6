package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestReleasePagesDropsTheMappedFile fills a store, maps all of it in with
// Check, and checks ReleasePages leaves none of the file resident and the
// data still readable.
func TestReleasePagesDropsTheMappedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ritualbot.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	value := bytes.Repeat([]byte("x"), 4000)
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("pages-test"))
		if err != nil {
			return err
		}
		for i := range 1000 {
			if err := b.Put([]byte(fmt.Sprintf("k%04d", i)), value); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	if kb := mappedKB(t, path); kb < 1024 {
		t.Fatalf("after Check only %d KB of the file is resident; the test maps nothing in", kb)
	}
	if err := db.ReleasePages(); err != nil {
		t.Fatal(err)
	}
	if kb := mappedKB(t, path); kb != 0 {
		t.Errorf("after ReleasePages %d KB of the file is resident, want 0", kb)
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("pages-test")).Get([]byte("k0999")); !bytes.Equal(v, value) {
			return fmt.Errorf("k0999 reads %d bytes after ReleasePages", len(v))
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

// mappedKB sums the resident kB of this process's mappings of path.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	total, in := 0, false
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			in = strings.HasSuffix(line, " "+path)
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Rss:"); in && ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			total += kb
		}
	}
	return total
}
