package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiln.dev/kiln/e2e/kiln"
)

// packSample is one sample per language built by real `pack build -B`.
type packSample struct {
	builder, dir, target, want string
}

var packSamples = map[string]packSample{
	"go":     {"go", "samples/go/hello", "HelloWorld", "Hello, Kiln!"},
	"nodejs": {"node", "samples/nodejs/hello", "helloWorld", "Hello, Kiln!"},
	"python": {"python", "samples/python/hello", "hello", "Hello, Kiln!"},
	"java":   {"java", "samples/java/hello", "com.example.Hello", "Hello, Kiln!"},
}

// buildArgs are pack build's flags for builder under Podman 4.3's Docker
// API: host network, the untrusted-builder flow (one container per phase;
// with --trust-builder and a daemon export pack waited ~10 minutes on the
// creator container after it had exited, twice), the builder itself as the
// lifecycle image of that flow (pack's default, docker.io/buildpacksio/lifecycle,
// is out of reach here; the builder carries the same pinned lifecycle under
// /cnb/lifecycle), the daemon socket handed to the exporter, and the
// machine's Go proxy settings and CA bundle (this network intercepts TLS;
// toolchains come over HTTPS).
func buildArgs(builder string) []string {
	args := []string{"--builder", builder, "--lifecycle-image", builder, "--network", "host", "--pull-policy", "if-not-present",
		"--trust-builder=false", "--docker-host", "inherit",
		"--volume", "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro"}
	for _, k := range []string{"GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "NPM_CONFIG_REGISTRY"} {
		if v := os.Getenv(k); v != "" {
			args = append(args, "--env", k+"="+v)
		}
	}
	return args
}

// pack build -B with every published builder (from the TLS + htpasswd
// registry, through Podman's Docker API), then podman run and invoke.
func TestPackBuildEverySample(t *testing.T) {
	published(t)
	p := startPodman(t)
	for _, lang := range []string{"go", "nodejs", "python", "java"} {
		s := packSamples[lang]
		t.Run(lang, func(t *testing.T) {
			image := "kiln-e2e.local/" + lang + "-hello"
			start := time.Now()
			out, err := p.pack(append([]string{"build", image, "--path", s.dir, "--env", "FUNC_NAME=" + s.target},
				buildArgs(suite.reg.Addr+"/kiln/builder-"+s.builder+":"+version)...)...)
			if err != nil {
				t.Fatalf("pack build: %v\n%s", err, out)
			}
			t.Logf("pack build %s: %s", lang, time.Since(start).Round(100*time.Millisecond))
			if strings.Contains(out, "Did not find SBOM") {
				t.Errorf("the lifecycle still warns about missing SBOMs:\n%s", out)
			}
			port, err := kiln.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			if got := p.serve(t, image, port, "/?name=Kiln"); got != s.want {
				t.Fatalf("GET /?name=Kiln = %q, want %q", got, s.want)
			}
			if lang == "go" {
				sbom := t.TempDir()
				if out, err := p.pack("sbom", "download", image, "--output-dir", sbom); err != nil {
					t.Fatalf("pack sbom download: %v\n%s", err, out)
				}
				if _, err := os.Stat(filepath.Join(sbom, "layers", "sbom", "launch", "buildpacksio_lifecycle", "launcher", "sbom.cdx.json")); err != nil {
					t.Errorf("pack sbom download has no launcher SBOM: %v", err)
				}
			}
		})
	}
}

// A user composes their own builder from Kiln's published buildpackages and
// stack images with pack builder create, and builds with it.
func TestPackBuilderCreateFromPublishedBuildpackages(t *testing.T) {
	published(t)
	p := startPodman(t)
	dir := t.TempDir()
	reg := suite.reg.Addr
	toml := fmt.Sprintf(`description = "my own Go builder from Kiln's buildpackages"
[[buildpacks]]
  image = "%[1]s/kiln/buildpacks/go-dist:%[2]s"
[[buildpacks]]
  image = "%[1]s/kiln/buildpacks/go-function:%[2]s"
[[buildpacks]]
  image = "%[1]s/kiln/buildpacks/go-build:%[2]s"
[[order]]
  [[order.group]]
    id = "kiln/go-dist"
  [[order.group]]
    id = "kiln/go-function"
    optional = true
  [[order.group]]
    id = "kiln/go-build"
[build]
  image = "%[1]s/kiln/stack/build:%[2]s"
[run]
  [[run.images]]
    image = "%[1]s/kiln/stack/run-static:bookworm"
[lifecycle]
  uri = "%[3]s"
[[targets]]
  os = "linux"
  arch = "amd64"
`, reg, version, lifecycleTarball(t, dir))
	if err := os.WriteFile(filepath.Join(dir, "builder.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	mine := suite.mirror.Addr + "/me/my-go-builder:1"
	if out, err := p.pack("builder", "create", mine, "--config", filepath.Join(dir, "builder.toml"), "--publish"); err != nil {
		t.Fatalf("pack builder create: %v\n%s", err, out)
	}
	image := "kiln-e2e.local/my-builder-hello"
	if out, err := p.pack(append([]string{"build", image, "--path", "samples/go/hello", "--env", "FUNC_NAME=HelloWorld"}, buildArgs(mine)...)...); err != nil {
		t.Fatalf("pack build with my builder: %v\n%s", err, out)
	}
	port, err := kiln.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.serve(t, image, port, "/?name=Kiln"); got != "Hello, Kiln!" {
		t.Fatalf("got %q", got)
	}
}

// lifecycleTarball writes the lifecycle tarball a user would download from
// the lifecycle's releases (here: kiln's own packing of the pinned one).
func lifecycleTarball(t *testing.T, dir string) string {
	t.Helper()
	out, err := runKiln(nil, "builder", "lifecycle-tarball", filepath.Join(dir, "lifecycle.tgz"))
	if err != nil {
		t.Fatalf("kiln builder lifecycle-tarball: %v\n%s", err, out)
	}
	return filepath.Join(dir, "lifecycle.tgz")
}
