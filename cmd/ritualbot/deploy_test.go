package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ritualbot/ritualbot/config"
)

// The packaging in deploy/ is not run here (no container engine in CI), so
// these tests hold it to what the bot needs: one replica that never
// overlaps (bbolt's file lock), probes on the real endpoints, a config the
// bot accepts, and the CLI as it is.
func TestKubernetesExampleFitsTheBot(t *testing.T) {
	docs := map[string]map[string]any{}
	dec := yaml.NewDecoder(bytes.NewReader([]byte(mustRead(t, "../../deploy/kubernetes.yaml"))))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		docs[doc["kind"].(string)] = doc
	}
	dig := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				v = v.(map[string]any)[k]
			case int:
				v = v.([]any)[k]
			}
		}
		return v
	}
	dep := docs["Deployment"]
	if dig(dep, "spec", "replicas") != 1 || dig(dep, "spec", "strategy", "type") != "Recreate" {
		t.Error("the Deployment must run one replica with the Recreate strategy: two pods must never hold the store")
	}
	c := dig(dep, "spec", "template", "spec", "containers", 0)
	if dig(c, "livenessProbe", "httpGet", "path") != "/healthz" || dig(c, "readinessProbe", "httpGet", "path") != "/readyz" {
		t.Error("probes must use /healthz (alive) and /readyz (store and Slack)")
	}
	args := dig(c, "args").([]any)
	if args[0] != "run" || args[1] != "--config" {
		t.Errorf("container args %v do not match the CLI", args)
	}
	cfgText := dig(docs["ConfigMap"], "data", "config.yaml").(string)
	l, err := config.Parse("configmap/config.yaml", []byte(cfgText), configKinds())
	if err != nil {
		t.Fatalf("the ConfigMap's config is refused by the bot: %v", err)
	}
	if !strings.HasPrefix(l.Config.Store.Path, "/data/") || !strings.HasPrefix(l.Config.HTTP.Listen, "0.0.0.0:") {
		t.Errorf("store %q must be on the volume and listen %q on all interfaces for the probes", l.Config.Store.Path, l.Config.HTTP.Listen)
	}
}

func TestSystemdUnitAndDockerfileUseTheCLI(t *testing.T) {
	unit := mustRead(t, "../../deploy/ritualbot.service")
	for _, want := range []string{"ExecStart=/usr/local/bin/ritualbot run --config /etc/ritualbot/config.yaml", "StateDirectory=ritualbot", "EnvironmentFile="} {
		if !strings.Contains(unit, want) {
			t.Errorf("ritualbot.service lacks %q", want)
		}
	}
	docker := mustRead(t, "../../deploy/Dockerfile")
	for _, want := range []string{"CGO_ENABLED=0", "USER nonroot", `CMD ["run", "--config", "/etc/ritualbot/config.yaml"]`} {
		if !strings.Contains(docker, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
