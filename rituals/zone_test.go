package rituals

import (
	"sync"
	"testing"
)

func TestLoadZoneCachesOneLocationPerName(t *testing.T) {
	first, err := LoadZone("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := LoadZone("Asia/Kathmandu")
			if err != nil || l != first {
				t.Errorf("LoadZone = %p, %v; want the cached %p", l, err, first)
			}
		}()
	}
	wg.Wait()
	if first.String() != "Asia/Kathmandu" {
		t.Errorf("zone name = %q", first.String())
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = LoadZone("Asia/Kathmandu") }); n != 0 {
		t.Errorf("a cached zone allocates %v times per call, want 0", n)
	}
}

func TestLoadZoneUnknownIsAnError(t *testing.T) {
	if _, err := LoadZone("Mars/Olympus_Mons"); err == nil {
		t.Fatal("an unknown zone loaded")
	}
}
