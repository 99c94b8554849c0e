package cluster

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
	"kiln.dev/kiln/platform/registry"
)

// shipwrightFeature: Up with the tekton and shipwright addons on the running
// node (cold: ko builds or the cache; then warm), Kiln's
// ClusterBuildStrategy, a Build of samples/go/hello from an OCI source
// bundle, its BuildRun until Succeeded, and the built image (by the digest
// in the BuildRun's status) as a Deployment + Service answering 200.
func shipwrightFeature() features.Feature {
	return features.New("a Shipwright BuildRun of Kiln's strategy").
		Assess("addons installed, cold then warm", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			seedStackAndBuilder(t, o)
			for _, round := range []string{"first", "second"} {
				o2 := o
				o2.Addons = []string{cluster.AddonShipwright}
				t0 := time.Now()
				if err := cluster.Up(o2); err != nil {
					t.Fatalf("%s up --with shipwright: %v", round, err)
				}
				t.Logf("%s up --with shipwright (node running): %s", round, time.Since(t0).Round(time.Millisecond))
			}
			return ctx
		}).
		Assess("BuildRun succeeds and its image answers", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			reg := cluster.NodeRegistry(o)
			if reg == "" {
				t.Fatal("no node registry after up --with shipwright")
			}
			src := pushSourceBundle(t, reg+"/kiln-e2e/hello-source:latest", filepath.Join(repoRoot, "samples", "go", "hello"))
			strategy, err := os.ReadFile(filepath.Join(repoRoot, "controller", "config", "strategy", "cluster_build_strategy.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := kubectl(string(strategy), "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			t1 := time.Now()
			if _, err := kubectl(buildAndRun(reg, src), "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			var digest string
			err = poll(15*time.Minute, func() error {
				out, err := kubectl("", "get", "buildrun", "hello-1", "-o",
					`jsonpath={.status.conditions[?(@.type=="Succeeded")].status}|{.status.conditions[?(@.type=="Succeeded")].reason}|{.status.output.digest}|{.status.conditions[?(@.type=="Succeeded")].message}`)
				if err != nil {
					return err
				}
				f := strings.SplitN(out, "|", 4)
				if len(f) < 4 {
					return fmt.Errorf("status %q", out)
				}
				switch f[0] {
				case "True":
					digest = f[2]
					return nil
				case "False":
					diagnoseBuild(t)
					t.Fatalf("BuildRun hello-1 failed: %s: %s", f[1], f[3])
				}
				return fmt.Errorf("BuildRun not done: %q", out)
			})
			if err != nil {
				diagnoseBuild(t)
				t.Fatalf("waited 15m for BuildRun hello-1: %v", err)
			}
			t.Logf("Build + BuildRun applied -> Succeeded: %s (digest %s)", time.Since(t1).Round(time.Millisecond), digest)
			if !strings.HasPrefix(digest, "sha256:") {
				diagnoseBuild(t)
				t.Fatalf("BuildRun status.output.digest = %q, want sha256:...", digest)
			}
			ref := reg + "/kiln-e2e/hello-built@" + digest
			t2 := time.Now()
			if _, err := kubectl(deployment("hello-built", ref), "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			ip, err := kubectl("", "get", "service", "hello-built", "-o", "jsonpath={.spec.clusterIP}")
			if err != nil || ip == "" {
				t.Fatalf("service hello-built has no ClusterIP: %q %v", ip, err)
			}
			body, err := firstOK(ip, 3*time.Minute)
			if err != nil {
				diagnoseService(t, ip)
				t.Fatalf("waited 3m for the built image's first 200 from http://%s: %v", ip, err)
			}
			if strings.TrimSpace(body) != "Hello, World!" {
				t.Fatalf("built image answered %q, want Hello, World!", body)
			}
			t.Logf("built image %s: Deployment + Service -> first 200 via ClusterIP: %s (body %q)", ref, time.Since(t2).Round(time.Millisecond), strings.TrimSpace(body))
			return ctx
		}).Feature()
}

// buildAndRun is the Build of samples/go/hello (OCI source bundle, Kiln's
// strategy, the Go builder and its run image from the node registry) and
// its BuildRun.
func buildAndRun(reg, src string) string {
	return `apiVersion: shipwright.io/v1beta1
kind: Build
metadata: {name: hello, namespace: default}
spec:
  source:
    type: OCI
    ociArtifact: {image: "` + src + `"}
  strategy: {name: kiln, kind: ClusterBuildStrategy}
  paramValues:
  - {name: KILN_BUILDER_IMAGE, value: "` + reg + `/kiln/builder-go:latest"}
  - {name: RUN_IMAGE, value: "` + reg + `/kiln/stack/run-static:bookworm"}
  - {name: ENV_VARS, value: "FUNC_NAME=HelloWorld"}
  env:
  - {name: CNB_INSECURE_REGISTRIES, value: "` + reg + `"}
  output: {image: "` + reg + `/kiln-e2e/hello-built"}
  timeout: 15m
---
apiVersion: shipwright.io/v1beta1
kind: BuildRun
metadata: {name: hello-1, namespace: default}
spec:
  build: {name: hello}
`
}

// diagnoseBuild logs the BuildRun, its TaskRun and the build pod's logs.
func diagnoseBuild(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{{"get", "buildrun", "hello-1", "-o", "yaml"}, {"get", "taskruns", "-o", "wide"},
		{"get", "pods", "-o", "wide"}, {"logs", "-l", "buildrun.shipwright.io/name=hello-1", "--all-containers", "--prefix", "--tail=25"}} {
		out, _ := kubectl("", args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), tailLines(out, 80))
	}
}

func tailLines(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// seedStackAndBuilder copies the run-static stack image (ko's base) and the
// Go builder from the kiln registry KILN_E2E_CLUSTER_IMAGE_FROM (what
// `make builder` fills) into the node's kiln registry, and the git step's
// base (seedGitBase).
func seedStackAndBuilder(t *testing.T, o cluster.Options) {
	seedGitBase(t, o)
	src, err := registry.OpenWith(imageFrom(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := registry.OpenWith(o.RegistryDir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	for _, repo := range []string{"kiln/stack/run-static:bookworm", "kiln/builder-go:latest"} {
		img, err := remote.Image(mustRef(t, src.Addr+"/"+repo))
		if err != nil {
			t.Fatalf("image %s in %s (run `make builder`): %v", repo, imageFrom(), err)
		}
		if err := remote.Write(mustRef(t, dst.Addr+"/"+repo), img, dst.RemoteOptions()...); err != nil {
			t.Fatal(err)
		}
	}
}

func imageFrom() string {
	if from := os.Getenv("KILN_E2E_CLUSTER_IMAGE_FROM"); from != "" {
		return from
	}
	h, _ := os.UserHomeDir()
	return filepath.Join(h, ".cache", "kiln", "registry")
}

// pushSourceBundle pushes dir as a Shipwright source bundle (one layer
// holding the files at their relative paths) to ref and returns it by
// digest.
func pushSourceBundle(t *testing.T, ref, dir string) string {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Name: rel + "/", Mode: 0o755, Typeflag: tar.TypeDir, ModTime: time.Unix(0, 0)})
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	r := mustRef(t, ref)
	if err := remote.Write(r, img); err != nil {
		t.Fatalf("pushing the source bundle to %s: %v", ref, err)
	}
	d, _ := img.Digest()
	return r.Context().String() + "@" + d.String()
}
