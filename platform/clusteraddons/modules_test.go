package clusteraddons

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"testing"
)

// moduleFS downloads mod@version through the module proxy (or finds it in
// the module cache), as `kiln cluster up` does; without a proxy the test
// is skipped, not faked.
func moduleFS(t *testing.T, mod, version string) fs.FS {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", mod+"@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var out bytes.Buffer
	cmd.Stdout = &out
	runErr := cmd.Run()
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out.Bytes(), &m); err != nil || runErr != nil || m.Dir == "" {
		t.Skipf("go mod download %s@%s: %v %v %s (no module proxy?)", mod, version, runErr, err, m.Error)
	}
	return os.DirFS(m.Dir)
}
