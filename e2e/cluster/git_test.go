package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/stackpublish"
)

// gitNS keeps the Git-sourced Functions apart from the other features'.
const gitNS = "git"

// gitBaseRepo is the base of Shipwright's git step: Kiln's git service
// image (stacks/services).
const gitBaseRepo = "kiln/stack/git:services"

// gitFeature: `kiln deploy --git` from a bare repository of
// samples/go/hello served over Git's smart HTTP protocol (the host's git
// http-backend behind net/http/cgi) on the node address, which build pods
// reach: the build pod's git step (Shipwright's, built on Kiln's git
// service image) clones it, the Function becomes Ready and its URL answers
// through Traefik; a pushed commit deployed again is a new digest and a
// new body; --revision of an annotated tag builds that commit; a URL with
// no repository behind it is Built=False SourceFetchFailed with the URL
// and git's "not found" in the message. Apply → Ready is printed for each.
func gitFeature() features.Feature {
	var kiln, work, gitURL string
	var srv *http.Server
	deployGit := func(t *testing.T, name, body string, flags ...string) deployed {
		in, err := url.Parse(cluster.Ingress(o))
		if err != nil || in.Port() == "" {
			t.Fatalf("no ingress: %q %v", cluster.Ingress(o), err)
		}
		want := "http://" + name + "." + gitNS + "." + cluster.KnativeDomain + ":" + in.Port()
		return deployAndServe(t, kiln, deployArgs{target: "HelloWorld", name: name, ns: gitNS,
			flags: append([]string{"--git", gitURL}, flags...)}, want, body)
	}
	return features.New("git: kiln deploy --git from a repository on the node address").
		Assess("up --with kiln, a repository served over smart HTTP", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			kiln = upWithKiln(t, 1)
			if _, err := kubectl("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+gitNS+"}\n", "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			// Outlives this step (t.TempDir would not): Teardown removes it.
			dir, err := os.MkdirTemp("", "kiln-e2e-git-")
			if err != nil {
				t.Fatal(err)
			}
			work = filepath.Join(dir, "work")
			copyDir(t, filepath.Join(repoRoot, "samples", "go", "hello"), work)
			runGit(t, work, "init", "-q", "-b", "main")
			runGit(t, work, "add", ".")
			runGit(t, work, "commit", "-qm", "hello")
			runGit(t, work, "tag", "-a", "v1", "-m", "the first hello")
			runGit(t, dir, "clone", "-q", "--bare", work, filepath.Join(dir, "repos", "hello.git"))
			runGit(t, work, "remote", "add", "origin", filepath.Join(dir, "repos", "hello.git"))
			var addr string
			srv, addr = serveGit(t, filepath.Join(dir, "repos"))
			gitURL = "http://" + addr + "/hello.git"
			t.Logf("git http-backend serving %s at %s", filepath.Join(dir, "repos"), gitURL)
			return ctx
		}).
		Assess("deploy from the repository", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			first := deployGit(t, "hello", "Hello, World!")
			head := runGit(t, work, "rev-parse", "HEAD")
			if rev := functionField(t, "hello", "{.spec.build.srcRepo.revision}"); rev != head {
				t.Errorf("spec.build.srcRepo.revision %q, want HEAD pinned to %s", rev, head)
			}
			t.Logf("git source: apply -> Ready %s (kiln deploy in all %s), first 200 through Traefik %s after apply, image %s",
				first.applyToReady.Round(time.Millisecond), first.total.Round(time.Millisecond), first.firstOK.Round(time.Millisecond), first.digest)

			editHello(t, work, `"Hello, %s!\n"`, `"Hello again, %s!\n"`)
			runGit(t, work, "commit", "-qam", "hello again")
			runGit(t, work, "push", "-q", "origin", "main")
			second := deployGit(t, "hello", "Hello again, World!")
			if second.digest == first.digest {
				t.Fatalf("the pushed commit kept digest %s", first.digest)
			}
			t.Logf("git source, a pushed commit deployed again: apply -> Ready %s (kiln deploy in all %s), image %s",
				second.applyToReady.Round(time.Millisecond), second.total.Round(time.Millisecond), second.digest)

			tagged := deployGit(t, "hello", "Hello, World!", "--revision", "v1")
			if rev := functionField(t, "hello", "{.spec.build.srcRepo.revision}"); rev != runGit(t, work, "rev-parse", "v1^{commit}") {
				t.Errorf("--revision v1: spec.build.srcRepo.revision %q, want the tag's commit", rev)
			}
			t.Logf("git source, --revision v1 (an annotated tag): apply -> Ready %s, image %s (the first build's: %v)",
				tagged.applyToReady.Round(time.Millisecond), tagged.digest, tagged.digest == first.digest)
			return ctx
		}).
		Assess("a URL with no repository behind it", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			bad := strings.TrimSuffix(gitURL, "hello.git") + "missing.git"
			r := runDeploy(t, kiln, deployArgs{target: "HelloWorld", name: "missing", ns: gitNS, flags: []string{"--git", bad}})
			if r.err == nil {
				t.Errorf("kiln deploy of a missing repository succeeded: %s", r.stdout)
			}
			c := waitConditionIn(t, gitNS, "missing", "Built", "False")
			// The git step's own words: git's "fatal: repository '…' not
			// found" behind Shipwright's reason.
			if c.reason != "SourceFetchFailed" || !strings.Contains(c.message, "could not fetch the source "+bad) || !strings.Contains(c.message, "not found") {
				t.Errorf("Built=False %s: %s; want SourceFetchFailed naming %s and the clone's \"not found\"", c.reason, c.message, bad)
			}
			if !strings.Contains(r.stderr, "SourceFetchFailed") {
				t.Errorf("kiln deploy did not end with the condition:\n%s", r.stderr)
			}
			t.Logf("missing repository: apply -> Built=False %s in %s: %s", c.reason, c.at.Sub(r.applied).Round(time.Millisecond), firstLine(c.message))
			return ctx
		}).
		Teardown(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if srv != nil {
				srv.Close()
			}
			if work != "" {
				os.RemoveAll(filepath.Dir(work))
			}
			if _, err := kubectl("", "-n", gitNS, "delete", "functions", "--all", "--wait=false"); err != nil {
				t.Error(err)
			}
			return ctx
		}).Feature()
}

// serveGit serves the bare repositories under root over Git's smart HTTP
// protocol on the node address (git http-backend as a CGI program, as a
// Git host's web server runs it) until the server is closed.
func serveGit(t *testing.T, root string) (*http.Server, string) {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v (the host's git serves the repository: apt-get install git)", err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(cluster.NodeIP, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
		// "Not a git repository: …missing.git" for the missing one: the
		// clone's 404 says it.
		Stderr: io.Discard,
	}, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "git server: %v\n", err)
		}
	}()
	return srv, l.Addr().String()
}

// runGit runs the host's git in dir and returns its trimmed output.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=kiln", "-c", "user.email=kiln@kiln.dev"}, args...)...)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// functionField is a jsonpath of Function name in gitNS.
func functionField(t *testing.T, name, path string) string {
	t.Helper()
	out, err := kubectl("", "-n", gitNS, "get", "function", name, "-o", "jsonpath="+path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// seedGitBase puts Kiln's git service image (the base ko builds
// Shipwright's git step on) into the node's kiln registry: from
// KILN_E2E_CLUSTER_IMAGE_FROM when `make stack` put it there, else built
// from stacks/services' pinned .debs as `kiln stack build --stack
// stacks/services` does.
func seedGitBase(t *testing.T, o cluster.Options) {
	t.Helper()
	dst, err := registry.OpenWith(o.RegistryDir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	src, err := registry.OpenWith(imageFrom(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if img, err := remote.Image(mustRef(t, src.Addr+"/"+gitBaseRepo)); err == nil {
		if err := remote.Write(mustRef(t, dst.Addr+"/"+gitBaseRepo), img, dst.RemoteOptions()...); err != nil {
			t.Fatal(err)
		}
		return
	}
	if _, err := remote.Head(mustRef(t, dst.Addr+"/"+gitBaseRepo)); err == nil {
		return
	}
	t0 := time.Now()
	debs := home.Default().Debs()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := stackpublish.Publish(filepath.Join(repoRoot, "stacks", "services"), dst.Addr, debs, io.Discard, dst.RemoteOptions()...); err != nil {
		t.Fatalf("no %s in %s, and building stacks/services failed: %v", gitBaseRepo, imageFrom(), err)
	}
	t.Logf("%s not in %s: built stacks/services into the node's kiln registry in %s", gitBaseRepo, imageFrom(), time.Since(t0).Round(time.Millisecond))
}
