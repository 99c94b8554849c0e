package publish

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// release is the manifest kiln publish writes (the fields the suite reads).
type release struct {
	Version, Registry string
	Platforms         []string
	Images            []struct {
		Kind, Name, Repository, Digest, Reference, MediaType string
		Tags                                                 []string
		Platforms                                            []struct{ OS, Architecture, Digest string }
		RunImage                                             *struct {
			Image   string
			Mirrors []string
		}
	}
	Config *struct{ Dir, ControllerImage, DefaultBuilder string }
}

func readRelease(t *testing.T, path string) (release, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("release manifest: %v", err)
	}
	var r release
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r, b
}

// published fails the test unless the suite's first publish worked.
func published(t *testing.T) release {
	t.Helper()
	if suite.err != nil {
		t.Fatalf("kiln publish failed: %v\n%s", suite.err, suite.out)
	}
	r, _ := readRelease(t, suite.manifest)
	return r
}

// remoteOpts reach the suite's registry with its CA and credentials.
func remoteOpts() []remote.Option {
	kc := authn.NewMultiKeychain(staticKeychain{suite.reg.Addr})
	return []remote.Option{remote.WithAuthFromKeychain(kc), remote.WithTransport(&http.Transport{TLSClientConfig: tlsConfig(suite.ca)})}
}

type staticKeychain struct{ registry string }

func (s staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == s.registry {
		return &authn.Basic{Username: user, Password: password}, nil
	}
	return authn.Anonymous, nil
}

func TestPublishPrintsTheManifestPath(t *testing.T) {
	published(t)
	if !strings.Contains(suite.out, "release manifest: "+suite.manifest) {
		t.Fatalf("kiln publish did not print the manifest path %s:\n%s", suite.manifest, suite.out)
	}
	t.Logf("first publish (%s): %s", suite.platforms, suite.took.Round(time.Second))
}

// Same inputs, same digests: a second publish of the same tree to the same
// registry gives a byte-identical release manifest.
func TestPublishTwiceGivesTheSameDigests(t *testing.T) {
	published(t)
	start := time.Now()
	out, err := publishTo(suite.reg.Addr, filepath.Join(suite.work, "release-2"), "--run-image-mirror", suite.mirror.Addr, "--platforms", suite.platforms)
	if err != nil {
		t.Fatalf("second publish: %v\n%s", err, out)
	}
	t.Logf("second publish: %s", time.Since(start).Round(time.Second))
	_, first := readRelease(t, suite.manifest)
	_, second := readRelease(t, filepath.Join(suite.work, "release-2", "release-"+version+".json"))
	if string(first) != string(second) {
		t.Fatalf("the release manifests differ:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
}

func TestPublishWithoutCredentialsSaysHowToLogIn(t *testing.T) {
	published(t)
	empty := t.TempDir()
	out, err := runKiln([]string{"DOCKER_CONFIG=" + empty}, "publish", "--registry", suite.reg.Addr, "--version", version, "--out", t.TempDir(), "--platforms", "linux/amd64", "--skip", "builders,controller")
	if err == nil {
		t.Fatalf("publish without credentials succeeded:\n%s", out)
	}
	for _, want := range []string{suite.reg.Addr + " asks for credentials", "docker login " + suite.reg.Addr} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// Every artifact is an index of the published platforms' images (linux/amd64
// and linux/arm64 unless KILN_E2E_PUBLISH_PLATFORMS says otherwise) whose
// configs say so, under the version tag and latest.
func TestEveryArtifactIsMultiArch(t *testing.T) {
	r := published(t)
	kinds := map[string]int{}
	for _, a := range r.Images {
		kinds[a.Kind]++
		ref, err := name.ParseReference(a.Reference)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := remote.Index(ref, remoteOpts()...)
		if err != nil {
			t.Fatalf("%s: %v", a.Reference, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range im.Manifests {
			p := m.Platform.OS + "/" + m.Platform.Architecture
			got = append(got, p)
			img, err := idx.Image(m.Digest)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.OS+"/"+cf.Architecture != p {
				t.Errorf("%s %s: config says %s/%s", a.Reference, p, cf.OS, cf.Architecture)
			}
		}
		if strings.Join(got, ",") != suite.platforms {
			t.Errorf("%s: platforms %v", a.Reference, got)
		}
		for _, tag := range []string{version, "latest"} {
			d, err := remote.Head(ref.Context().Tag(tag), remoteOpts()...)
			if err != nil || d.Digest.String() != a.Digest {
				t.Errorf("%s:%s does not point at %s (%v)", a.Repository, tag, a.Digest, err)
			}
		}
	}
	if kinds["stack"] != 6 || kinds["buildpack"] != 8 || kinds["builder"] != 4 || kinds["controller"] != 1 {
		t.Fatalf("artifacts by kind: %v", kinds)
	}
}

// Builders name their run images in the registry they were published to,
// by the stack's channel tag, with the mirror registry as a run-image mirror.
func TestBuildersNameTheirRegistrysRunImages(t *testing.T) {
	r := published(t)
	want := map[string]string{"go": "run-static", "node": "run-node", "python": "run-python", "java": "run-java"}
	for _, a := range r.Images {
		if a.Kind != "builder" {
			continue
		}
		run := suite.reg.Addr + "/kiln/stack/" + want[a.Name] + ":bookworm"
		if a.RunImage == nil || a.RunImage.Image != run || len(a.RunImage.Mirrors) != 1 || a.RunImage.Mirrors[0] != suite.mirror.Addr+"/kiln/stack/"+want[a.Name]+":bookworm" {
			t.Errorf("builder %s: run image %+v, want %s mirrored in %s", a.Name, a.RunImage, run, suite.mirror.Addr)
		}
	}
}

// pack reads the published buildpackages and builders as its own.
func TestPackInspectsWhatWasPublished(t *testing.T) {
	published(t)
	pack := filepath.Join(suite.tools, "pack-v0.40.9", "pack")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"buildpack", "inspect", suite.reg.Addr + "/kiln/buildpacks/go-dist:" + version}, []string{"kiln/go-dist", version}},
		{[]string{"builder", "inspect", suite.reg.Addr + "/kiln/builder-go:" + version}, []string{"Version: 0.21.14", "kiln/go-function", version, suite.reg.Addr + "/kiln/stack/run-static:bookworm"}},
	} {
		c := exec.Command(pack, tc.args...)
		c.Env = append(os.Environ(), "DOCKER_CONFIG="+suite.dockerConfig, "SSL_CERT_FILE="+suite.sslCertFile, "PACK_HOME="+t.TempDir(), "DOCKER_HOST=unix:///nonexistent.sock")
		out, _ := c.CombinedOutput()
		for _, w := range tc.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("pack %v lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestConfigIsPinnedToTheRelease(t *testing.T) {
	r := published(t)
	if r.Config == nil {
		t.Fatal("no config in the release manifest")
	}
	k, err := os.ReadFile(filepath.Join(filepath.Dir(suite.manifest), r.Config.Dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Images {
		if (a.Kind == "controller" || (a.Kind == "builder" && a.Name == "go")) && !strings.Contains(string(k), strings.TrimPrefix(a.Digest, "")) {
			t.Errorf("kustomization.yaml does not pin %s %s:\n%s", a.Kind, a.Digest, k)
		}
	}
	if !strings.Contains(string(k), "--default-builder="+r.Config.DefaultBuilder) {
		t.Errorf("kustomization.yaml does not set --default-builder=%s", r.Config.DefaultBuilder)
	}
}

func TestKilnVersionIsTheReleaseVersion(t *testing.T) {
	out, err := runKiln(nil, "version")
	if err != nil || !strings.HasPrefix(out, "kiln "+version+"\n") || !strings.Contains(out, "lifecycle   0.21.14") {
		t.Fatalf("kiln version: %v\n%s", err, out)
	}
}
