package cluster

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/registry"
)

// moduleDir downloads mod@version from the module proxy (or finds it in
// the module cache) and returns its read-only source dir.
func moduleDir(mod, version string, noSumDB bool) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod+"@"+version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if noSumDB {
		cmd.Env = append(cmd.Env, "GONOSUMDB="+mod)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	runErr := cmd.Run()
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out.Bytes(), &m); err != nil || m.Error != "" || m.Dir == "" || runErr != nil {
		return "", fmt.Errorf("cluster: go mod download %s@%s: %v %s %s (is the module proxy reachable? GOPROXY=%s)",
			mod, version, runErr, m.Error, strings.TrimSpace(errb.String()), os.Getenv("GOPROXY"))
	}
	return m.Dir, nil
}

// koKey names one resolution of an addon: the same module version, ko
// version, base images (by digest), file list and registry give the same
// images.
func koKey(a addon, b koBases, reg string) string {
	parts := []string{a.module + "@" + a.version, "ko " + koVersion, "base " + b.def.digest,
		"registry " + reg, "files " + strings.Join(a.files, ",")}
	for _, p := range slices.Sorted(maps.Keys(b.over)) {
		parts = append(parts, "base "+p+" "+b.over[p].digest)
	}
	for _, m := range a.more {
		parts = append(parts, "more "+m.module+"@"+m.version+" "+strings.Join(m.files, ","))
	}
	if a.manifest != "" {
		// What ko builds, not the YAML around it: flags and RBAC in the
		// manifest change without a rebuild.
		parts = append(parts, "images "+strings.Join(koRefs(a.manifest), ","))
	}
	h := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(h[:])[:16]
}

// resolvedAddon returns the plain YAML of an addon (every ko:// reference
// replaced by an image in kiln's registry, by digest): from the cache when
// a resolution with the same key is there and all its images still are
// in the registry, else built by ko (and cached). built reports a ko run.
func resolvedAddon(o Options, s *state, a addon) (yaml []byte, built bool, err error) {
	bases, err := resolveBases(s.Registry, a)
	if err != nil {
		return nil, false, err
	}
	if asyncRendered(a) {
		if a, err = withRendered(o, s, a, bases.def.ref()); err != nil {
			return nil, false, err
		}
	}
	cache := filepath.Join(o.addonCache(), fmt.Sprintf("%s-%s-%s.yaml", a.name, a.version, koKey(a, bases, s.Registry)))
	if b, err := os.ReadFile(cache); err == nil {
		if missing := missingImages(b, s.Registry); len(missing) == 0 {
			out, err := withManifest(b, a.manifest)
			return out, false, err
		}
	}
	if a.manifest != "" && len(a.files) == 0 && len(a.more) == 0 {
		if b, ok := pushedImages(s.Registry, a, bases, koRefs(a.manifest)); ok {
			if err := os.MkdirAll(o.addonCache(), 0o755); err != nil {
				return nil, false, err
			}
			if err := os.WriteFile(cache, b, 0o644); err != nil {
				return nil, false, err
			}
			out, err := withManifest(b, a.manifest)
			return out, false, err
		}
	}
	dir, err := moduleDir(a.module, a.version, a.noSumDB)
	if err != nil {
		return nil, false, err
	}
	tmp, err := os.MkdirTemp("", "kiln-ko-")
	if err != nil {
		return nil, false, err
	}
	defer os.RemoveAll(tmp)
	// Manifests in resolve order: other modules' (CRDs first), the
	// module's own, then Kiln's.
	var files []string
	for _, m := range a.more {
		mdir, err := moduleDir(m.module, m.version, false)
		if err != nil {
			return nil, false, err
		}
		for _, f := range m.files {
			files = append(files, filepath.Join(mdir, f))
		}
	}
	for _, f := range a.files {
		files = append(files, filepath.Join(dir, f))
	}
	if a.manifest != "" {
		p := filepath.Join(tmp, a.name+".yaml")
		if err := os.WriteFile(p, []byte(imagesDoc(koRefs(a.manifest))), 0o644); err != nil {
			return nil, false, err
		}
		files = append(files, p)
	}
	baseImage := bases.def.ref()
	if err := registry.WriteDockerConfig(o.RegistryDir, s.Registry, tmp); err != nil {
		return nil, false, fmt.Errorf("cluster: registry credentials for ko: %w", err)
	}
	// Kiln's own ko config: every image on run-static but the addon's
	// bases. A module's .ko.yaml may name base images on the internet
	// (Shipwright's: ghcr.io, UBI), which cannot be pulled here.
	koConfig := filepath.Join(tmp, ".ko.yaml")
	if err := os.WriteFile(koConfig, []byte(bases.config()), 0o644); err != nil {
		return nil, false, err
	}
	args := []string{"resolve", "--platform=linux/amd64", "--base-import-paths", "--sbom=none", "--tags=" + a.version}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	cmd := exec.Command(o.koBin(), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KO_DOCKER_REPO="+s.Registry+"/kiln/cluster/"+a.name,
		"KO_DEFAULTBASEIMAGE="+baseImage, "KO_CONFIG_PATH="+koConfig,
		"DOCKER_CONFIG="+tmp, "GOWORK=off", "GOFLAGS=-buildvcs=false", "CGO_ENABLED=0", "GOTOOLCHAIN=local")
	logPath := o.logFile("ko-" + a.name)
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, false, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, false, err
	}
	defer logf.Close()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, logf
	if err := cmd.Run(); err != nil {
		return nil, false, fmt.Errorf("cluster: ko resolve of %s@%s failed: %w; the end of %s:\n%s", a.module, a.version, err, logPath, tail(logPath, 15))
	}
	if bytes.Contains(out.Bytes(), []byte("ko://")) {
		return nil, false, fmt.Errorf("cluster: ko resolve of %s@%s left ko:// references (see %s)", a.module, a.version, logPath)
	}
	if err := os.MkdirAll(o.addonCache(), 0o755); err != nil {
		return nil, false, err
	}
	if err := os.WriteFile(cache+".tmp", out.Bytes(), 0o644); err != nil {
		return nil, false, err
	}
	if err := os.Rename(cache+".tmp", cache); err != nil {
		return nil, false, err
	}
	y, err := withManifest(out.Bytes(), a.manifest)
	return y, true, err
}

var digestRef = regexp.MustCompile(`[a-zA-Z0-9.:/_-]+@sha256:[0-9a-f]{64}`)

// missingImages lists the images of reg that a resolved manifest names by
// digest and the registry no longer has (a GC removed them).
func missingImages(yaml []byte, reg string) []string {
	var missing []string
	seen := map[string]bool{}
	for _, m := range digestRef.FindAll(yaml, -1) {
		ref := string(m)
		if !strings.HasPrefix(ref, reg+"/") || seen[ref] {
			continue
		}
		seen[ref] = true
		r, err := name.ParseReference(ref, name.Insecure)
		if err == nil {
			_, err = remote.Head(r)
		}
		if err != nil {
			missing = append(missing, ref)
		}
	}
	return missing
}
