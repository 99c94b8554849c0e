package local

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/e2e/kiln"
)

// rootlessUser is the normal user (with /etc/subuid and /etc/subgid lines)
// the rootless subset runs as; .ci/run creates it.
func rootlessUser(t *testing.T) (*user.User, *syscall.Credential) {
	t.Helper()
	name := os.Getenv("KILN_ROOTLESS_USER")
	if name == "" {
		name = "kiln-rootless"
	}
	if os.Geteuid() != 0 {
		t.Skip("the rootless subset switches from root to a normal user")
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Skipf("no user %s (create it with subordinate ids: see .ci/run)", name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return u, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
}

// readOnlyRegistry serves the suite's registry (another user's Kiln home)
// for pulls only.
func readOnlyRegistry(t *testing.T) string {
	t.Helper()
	target, _ := url.Parse("http://" + k.Registry)
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "read-only", http.StatusMethodNotAllowed)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestRootless(t *testing.T) {
	f := features.New("a normal user builds and runs, with a builder from another user's registry").
		Assess("kiln build and kiln run as a normal user", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			u, cred := rootlessUser(t)
			// The user's own Kiln home, kept between runs like the suite's
			// (the first build downloads the Go toolchain and compiles std).
			home := filepath.Join(u.HomeDir, ".cache", "kiln-e2e")
			for _, d := range []string{filepath.Dir(home), home} {
				os.MkdirAll(d, 0o755)
				os.Chown(d, int(cred.Uid), int(cred.Gid))
			}
			rk := &kiln.Kiln{Bin: k.Bin, Home: home, Log: os.Stdout, Credential: cred,
				Env: []string{"HOME=" + u.HomeDir, "USER=" + u.Username, "LOGNAME=" + u.Username}}
			// The user's own copy of the sample: the clone may sit where only
			// root can read (/root on CI).
			src := filepath.Join(u.HomeDir, "kiln-e2e-hello")
			if err := copyOwned(filepath.Join(repo, "samples", "go", "hello"), src, cred); err != nil {
				t.Fatal(err)
			}
			builder := readOnlyRegistry(t) + "/kiln/builder-go:latest"
			res := rk.Run("build", src, "--image", "rootless-hello", "--target", "HelloWorld", "--builder", builder)
			if res.Err() != nil {
				t.Fatal(res.Err())
			}
			t.Logf("rootless build %s", res.Took)
			if res = rk.Run("build", src, "--image", "rootless-hello", "--target", "HelloWorld", "--builder", builder); res.Err() != nil {
				t.Fatal(res.Err())
			}
			t.Logf("rootless unchanged rebuild %s", res.Took)
			r, err := rk.Start("rootless-hello")
			if err != nil {
				t.Fatal(err)
			}
			expectGet("/?name=Kiln", "Hello, Kiln!\n")(t, r)
			if code, err := r.Stop(15 * time.Second); err != nil || code != 0 {
				t.Fatalf("stop: %d %v\n%s", code, err, r.Output())
			}
			// The image's files belong to the user's subordinate ids, its
			// root to the user: never to host root.
			owners := map[uint32]bool{}
			filepath.Walk(filepath.Join(home, "userns"), func(p string, fi os.FileInfo, err error) error {
				if err == nil {
					owners[fi.Sys().(*syscall.Stat_t).Uid] = true
				}
				return nil
			})
			if owners[0] || !owners[cred.Uid] || len(owners) < 2 {
				t.Fatalf("owners of the rootless store: %v (want the user %d and its subordinate ids, never 0)", owners, cred.Uid)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}

// copyOwned replaces dst with a copy of the tree src owned by cred's user.
func copyOwned(src, dst string, cred *syscall.Credential) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return err
	}
	return filepath.Walk(dst, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
}
