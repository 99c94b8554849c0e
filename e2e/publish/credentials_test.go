package publish

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/e2e/kiln"
)

// dockerConfigFor writes a Docker config (DOCKER_CONFIG directory) holding
// user:password for every registry in creds.
func dockerConfigFor(t *testing.T, creds map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	var auths []string
	for reg, up := range creds {
		auths = append(auths, fmt.Sprintf("%q:{\"auth\":%q}", reg, base64.StdEncoding.EncodeToString([]byte(up[0]+":"+up[1]))))
	}
	cfg := `{"auths":{` + strings.Join(auths, ",") + `}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// publicCABundle copies the suite's CA bundle where the sandbox helper
// (which pulls, as the sandbox's ids) can read it, as it reads
// /etc/ssl/certs: CA certificates are public, the suite's work dir is not.
func publicCABundle(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "kiln-e2e-ca-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	b, err := os.ReadFile(suite.sslCertFile)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ca-bundle.crt")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// kilnWith is the suite's kiln with another Docker config (kiln reads it;
// the sandbox helper never does).
func kilnWith(t *testing.T, dockerConfig string) *kiln.Kiln {
	return &kiln.Kiln{Bin: suite.kilnBin, Home: suite.home, Log: os.Stdout, Env: []string{"KILN_TOOLS=" + suite.tools,
		"DOCKER_CONFIG=" + dockerConfig, "SSL_CERT_FILE=" + publicCABundle(t), "REGISTRY_AUTH_FILE=" + filepath.Join(suite.work, "no-podman-auth.json")}}
}

// wantLoginHint checks a failure names the registry and how to log in.
func wantLoginHint(t *testing.T, what string, r kiln.Result, registry string) {
	t.Helper()
	if r.Code == 0 {
		t.Fatalf("%s without credentials succeeded:\n%s", what, r.Output)
	}
	for _, want := range []string{registry + " asks for credentials", "docker login " + registry} {
		if !strings.Contains(r.Output, want) {
			t.Errorf("%s: output lacks %q:\n%s", what, want, r.Output)
		}
	}
}

// kiln build pulls its builder (and the builder's run image) from a private
// TLS registry with the Docker config's credentials, and pushes the app to
// another private registry only once the Docker config has that
// registry's credentials too (before, it says how to log in); kiln run
// pulls the app from there with them, and says how to log in without.
func TestCredentialsBuildPushesAndRunPulls(t *testing.T) {
	published(t)
	dir := t.TempDir()
	bin, err := registryBin()
	if err != nil {
		t.Fatal(err)
	}
	const appUser, appPassword = "app-pusher", "another-s3cret"
	apps, err := startRegistry(bin, dir, suite.ca, appUser, appPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer apps.Stop()
	builder := suite.reg.Addr + "/kiln/builder-go:" + version
	image := apps.Addr + "/team/hello-cred:v1"
	build := []string{"build", filepath.Join(suite.repo, "samples", "go", "hello"), "--target", "HelloWorld", "--builder", builder, "--image", image}

	onlyBuilders := kilnWith(t, dockerConfigFor(t, map[string][2]string{suite.reg.Addr: {user, password}}))
	r := onlyBuilders.Run(build...)
	wantLoginHint(t, "kiln build --image "+image, r, apps.Addr)

	both := kilnWith(t, dockerConfigFor(t, map[string][2]string{suite.reg.Addr: {user, password}, apps.Addr: {appUser, appPassword}}))
	if r := both.Run(build...); r.Code != 0 {
		t.Fatalf("kiln build --builder %s --image %s: exit %d\n%s", builder, image, r.Code, r.Output)
	}
	running, err := both.Start(image)
	if err != nil {
		t.Fatalf("kiln run %s: %v", image, err)
	}
	code, body, err := kiln.Get(running.URL + "/?name=Kiln")
	running.Stop(5e9)
	if err != nil || code != 200 || body != "Hello, Kiln!\n" {
		t.Fatalf("kiln run %s: %d %q %v", image, code, body, err)
	}

	wantLoginHint(t, "kiln run "+image, onlyBuilders.Run("run", image), apps.Addr)
}

// Without credentials, kiln build --builder and kiln run name the private
// registry and say how to log in, before building or running anything.
func TestCredentialsMissingSaysHowToLogIn(t *testing.T) {
	published(t)
	none := kilnWith(t, t.TempDir())
	builder := suite.reg.Addr + "/kiln/builder-go:" + version
	wantLoginHint(t, "kiln build --builder "+builder, none.Run("build", filepath.Join(suite.repo, "samples", "go", "hello"), "--target", "HelloWorld", "--builder", builder, "--image", "cred-nobody"), suite.reg.Addr)
	wantLoginHint(t, "kiln run", none.Run("run", suite.reg.Addr+"/team/nothing:v1"), suite.reg.Addr)
}
