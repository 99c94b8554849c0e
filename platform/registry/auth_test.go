package registry

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestWritesNeedTheTokenReadsDoNot(t *testing.T) {
	r := serveHere(t, t.TempDir())
	img, _ := random.Image(256, 1)
	err := remote.Write(mustRef(t, r.Ref("open:v1")), img)
	wantStatus(t, err, http.StatusUnauthorized, "an anonymous push")
	err = remote.Write(mustRef(t, r.Ref("open:v1")), img, remote.WithAuth(&authn.Basic{Username: tokenUser, Password: strings.Repeat("0", 64)}))
	wantStatus(t, err, http.StatusUnauthorized, "a push with a wrong token")
	if err := remote.Write(mustRef(t, r.Ref("open:v1")), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	layers, _ := img.Layers()
	ld, _ := layers[0].Digest()
	for _, c := range []struct{ method, path string }{
		{http.MethodPut, "/v2/open/manifests/v2"},
		{http.MethodPost, "/v2/open/blobs/uploads/"},
		{http.MethodPatch, "/v2/open/blobs/uploads/1"},
		{http.MethodPut, "/v2/open/blobs/uploads/1?digest=" + ld.String()},
		{http.MethodDelete, "/v2/open/manifests/v1"},
		{http.MethodDelete, "/v2/open/manifests/" + d.String()},
		{http.MethodDelete, "/v2/open/blobs/" + ld.String()},
		{http.MethodGet, "/kiln/v1/status"},
		{http.MethodPost, "/kiln/v1/stop"},
		{http.MethodPost, "/kiln/v1/gc?grace=0s"},
	} {
		code, body := rawRequest(t, r, c.method, c.path, false, "{}")
		if code != http.StatusUnauthorized || !strings.Contains(body, "UNAUTHORIZED") || !strings.Contains(body, tokenFile) {
			t.Errorf("anonymous %s %s: %d %s, want 401", c.method, c.path, code, body)
		}
	}
	// The challenge tells clients how to authenticate.
	req0, _ := http.NewRequest(http.MethodPost, "http://"+r.Addr+"/v2/open/blobs/uploads/", nil)
	if resp, err := http.DefaultClient.Do(req0); err != nil || resp.Header.Get("WWW-Authenticate") != `Basic realm="kiln registry"` {
		t.Errorf("401 without a WWW-Authenticate challenge: %v %v", resp, err)
	}
	// Bearer works as well as basic.
	tok, _ := token(r.dir)
	req, _ := http.NewRequest(http.MethodPost, "http://"+r.Addr+"/v2/open/blobs/uploads/", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Errorf("bearer upload: %v %v", resp, err)
	}
	// Reads need nothing: pack, crane and lifecycles pull anonymously.
	got, err := remote.Image(mustRef(t, r.Ref("open:v1")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.RawConfigFile(); err != nil {
		t.Fatal(err)
	}
	if _, err := remote.List(mustRef(t, r.Ref("open")).Context()); err != nil {
		t.Fatal(err)
	}
}

func TestTokenIsPrivateAndStable(t *testing.T) {
	dir := t.TempDir()
	a, err := token(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := token(dir)
	st, _ := os.Stat(filepath.Join(dir, tokenFile))
	if a != b || len(a) != 64 || st.Mode().Perm() != 0o600 {
		t.Fatalf("token %q then %q, mode %v", a, b, st.Mode())
	}
	os.Chmod(filepath.Join(dir, tokenFile), 0o644)
	if _, err := token(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable token: %v", err)
	}
	os.Chmod(filepath.Join(dir, tokenFile), 0o600)
	os.WriteFile(filepath.Join(dir, tokenFile), []byte(strings.Repeat("s", 31)+"\n"), 0o600)
	if _, err := Auth(dir); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("a short token: %v", err)
	}
	os.WriteFile(filepath.Join(dir, tokenFile), []byte(strings.Repeat("s", 32)+"\n"), 0o600)
	if _, err := Auth(dir); err != nil {
		t.Fatalf("a 32-character token: %v", err)
	}
}

func TestAttachesOnlyToAServerProvingTheToken(t *testing.T) {
	dir := t.TempDir()
	impostor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(proofHeader, "0000")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(impostor.Close)
	// The real server answers a challenge (up to 128 characters) with its proof.
	real := serveHere(t, t.TempDir())
	tok := mustToken(t, real.dir)
	for _, n := range []int{128, 129} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+real.Addr+"/v2/", nil)
		c := strings.Repeat("c", n)
		req.Header.Set(challengeHeader, c)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, want := resp.Header.Get(proofHeader), map[int]string{128: proof(tok, c), 129: ""}[n]; got != want {
			t.Errorf("challenge of %d: proof %q, want %q", n, got, want)
		}
	}
	addr := strings.TrimPrefix(impostor.URL, "http://")
	os.WriteFile(filepath.Join(dir, "address"), []byte(addr+"\n"), 0o644)
	r := serveHere(t, dir)
	if !r.Serving() || r.Addr == addr {
		t.Fatalf("attached to the impostor at %s (serving=%v, addr %s)", addr, r.Serving(), r.Addr)
	}
	if rememberedAddr(dir) != r.Addr {
		t.Fatalf("remembered %s, serving %s", rememberedAddr(dir), r.Addr)
	}
	if _, err := OpenWith(dir, Options{Addr: "10.0.0.1:5000"}); err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("a non-loopback address: %v", err)
	}
}

func TestCredentialsForPackAndTheLifecycle(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	cfg := filepath.Join(t.TempDir(), "docker")
	if err := WriteDockerConfig(dir, r.Addr, cfg); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(cfg, "config.json")); st.Mode().Perm() != 0o600 {
		t.Fatalf("config.json mode %v", st.Mode())
	}
	t.Setenv("DOCKER_CONFIG", cfg)
	img, _ := random.Image(256, 1)
	if err := remote.Write(mustRef(t, r.Ref("viapack:v1")), img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("push with the docker config (what pack reads): %v", err)
	}
	v, err := CNBRegistryAuth(dir, r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+r.Addr+"/v2/vialifecycle/blobs/uploads/", nil)
	req.Header.Set("Authorization", m[r.Addr])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload with CNB_REGISTRY_AUTH's header: %v %v", resp, err)
	}
}

// The keychain answers the token only for the embedded registry's address;
// any other registry gets the fallback's answer.
func TestKeychainAndImageAuth(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	keys := Keychain(dir, r.Addr, authn.NewMultiKeychain())
	img, _ := random.Image(256, 1)
	if err := remote.Write(mustRef(t, r.Ref("viakeychain:v1")), img, remote.WithAuthFromKeychain(keys)); err != nil {
		t.Fatalf("push with Keychain: %v", err)
	}
	other, err := keys.Resolve(mustRef(t, "elsewhere.example:5000/x:v1").Context())
	if err != nil || other != authn.Anonymous {
		t.Fatalf("another registry got %v, %v; want the fallback's anonymous", other, err)
	}
	for _, tc := range []struct {
		image string
		want  bool
	}{
		{r.Addr + "/app:latest", true},
		{r.Addr + "0/app:latest", false}, // a longer port is another registry
		{"kiln.local/app:latest", false},
		{"docker.io/library/app:latest", false},
	} {
		got, err := ImageAuth(dir, r.Addr, tc.image)
		if err != nil || (got != "") != tc.want {
			t.Errorf("ImageAuth(%q) = %q, %v; want set=%v", tc.image, got, err, tc.want)
		}
	}
}
