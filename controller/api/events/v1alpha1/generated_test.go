package v1alpha1

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"kiln.dev/kiln/platform/home"
)

// TestCRDsAreCurrent regenerates the events CRDs with the pinned
// controller-gen and compares them with controller/config/crd (run `make
// generate` after editing the types).
func TestCRDsAreCurrent(t *testing.T) {
	gen := filepath.Join(home.Default().Tools(), "controller-gen-v0.20.0", "controller-gen")
	if _, err := os.Stat(gen); err != nil {
		t.Fatalf("%s is missing: run `make tools` (platform/tools/build.sh builds it)", gen)
	}
	out := t.TempDir()
	cmd := exec.Command(gen, "crd:crdVersions=v1,maxDescLen=0", "paths=./...", "output:crd:dir="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("controller-gen: %v\n%s", err, b)
	}
	for _, kind := range []string{"eventsources", "eventbuses", "clustereventbuses", "triggers"} {
		name := "events.kiln.dev_" + kind + ".yaml"
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "..", "config", "crd", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("controller/config/crd/%s is stale: run `make generate`", name)
		}
	}
}
