package regclient

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// authRegistry serves an in-process registry that wants user:password
// (basic auth) for everything, as distribution's htpasswd auth does.
func authRegistry(t *testing.T, user, password string) string {
	t.Helper()
	reg := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// useDockerConfig points the default keychain at a Docker config holding
// user:password for host (none when user is empty), and away from podman's
// auth files.
func useDockerConfig(t *testing.T, host, user, password string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("REGISTRY_AUTH_FILE", filepath.Join(dir, "no-auth.json"))
	t.Setenv("XDG_RUNTIME_DIR", dir)
	if user == "" {
		return
	}
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialsComeFromTheDockerConfig(t *testing.T) {
	host := authRegistry(t, "ci", "s3cret")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ref := host + "/app:v1"
	for _, c := range []struct {
		name, user, password string
		ok                   bool
	}{
		{"logged in", "ci", "s3cret", true},
		{"no credentials", "", "", false},
		{"wrong password", "ci", "wrong", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			useDockerConfig(t, host, c.user, c.password)
			_, werr := Target{}.WriteImage(ctx, ref, img)
			_, rerr := Target{}.Image(ctx, ref, nil)
			for what, err := range map[string]error{"push": werr, "pull": rerr} {
				if c.ok {
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s without accepted credentials succeeded", what)
				}
				for _, want := range []string{host + " asks for credentials", "docker login " + host} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%s: %q lacks %q", what, err, want)
					}
				}
			}
		})
	}
}

func TestInsecureRegistriesSpeakPlainHTTP(t *testing.T) {
	for _, c := range []struct {
		ref      string
		insecure []string
		scheme   string
	}{
		{"reg.lan:5000/app:v1", nil, "https"},
		{"reg.lan:5000/app:v1", []string{"reg.lan:5000"}, "http"},
		{"reg.lan:5000/app:v1", []string{"reg.lan:5000/"}, "http"},
		{"reg.lan:5000/app:v1", []string{"reg.lan"}, "https"},
		{"reg.lan:5001/app:v1", []string{"reg.lan:5000"}, "https"},
		{"127.0.0.1:5000/app:v1", nil, "http"}, // loopback: no flag needed
	} {
		r, err := Target{Insecure: c.insecure}.Ref(c.ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Context().Scheme(); got != c.scheme {
			t.Errorf("Ref(%q) with insecure %q: scheme %s, want %s", c.ref, c.insecure, got, c.scheme)
		}
	}
}

func TestInsecureRegistriesReachHelpersThroughTheEnvironment(t *testing.T) {
	t.Setenv(InsecureEnv, "")
	if got := FromEnv().Insecure; len(got) != 0 {
		t.Fatalf("empty env: %q", got)
	}
	if err := ExportInsecure([]string{"a.lan:5000", "b.lan/"}); err != nil {
		t.Fatal(err)
	}
	if err := ExportInsecure([]string{"c.lan"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(FromEnv().Insecure, ","); got != "a.lan:5000,b.lan,c.lan" {
		t.Fatalf("FromEnv().Insecure = %q", got)
	}
	for _, bad := range []string{"http://a.lan:5000", "a.lan/path", "a,b"} {
		if err := ExportInsecure([]string{bad}); err == nil || !strings.Contains(err.Error(), "host or host:port") {
			t.Errorf("ExportInsecure(%q): %v, want a refusal", bad, err)
		}
	}
}

func TestExplainSaysHowToFixIt(t *testing.T) {
	ref, _ := name.ParseReference("reg.example:5443/team/app:v1")
	for _, c := range []struct {
		err  error
		want string
	}{
		{&transport.Error{StatusCode: http.StatusUnauthorized}, "reg.example:5443 asks for credentials and kiln found none that it accepts: log in with `docker login reg.example:5443`"},
		{&transport.Error{StatusCode: http.StatusForbidden}, "reg.example:5443 refused these credentials (403): check the account may push to reg.example:5443/team/app"},
		{errors.New(`Get "https://reg.example:5443/v2/": http: server gave HTTP response to HTTPS client`), "pass --insecure-registry reg.example:5443"},
		{fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), "reg.example:5443's TLS certificate is not trusted here"},
		{errors.New("connection refused"), "pushing X: connection refused"},
	} {
		got := Explain("pushing X", ref, c.err)
		if !strings.Contains(got.Error(), c.want) || !errors.Is(got, c.err) {
			t.Errorf("Explain(%v) = %q, want it to contain %q and wrap the cause", c.err, got, c.want)
		}
	}
}

// The sandbox helper may not read the Docker config: kiln resolves the
// credentials first (ExportAuth) and FromEnv answers with them.
func TestExportedCredentialsReachFromEnv(t *testing.T) {
	host := authRegistry(t, "ci", "s3cret")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ref := host + "/app:v1"
	t.Setenv(AuthEnv, "")
	useDockerConfig(t, host, "ci", "s3cret")
	if _, err := (Target{}).WriteImage(ctx, ref, img); err != nil {
		t.Fatal(err)
	}
	if err := ExportAuth(ref, "docker.io/library/nothing-here:v1"); err != nil {
		t.Fatal(err)
	}
	useDockerConfig(t, host, "", "") // the helper's view: no readable config
	if _, err := FromEnv().Image(ctx, ref, nil); err != nil {
		t.Fatalf("pull with exported credentials: %v", err)
	}
	t.Setenv(AuthEnv, "")
	if _, err := FromEnv().Image(ctx, ref, nil); err == nil || !strings.Contains(err.Error(), "docker login "+host) {
		t.Fatalf("pull without: %v", err)
	}
}
