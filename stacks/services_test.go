package stacks

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sys/unix"
)

// TestServiceImagesRun builds each image of stacks/services from its pinned
// .debs and runs its program from the image's own files (chroot, as the
// image's user): every shared library it links must be in the image, or
// the loader fails. Redis answers PING and appends to a stream, Mosquitto
// accepts an MQTT CONNECT, and Git clones over HTTP (libcurl).
func TestServiceImagesRun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chroot and the image's user need root")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Fatal("apt-get is required to build stacks (Debian/Ubuntu host)")
	}
	s, err := Load("services")
	if err != nil {
		t.Fatal(err)
	}
	debs := t.TempDir()
	if home := os.Getenv("KILN_HOME"); home != "" {
		debs = filepath.Join(home, "debs") // the .debs kiln stack build keeps (SHA-256 checked on use)
	}
	for _, tc := range []struct {
		image string
		check func(t *testing.T, root string)
	}{
		{"redis", checkRedis},
		{"mosquitto", checkMosquitto},
		{"git", checkGit},
	} {
		t.Run(tc.image, func(t *testing.T) {
			img, err := s.Image(tc.image, debs, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.Config.User != "1000:1000" {
				t.Fatalf("user %q, want 1000:1000", cf.Config.User)
			}
			root := t.TempDir()
			tar := exec.Command("tar", "-x", "-C", root)
			tar.Stdin = mutate.Extract(img)
			if out, err := tar.CombinedOutput(); err != nil {
				t.Fatalf("extracting %s: %v %s", tc.image, err, out)
			}
			if err := os.MkdirAll(filepath.Join(root, "work"), 0o755); err != nil {
				t.Fatal(err)
			}
			// /dev/null, as every container runtime provides it.
			os.MkdirAll(filepath.Join(root, "dev"), 0o755)
			if err := syscall.Mknod(filepath.Join(root, "dev", "null"), syscall.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
				t.Fatal(err)
			}
			os.Chmod(filepath.Join(root, "dev", "null"), 0o666) // past the umask
			if err := os.Chown(filepath.Join(root, "work"), 1000, 1000); err != nil {
				t.Fatal(err)
			}
			tc.check(t, root)
		})
	}
}

// inImage is a command run from root's files as the image's user.
func inImage(root string, args ...string) *exec.Cmd {
	c := exec.Command(args[0], args[1:]...)
	c.Dir = "/"
	c.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/work"}
	c.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Credential: &syscall.Credential{Uid: 1000, Gid: 1000}, Pdeathsig: syscall.SIGKILL}
	return c
}

// server is a long-running program of an image.
type server struct {
	out    bytes.Buffer // written until exited is closed
	exited chan struct{}
}

// serve starts a long-running program of the image; stopped at cleanup.
func serve(t *testing.T, root string, args ...string) *server {
	t.Helper()
	c := inImage(root, args...)
	s := &server{exited: make(chan struct{})}
	c.Stdout, c.Stderr = &s.out, &s.out
	if err := c.Start(); err != nil {
		t.Fatalf("starting %v from the image: %v", args, err)
	}
	go func() { c.Wait(); close(s.exited) }()
	t.Cleanup(func() { c.Process.Kill(); <-s.exited })
	return s
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dial polls addr until it accepts (the server is starting), the server
// exits or 20 s pass.
func dial(t *testing.T, addr string, s *server) net.Conn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(10 * time.Second))
			return c
		}
		select {
		case <-s.exited:
			t.Fatalf("the server exited before accepting on %s; its output:\n%s", addr, &s.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing accepted on %s within 20 s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkRedis(t *testing.T, root string) {
	port := freePort(t)
	out := serve(t, root, "/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", fmt.Sprint(port),
		"--save", "", "--appendonly", "no", "--dir", "/work")
	c := dial(t, fmt.Sprintf("127.0.0.1:%d", port), out)
	defer c.Close()
	r := bufio.NewReader(c)
	for _, tc := range []struct{ cmd, want string }{
		{"*1\r\n$4\r\nPING\r\n", "+PONG"},
		{"*5\r\n$4\r\nXADD\r\n$6\r\norders\r\n$1\r\n*\r\n$1\r\nk\r\n$1\r\nv\r\n", "$"},
		{"*2\r\n$4\r\nXLEN\r\n$6\r\norders\r\n", ":1"},
	} {
		if _, err := io.WriteString(c, tc.cmd); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, tc.want) {
			t.Fatalf("redis answered %q (%v) to %q; want %q…", line, err, tc.cmd, tc.want)
		}
		if tc.want == "$" { // the entry id's bulk string
			r.ReadString('\n')
		}
	}
}

func checkMosquitto(t *testing.T, root string) {
	port := freePort(t)
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n", port)
	if err := os.WriteFile(filepath.Join(root, "work", "mosquitto.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out := serve(t, root, "/usr/sbin/mosquitto", "-c", "/work/mosquitto.conf")
	c := dial(t, fmt.Sprintf("127.0.0.1:%d", port), out)
	defer c.Close()
	// MQTT 3.1.1 CONNECT: protocol "MQTT" level 4, clean session, keep-alive 60 s, client id "kiln".
	connect := []byte{0x10, 16, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 4, 'k', 'i', 'l', 'n'}
	if _, err := c.Write(connect); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(c, ack); err != nil || !bytes.Equal(ack, []byte{0x20, 2, 0, 0}) {
		t.Fatalf("mosquitto answered CONNECT with % x (%v); want CONNACK accepted (20 02 00 00)", ack, err)
	}
}

func checkGit(t *testing.T, root string) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the host's git makes the repository served to the image's git (apt-get install git)")
	}
	// A bare repository served over Git's HTTP protocol by a plain file
	// server (the "dumb" protocol: what git update-server-info prepares).
	work, bare := t.TempDir(), filepath.Join(t.TempDir(), "fn.git")
	for _, args := range [][]string{
		{"init", "-q", "-b", "main", work},
		{"-C", work, "-c", "user.name=kiln", "-c", "user.email=kiln@kiln.dev", "commit", "-q", "--allow-empty", "-m", "first"},
		{"clone", "-q", "--bare", work, bare},
		{"-C", bare, "update-server-info"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	srv := httptest.NewServer(http.StripPrefix("/", http.FileServer(http.Dir(filepath.Dir(bare)))))
	defer srv.Close()
	c := inImage(root, "/usr/bin/git", "clone", "-q", srv.URL+"/fn.git", "/work/fn")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("git clone over HTTP from the image: %v\n%s", err, out)
	}
	c = inImage(root, "/usr/bin/git", "-C", "/work/fn", "log", "--format=%s")
	if out, err := c.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "first" {
		t.Fatalf("git log in the clone: %q (%v); want \"first\"", out, err)
	}
	// glibc loads libgcc_s when a thread exits through pthread_exit, as
	// git's async helpers do when they die: without it git aborts with
	// "libgcc_s.so.1 must be installed for pthread_exit to work" instead
	// of its own error (seen on a clone that could not write its pack).
	if m, _ := filepath.Glob(filepath.Join(root, "usr", "lib", "*", "libgcc_s.so.1")); len(m) == 0 {
		if m, _ = filepath.Glob(filepath.Join(root, "lib", "*", "libgcc_s.so.1")); len(m) == 0 {
			t.Error("the git image has no libgcc_s.so.1 (package libgcc-s1)")
		}
	}
	// What Shipwright's git step runs after every clone: a shell script.
	c = inImage(root, "/usr/bin/git", "-C", "/work/fn", "submodule", "update", "--init", "--recursive")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("git submodule update in the clone: %v\n%s", err, out)
	}
}
