package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kilnhome "kiln.dev/kiln/platform/home"
)

const (
	version  = "0.9.0"
	user     = "kiln-ci"
	password = "s3cret-for-the-test"
)

// suite is what TestMain sets up once.
var suite struct {
	repo, home, tools, bin, work string
	kilnBin                      string
	ca                           *testCA
	reg                          *distRegistry // TLS + htpasswd: where kiln publish pushes
	mirror                       *distRegistry // plain loopback, no auth: the mirror registry
	dockerConfig, sslCertFile    string
	// manifest is the release manifest of the first publish, took its time.
	manifest string
	// platforms the suite publishes: KILN_E2E_PUBLISH_PLATFORMS, default
	// linux/amd64,linux/arm64 (make test's fast subset publishes linux/amd64).
	platforms string
	took      time.Duration
	out       string
	err       error
}

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e/publish setup:", err)
		code = 1
	}
	teardown()
	os.Exit(code)
}

func teardown() {
	for _, r := range []*distRegistry{suite.reg, suite.mirror} {
		if r != nil {
			r.Stop()
		}
	}
	if suite.work != "" {
		os.RemoveAll(suite.work)
	}
}

func run(dir, name string, args ...string) error {
	c := exec.Command(name, args...)
	c.Dir, c.Stdout, c.Stderr = dir, os.Stdout, os.Stderr
	return c.Run()
}

func setup(m *testing.M) (int, error) {
	var err error
	if suite.repo, err = filepath.Abs("../.."); err != nil {
		return 1, err
	}
	suite.home = os.Getenv("KILN_E2E_HOME")
	if suite.home == "" {
		cache, _ := os.UserCacheDir()
		suite.home = filepath.Join(cache, "kiln-e2e-publish")
	}
	suite.tools = kilnhome.Default().Tools()
	if suite.work, err = os.MkdirTemp("", "kiln-e2e-publish-"); err != nil {
		return 1, err
	}
	suite.kilnBin = filepath.Join(suite.work, "kiln")
	for _, step := range [][]string{
		{"go", "build", "-ldflags", "-X kiln.dev/kiln/platform/version.Version=" + version, "-o", suite.kilnBin, "./platform/cmd/kiln"},
		{"bash", "platform/tools/build.sh", "cnb"},
		{"bash", "platform/tools/build.sh", "cnb-arm64"},
		{"bash", "platform/tools/build.sh", "publish-tools"},
	} {
		fmt.Printf("==> e2e/publish setup: %s\n", strings.Join(step, " "))
		if err := run(suite.repo, step[0], step[1:]...); err != nil {
			return 1, fmt.Errorf("%v: %w", step, err)
		}
	}
	if suite.ca, err = makeCA(suite.work); err != nil {
		return 1, err
	}
	suite.sslCertFile = filepath.Join(suite.work, "ca-bundle.crt")
	if err := trustBundle(suite.ca, suite.sslCertFile); err != nil {
		return 1, err
	}
	regBin, err := registryBin()
	if err != nil {
		return 1, err
	}
	for _, r := range []struct {
		dest  **distRegistry
		dir   string
		ca    *testCA
		login bool
	}{{&suite.reg, "reg", suite.ca, true}, {&suite.mirror, "mirror", nil, false}} {
		os.MkdirAll(filepath.Join(suite.work, r.dir), 0o755)
		u, p := "", ""
		if r.login {
			u, p = user, password
		}
		if *r.dest, err = startRegistry(regBin, filepath.Join(suite.work, r.dir), r.ca, u, p); err != nil {
			return 1, err
		}
	}
	suite.dockerConfig = filepath.Join(suite.work, "docker")
	if err := dockerConfig(suite.dockerConfig, suite.reg.Addr, user, password); err != nil {
		return 1, err
	}
	fmt.Printf("==> e2e/publish: registry %s (TLS, htpasswd), mirror %s\n", suite.reg.Addr, suite.mirror.Addr)
	start := time.Now()
	if suite.platforms = os.Getenv("KILN_E2E_PUBLISH_PLATFORMS"); suite.platforms == "" {
		suite.platforms = "linux/amd64,linux/arm64"
	}
	suite.out, suite.err = publishTo(suite.reg.Addr, filepath.Join(suite.work, "release-1"), "--run-image-mirror", suite.mirror.Addr, "--platforms", suite.platforms)
	suite.took = time.Since(start)
	suite.manifest = filepath.Join(suite.work, "release-1", "release-"+version+".json")
	fmt.Printf("==> e2e/publish: first publish took %s\n", suite.took.Round(time.Second))
	return m.Run(), nil
}

// runKiln runs the suite's kiln with its credentials and CA trust, plus env.
func runKiln(env []string, args ...string) (string, error) {
	c := exec.Command(suite.kilnBin, args...)
	c.Dir = suite.repo
	c.Env = append(append(os.Environ(), "KILN_HOME="+suite.home, "KILN_TOOLS="+suite.tools,
		"DOCKER_CONFIG="+suite.dockerConfig, "SSL_CERT_FILE="+suite.sslCertFile, "REGISTRY_AUTH_FILE="+filepath.Join(suite.work, "no-podman-auth.json")), env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = io.MultiWriter(&out, os.Stdout), io.MultiWriter(&out, os.Stdout)
	err := c.Run()
	return out.String(), err
}

// publishTo publishes this tree's release to registry, manifest under out.
func publishTo(registry, out string, extra ...string) (string, error) {
	return runKiln(nil, append([]string{"publish", "--registry", registry, "--version", version, "--out", out}, extra...)...)
}

// registryBin is where build.sh publish-tools put the registry wrapper: its
// directory is keyed by the wrapper's source (main.go + go.sum).
func registryBin() (string, error) {
	h := sha256.New()
	for _, f := range []string{"main.go", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(suite.repo, "platform", "tools", "registry", f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	return filepath.Join(suite.tools, "test-registry-v3.1.2-"+hex.EncodeToString(h.Sum(nil))[:12], "registry"), nil
}
