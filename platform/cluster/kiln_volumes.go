package cluster

import (
	"fmt"
	"os"
	"strings"
)

// The controller gives each Function a build cache PVC (2Gi, no storage
// class). The node has no storage provisioner (the controller-manager's
// hostPath one makes root-only 0750 dirs, and builds run as uid 1000), so
// the kiln addon keeps a pool of hostPath PersistentVolumes with no class,
// which such a claim binds to: directories under the state dir owned by
// the stack's CNB user. A volume whose claim was deleted (its Function
// was) is Released; the next `up --with kiln` empties it and makes it
// Available again.
const (
	cacheVolumeCount = 8
	cacheVolumeLabel = "kiln.dev/build-cache"
	cacheVolumeUID   = 1000 // the stack's CNB_USER_ID, the build's runAsUser
)

// cacheVolumes returns the pool's PersistentVolumes and makes their
// directories; Released ones are emptied and freed first.
func cacheVolumes(o Options, s *state) ([]byte, error) {
	if err := freeReleasedVolumes(o); err != nil {
		return nil, err
	}
	var b strings.Builder
	for i := 1; i <= cacheVolumeCount; i++ {
		dir := o.p("volumes", fmt.Sprintf("build-cache-%d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, cacheVolumeUID, cacheVolumeUID); err != nil {
			return nil, fmt.Errorf("cluster: kiln addon: %w", err)
		}
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: kiln-build-cache-%d
  labels: {%s: "true"}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  hostPath: {path: %q, type: Directory}
`, i, cacheVolumeLabel, dir)
	}
	return []byte(b.String()), nil
}

// freeReleasedVolumes empties the pool's Released volumes and drops their
// claim reference, so new claims bind to them.
func freeReleasedVolumes(o Options) error {
	out, err := o.kubectlOut("get", "pv", "-l", cacheVolumeLabel+"=true", "-o",
		`jsonpath={range .items[?(@.status.phase=="Released")]}{.metadata.name} {.spec.hostPath.path}{"\n"}{end}`)
	if err != nil {
		return fmt.Errorf("cluster: kiln addon: listing build cache volumes: %w: %s", err, tailString(out, 5))
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || !strings.HasPrefix(f[1], o.p("volumes")+"/") {
			continue
		}
		entries, err := os.ReadDir(f[1])
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := os.RemoveAll(f[1] + "/" + e.Name()); err != nil {
				return err
			}
		}
		if err := o.kubectl(nil, "patch", "pv", f[0], "--type=json", "-p", `[{"op":"remove","path":"/spec/claimRef"}]`); err != nil {
			return err
		}
	}
	return nil
}
